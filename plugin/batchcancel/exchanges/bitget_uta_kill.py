"""Bitget v3's cancel-everything and open-order listing, as the kill switch uses them on a unified
trading account (UTA); a part of :class:`~batchcancel.exchanges.bitget.BitgetDialect`.

* **Listing** ``GET /api/v3/trade/unfilled-orders`` (Get-Order-Pending, 20/s per UID): per
  ``category``, ``limit`` at most 100, paged with ``cursor`` ("applying the cursor from the
  previous query"); ``data`` is ``{"list": [...], "cursor": ...}``, each row with ``orderId``,
  ``clientOid``, ``category`` and ``symbol``.
* **Cancel-all** ``POST /api/v3/trade/cancel-symbol-order`` (Cancel-All-Order, 5/s per UID):
  ``category`` and optionally ``symbol`` ("If no symbol is provided, all ... in the corresponding
  category"). ``data.list`` has one entry per order, ``{orderId, clientOid}``, a failed one with
  ``code`` and ``msg`` (the page's own example: ``24056`` "notExisted"). Only a success entry
  names an order as cancelled; the kill switch's read-back decides every other order of the
  scope (its state read by ``order-info``, or v3 cancel-batch for what is still open).

Whether the account is UTA is ccxt's ``options['uta']``, set by its probe of
``/api/v3/account/settings``. A kill switch never guesses: while ccxt has not decided (markets
loaded before the keys were set), :func:`after_decision` lets ccxt probe first.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.engine import Call, MalformedResponse, Route
from batchcancel.engine.reading import CancelAllAnswer, OpenOrder, OpenPage
from batchcancel.exchanges.bitget_api import CLIENT_OID, OK_CODE, ORDER_ID, data_of, text_of
from batchcancel.exchanges.bitget_kill import BitgetCancelAll
from batchcancel.exchanges.bitget_uta_api import (
    OK_ENTRY_MESSAGES,
    UTA_CANCEL_ALL_ROUTE,
    UTA_CANCEL_SYMBOL,
    UTA_LIST_ROUTE,
    UTA_OPEN_ORDERS,
    UTA_PAGE_LIMIT,
    category_of,
)


@attrs.frozen
class UtaListing:
    """One category's open orders, read page by page."""

    category: str
    """``SPOT``, ``USDT-FUTURES``, ``COIN-FUTURES`` or ``USDC-FUTURES``."""


@attrs.frozen
class UtaCancelAll:
    """One cancel-symbol-order request: a whole category, or one symbol of it."""

    category: str
    """The v3 ``category``."""
    symbol: str | None = None
    """Bitget's symbol (``BTCUSDT``), when the caller named symbols."""


def list_scopes(markets: Mapping[str, Any]) -> Sequence[UtaListing]:
    """One listing per v3 category the markets hold."""
    found = {category_of(market) for market in markets.values()}
    return [UtaListing(category) for category in sorted(c for c in found if c)]


def build_list(scope: UtaListing, cursor: str | None) -> Call:
    params: dict[str, Any] = {"category": scope.category, "limit": UTA_PAGE_LIMIT}
    if cursor:
        params["cursor"] = cursor
    return Call(UTA_OPEN_ORDERS, (params,), route=UTA_LIST_ROUTE)


def read_list(call: Call, response: Any) -> OpenPage:
    category = str(call.args[0]["category"])
    data = data_of(response)
    if not isinstance(data, Mapping):
        raise MalformedResponse("unfilled-orders 'data' is not an object")
    rows = data.get("list")
    rows = [] if rows is None else rows  # an empty category may say null
    if not isinstance(rows, list):
        raise MalformedResponse("unfilled-orders 'list' is not a list")
    orders = []
    for row in rows:
        if not isinstance(row, Mapping) or not text_of(row.get(ORDER_ID)) or not text_of(row.get("symbol")):
            raise MalformedResponse("an open-order row without an orderId or a symbol")
        # A row of another category (spot's listing may hold margin orders) is placed there: on
        # no market ccxt lists, it is reported, not cancelled.
        where = (text_of(row.get("category")) or category).upper()
        native = str(text_of(row.get("symbol")))
        order_id = str(text_of(row.get(ORDER_ID)))
        orders.append(OpenOrder(order_id, text_of(row.get(CLIENT_OID)), place(native, where), native))
    # A full page may have more behind it: go on from the answer's cursor (the last id without one).
    cursor = (text_of(data.get("cursor")) or orders[-1].order_id) if len(orders) >= UTA_PAGE_LIMIT else None
    return OpenPage(tuple(orders), cursor)


