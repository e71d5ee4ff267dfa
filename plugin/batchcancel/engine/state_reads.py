"""Reading one order's state: which orders wait for a read, and what a read's answer decides.

An order whose cancel answers were lost (or refused after an answer was lost) is not given up on,
and not guessed at: its state is read by id first. Orders wait here by time (a failed read is
asked again after a backoff); orders a read found still open are held back until no read is
pending, so orders that failed together in one batch are sent again together in one batch.
"""

from __future__ import annotations

import heapq
import itertools

from batchcancel.engine.dialect import Dialect
from batchcancel.engine.reading import OrderState
from batchcancel.engine.sent import Purpose, Sent
from batchcancel.engine.state import ItemState
from batchcancel.model import Status

MAX_REOPEN = 2
"""How often a read that finds an order still open may grant it one more cancel attempt."""


class ReadQueue:
    """Orders waiting for a read of their state, by time; orders a read found open, held back."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, ItemState]] = []
        self._seq = itertools.count()
        self.reopened: list[ItemState] = []
        """Orders a read found still open, waiting for the other reads of their round."""
        self.blocked: set[str] = set()
        """Budgets the last pass found spent: their next change is a wake-up time."""

    def __bool__(self) -> bool:
        return bool(self._heap)

    def push(self, state: ItemState, at: float) -> None:
        heapq.heappush(self._heap, (at, next(self._seq), state))

    def next_time(self, now: float) -> float | None:
        """When the next waiting read becomes due, if that is later than ``now``."""
        # Times already past are either sendable (an answer frees a slot) or wait for a budget.
        return self._heap[0][0] if self._heap and self._heap[0][0] > now else None

    def due(self, now: float) -> ItemState | None:
        """The next order whose read may go now (still queued until :meth:`pop`)."""
        return self._heap[0][2] if self._heap and self._heap[0][0] <= now else None

    def pop(self) -> ItemState:
        return heapq.heappop(self._heap)[2]

    def drain(self) -> list[ItemState]:
        """Every order waiting here, taken out (the call is ending)."""
        states = [state for _, _, state in sorted(self._heap)] + self.reopened
        self._heap.clear()
        self.reopened = []
        return states


def build_state_read(state: ItemState, dialect: Dialect, fallback: Dialect | None) -> Sent | None:
    """The read of ``state``'s order: the main dialect's, else the fallback's for orders it served."""
    for reader in (dialect, fallback if state.fallback else None):
        if reader is None:
            continue
        call = reader.build_state_read(state.item)
        if call is not None:
            return Sent.read(call, Purpose.STATE, reader, "order-state")
    return None


def closed_by_read(found: OrderState, state: ItemState, place: str) -> tuple[Status, str | None, str]:
    """The outcome a read gives an order it did not find open."""
    lost = f" (after {state.attempts} attempt(s) whose answers were lost or refused: {state.last_message})"
    if found is OrderState.CANCELED:
        return Status.CANCELED, None, "cancelled: confirmed by reading the order" + lost
    if found is OrderState.FILLED:
        return Status.ALREADY_CLOSED, None, "filled before it could be cancelled (read back)" + lost
    return Status.ALREADY_CLOSED, None, f"the exchange knows no such order in {place}" + lost


def failed_message(state: ItemState, why: str, *, known: bool) -> str:
    """The message of an order ending FAILED: still open (``known``), state unknown, or given up."""
    attempts = state.attempts + state.reopened  # a reopened order had its count set back
    if known:
        message = f"still open after {attempts} attempts"
    elif state.maybe_applied:
        message = f"state unknown after {attempts} attempts ({why})"
    else:
        message = f"gave up after {attempts} attempts"
    return f"{message}; last error: {state.last_message}"


def may_reopen(state: ItemState, max_retries: int, now: float, deadline: float) -> bool:
    """A read found the order open: grant it one more attempt (then another read), twice at most."""
    if state.reopened >= MAX_REOPEN or now >= deadline:
        return False
    state.reopened += 1
    state.attempts = max_retries  # one more attempt, then read again
    return True
