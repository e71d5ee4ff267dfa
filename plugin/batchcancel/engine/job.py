"""The sans-IO heart of batchcancel: one cancel call's state, driven by the sync or async driver.

The driver asks :meth:`CancelJob.ready_calls` what to send now, performs those calls, and feeds
each answer (or exception) to :meth:`CancelJob.on_result`; at the deadline it calls
:meth:`CancelJob.expire` for whatever is still in flight. Everything else happens here, once, for
both drivers: planning into batches (:mod:`~batchcancel.engine.planner`), pacing by rate budgets,
retries with backoff, isolating a refused batch, falling back to ccxt single cancels, reading an
order's state before giving up on it, verify mode (:mod:`~batchcancel.engine.verify`), and one
outcome per order (:mod:`~batchcancel.engine.ledger`).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import ccxt

from batchcancel.engine.classify import ErrorClass, classify, describe
from batchcancel.engine.dialect import (
    Call,
    Dialect,
    Kind,
    MalformedResponse,
    Purpose,
    Route,
    Verdict,
    WorkItem,
)
from batchcancel.engine.ledger import Ledger, OutcomeSink
from batchcancel.engine.pacing import BudgetBook
from batchcancel.engine.planner import Planner
from batchcancel.engine.reading import OrderState
from batchcancel.engine.resolve import distinct, resolve_market
from batchcancel.engine.state import ItemState, QueueKey
from batchcancel.engine.verify import Finding, Sweep
from batchcancel.model import CancelOutcome, CancelReport, CancelRequest, Status
from batchcancel.redact import Redactor
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")

MAX_REOPEN = 2
"""How often a state read that finds an order still open may grant it one more cancel attempt."""


class CancelJob:
    """State of one ``cancel_orders`` call, from the given requests to one outcome each."""

    def __init__(
        self,
        dialect: Dialect,
        requests: Sequence[CancelRequest],
        settings: Settings,
        *,
        now: float,
        markets: Mapping[str, Any] | None = None,
        markets_by_id: Mapping[str, Any] | None = None,
        fallback: Dialect | None = None,
        secrets: Iterable[str] = (),
        rng: random.Random | None = None,
        sink: OutcomeSink | None = None,
        budgets: BudgetBook | None = None,
    ) -> None:
        self.dialect = dialect
        self.fallback_dialect = fallback
        self.settings = settings
        self.deadline = now + settings.deadline_s
        self._given = tuple(requests)
        self.distinct = distinct(self._given)
        self.requests_sent = 0
        self._rng = rng or random.Random()
        # A shared book (engine/shared_budget.py) when a budget store is set; else in-process.
        self._budgets = budgets if budgets is not None else BudgetBook(dialect.budgets(settings))
        self._planner = Planner(dialect, fallback, settings, self._budgets)
        self.ledger = Ledger(self._given, self.distinct, Redactor(secrets), sink)
        self._inflight: dict[Call, tuple[list[ItemState], Any]] = {}
        self._reads: list[tuple[float, int, ItemState]] = []  # orders whose state to read, by time
        # Orders a read found still open: they go back to the planner together once no read is
        # pending, so orders that failed in one batch are sent again in one batch.
        self._reopened: list[ItemState] = []
        self._seq = itertools.count()
        self._read_blocked: set[str] = set()
        self._halt: CancelOutcome | None = None  # a template: every order left ends like this
        self._housekeeping: Call | None = None
        self._resync_wanted = False
        self._markets: Mapping[str, Any] = markets or {}
        self._markets_attempts = 0
        self._markets_not_before = now
        self._verify_pending: dict[int, ItemState] = {}
        self._sweep: Sweep | None = None
        self._swept: dict[int, ItemState] = {}
        self._markets_ready = bool(markets)
        if self._markets_ready:
            self._admit(self._markets, markets_by_id)

    # -- what the driver asks ------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return (
            len(self.ledger) == len(self.distinct.requests)
            and not self._inflight
            and not self._verify_pending
            and not self._reads  # verify mode's reads of orders already recorded
            and self._sweep is None
        )

    def ready_calls(self, now: float, slots: int) -> list[Call]:
        """Calls to start now, at most ``slots`` of them."""
        if slots <= 0 or self._housekeeping is not None:
            return []
        if not self._markets_ready:
            if now >= self._markets_not_before:
                return [self._start_housekeeping(Call("load_markets", (), purpose=Purpose.MARKETS))]
            return []
        if self._resync_wanted:
            self._resync_wanted = False
            return [self._start_housekeeping(Call("load_time_difference", (), purpose=Purpose.RESYNC))]
        self._planner.release_waiting(now)
        if self._halt is not None:
            self._end_everything_left(self._halt.status, self._halt.code, self._halt.message)
        elif now >= self.deadline:
            self._end_everything_left(
                Status.FAILED, None, f"deadline of {self.settings.deadline_s:g} s reached"
            )
        if self._reopened and not self._reads_pending():
            for state in self._reopened:
                self._planner.enqueue(state)
            self._reopened.clear()
        calls = self._planner.plan(now, slots, self._start_cancel, self._unserved)
        if len(calls) < slots:
            calls += self._state_read_calls(now, slots - len(calls))
        if len(calls) < slots and not self._busy():
            calls += self._verification_calls(now, slots - len(calls))
        return calls

    def next_wakeup(self, now: float) -> float:
        """When something may become sendable without an answer arriving first."""
        if not self._markets_ready:
            return self._markets_not_before
        times = [self.deadline]
        waiting = self._planner.next_waiting()
        if waiting is not None:
            times.append(waiting)
        # Times already past are either sendable (an answer frees the slot) or wait for a budget.
        if self._reads and self._reads[0][0] > now:
            times.append(self._reads[0][0])
        if self._sweep is not None and self._sweep.not_before > now:
            times.append(self._sweep.not_before)
        for budget in self._planner.blocked_budgets | self._read_blocked:
            times.append(self._budgets.next_change(budget, now))
        return min(times)

    def on_result(
        self,
        call: Call,
        now: float,
        response: Any = None,
        error: BaseException | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Feed the answer (or the exception) of a call started by :meth:`ready_calls`."""
        states, spend = self._inflight.pop(call)
        self._budgets.settle(spend, now)
        if call.purpose in (Purpose.MARKETS, Purpose.RESYNC):
            self._housekeeping = None
            if call.purpose == Purpose.MARKETS:
                self._on_markets(now, response, error)
            elif error is not None:
                log.warning("batchcancel: clock resync failed: %s", self.ledger.redact(describe(error)))
            return
        dialect = call.dialect or self.dialect
        if headers:
            seen = dialect.observe(call, headers)
            if seen is not None:
                self._budgets.observe(seen, now)
        if call.purpose == Purpose.VERIFY:
            self._on_page(call, now, response, error)
        elif call.purpose == Purpose.STATE:
            self._on_state(call, states[0], now, response, error)
        else:
            self._on_cancel(call, states, now, response, error)

    def expire(self, now: float) -> None:
        """The deadline passed with calls in flight: their orders' state is unknown; end the call."""
        for call, (states, _) in list(self._inflight.items()):
            if call.purpose in (Purpose.CANCEL, Purpose.STATE):
                for state in states:
                    self._end_unknown(state, "the request was still in flight at the deadline")
        self._inflight.clear()
        self._housekeeping = None
        self._end_everything_left(Status.FAILED, None, f"deadline of {self.settings.deadline_s:g} s reached")

    def report(self, elapsed_s: float) -> CancelReport:
        return self.ledger.report(self.requests_sent, elapsed_s)

    def summary(self) -> str:
        """What an interrupted call had decided (counts only)."""
        in_flight = sum(len(states) for call, (states, _) in self._inflight.items() if states)
        return self.ledger.summary(in_flight)

    # -- admission -----------------------------------------------------------------------------

    def _admit(self, markets: Mapping[str, Any], markets_by_id: Mapping[str, Any] | None) -> None:
        self._markets_ready = True
        for key, request in enumerate(self.distinct.requests):
            market, why = resolve_market(request.symbol, markets, markets_by_id)
            if market is None:
                self._record(key, CancelOutcome(request, Status.REJECTED, None, why, "resolve"))
                continue
            self._planner.enqueue(ItemState(WorkItem(key, request, market)))

    def _on_markets(self, now: float, markets: Any, error: BaseException | None) -> None:
        if error is None and isinstance(markets, Mapping) and markets:
            self._markets = markets
            by_id: dict[str, list[Any]] = {}
            for market in markets.values():
                by_id.setdefault(str(market.get("id")), []).append(market)
            self._admit(markets, by_id)
            return
        self._markets_attempts += 1
        message = describe(error) if error is not None else "the exchange returned no markets"
        kind = classify(error) if error is not None else ErrorClass.TRANSIENT
        retryable = kind in (ErrorClass.TRANSIENT, ErrorClass.RATE_LIMITED, ErrorClass.RESYNC)
        if retryable and self._markets_attempts <= self.settings.max_retries:
            self._markets_not_before = now + self._backoff(self._markets_attempts)
            return
        # Nothing was sent for any order: a refusal here is the truth about every one of them.
        status = Status.FAILED if retryable else Status.REJECTED
        self._markets_ready = True
        for key, request in enumerate(self.distinct.requests):
            outcome = CancelOutcome(request, status, None, f"could not load markets: {message}", "markets")
            self._record(key, outcome)

    # -- cancels -------------------------------------------------------------------------------

    def _start_cancel(self, key: QueueKey, route: Route, states: list[ItemState]) -> Call:
        dialect = self._planner.dialect_for(states[0])
        call = dialect.build(route, key.group, [state.item for state in states])
        call = attrs.evolve(
            call,
            route=route,
            dialect=dialect,
            group=key.group,
            via=call.via or f"{dialect.name}:{route.name}",
        )
        spend = self._budgets.spend(route.budget, route.cost(len(states)))
        self._inflight[call] = (states, spend)
        self.requests_sent += 1
        log.debug("batchcancel: sending %s with %d order(s)", call.via, len(states))
        return call

    def _start_housekeeping(self, call: Call) -> Call:
        self._housekeeping = call
        self._inflight[call] = ([], None)
        return call

    def _unserved(self, key: QueueKey, states: list[ItemState]) -> None:
        # Nothing native can serve this group: hand its orders on (or reject) right away.
        verdict = Verdict.fallback(None, "no native endpoint serves this order")
        for state in states:
            self._apply(state, verdict, None, 0.0)

    def _on_cancel(
        self, call: Call, states: list[ItemState], now: float, response: Any, error: BaseException | None
    ) -> None:
        dialect = call.dialect or self.dialect
        if error is None:
            try:
                verdicts = list(dialect.read(call, response))
                if len(verdicts) != len(states):
                    raise MalformedResponse(f"{len(verdicts)} verdicts for {len(states)} orders")
            except Exception as exc:
                error = exc
            else:
                delay = self._call_backoff(states)
                for state, verdict in zip(states, verdicts, strict=True):
                    self._apply(state, verdict, call, now, delay)
                return
        verdict = dialect.read_error(call, error) or self._verdict_for(call, error, now)
        log.debug(
            "batchcancel: %s failed for %d order(s): %s",
            call.via,
            len(states),
            self.ledger.redact(verdict.message),
        )
        delay = self._call_backoff(states)
        for state in states:
            self._apply(state, verdict, call, now, delay)

    def _verdict_for(self, call: Call, error: BaseException, now: float) -> Verdict:
        code = (call.dialect or self.dialect).error_code(error)
        kind = classify(error, code)
        message = describe(error)
        single = len(call.items) == 1
        if kind is ErrorClass.HALT:
            self._halt = CancelOutcome(call.items[0].request, Status.REJECTED, code, message)
            return Verdict.rejected(code, message)
        if kind is ErrorClass.CLOSED:
            message = f"the exchange object was closed during the call; state unknown ({message})"
            self._halt = CancelOutcome(call.items[0].request, Status.FAILED, code, message)
            return Verdict(Kind.FINAL, Status.FAILED, code, message)
        if kind is ErrorClass.NOT_OPEN:
            return Verdict.already_closed(code, message) if single else Verdict.isolate(code, message)
        if kind is ErrorClass.RESYNC:
            self._resync_wanted = True
            return Verdict.transient(code, message)
        if kind is ErrorClass.RATE_LIMITED:
            budget = call.route.budget if call.route else None
            self._budgets.block(budget, now + self._budgets.window(budget), now)
            return Verdict.rate_limited(code, message)
        if kind is ErrorClass.TRANSIENT:
            return Verdict.unknown(code, message)
        if kind is ErrorClass.UNSUPPORTED:
            return Verdict.fallback(code, message)
        if type(error) is ccxt.ExchangeError:
            # A code ccxt does not know (Bybit's 10016 on an HTTP 500 comes this way): a refusal,
            # or a server error after which the order may be gone. Sent again, and its state read
            # before giving up: never REJECTED on a guess.
            return Verdict.unknown(code, message)
        return Verdict.rejected(code, message) if single else Verdict.isolate(code, message)

    def _call_backoff(self, states: list[ItemState]) -> float:
        # One draw per answer, so orders that failed together are retried together in one request.
        return self._backoff(max((state.attempts for state in states), default=0) + 1)

    def _apply(
        self, state: ItemState, verdict: Verdict, call: Call | None, now: float, delay: float = 0.0
    ) -> None:
        via = call.via if call is not None else self.dialect.name
        state.last_via = via
        if verdict.kind is Kind.FINAL:
            state.maybe_applied |= verdict.state_unknown
            self._finish(state, verdict.status or Status.FAILED, verdict.code, verdict.message, via, now)
            return
        state.last_code, state.last_message = verdict.code, verdict.message
        if verdict.kind is Kind.RETRY:
            state.maybe_applied |= verdict.state_unknown
            state.attempts += 1
            if state.attempts > self.settings.max_retries:
                self._read_before_giving_up(state, now)
            else:
                self._planner.enqueue(state, now + delay)
        elif verdict.kind is Kind.WAIT_BUDGET:
            state.waits += 1
            budget = call.route.budget if call is not None and call.route else None
            until = verdict.retry_at or now + self._budgets.window(budget)
            if self._budgets.block(budget, until, now):
                # Only this route's budget is spent: the planner keeps off it until the reset,
                # and another route with budget left (Bybit's separate single-cancel budget) may
                # carry the order now instead of after the reset.
                self._planner.enqueue(state)
            else:
                self._planner.enqueue(state, max(until, now + 0.001))
        elif verdict.kind is Kind.ISOLATE:
            if state.isolate or (call is not None and len(call.items) == 1):
                self._finish(state, Status.REJECTED, verdict.code, verdict.message, via, now)
            else:
                state.isolate = True
                self._planner.enqueue(state)
        elif verdict.kind is Kind.FALLBACK:
            if state.fallback or not self.settings.fallback or self.fallback_dialect is None:
                why = "" if self.settings.fallback else " (fallback to ccxt single cancels is disabled)"
                self._finish(state, Status.REJECTED, verdict.code, verdict.message + why, via, now)
            else:
                state.fallback = True
                state.isolate = False
                self._planner.enqueue(state)

    def _finish(
        self, state: ItemState, status: Status, code: str | None, message: str, via: str, now: float
    ) -> None:
        request = state.item.request
        if status is Status.REJECTED and state.maybe_applied and state.rejection is None:
            # An earlier attempt may have cancelled it: learn the state before saying "refused".
            state.rejection = CancelOutcome(request, status, code, message, via)
            self._read_before_giving_up(state, now)
            return
        if status is Status.ALREADY_CLOSED and state.maybe_applied:
            message += " (an earlier attempt of this call, whose answer was lost, may have cancelled it)"
        outcome = CancelOutcome(request, status, code, message, via)
        if status is Status.ALREADY_CLOSED and state.previous and state.previous.status is Status.CANCELED:
            # Verify mode re-sent a cancel the exchange had accepted but not yet applied; that the
            # order is gone now is the first cancel's doing.
            outcome = state.previous
        self._record(state.item.key, outcome, state)

    def _record(self, key: int, outcome: CancelOutcome, state: ItemState | None = None) -> None:
        self.ledger.record(key, outcome)
        if (
            state is not None
            and self.settings.verify
            and outcome.status in (Status.CANCELED, Status.ALREADY_CLOSED)
        ):
            self._verify_pending[key] = state  # told once verified
        else:
            self.ledger.tell(key)

    def _end_unknown(self, state: ItemState, why: str) -> None:
        detail = f"state unknown: {why}"
        if state.last_message:
            detail += f"; last error: {state.last_message}"
        request = state.item.request
        self._record(
            state.item.key, CancelOutcome(request, Status.FAILED, state.last_code, detail, state.last_via)
        )

    def _end_everything_left(self, status: Status, code: str | None, message: str) -> None:
        """The call cannot go on (deadline, credentials refused, exchange closed): end what is left."""
        left = self._planner.drain() + [state for _, _, state in self._reads] + self._reopened
        self._reads.clear()
        self._reopened.clear()
        for state in left:
            if state.rejection is not None:
                self._end_unknown(
                    state,
                    f"{message}; it was refused ({state.rejection.message}) after an "
                    "earlier attempt whose answer was lost",
                )
            elif state.maybe_applied or status is not Status.REJECTED:
                detail = f"{message}; last error: {state.last_message}" if state.last_message else message
                if state.maybe_applied:
                    detail = f"state unknown: {detail}"
                request = state.item.request
                outcome = CancelOutcome(
                    request, Status.FAILED, code or state.last_code, detail, state.last_via
                )
                self._record(state.item.key, outcome)
            else:
                outcome = CancelOutcome(
                    state.item.request, status, code, message, state.last_via or self.dialect.name
                )
                self._record(state.item.key, outcome)
        if self._sweep is not None and not any(c.purpose == Purpose.VERIFY for c in self._inflight):
            self._sweep = None
            self._tell_unverified(self._swept, message)
        if self._verify_pending:
            self._tell_unverified(self._verify_pending, message)

    def _tell_unverified(self, states: dict[int, ItemState], why: str) -> None:
        if states:
            log.warning(
                "batchcancel: %d outcome(s) left unverified: %s", len(states), self.ledger.redact(why)
            )
        for key in list(states):
            self.ledger.tell(key)
        states.clear()

    # -- reading an order's state --------------------------------------------------------------

    def _read_before_giving_up(self, state: ItemState, now: float) -> None:
        if self._build_state_read(state) is None:
            self._give_up(state, "this exchange offers no read of one order's state")
            return
        heapq.heappush(self._reads, (now, next(self._seq), state))

    def _build_state_read(self, state: ItemState) -> Call | None:
        for dialect in (self.dialect, self.fallback_dialect if state.fallback else None):
            if dialect is None:
                continue
            call = dialect.build_state_read(state.item)
            if call is not None:
                return attrs.evolve(
                    call,
                    purpose=Purpose.STATE,
                    dialect=dialect,
                    via=call.via or f"{dialect.name}:order-state",
                )
        return None

    def _state_read_calls(self, now: float, slots: int) -> list[Call]:
        calls: list[Call] = []
        self._read_blocked.clear()
        while self._reads and self._reads[0][0] <= now and len(calls) < slots:
            state = self._reads[0][2]
            call = self._build_state_read(state)
            if call is None:
                heapq.heappop(self._reads)
                self._give_up(state, "this exchange offers no read of one order's state")
                continue
            budget = call.route.budget if call.route else None
            cost = call.route.cost(1) if call.route else 0.0
            if budget is not None and self._budgets.capacity(budget, now) < cost:
                self._read_blocked.add(budget)
                break
            heapq.heappop(self._reads)
            self._inflight[call] = ([state], self._budgets.spend(budget, cost))
            self.requests_sent += 1
            calls.append(call)
        return calls

    def _on_state(
        self, call: Call, state: ItemState, now: float, response: Any, error: BaseException | None
    ) -> None:
        dialect = call.dialect or self.dialect
        try:
            found = (
                dialect.read_state_error(call, error)
                if error is not None
                else dialect.read_state(call, response)
            )
            if found is None:
                assert error is not None
                raise error
        except Exception as exc:
            self._state_read_failed(call, state, now, exc)
            return
        if state.verifying:
            self._verified_by_read(state, found, now)
        elif state.rejection is not None:
            self._rejection_checked(state, found, call.via, now)
        elif found is OrderState.OPEN:
            if state.reopened < MAX_REOPEN and now < self.deadline:
                state.reopened += 1
                state.attempts = self.settings.max_retries  # one more attempt, then read again
                self._reopened.append(state)
            else:
                self._give_up(state, "a read found it still open", known=True)
        else:
            self._finish(state, *self._closed_by_read(found, state), call.via, now)

    def _closed_by_read(self, found: OrderState, state: ItemState) -> tuple[Status, str | None, str]:
        lost = (
            f" (after {state.attempts} attempt(s) whose answers were lost or refused: {state.last_message})"
        )
        if found is OrderState.CANCELED:
            return Status.CANCELED, None, "cancelled: confirmed by reading the order" + lost
        if found is OrderState.FILLED:
            return Status.ALREADY_CLOSED, None, "filled before it could be cancelled (read back)" + lost
        place = self.dialect.place_of(state.item)
        return Status.ALREADY_CLOSED, None, f"the exchange knows no such order in {place}" + lost

    def _rejection_checked(self, state: ItemState, found: OrderState, via: str, now: float) -> None:
        rejection = state.rejection
        assert rejection is not None
        state.maybe_applied = False  # the read told the state: the rejection stands or falls by it
        if found is OrderState.OPEN:
            self._record(state.item.key, rejection)
        else:
            self._finish(state, *self._closed_by_read(found, state), via, now)

    def _state_read_failed(self, call: Call, state: ItemState, now: float, error: BaseException) -> None:
        dialect = call.dialect or self.dialect
        kind = classify(error, dialect.error_code(error))
        message = self.ledger.redact(describe(error))
        if kind is ErrorClass.RATE_LIMITED:
            budget = call.route.budget if call.route else None
            self._budgets.block(budget, now + self._budgets.window(budget), now)
            heapq.heappush(self._reads, (now + self._budgets.window(budget), next(self._seq), state))
            return
        state.read_errors += 1
        if (
            kind in (ErrorClass.TRANSIENT, ErrorClass.RESYNC)
            and state.read_errors <= self.settings.max_retries
        ):
            if kind is ErrorClass.RESYNC:
                self._resync_wanted = True
            heapq.heappush(self._reads, (now + self._backoff(state.read_errors), next(self._seq), state))
            return
        if state.verifying:
            state.verifying = False
            log.warning("batchcancel: could not verify %s: %s", state.item.request.describe(), message)
            self.ledger.tell(state.item.key)
            return
        self._give_up(state, f"reading the order failed: {message}")

    def _give_up(self, state: ItemState, why: str, *, known: bool = False) -> None:
        """End an order FAILED: its state is known to be open (``known``), or could not be learned."""
        if state.verifying:
            state.verifying = False
            self.ledger.tell(state.item.key)
            return
        if state.rejection is not None and not known:
            self._end_unknown(
                state,
                f"{why}; it was refused ({state.rejection.message}) after an earlier attempt whose "
                "answer was lost",
            )
            return
        attempts = state.attempts + state.reopened  # a reopened order had its count set back
        if known:
            message = f"still open after {attempts} attempts"
        elif state.maybe_applied:
            message = f"state unknown after {attempts} attempts ({why})"
        else:
            message = f"gave up after {attempts} attempts"
        message += f"; last error: {state.last_message}"
        request = state.item.request
        self._record(
            state.item.key, CancelOutcome(request, Status.FAILED, state.last_code, message, state.last_via)
        )

    # -- verify mode ---------------------------------------------------------------------------

    def _reads_pending(self) -> bool:
        return bool(self._reads) or any(c.purpose == Purpose.STATE for c in self._inflight)

    def _busy(self) -> bool:
        """Cancels or state reads still to come: verify mode reads the account only after them."""
        return (
            not self._planner.idle
            or bool(self._reopened)
            or self._reads_pending()
            or any(c.purpose == Purpose.CANCEL for c in self._inflight)
        )

    def _verification_calls(self, now: float, slots: int) -> list[Call]:
        if self._sweep is None:
            if not self._verify_pending:
                return []
            scopes = self.dialect.list_scopes(self._markets)
            if not scopes:
                # No account-wide listing: read each order's state instead.
                for state in self._verify_pending.values():
                    state.verifying = True
                    self._read_before_giving_up(state, now)
                self._verify_pending.clear()
                return self._state_read_calls(now, slots)
            self._sweep = Sweep(self.dialect, scopes, self.settings.max_retries)
            self._swept, self._verify_pending = self._verify_pending, {}
        calls: list[Call] = []
        while len(calls) < slots and (call := self._sweep.next_call(now)) is not None:
            budget = call.route.budget if call.route else None
            cost = call.route.cost(1) if call.route else 0.0
            if budget is not None and self._budgets.capacity(budget, now) < cost:
                self._read_blocked.add(budget)
                break
            self._sweep.started(call)
            self._inflight[call] = ([], self._budgets.spend(budget, cost))
            self.requests_sent += 1
            calls.append(call)
        return calls

    def _on_page(self, call: Call, now: float, response: Any, error: BaseException | None) -> None:
        sweep = self._sweep
        if sweep is None or not sweep.owns(call):
            return
        retry_at = now + self._backoff(1)
        if error is not None and classify(error) is ErrorClass.RATE_LIMITED:
            budget = call.route.budget if call.route else None
            self._budgets.block(budget, now + self._budgets.window(budget), now)
            retry_at = now + self._budgets.window(budget)
        sweep.on_page(call, response, error, retry_at)
        if sweep.finished:
            self._conclude_sweep(sweep, now)

    def _conclude_sweep(self, sweep: Sweep, now: float) -> None:
        states, self._swept, self._sweep = self._swept, {}, None
        if sweep.failed is not None:
            self._tell_unverified(states, self.ledger.redact(sweep.failed))
            return
        for check in sweep.findings(states.values(), lambda s: self.dialect.place_of(s.item)):
            state, key = check.state, check.state.item.key
            if check.finding is Finding.GONE:
                self.ledger.record(key, attrs.evolve(self.ledger[key], verified=True))
                self.ledger.tell(key)
            elif check.finding is Finding.OPEN_ELSEWHERE:
                asked = self.dialect.place_of(state.item)
                message = (
                    f"open on {check.place}, not on {asked} as requested: not cancelled under a market "
                    "the request did not name"
                )
                self.ledger.record(
                    key, CancelOutcome(state.item.request, Status.REJECTED, None, message, "verify")
                )
                self.ledger.tell(key)
            else:
                self._still_open(state, now)

    def _verified_by_read(self, state: ItemState, found: OrderState, now: float) -> None:
        state.verifying = False
        if found is OrderState.OPEN:
            self._still_open(state, now)
            return
        key = state.item.key
        self.ledger.record(key, attrs.evolve(self.ledger[key], verified=True))
        self.ledger.tell(key)

    def _still_open(self, state: ItemState, now: float) -> None:
        """Verify mode found an order open under the market its request named: cancel it again."""
        key = state.item.key
        outcome = self.ledger[key]
        state.verify_rounds += 1
        if state.verify_rounds > self.settings.max_retries:
            message = f"still open after {state.verify_rounds} verified cancel attempts ({outcome.message})"
            self.ledger.record(key, attrs.evolve(outcome, status=Status.FAILED, message=message))
            self.ledger.tell(key)
            return
        log.info(
            "batchcancel: %s still open after %s; cancelling again",
            state.item.request.describe(),
            outcome.status.value,
        )
        state.previous, state.attempts = self.ledger.reopen(key), 0
        self._planner.enqueue(state)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** (attempt - 1))
        return ceiling * self._rng.uniform(0.5, 1.0)
