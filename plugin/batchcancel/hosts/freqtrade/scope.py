"""One batch pass inside one of freqtrade's multi-order cancel loops.

freqtrade cancels an order in three requests (fetch it, cancel it, fetch it again) and then books
the result itself: cancel reason, partial fills, trade deletion, notifications, wallet refresh.
A :class:`BatchScope` keeps all of that bookkeeping freqtrade's own and only moves the cancels:

1. **Snapshot**: one paginated open-orders list per market type replaces the first fetch of
   every order (normalised exactly as freqtrade's ``fetch_order`` normalises).
2. **Batch**: the orders that are open and unfilled in the snapshot are cancelled through
   :func:`batchcancel.cancel_orders` on the bot's own ccxt instance. Partially filled orders, and
   anything the snapshot did not show, are left to freqtrade (its min-stake "keep open" rule
   needs the live order).
3. **Replay**: while freqtrade's own loop runs, and only on the thread that opened the scope,
   its ``Exchange.fetch_order`` answers the *first* fetch of a batched order with the snapshot,
   and ``Exchange.cancel_order`` answers with the batch's outcome. Everything else, including the
   fetch freqtrade makes after a cancel, goes to freqtrade's real methods.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from batchcancel.api import cancel_orders
from batchcancel.model import CancelOutcome, CancelRequest, Status
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel.freqtrade")

MAX_SNAPSHOT_PAGES = 20  # per market type; what a snapshot misses is simply left to freqtrade
_PAGE_SIZE = {"bybit": 50, "bitget": 100}  # the open-order lists' maximum page sizes


@attrs.frozen
class Candidate:
    """One open (non-stoploss) order row of freqtrade's database."""

    order_id: str
    pair: str


@attrs.define
class BatchPass:
    """What one batch pass found and did."""

    candidates: int = 0
    batched: int = 0
    canceled: int = 0
    requests: int = 0  # snapshot pages plus cancel requests
    elapsed_s: float = 0.0


