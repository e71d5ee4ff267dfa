"""How orders end: the outcome a verdict, a read, verify mode or the call's end gives each order.

One place writes outcomes into the ledger, so the rules that keep them true live together:
a refusal after a lost answer is read first, an ``ALREADY_CLOSED`` after a lost answer says it
may be this call's own cancel, a re-sent acknowledged cancel keeps its ``CANCELED``, and in
verify mode nothing closed is told before it is verified.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import attrs

from batchcancel.engine.ledger import Ledger
from batchcancel.engine.state import ItemState
from batchcancel.engine.state_reads import failed_message
from batchcancel.engine.verify import Verification
from batchcancel.model import CancelOutcome, Status

log = logging.getLogger("batchcancel")


class Outcomes:
    """Writes each order's outcome into the ledger, and tells it when it is final."""

    def __init__(
        self,
        ledger: Ledger,
        verification: Verification,
        verify: bool,
        max_rounds: int,
        read_first: Callable[[ItemState, float], None],
    ) -> None:
        self.ledger = ledger
        self._verification = verification
        self._verify = verify
        self._max_rounds = max_rounds
        self._read_first = read_first

    def finish(
        self, state: ItemState, status: Status, code: str | None, message: str, via: str, now: float
    ) -> None:
        """The answer decided the order (or its read did)."""
        request = state.item.request
        if status is Status.REJECTED and state.maybe_applied and state.rejection is None:
            # An earlier attempt may have cancelled it: learn the state before saying "refused".
            state.rejection = CancelOutcome(request, status, code, message, via)
            self._read_first(state, now)
            return
        if status is Status.ALREADY_CLOSED and state.maybe_applied:
            message += " (an earlier attempt of this call, whose answer was lost, may have cancelled it)"
        outcome = CancelOutcome(request, status, code, message, via)
        if status is Status.ALREADY_CLOSED and state.previous and state.previous.status is Status.CANCELED:
            # Verify mode re-sent a cancel the exchange had accepted but not yet applied; that the
            # order is gone now is the first cancel's doing.
            outcome = state.previous
        self.record(state.item.key, outcome, state)

    def record(self, key: int, outcome: CancelOutcome, state: ItemState | None = None) -> None:
        """Store an outcome; tell it now, or (verify mode, closed) once verified."""
        self.ledger.record(key, outcome)
        if state is not None and self._verify and outcome.status in (Status.CANCELED, Status.ALREADY_CLOSED):
            self._verification.pending[key] = state
        else:
            self.ledger.tell(key)

    def unknown(self, state: ItemState, why: str) -> None:
        """``FAILED``, state unknown (a verify-mode read: the outcome stands, unverified)."""
        if state.verifying:
            state.verifying = False
            self.unverified({state.item.key: state}, why)
            return
        detail = f"state unknown: {why}"
        if state.last_message:
            detail += f"; last error: {state.last_message}"
        request = state.item.request
        self.record(
            state.item.key, CancelOutcome(request, Status.FAILED, state.last_code, detail, state.last_via)
        )

    def give_up(self, state: ItemState, why: str, *, known: bool = False) -> None:
        """``FAILED``: still open (``known``), or its state could not be learned."""
        if state.verifying:  # a read for verify mode failed: the outcome stands, unverified
            state.verifying = False
            self.ledger.tell(state.item.key)
            return
        if state.rejection is not None and not known:
            refused = (
                f"it was refused ({state.rejection.message}) after an earlier attempt whose answer was lost"
            )
            self.unknown(state, f"{why}; {refused}")
            return
        request = state.item.request
        message = failed_message(state, why, known=known)
        self.record(
            state.item.key, CancelOutcome(request, Status.FAILED, state.last_code, message, state.last_via)
        )

    def end_left(
        self, states: Iterable[ItemState], status: Status, code: str | None, message: str, via: str
    ) -> None:
        """The call cannot go on (deadline, credentials refused, exchange closed): end these orders."""
        for state in states:
            if state.verifying:  # its cancel was decided; only its verification is cut short
                state.verifying = False
                self.unverified({state.item.key: state}, message)
                continue
            if state.rejection is not None:
                refused = _refused_after_a_lost_answer(state)
                self.unknown(state, f"{message}; {refused}")
                continue
            if state.maybe_applied or status is not Status.REJECTED:
                detail = f"{message}; last error: {state.last_message}" if state.last_message else message
                if state.maybe_applied:
                    detail = f"state unknown: {detail}"
                outcome = CancelOutcome(
                    state.item.request, Status.FAILED, code or state.last_code, detail, state.last_via
                )
            else:
                outcome = CancelOutcome(state.item.request, status, code, message, state.last_via or via)
            self.record(state.item.key, outcome)

    def unverified(self, states: dict[int, ItemState], why: str) -> None:
        """Verification could not finish: the outcomes stand, unverified, and are told."""
        if states:
            log.warning(
                "batchcancel: %d outcome(s) left unverified: %s", len(states), self.ledger.redact(why)
            )
        for key in list(states):
            self.ledger.tell(key)
        states.clear()

    def verified(self, state: ItemState) -> None:
        key = state.item.key
        self.ledger.record(key, attrs.evolve(self.ledger[key], verified=True))
        self.ledger.tell(key)

    def open_elsewhere(self, state: ItemState, place: str, asked: str) -> None:
        message = (
            f"open on {place}, not on {asked} as requested: not cancelled under a market "
            "the request did not name"
        )
        key = state.item.key
        self.ledger.record(key, CancelOutcome(state.item.request, Status.REJECTED, None, message, "verify"))
        self.ledger.tell(key)

    def still_open_too_long(self, state: ItemState) -> bool:
        """Verify mode found it open again: FAILED past the bounded rounds (True), else go again."""
        key = state.item.key
        outcome = self.ledger[key]
        state.verify_rounds += 1
        if state.verify_rounds <= self._max_rounds:
            return False
        message = f"still open after {state.verify_rounds} verified cancel attempts ({outcome.message})"
        self.ledger.record(key, attrs.evolve(outcome, status=Status.FAILED, message=message))
        self.ledger.tell(key)
        return True


def _refused_after_a_lost_answer(state: ItemState) -> str:
    assert state.rejection is not None
    return f"it was refused ({state.rejection.message}) after an earlier attempt whose answer was lost"
