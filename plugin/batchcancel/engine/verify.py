"""Verify mode: once the cancels are done, read back what is open on the account and act on it.

Bybit acknowledges a cancel before it happens (seeds 000/001: "this request is asynchronous"),
so "the exchange accepted it" is not "the order is gone"; and an exchange that answers "no such
order" for the symbol named says nothing of the same id under another symbol. A kill switch wants
the truth, so verify mode reads **every** open order of the account (each scope the dialect
names, paged to the end with the exchange's own cursor, paced on its budgets), matches by id, and
decides per order: gone (verified), open where the caller said (cancel again), or open somewhere
else (rejected, naming where: it is never cancelled under a market the caller did not name).

A dialect that cannot list the account (the generic ccxt one) names no scopes; the engine then
verifies each order by reading its state (:mod:`batchcancel.engine.state_reads`).
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.engine.dialect import Dialect, MalformedResponse
from batchcancel.engine.reading import OpenOrder
from batchcancel.engine.sent import Purpose, Sent
from batchcancel.engine.state import ItemState


class Finding(enum.Enum):
    """What the account-wide read says of one order awaiting verification."""

    GONE = "gone"
    """Not open anywhere on the account: the outcome is verified."""
    OPEN_HERE = "open_here"
    """Open under the market the request named: cancel it again."""
    OPEN_ELSEWHERE = "open_elsewhere"
    """Open under another market: reject, naming it."""


@attrs.frozen
class Verdict:
    """A finding for one order, and where the order was found open."""

    state: ItemState
    """The order."""
    finding: Finding
    """What the read found."""
    place: str = ""
    """Where the order is open (for the two OPEN findings)."""


class Sweep:
    """One account-wide read of open orders: per scope, pages one after another."""

    def __init__(self, dialect: Dialect, scopes: Sequence[Hashable], max_errors: int) -> None:
        self._dialect = dialect
        self._ready: deque[tuple[Hashable, str | None]] = deque((scope, None) for scope in scopes)
        self._inflight: dict[Sent, tuple[Hashable, str | None]] = {}
        self._seen_cursors: set[tuple[Hashable, str]] = set()
        self._errors = 0
        self._max_errors = max_errors
        self.not_before = 0.0
        self.failed: str | None = None
        """Why the sweep could not finish, once it gave up."""
        self.by_id: dict[str, OpenOrder] = {}
        self.by_client_id: dict[str, OpenOrder] = {}
        self.pages = 0

    @property
    def finished(self) -> bool:
        return not self._inflight and (not self._ready or self.failed is not None)

    def next_call(self, now: float) -> Sent | None:
        """The next page to ask for, if one may be asked now."""
        if self.failed is not None or not self._ready or now < self.not_before:
            return None
        scope, cursor = self._ready[0]
        call = self._dialect.build_list(scope, cursor)
        return Sent.read(call, Purpose.VERIFY, self._dialect, "open-orders")

    def started(self, sent: Sent) -> None:
        """``sent`` (from :meth:`next_call`) went out."""
        self._inflight[sent] = self._ready.popleft()

    def owns(self, sent: Sent) -> bool:
        return sent in self._inflight

    def on_page(
        self,
        sent: Sent,
        response: object,
        error: BaseException | None,
        retry_at: float,
        *,
        rate_limited: bool = False,
    ) -> None:
        """Take one page's answer; a failed read is asked again from ``retry_at``, within bounds.

        A page refused for the rate budget (``rate_limited``) waits for ``retry_at`` without
        counting as an error: like a cancel, it is bounded by the call's deadline, not by retries.
        """
        scope, cursor = self._inflight.pop(sent)
        if error is not None and rate_limited:
            self._ready.appendleft((scope, cursor))
            self.not_before = max(self.not_before, retry_at)
            return
        try:
            if error is not None:
                raise error
            page = self._dialect.read_list(sent.call, response)
            if page.next_cursor is not None:
                if (scope, page.next_cursor) in self._seen_cursors or page.next_cursor == cursor:
                    raise MalformedResponse(f"the open-order cursor {page.next_cursor!r} came round again")
                self._seen_cursors.add((scope, page.next_cursor))
        except Exception as exc:
            self._errors += 1
            if self._errors > self._max_errors:
                self.failed = f"reading the open orders failed {self._errors} times; last: {exc!r}"
            else:
                self._ready.appendleft((scope, cursor))
                self.not_before = max(self.not_before, retry_at)
            return
        self.pages += 1
        for order in page.orders:
            self.by_id[order.order_id] = order
            if order.client_order_id:
                self.by_client_id[order.client_order_id] = order
        if page.next_cursor is not None:
            self._ready.append((scope, page.next_cursor))

    def findings(self, states: Iterable[ItemState], place_of: Callable[[ItemState], str]) -> list[Verdict]:
        """Once finished (and not failed): what the read says of each order."""
        verdicts = []
        for state in states:
            request = state.item.request
            if request.order_id is not None:
                found = self.by_id.get(request.order_id)
            else:
                found = self.by_client_id.get(request.client_order_id or "")
            if found is None:
                verdicts.append(Verdict(state, Finding.GONE))
            elif found.place == place_of(state):
                verdicts.append(Verdict(state, Finding.OPEN_HERE, found.place))
            else:
                verdicts.append(Verdict(state, Finding.OPEN_ELSEWHERE, found.place))
        return verdicts


class Verification:
    """Verify mode's share of a call: orders awaiting verification, and the sweep reading the account."""

    def __init__(self, dialect: Dialect, max_errors: int) -> None:
        self._dialect = dialect
        self._max_errors = max_errors
        self.pending: dict[int, ItemState] = {}
        """Orders recorded CANCELED or ALREADY_CLOSED, not yet told: verified first."""
        self.sweep: Sweep | None = None
        self.swept: dict[int, ItemState] = {}
        """The orders the running sweep will decide."""

    @property
    def active(self) -> bool:
        return bool(self.pending) or self.sweep is not None

    def start(self, markets: Mapping[str, Any]) -> list[ItemState]:
        """Start a sweep over the pending orders; without scopes, hand them back to be read one by one."""
        if self.sweep is not None or not self.pending:
            return []
        scopes = self._dialect.list_scopes(markets)
        if not scopes:
            states = list(self.pending.values())
            self.pending.clear()
            return states
        self.sweep = Sweep(self._dialect, scopes, self._max_errors)
        self.swept, self.pending = self.pending, {}
        return []

    def conclude(self) -> tuple[Sweep, dict[int, ItemState]]:
        """The finished sweep and the orders it decides; verify mode may start another."""
        assert self.sweep is not None
        sweep, states = self.sweep, self.swept
        self.sweep, self.swept = None, {}
        return sweep, states

    def abandon(self) -> dict[int, ItemState]:
        """The call is ending: every order still awaiting verification, unverified."""
        states = {**self.swept, **self.pending}
        self.sweep, self.swept, self.pending = None, {}, {}
        return states
