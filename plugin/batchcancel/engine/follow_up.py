"""After the cancels: reading an order's state before giving up on it, and verify mode's read-back.

Both send reads, paced on the dialect's read budgets, and decide from what the exchange shows:
a read finds an order cancelled, filled, unknown or still open (one more attempt, or ``FAILED``,
still open); verify mode's account-wide sweep finds an order gone (verified), open where the
request said (cancelled again) or open elsewhere (rejected, naming where). What they decide is
written by :class:`~batchcancel.engine.outcomes.Outcomes`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import attrs

from batchcancel.engine.bootstrap import Bootstrap
from batchcancel.engine.classify import ErrorClass, classify, describe
from batchcancel.engine.dialect import Dialect
from batchcancel.engine.ledger import Ledger
from batchcancel.engine.outcomes import Outcomes
from batchcancel.engine.pacing import BudgetBook
from batchcancel.engine.planner import Planner
from batchcancel.engine.reading import OrderState
from batchcancel.engine.sent import Sent
from batchcancel.engine.state import ItemState
from batchcancel.engine.state_reads import ReadQueue, build_state_read, closed_by_read, may_reopen
from batchcancel.engine.verify import Finding, Verification
from batchcancel.model import Status
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")

Send = Callable[[Sent, list[ItemState], Any], None]
"""Registers a call as sent: in flight with its orders and its budget spend, and counted."""


@attrs.define(kw_only=True)
class FollowUps:
    """State reads and verify mode's sweep: what to send, and what their answers decide."""

    _dialect: Dialect = attrs.field(alias="dialect")
    """Reads orders back (the main dialect knows the exchange, whichever route cancelled)."""
    _fallback: Dialect | None = attrs.field(alias="fallback")
    """Reads what only the fallback could cancel (Bitget UTA: ccxt's fetch_order)."""
    _settings: Settings = attrs.field(alias="settings")
    _deadline: float = attrs.field(alias="deadline")
    """No order is reopened past it."""
    _budgets: BudgetBook = attrs.field(alias="budgets")
    """Reads spend the dialect's read budgets."""
    _planner: Planner = attrs.field(alias="planner")
    """Where verify mode sends an order found open again."""
    _reads: ReadQueue = attrs.field(alias="reads")
    _verification: Verification = attrs.field(alias="verification")
    _boot: Bootstrap = attrs.field(alias="boot")
    """A timestamp error on a read asks for a clock resync too."""
    ledger: Ledger
    _backoff: Callable[[int], float] = attrs.field(alias="backoff")
    _send: Send = attrs.field(alias="send")
    outcomes: Outcomes = attrs.field(init=False)
    """Writes what the reads decide."""

    def __attrs_post_init__(self) -> None:
        self.outcomes = Outcomes(
            self.ledger,
            self._verification,
            self._settings.verify,
            self._settings.max_retries,
            self.read_before_giving_up,
        )

    def read_before_giving_up(self, state: ItemState, now: float) -> None:
        if build_state_read(state, self._dialect, self._fallback) is None:
            self.outcomes.give_up(state, "this exchange offers no read of one order's state")
            return
        self._reads.push(state, now)

    def state_read_calls(self, now: float, slots: int) -> list[Sent]:
        calls: list[Sent] = []
        self._reads.blocked.clear()
        while len(calls) < slots and (state := self._reads.due(now)) is not None:
            sent = build_state_read(state, self._dialect, self._fallback)
            if sent is None:
                self._reads.pop()
                self.outcomes.give_up(state, "this exchange offers no read of one order's state")
                continue
            spend = self._spend_on_read(sent, now)
            if spend is False:
                break
            self._reads.pop()
            self._send(sent, [state], spend)
            calls.append(sent)
        return calls

    def _spend_on_read(self, sent: Sent, now: float) -> Any:
        """Spend a read's budget, or False (and a wake-up when it frees) when it has no room now."""
        budget = sent.budget
        cost = sent.route.cost(1) if sent.route else 0.0
        if budget is not None and self._budgets.capacity(budget, now) < cost:
            self._reads.blocked.add(budget)
            return False
        return self._budgets.spend(budget, cost)

    def on_state(
        self, sent: Sent, state: ItemState, now: float, response: Any, error: BaseException | None
    ) -> None:
        dialect = sent.reader or self._dialect
        try:
            found = (
                dialect.read_state_error(sent.call, error)
                if error is not None
                else dialect.read_state(sent.call, response)
            )
            if found is None:
                assert error is not None
                raise error
        except Exception as exc:
            self._state_read_failed(sent, state, now, exc)
            return
        if state.verifying:
            self._verified_by_read(state, found, now)
        elif state.rejection is not None:
            self._rejection_checked(state, found, sent.via, now)
        elif found is OrderState.OPEN:
            if may_reopen(state, self._settings.max_retries, now, self._deadline):
                self._reads.reopened.append(state)
            else:
                self.outcomes.give_up(state, "a read found it still open", known=True)
        else:
            self.outcomes.finish(state, *self._closed(found, state), sent.via, now)

    def _closed(self, found: OrderState, state: ItemState) -> tuple[Status, str | None, str]:
        return closed_by_read(found, state, self._dialect.place_of(state.item))

    def _rejection_checked(self, state: ItemState, found: OrderState, via: str, now: float) -> None:
        rejection = state.rejection
        assert rejection is not None
        state.maybe_applied = False  # the read told the state: the rejection stands or falls by it
        if found is OrderState.OPEN:
            self.outcomes.record(state.item.key, rejection)
        else:
            self.outcomes.finish(state, *self._closed(found, state), via, now)

    def _state_read_failed(self, sent: Sent, state: ItemState, now: float, error: BaseException) -> None:
        dialect = sent.reader or self._dialect
        kind = classify(error, dialect.error_code(error))
        message = self.ledger.redact(describe(error))
        if kind is ErrorClass.RATE_LIMITED:
            budget = sent.budget
            until = self._budgets.frees_at(budget, now)
            self._budgets.block(budget, until, now)
            self._reads.push(state, until)
            return
        state.read_errors += 1
        if (
            kind in (ErrorClass.TRANSIENT, ErrorClass.RESYNC)
            and state.read_errors <= self._settings.max_retries
        ):
            if kind is ErrorClass.RESYNC:
                self._boot.resync_wanted = True
            self._reads.push(state, now + self._backoff(state.read_errors))
            return
        if state.verifying:
            state.verifying = False
            log.warning("batchcancel: could not verify %s: %s", state.item.request.describe(), message)
            self.ledger.tell(state.item.key)
            return
        self.outcomes.give_up(state, f"reading the order failed: {message}")

    def verification_calls(self, now: float, slots: int) -> list[Sent]:
        for state in self._verification.start(self._boot.markets):
            # No account-wide listing: read each order's state instead.
            state.verifying = True
            self.read_before_giving_up(state, now)
        if self._reads:
            return self.state_read_calls(now, slots)
        sweep = self._verification.sweep
        calls: list[Sent] = []
        while sweep is not None and len(calls) < slots and (sent := sweep.next_call(now)) is not None:
            spend = self._spend_on_read(sent, now)
            if spend is False:
                break
            sweep.started(sent)
            self._send(sent, [], spend)
            calls.append(sent)
        return calls

    def on_page(self, sent: Sent, now: float, response: Any, error: BaseException | None) -> None:
        sweep = self._verification.sweep
        if sweep is None or not sweep.owns(sent):
            return
        retry_at = now + self._backoff(1)
        rate_limited = error is not None and classify(error) is ErrorClass.RATE_LIMITED
        if rate_limited:
            budget = sent.budget
            retry_at = self._budgets.frees_at(budget, now)
            self._budgets.block(budget, retry_at, now)
        sweep.on_page(sent, response, error, retry_at, rate_limited=rate_limited)
        if sweep.finished:
            self._conclude_sweep(now)

    def _conclude_sweep(self, now: float) -> None:
        sweep, states = self._verification.conclude()
        if sweep.failed is not None:
            self.outcomes.unverified(states, self.ledger.redact(sweep.failed))
            return
        for check in sweep.findings(states.values(), lambda s: self._dialect.place_of(s.item)):
            state = check.state
            if check.finding is Finding.GONE:
                self.outcomes.verified(state)
            elif check.finding is Finding.OPEN_ELSEWHERE:
                self.outcomes.open_elsewhere(state, check.place, self._dialect.place_of(state.item))
            else:
                self._still_open(state, now)

    def _verified_by_read(self, state: ItemState, found: OrderState, now: float) -> None:
        state.verifying = False
        if found is OrderState.OPEN:
            self._still_open(state, now)
        else:
            self.outcomes.verified(state)

    def _still_open(self, state: ItemState, now: float) -> None:
        """Verify mode found an order open under the market its request named: cancel it again."""
        if self.outcomes.still_open_too_long(state):
            return
        log.info("batchcancel: %s still open; cancelling again", state.item.request.describe())
        state.previous, state.attempts = self.ledger.reopen(state.item.key), 0
        self._planner.enqueue(state)