class BatchScope:
    """Snapshot + batch for ``candidates``, then per-thread replay on freqtrade's Exchange object."""

    def __init__(self, ft_exchange: Any, settings: Settings, candidates: Sequence[Candidate]) -> None:
        self.ft_exchange = ft_exchange
        self.api = ft_exchange._api  # the bot's own sync ccxt instance: keys, markets, URLs, throttle
        self.settings = settings
        self.candidates = list(candidates)
        self.owner = threading.get_ident()
        self.snapshot: dict[str, dict[str, Any]] = {}  # order id -> open order, as fetch_order says
        self.outcomes: dict[str, CancelOutcome] = {}  # order id -> the batch's answer
        self.summary = BatchPass(candidates=len(self.candidates))

    # --------------------------------------------------------------------- prepare

    def prepare(self) -> None:
        """Snapshot, then batch-cancel what is safe to batch. Raises nothing: on any error the
        affected orders are simply left to freqtrade's own path."""
        started = time.monotonic()
        try:
            snapshot = self._take_snapshot()
        except Exception as exc:  # a failed list is no reason to change freqtrade's behaviour
            log.warning("batchcancel: could not list open orders (%s); freqtrade cancels one by one", exc)
            return
        batchable = [c for c in self.candidates if _batchable(snapshot.get(c.order_id), c)]
        if batchable:
            self._cancel(batchable, snapshot)
        self.summary.elapsed_s = time.monotonic() - started
        log.info(
            "batchcancel: %d of %d open orders batch-cancelled (%d batched, %d requests, %.2f s); "
            "freqtrade books them and handles the rest itself",
            self.summary.canceled,
            self.summary.candidates,
            self.summary.batched,
            self.summary.requests,
            self.summary.elapsed_s,
        )

    def _take_snapshot(self) -> dict[str, dict[str, Any]]:
        wanted = {c.order_id for c in self.candidates}
        groups: dict[tuple[Any, ...], set[str]] = {}
        for candidate in self.candidates:
            groups.setdefault(_listing(self.api, candidate.pair), set()).add(candidate.order_id)
        found: dict[str, dict[str, Any]] = {}
        for listing, ids in groups.items():
            for order in self._list_open(dict(listing), ids):
                order_id = str(order.get("id"))
                if order_id in wanted:
                    # What freqtrade's own fetch_order returns: the ccxt order, contracts -> amount.
                    found[order_id] = self.ft_exchange._order_contracts_to_amount(order)
        return found

    def _list_open(self, params: dict[str, Any], ids: set[str]) -> Iterable[dict[str, Any]]:
        """Page through one market type's open orders until every id in ``ids`` was seen."""
        exchange_id = self.api.id
        page_size = _PAGE_SIZE[exchange_id]
        missing = set(ids)
        cursor: str | None = None
        for _ in range(MAX_SNAPSHOT_PAGES):
            page_params = dict(params)
            if cursor:
                page_params["cursor" if exchange_id == "bybit" else "idLessThan"] = cursor
            page = self.api.fetch_open_orders(None, None, page_size, page_params)
            self.summary.requests += 1
            yield from page
            missing -= {str(o.get("id")) for o in page}
            if not missing or not page:
                return
            if exchange_id == "bybit":
                # ccxt copies Bybit's nextPageCursor into the last order's info.
                cursor = (page[-1].get("info") or {}).get("nextPageCursor") or None
            else:
                cursor = str(page[-1].get("id")) if len(page) >= page_size else None
            if not cursor:
                return

    def _cancel(self, batchable: list[Candidate], snapshot: dict[str, dict[str, Any]]) -> None:
        requests = [CancelRequest(c.pair, order_id=c.order_id) for c in batchable]
        try:
            report = cancel_orders(self.api, requests, self.settings)
        except Exception as exc:  # bad input cannot happen here; still, freqtrade must go on
            log.warning("batchcancel: batch cancel failed (%s); freqtrade cancels one by one", exc)
            return
        self.summary.batched = len(batchable)
        self.summary.requests += report.requests_sent
        for candidate, outcome in zip(batchable, report.outcomes, strict=True):
            self.outcomes[candidate.order_id] = outcome
            self.snapshot[candidate.order_id] = dict(snapshot[candidate.order_id])
        self.summary.canceled = len(report.canceled)
        for outcome in report.rejected + report.failed:
            log.info(
                "batchcancel: %s was not batch-cancelled (%s %s: %s); freqtrade cancels it itself",
                outcome.request.describe(),
                outcome.status.value,
                outcome.code or "",
                outcome.message,
            )

    # ---------------------------------------------------------------------- replay

    def fetch_order(self, real: Callable[..., Any], order_id: str, pair: str, params: Any) -> Any:
        if threading.get_ident() == self.owner and order_id in self.snapshot:
            # The first fetch of a batched order: what it looked like just before the batch, so
            # freqtrade takes its own "cancel" branch (its cancel reason, its checks).
            return dict(self.snapshot.pop(order_id))
        return real(order_id, pair, params)

    def cancel_order(self, real: Callable[..., Any], order_id: str, pair: str, params: Any) -> Any:
        if threading.get_ident() != self.owner or order_id not in self.outcomes:
            return real(order_id, pair, params)
        outcome = self.outcomes.pop(order_id)
        self.snapshot.pop(order_id, None)
        if outcome.status is Status.CANCELED:
            # Not a "suitable" cancel result (no status/amount/fee): freqtrade fetches the final
            # order itself, exactly as after ccxt's own cancel on Bybit and Bitget.
            return {"id": order_id, "info": {}}
        if outcome.status is Status.ALREADY_CLOSED:
            # What freqtrade's cancel_order raises for ccxt's OrderNotFound: it logs, then
            # fetches the order and books whatever closed it (usually a fill).
            from freqtrade.exceptions import InvalidOrderException

            raise InvalidOrderException(
                f"Could not cancel order. Message: batchcancel: {outcome.code or ''} {outcome.message}"
            )
        # REJECTED / FAILED: freqtrade's own single cancel, with its own retries and errors.
        return real(order_id, pair, params)

    def leftovers(self) -> list[str]:
        """Batched orders freqtrade's loop never asked about (its loop stopped early)."""
        return sorted(set(self.outcomes) | set(self.snapshot))