def place(native_symbol: str, category: str) -> str:
    """Where an order is, as :meth:`BitgetUtaDialect.place_of` says it: ``BTCUSDT (SPOT)``."""
    return f"{native_symbol} ({category})"


class BitgetUtaCancelAll(BitgetCancelAll):
    """The cancel-all part of :class:`~batchcancel.exchanges.bitget.BitgetDialect`: v3 for a UTA
    account, v2 (:class:`BitgetCancelAll`) for a classic one, nothing while ccxt has not decided."""

    def account_is_uta(self) -> bool | None:
        """True, False, or None while ccxt has not decided (the dialect asks ccxt's options)."""
        return self.uta

    def cancel_all_scopes(
        self, orders: Sequence[tuple[OpenOrder, Mapping[str, Any]]], whole_account: bool
    ) -> Sequence[Hashable]:
        uta = self.account_is_uta()
        if uta is None:
            return ()  # neither API: the batch rounds (ccxt's cancel_order) decide
        if not uta:
            return super().cancel_all_scopes(orders, whole_account)
        scopes: set[UtaCancelAll] = set()
        for _, market in orders:
            category = category_of(market)
            if category is not None:
                symbol = None if whole_account else str(market["id"])
                scopes.add(UtaCancelAll(category, symbol))
        return sorted(scopes, key=lambda s: (s.category, s.symbol or ""))

    def cancel_all_route(self, scope: Hashable) -> Route:
        if isinstance(scope, UtaCancelAll):
            return UTA_CANCEL_ALL_ROUTE
        return super().cancel_all_route(scope)

    def build_cancel_all(self, scope: Hashable) -> Call:
        if not isinstance(scope, UtaCancelAll):
            return super().build_cancel_all(scope)
        if scope.symbol is None:
            return Call(UTA_CANCEL_SYMBOL, ({"category": scope.category},), via=f"{self.name}:cancel-all")
        params = {"category": scope.category, "symbol": scope.symbol}
        return Call(UTA_CANCEL_SYMBOL, (params,), via=f"{self.name}:cancel-symbol")

    def read_cancel_all(self, scope: Hashable, call: Call, response: Any) -> CancelAllAnswer:
        if not isinstance(scope, UtaCancelAll):
            return super().read_cancel_all(scope, call, response)
        data = data_of(response)
        entries = data.get("list") if isinstance(data, Mapping) else None
        if not isinstance(entries, list):
            raise MalformedResponse("a cancel-symbol-order answer without a list")
        named = []
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise MalformedResponse("a cancel-symbol-order entry that is not an object")
            code, message = text_of(entry.get("code")), str(entry.get("msg") or "").strip().lower()
            if code in (None, OK_CODE) and message in OK_ENTRY_MESSAGES:
                named.append((text_of(entry.get(ORDER_ID)), text_of(entry.get(CLIENT_OID))))
            # A failed entry names no cancel: the read-back decides its order.
        try:
            return CancelAllAnswer.of(named)
        except ValueError as exc:
            raise MalformedResponse(f"cancel-symbol-order: {exc}") from None


def decide_account(exchange: Any) -> Any:
    """Let ccxt probe whether the account is UTA when nothing has decided it yet and nothing will:
    ``options['uta']`` unset with the markets already loaded (loaded before the keys were set).
    Unloaded markets are loaded by the call's first request, whose ccxt probe decides. Returns
    ccxt's probe (an awaitable on ``ccxt.async_support``), or None when none is needed."""
    if exchange.options.get("uta") is not None or not getattr(exchange, "markets", None):
        return None
    return exchange.handle_uta_and_params({}, "cancelAllOrders")


def after_decision(exchange: Any, start: Callable[[], Any]) -> Any:
    """``start()`` once ccxt knows which API the account speaks (see :func:`decide_account`)."""
    probe = decide_account(exchange)
    if not inspect.isawaitable(probe):
        return start()

    async def probed() -> Any:
        await probe
        return await start()

    return probed()
