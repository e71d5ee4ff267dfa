"""The kill switch reads the exchange's order history to learn what became of orders gone unnamed.

A cancel-all whose answer names no order (Bitget spot's ``cancel-symbol-order``: "executed
asynchronously ... query the Get History Orders endpoint") leaves every order it cancelled gone
from the next read with nothing said about it. Reading each one's state by id costs a request per
order; the exchange's order history tells up to a page's worth per request. Per history scope the
dialect names (:meth:`~batchcancel.engine.Dialect.history_scope`), pages are read newest first
until every gone order of the scope has been found in a closed state, the history ends, or the
pages allowed run out; an order the history does not decide (not listed yet, listed still open,
pages that keep failing) is left to the state read by id that follows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from typing import Any

import attrs

from batchcancel.engine.dialect import Dialect
from batchcancel.engine.kill_book import Entry
from batchcancel.engine.reading import OrderState
from batchcancel.engine.sent import Purpose, Sent
from batchcancel.model import CancelOutcome, Status

Spend = Callable[[Sent, float], Any]
"""Spends a read's budget: the spend, or False when the budget has no room now."""

SPARE_PAGES = 3
"""Pages a scope may read beyond one per ``ROWS_PER_PAGE_HOPED`` gone orders (other closed orders,
fills meanwhile, share the history): past that, the state read by id is cheaper."""
ROWS_PER_PAGE_HOPED = 50


@attrs.define
class _Scope:
    """One history scope being read: the gone orders it may decide, and where its paging is."""

    scope: Hashable
    """The dialect's history scope."""
    targets: dict[str, Entry]
    """Gone orders not decided yet, by exchange order id."""
    max_pages: int
    """Pages it may read."""
    cursor: str | None = None
    """Where the next page starts (None: the newest)."""
    pages: int = 0
    """Pages read so far."""
    errors: int = 0
    """Failed reads so far."""
    not_before: float = 0.0
    """When the next page may be asked for."""


class HistoryReads:
    """Order-history pages, per scope, and what each page decides."""

    def __init__(self, dialect: Dialect, max_errors: int) -> None:
        self._dialect = dialect
        self._max_errors = max_errors
        self._ready: deque[_Scope] = deque()
        self._inflight: dict[Sent, _Scope] = {}
        self._undecided: list[Entry] = []

    @property
    def idle(self) -> bool:
        return not self._ready and not self._inflight

    def owns(self, sent: Sent) -> bool:
        return sent in self._inflight

    def start(self, entries: list[Entry], now: float) -> list[Entry]:
        """Group ``entries`` by history scope; return those no history can tell about."""
        scopes: dict[Hashable, dict[str, Entry]] = {}
        rest = []
        for entry in entries:
            scope = self._dialect.history_scope(entry.order, entry.market)
            if scope is None:
                rest.append(entry)
            else:
                scopes.setdefault(scope, {})[entry.order.order_id] = entry
        for scope, targets in scopes.items():
            pages = -(-len(targets) // ROWS_PER_PAGE_HOPED) + SPARE_PAGES
            self._ready.append(_Scope(scope, targets, pages, not_before=now))
        return rest

    def undecided(self) -> list[Entry]:
        """Once idle: the orders the history did not decide (for the state reads by id)."""
        found, self._undecided = self._undecided, []
        return found

    def next_time(self, now: float) -> float | None:
        return min((s.not_before for s in self._ready if s.not_before > now), default=None)

    def calls(self, now: float, slots: int, spend: Spend, sent: Callable[[Sent, Any], Sent]) -> list[Sent]:
        calls: list[Sent] = []
        for _ in range(len(self._ready)):
            if len(calls) >= slots:
                break
            scope = self._ready.popleft()
            read = self._build(scope) if scope.not_before <= now else None
            paid = spend(read, now) if read is not None else False
            if read is None or paid is False:
                self._ready.append(scope)
                continue
            self._inflight[read] = scope
            calls.append(sent(read, paid))
        return calls

    def on_result(
        self, read: Sent, now: float, response: Any, error: BaseException | None, backoff: float
    ) -> None:
        scope = self._inflight.pop(read)
        try:
            if error is not None:
                raise error
            page = self._dialect.read_history(read.call, response)
        except Exception:
            scope.errors += 1
            if scope.errors <= self._max_errors:
                scope.not_before = now + backoff
                self._ready.append(scope)
            else:
                self._undecided += scope.targets.values()  # given up: read each by id
            return
        scope.pages += 1
        for order_id, state in page.states:
            entry = scope.targets.get(order_id)
            if entry is not None and state in (OrderState.CANCELED, OrderState.FILLED):
                entry.outcome = _closed(entry, state, read.via)
                del scope.targets[order_id]
        more = page.next_cursor is not None and page.next_cursor != scope.cursor
        if scope.targets and more and scope.pages < scope.max_pages:
            scope.cursor = page.next_cursor
            scope.not_before = now
            self._ready.append(scope)
            return
        self._undecided += scope.targets.values()

    def _build(self, scope: _Scope) -> Sent:
        call = self._dialect.build_history(scope.scope, scope.cursor)
        return Sent.read(call, Purpose.STATE, self._dialect, "order-history")


def _closed(entry: Entry, state: OrderState, via: str) -> CancelOutcome:
    if state is OrderState.CANCELED:
        status, message = Status.CANCELED, "cancelled: the order history says so (no answer named it)"
    else:
        status = Status.ALREADY_CLOSED
        message = "filled before it could be cancelled (the order history says so)"
    # The exchange's own record of the order, read after the account no longer listed it.
    return CancelOutcome(entry.request, status, None, message, via, verified=True)