def _batchable(order: dict[str, Any] | None, candidate: Candidate) -> bool:
    return (
        order is not None
        and order.get("symbol") == candidate.pair
        and order.get("status") == "open"
        and not (order.get("filled") or 0)
    )


def _listing(api: Any, pair: str) -> tuple[tuple[str, Any], ...]:
    """The parameters of the open-order list (one per market type) that shows ``pair``'s orders."""
    market = api.market(pair)
    if market.get("spot"):
        return (("type", "spot"),)
    if api.id == "bybit":
        sub_type = "linear" if market.get("linear") else "inverse"
        return (("type", "swap"), ("subType", sub_type), ("settleCoin", market["settleId"]))
    product_type, _ = api.handle_product_type_and_params(market, {})
    return (("type", "swap"), ("productType", product_type))


class ExchangeHooks:
    """Per-thread replacement of ``fetch_order`` / ``cancel_order`` on ONE freqtrade Exchange object.

    Instance attributes shadow the class's methods, so only that bot's exchange is touched; a call
    from any thread without an open scope goes straight to the real method. The attributes are
    removed (or what was there before restored) when the last scope closes.
    """

    _lock = threading.Lock()
    _active: weakref.WeakKeyDictionary[Any, ExchangeHooks] = weakref.WeakKeyDictionary()

    def __init__(self, ft_exchange: Any) -> None:
        self.scopes: dict[int, BatchScope] = {}
        self.saved = {name: ft_exchange.__dict__.get(name) for name in ("fetch_order", "cancel_order")}
        self.real_fetch = ft_exchange.fetch_order
        self.real_cancel = ft_exchange.cancel_order

    def fetch_order(self, order_id: str, pair: str, params: Any = None) -> Any:
        scope = self.scopes.get(threading.get_ident())
        if scope is None:
            return self.real_fetch(order_id, pair, params)
        return scope.fetch_order(self.real_fetch, order_id, pair, params)

    def cancel_order(self, order_id: str, pair: str, params: Any = None) -> Any:
        scope = self.scopes.get(threading.get_ident())
        if scope is None:
            return self.real_cancel(order_id, pair, params)
        return scope.cancel_order(self.real_cancel, order_id, pair, params)

    @classmethod
    def enter(cls, scope: BatchScope) -> None:
        ft_exchange = scope.ft_exchange
        with cls._lock:
            hooks = cls._active.get(ft_exchange)
            if hooks is None:
                hooks = cls(ft_exchange)
                cls._active[ft_exchange] = hooks
                ft_exchange.fetch_order = hooks.fetch_order
                ft_exchange.cancel_order = hooks.cancel_order
            hooks.scopes[scope.owner] = scope

    @classmethod
    def exit(cls, scope: BatchScope) -> None:
        ft_exchange = scope.ft_exchange
        with cls._lock:
            hooks = cls._active.get(ft_exchange)
            if hooks is None or hooks.scopes.get(scope.owner) is not scope:
                return
            del hooks.scopes[scope.owner]
            if hooks.scopes:
                return
            del cls._active[ft_exchange]
            for name, previous in hooks.saved.items():
                if previous is None:
                    delattr(ft_exchange, name)
                else:
                    setattr(ft_exchange, name, previous)
        left = scope.leftovers()
        if left:
            log.warning(
                "batchcancel: freqtrade did not book %d batch-cancelled order(s) (%s); "
                "it will find them cancelled on the exchange when it next checks them",
                len(left),
                ", ".join(left),
            )


def open_scope(ft_exchange: Any, settings: Settings, candidates: Sequence[Candidate]) -> BatchScope:
    """Snapshot and batch now, then replay on this thread until :func:`close_scope`."""
    scope = BatchScope(ft_exchange, settings, candidates)
    scope.prepare()
    if scope.outcomes:  # nothing batched: nothing to replay, freqtrade's methods stay as they are
        ExchangeHooks.enter(scope)
    return scope


def close_scope(scope: BatchScope) -> None:
    ExchangeHooks.exit(scope)
