"""The kill switch's book: every order found open in scope, and the one outcome each ends with.

The rules that keep the outcomes true live here, in one place:

* ``CANCELED`` by a cancel-all only when its answer named the order **and** a later read no
  longer finds it open (Bybit acknowledges before it cancels);
* an order no answer named that is gone is not called cancelled: a batch round asks the
  exchange about it, whose "does not exist" is ``ALREADY_CLOSED`` (filled meanwhile, or cancelled
  by someone else, or by a cancel-all of this call whose answer was lost: the message says so);
* a re-sent cancel answered "does not exist" keeps the earlier ``CANCELED``;
* nothing reported closed is open afterwards: an order the last read found open, whatever an
  earlier answer said, ends ``FAILED``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.engine.dialect import Dialect, WorkItem
from batchcancel.engine.reading import CancelAllAnswer, OpenOrder
from batchcancel.model import CancelOutcome, CancelRequest, Status


@attrs.define
class Entry:
    """One order found open in scope."""

    order: OpenOrder
    """How the first listing that found it showed it."""
    request: CancelRequest
    """The order as the report names it (unified symbol, ids, the params a cancel needs)."""
    market: Mapping[str, Any] = attrs.field(repr=False)
    """Its ccxt market."""
    named_via: str | None = None
    """The route of a cancel-all answer that named it cancelled."""
    outcome: CancelOutcome | None = None
    """Its outcome so far."""
    open: bool | None = True
    """Open at the latest read (None: a batch round answered for it after that read)."""


def _markets_of(order: OpenOrder, markets: Mapping[str, Any], by_id: Mapping[str, Any] | None) -> list[Any]:
    if not order.market_id:  # the listing named the market by its unified symbol
        return [markets[order.place]] if order.place in markets else []
    market_id = order.market_id
    found = (by_id or {}).get(market_id)
    if found is None:
        return [m for m in markets.values() if isinstance(m, Mapping) and m.get("id") == market_id]
    return list(found) if isinstance(found, (list, tuple)) else [found]


class KillBook:
    """Orders found open in scope, by exchange id, in the order they were found."""

    def __init__(self, dialect: Dialect, symbols: frozenset[str] | None) -> None:
        self._dialect = dialect
        self._symbols = symbols
        self._entries: dict[str, Entry] = {}
        self._by_client_id: dict[str, str] = {}
        self._unresolved: dict[str, CancelOutcome] = {}
        self._round: list[str] = []
        self._unanswered = ""
        self.listings = 0

    def __len__(self) -> int:
        return len(self._entries) + len(self._unresolved)

    @property
    def whole_account(self) -> bool:
        return self._symbols is None

    def take_listing(
        self, orders: Iterable[OpenOrder], markets: Mapping[str, Any], markets_by_id: Mapping[str, Any] | None
    ) -> None:
        """A finished account-wide read: new orders in scope join; every entry learns if it is open."""
        self.listings += 1
        seen: set[str] = set()
        for order in orders:
            if order.order_id not in self._entries and not self._admit(order, markets, markets_by_id):
                continue
            seen.add(order.order_id)
        for order_id, entry in self._entries.items():
            entry.open = order_id in seen
            if entry.open:
                continue
            if entry.outcome is None and entry.named_via is not None:
                message = "named by the cancel-all answer; no longer open"
                entry.outcome = CancelOutcome(entry.request, Status.CANCELED, None, message, entry.named_via)
            if entry.outcome is not None and entry.outcome.status in (Status.CANCELED, Status.ALREADY_CLOSED):
                # This read confirms it: not open anywhere on the account.
                entry.outcome = attrs.evolve(entry.outcome, verified=True)

    def _admit(
        self, order: OpenOrder, markets: Mapping[str, Any], markets_by_id: Mapping[str, Any] | None
    ) -> bool:
        for market in _markets_of(order, markets, markets_by_id):
            probe = CancelRequest(str(market.get("symbol")), order_id=order.order_id)
            if self._dialect.place_of(WorkItem(0, probe, market)) == order.place:
                break
        else:
            if self.whole_account and order.order_id not in self._unresolved:
                request = CancelRequest(order.market_id or order.place or "?", order_id=order.order_id)
                why = f"open on {order.place}, a market ccxt does not list: not cancelled"
                self._unresolved[order.order_id] = CancelOutcome(request, Status.FAILED, None, why, "resolve")
            return False
        symbol = str(market["symbol"])
        if self._symbols is not None and symbol not in self._symbols:
            return False
        request = CancelRequest(
            symbol,
            order_id=order.order_id,
            client_order_id=order.client_order_id,
            params=dict(order.params),
        )
        self._entries[order.order_id] = Entry(order, request, market)
        if order.client_order_id:
            self._by_client_id[order.client_order_id] = order.order_id
        return True

    def open_with_markets(self) -> Sequence[tuple[OpenOrder, Mapping[str, Any]]]:
        return [(entry.order, entry.market) for entry in self._entries.values() if entry.open]

    def named(self, answer: CancelAllAnswer, via: str) -> None:
        """A cancel-all answer named these orders cancelled (ids this call never listed are
        orders placed after its first read: the read-back cannot find them either)."""
        ids = set(answer.order_ids)
        ids |= {self._by_client_id[c] for c in answer.client_order_ids if c in self._by_client_id}
        for order_id in ids:
            entry = self._entries.get(order_id)
            if entry is not None and entry.outcome is None:
                entry.named_via = via

    def cancel_all_unanswered(self, why: str) -> None:
        """A cancel-all request got no readable answer: it may have cancelled orders it never named."""
        self._unanswered = why

    def gone_unnamed(self) -> list[Entry]:
        """Orders the latest read no longer finds that no answer named: their state tells."""
        return [
            e for e in self._entries.values() if e.open is False and e.outcome is None and not e.named_via
        ]

    def to_cancel(self) -> list[Entry]:
        """What the next batch round sends: open orders (but those the exchange refused), and
        gone ones nobody said were cancelled (the exchange's answer about each is the truth)."""
        return [
            entry
            for entry in self._entries.values()
            if (entry.open and (entry.outcome is None or entry.outcome.status is not Status.REJECTED))
            or (not entry.open and entry.outcome is None)
        ]

    def round_started(self, entries: Sequence[Entry]) -> None:
        self._round = [entry.order.order_id for entry in entries]

    def round_ended(self, outcomes: Sequence[CancelOutcome]) -> None:
        for order_id, outcome in zip(self._round, outcomes, strict=True):
            entry = self._entries[order_id]
            entry.outcome = self._merged(entry, outcome)
            entry.open = None
        self._round = []

    def _merged(self, entry: Entry, outcome: CancelOutcome) -> CancelOutcome:
        if outcome.status is not Status.ALREADY_CLOSED:
            return outcome
        earlier = entry.outcome
        if earlier is not None and earlier.status is Status.CANCELED:
            return earlier  # a re-sent cancel found it gone: the first cancel's doing
        if entry.named_via is not None:
            message = f"named by the cancel-all answer; gone when cancelled again ({outcome.message})"
            return CancelOutcome(entry.request, Status.CANCELED, outcome.code, message, entry.named_via)
        if self._unanswered:
            caveat = (
                " (a cancel-all of this call whose answer was lost may have cancelled it: "
                f"{self._unanswered})"
            )
            return attrs.evolve(outcome, message=outcome.message + caveat)
        return outcome

    def finish(self, why: str) -> None:
        """The call ends: every order gets its outcome, and none reported closed is left open."""
        for entry in self._entries.values():
            outcome = entry.outcome
            if outcome is None:
                if entry.open:
                    message = f"still open: {why}"
                else:
                    message = f"no longer open, but nothing said whether cancelled or filled: {why}"
                entry.outcome = CancelOutcome(entry.request, Status.FAILED, None, message, self._dialect.name)
            elif entry.open and outcome.status in (Status.CANCELED, Status.ALREADY_CLOSED):
                message = f"the last read found it still open ({outcome.message}); {why}"
                entry.outcome = attrs.evolve(outcome, status=Status.FAILED, message=message)

    def outcomes(self) -> tuple[CancelOutcome, ...]:
        decided = [entry.outcome for entry in self._entries.values() if entry.outcome is not None]
        return (*decided, *self._unresolved.values())

    def counts(self) -> dict[str, int]:
        return dict(Counter(outcome.status.value for outcome in self.outcomes()))

    def open_orders(self) -> list[CancelRequest]:
        """Orders in scope the last read found open."""
        return [entry.request for entry in self._entries.values() if entry.open]
