"""The kill switch asks the exchange about orders that went away without being named.

An order a listing found open, that no cancel-all answer named, and that the read-back no longer
finds, was either filled meanwhile or cancelled (by a cancel-all of this call whose answer left
it out, or by someone else). Only the exchange's record of the order tells: first its order
history, where the dialect offers one (:mod:`~batchcancel.engine.kill_history`: a page tells up to
a page's worth of orders), then, for what the history did not decide, one read by id
(:meth:`~batchcancel.engine.Dialect.build_state_read`), paced on its budget. ``CANCELED`` and
``FILLED`` decide the order; ``OPEN`` sends it back to the batch round; a read that keeps
failing, or a dialect without such reads, leaves it to the batch round, whose "does not exist"
answer then says it may be this call's own cancel.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from batchcancel.engine.dialect import Dialect, WorkItem
from batchcancel.engine.kill_book import Entry
from batchcancel.engine.kill_history import HistoryReads
from batchcancel.engine.reading import OrderState
from batchcancel.engine.sent import Purpose, Sent
from batchcancel.model import CancelOutcome, Status

Spend = Callable[[Sent, float], Any]
"""Spends a read's budget: the spend, or False when the budget has no room now."""


class GoneReads:
    """History and state reads of the orders that went away unnamed; what each answer decides."""

    def __init__(self, dialect: Dialect, max_errors: int) -> None:
        self._dialect = dialect
        self._max_errors = max_errors
        self._history = HistoryReads(dialect, max_errors)
        self._queue: deque[tuple[Entry, int, float]] = deque()  # entry, errors so far, not before
        self._inflight: dict[Sent, tuple[Entry, int]] = {}

    @property
    def idle(self) -> bool:
        return self._history.idle and not self._queue and not self._inflight

    def owns(self, sent: Sent) -> bool:
        return sent in self._inflight or self._history.owns(sent)

    def start(self, entries: list[Entry], now: float) -> None:
        """Read the history of the entries that have one, then each undecided entry the dialect
        can read by id (the others stay for the batch round)."""
        self._queue_state_reads(self._history.start(entries, now), now)

    def _queue_state_reads(self, entries: list[Entry], now: float) -> None:
        for entry in entries:
            if self._build(entry) is not None:
                self._queue.append((entry, 0, now))

    def next_time(self, now: float) -> float | None:
        later = [not_before for _, _, not_before in self._queue if not_before > now]
        history = self._history.next_time(now)
        return min(later + ([] if history is None else [history]), default=None)

    def calls(self, now: float, slots: int, spend: Spend, sent: Callable[[Sent, Any], Sent]) -> list[Sent]:
        calls: list[Sent] = self._history.calls(now, slots, spend, sent)
        for _ in range(len(self._queue)):
            if len(calls) >= slots:
                break
            entry, errors, not_before = self._queue.popleft()
            read = self._build(entry) if not_before <= now else None
            paid = spend(read, now) if read is not None else False
            if read is None or paid is False:
                self._queue.append((entry, errors, not_before))
                continue
            self._inflight[read] = (entry, errors)
            calls.append(sent(read, paid))
        return calls

    def on_result(
        self, read: Sent, now: float, response: Any, error: BaseException | None, backoff: float
    ) -> None:
        if self._history.owns(read):
            self._history.on_result(read, now, response, error, backoff)
            if self._history.idle:
                self._queue_state_reads(self._history.undecided(), now)
            return
        entry, errors = self._inflight.pop(read)
        try:
            found = (
                self._dialect.read_state(read.call, response)
                if error is None
                else self._dialect.read_state_error(read.call, error)
            )
            if found is None:
                assert error is not None
                raise error
        except Exception:
            if errors < self._max_errors:
                self._queue.append((entry, errors + 1, now + backoff))
            return  # given up: the batch round asks the exchange instead
        if found is OrderState.OPEN:
            entry.open = True
            return
        entry.outcome = _closed(entry, found, read.via)

    def _build(self, entry: Entry) -> Sent | None:
        call = self._dialect.build_state_read(WorkItem(0, entry.request, entry.market))
        return None if call is None else Sent.read(call, Purpose.STATE, self._dialect, "order-state")


def _closed(entry: Entry, found: OrderState, via: str) -> CancelOutcome:
    if found is OrderState.CANCELED:
        status, message = Status.CANCELED, "cancelled: the order's state says so (no answer named it)"
    elif found is OrderState.FILLED:
        status, message = Status.ALREADY_CLOSED, "filled before it could be cancelled (its state read back)"
    else:
        status, message = Status.ALREADY_CLOSED, "no longer known to the exchange (its state read back)"
    # The order's own state, read after the account no longer listed it: verified.
    return CancelOutcome(entry.request, status, None, message, via, verified=True)
