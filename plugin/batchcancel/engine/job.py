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

import logging
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from batchcancel.engine.bootstrap import Bootstrap, MarketsFailed
from batchcancel.engine.classify import Effect, describe, verdict_for
from batchcancel.engine.dialect import Dialect, Kind, MalformedResponse, Route, Verdict, WorkItem
from batchcancel.engine.follow_up import FollowUps
from batchcancel.engine.ledger import Ledger, OutcomeSink
from batchcancel.engine.pacing import BudgetBook
from batchcancel.engine.planner import Planner
from batchcancel.engine.resolve import distinct, resolve_market
from batchcancel.engine.sent import Purpose, Sent
from batchcancel.engine.state import ItemState, QueueKey
from batchcancel.engine.state_reads import ReadQueue
from batchcancel.engine.verify import Verification
from batchcancel.model import CancelOutcome, CancelReport, CancelRequest, Status
from batchcancel.redact import Redactor
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")


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
        self._inflight: dict[Sent, tuple[list[ItemState], Any]] = {}
        self._reads = ReadQueue()
        self._verification = Verification(dialect, settings.max_retries)
        self._boot = Bootstrap(markets, now)
        self._halt: Verdict | None = None  # every order left ends like this
        self._told: set[str] = set()  # reasons no route serves a group, logged once
        self._follow = FollowUps(
            dialect=dialect,
            fallback=fallback,
            settings=settings,
            deadline=self.deadline,
            budgets=self._budgets,
            planner=self._planner,
            reads=self._reads,
            verification=self._verification,
            boot=self._boot,
            ledger=self.ledger,
            backoff=self._backoff,
            send=self._sent,
        )
        self._outcomes = self._follow.outcomes
        if self._boot.ready:
            self._admit(self._boot.markets, markets_by_id)

    # -- what the driver asks ------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return (
            len(self.ledger) == len(self.distinct.requests)
            and not self._inflight
            and not self._verification.active
            and not self._reads  # verify mode's reads of orders already recorded
        )

    def ready_calls(self, now: float, slots: int) -> list[Sent]:
        """Calls to start now, at most ``slots`` of them."""
        if slots <= 0 or self._boot.in_flight is not None:
            return []
        housekeeping = self._boot.next_call(now)
        if housekeeping is not None:
            self._inflight[housekeeping] = ([], None)
            return [housekeeping]
        if not self._boot.ready:
            return []
        self._planner.release_waiting(now)
        if self._halt is not None:
            status = self._halt.status or Status.FAILED
            self._end_everything_left(status, self._halt.code, self._halt.message)
        elif now >= self.deadline:
            self._end_everything_left(
                Status.FAILED, None, f"deadline of {self.settings.deadline_s:g} s reached"
            )
        if self._reads.reopened and not self._reads_pending():
            for state in self._reads.reopened:
                self._planner.enqueue(state)
            self._reads.reopened.clear()
        calls = self._planner.plan(now, slots, self._start_cancel, self._unserved)
        if len(calls) < slots:
            calls += self._follow.state_read_calls(now, slots - len(calls))
        if len(calls) < slots and not self._busy():
            calls += self._follow.verification_calls(now, slots - len(calls))
        return calls

    def next_wakeup(self, now: float) -> float:
        """When something may become sendable without an answer arriving first."""
        if not self._boot.ready:
            return self._boot.not_before
        times = [self.deadline]
        for time in (self._planner.next_waiting(), self._reads.next_time(now)):
            if time is not None:
                times.append(time)
        sweep = self._verification.sweep
        if sweep is not None and sweep.not_before > now:
            times.append(sweep.not_before)
        for budget in self._planner.blocked_budgets | self._reads.blocked:
            times.append(self._budgets.next_change(budget, now))
        return min(times)

    def on_result(
        self,
        sent: Sent,
        now: float,
        response: Any = None,
        error: BaseException | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Feed the answer (or the exception) of a call started by :meth:`ready_calls`."""
        states, spend = self._inflight.pop(sent)
        self._budgets.settle(spend, now)
        if sent.purpose == Purpose.MARKETS:
            self._on_markets(now, response, error)
            return
        if sent.purpose == Purpose.RESYNC:
            self._boot.in_flight = None
            if error is not None:
                log.warning("batchcancel: clock resync failed: %s", self.ledger.redact(describe(error)))
            return
        dialect = sent.reader or self.dialect
        if headers:
            seen = dialect.observe(sent.call, headers)
            if seen is not None:
                self._budgets.observe(seen, now)
        if sent.purpose == Purpose.VERIFY:
            self._follow.on_page(sent, now, response, error)
        elif sent.purpose == Purpose.STATE:
            self._follow.on_state(sent, states[0], now, response, error)
        else:
            self._on_cancel(sent, states, now, response, error)

    def expire(self, now: float) -> None:
        """The deadline passed with calls in flight: their orders' state is unknown; end the call."""
        for sent, (states, _) in list(self._inflight.items()):
            if sent.purpose in (Purpose.CANCEL, Purpose.STATE):
                for state in states:
                    self._outcomes.unknown(state, "the request was still in flight at the deadline")
        self._inflight.clear()
        self._boot.in_flight = None
        self._end_everything_left(Status.FAILED, None, f"deadline of {self.settings.deadline_s:g} s reached")

    def report(self, elapsed_s: float) -> CancelReport:
        return self.ledger.report(self.requests_sent, elapsed_s)

    def summary(self) -> str:
        """What an interrupted call had decided (counts only)."""
        in_flight = sum(len(states) for states, _ in self._inflight.values())
        return self.ledger.summary(in_flight)

    # -- admission -----------------------------------------------------------------------------

    def _admit(self, markets: Mapping[str, Any], markets_by_id: Mapping[str, Any] | None) -> None:
        for key, request in enumerate(self.distinct.requests):
            market, why = resolve_market(request.symbol, markets, markets_by_id)
            if market is None:
                self._outcomes.record(key, CancelOutcome(request, Status.REJECTED, None, why, "resolve"))
                continue
            self._planner.enqueue(ItemState(WorkItem(key, request, market)))

    def _on_markets(self, now: float, markets: Any, error: BaseException | None) -> None:
        loaded = self._boot.on_markets(now, markets, error, self.settings.max_retries, self._backoff)
        if isinstance(loaded, MarketsFailed):
            for key, request in enumerate(self.distinct.requests):
                self._outcomes.record(
                    key, CancelOutcome(request, loaded.status, None, loaded.message, "markets")
                )
        elif loaded is not None:
            self._admit(self._boot.markets, loaded)

    # -- cancels -------------------------------------------------------------------------------

    def _start_cancel(self, key: QueueKey, route: Route, states: list[ItemState]) -> Sent:
        dialect = self._planner.dialect_for(states[0])
        call = dialect.build(route, key.group, [state.item for state in states])
        sent = Sent(call, Purpose.CANCEL, dialect, route, call.via or f"{dialect.name}:{route.name}")
        self._sent(sent, states, self._budgets.spend(route.budget, route.cost(len(states))))
        log.debug("batchcancel: sending %s with %d order(s)", sent.via, len(states))
        return sent

    def _unserved(self, key: QueueKey, states: list[ItemState]) -> None:
        # Nothing native can serve this group: hand its orders on (or reject) right away.
        dialect = self.fallback_dialect if key.fallback and self.fallback_dialect else self.dialect
        why = dialect.unserved_reason(key.group)
        if why and why not in self._told:
            self._told.add(why)
            log.info("batchcancel: %s: %s: left to ccxt's cancel_order", dialect.name, why)
        message = "no native endpoint serves this order" + (f": {why}" if why else "")
        verdict = Verdict.fallback(None, message)
        for state in states:
            self._apply(state, verdict, None, 0.0)

    def _on_cancel(
        self, sent: Sent, states: list[ItemState], now: float, response: Any, error: BaseException | None
    ) -> None:
        dialect = sent.reader or self.dialect
        if error is None:
            try:
                verdicts = list(dialect.read(sent.call, response))
                if len(verdicts) != len(states):
                    raise MalformedResponse(f"{len(verdicts)} verdicts for {len(states)} orders")
            except Exception as exc:
                error = exc
            else:
                delay = self._call_backoff(states)
                for state, verdict in zip(states, verdicts, strict=True):
                    self._apply(state, verdict, sent, now, delay)
                return
        per_item = dialect.read_error_items(sent.call, error)
        if per_item is not None and len(per_item) == len(states):
            delay = self._call_backoff(states)
            for state, item_verdict in zip(states, per_item, strict=True):
                self._apply(state, item_verdict, sent, now, delay)
            return
        verdict = dialect.read_error(sent.call, error) or self._verdict_for(sent, error, now)
        log.debug(
            "batchcancel: %s failed for %d order(s): %s",
            sent.via,
            len(states),
            self.ledger.redact(verdict.message),
        )
        delay = self._call_backoff(states)
        for state in states:
            self._apply(state, verdict, sent, now, delay)

    def _verdict_for(self, sent: Sent, error: BaseException, now: float) -> Verdict:
        verdict, effect = verdict_for(error, (sent.reader or self.dialect).error_code(error), len(sent.items))
        if effect is Effect.HALT:
            self._halt = verdict
        elif effect is Effect.RESYNC:
            self._boot.resync_wanted = True
        elif effect is Effect.BLOCK_BUDGET:
            self._budgets.block(sent.budget, now + self._budgets.window(sent.budget), now)
        return verdict

    def _call_backoff(self, states: list[ItemState]) -> float:
        # One draw per answer, so orders that failed together are retried together in one request.
        return self._backoff(max((state.attempts for state in states), default=0) + 1)

    def _apply(
        self, state: ItemState, verdict: Verdict, sent: Sent | None, now: float, delay: float = 0.0
    ) -> None:
        via = sent.via if sent is not None else self.dialect.name
        state.last_via = via
        if verdict.kind is Kind.FINAL:
            state.maybe_applied |= verdict.state_unknown
            self._outcomes.finish(
                state, verdict.status or Status.FAILED, verdict.code, verdict.message, via, now
            )
            return
        state.last_code, state.last_message = verdict.code, verdict.message
        if verdict.kind is Kind.RETRY:
            state.maybe_applied |= verdict.state_unknown
            state.attempts += 1
            if state.attempts > self.settings.max_retries:
                self._follow.read_before_giving_up(state, now)
            else:
                self._planner.enqueue(state, now + delay)
        elif verdict.kind is Kind.WAIT_BUDGET:
            state.waits += 1
            budget = sent.budget if sent is not None else None
            # The answer's own headers may have said when the budget resets (observe() blocked it
            # until then): that beats waiting a whole window (Binance's is a minute).
            until = verdict.retry_at or self._budgets.frees_at(budget, now)
            if self._budgets.block(budget, until, now):
                # Only this route's budget is spent: the planner keeps off it until the reset,
                # and another route with budget left (Bybit's separate single-cancel budget) may
                # carry the order now instead of after the reset.
                self._planner.enqueue(state)
            else:
                self._planner.enqueue(state, max(until, now + 0.001))
        elif verdict.kind is Kind.ISOLATE:
            if state.isolate or (sent is not None and len(sent.items) == 1):
                self._outcomes.finish(state, Status.REJECTED, verdict.code, verdict.message, via, now)
            else:
                state.isolate = True
                self._planner.enqueue(state)
        elif verdict.kind is Kind.FALLBACK:
            if state.fallback or not self.settings.fallback or self.fallback_dialect is None:
                why = "" if self.settings.fallback else " (fallback to ccxt single cancels is disabled)"
                self._outcomes.finish(state, Status.REJECTED, verdict.code, verdict.message + why, via, now)
            else:
                state.fallback = True
                state.isolate = False
                self._planner.enqueue(state)

    def _end_everything_left(self, status: Status, code: str | None, message: str) -> None:
        """The call cannot go on (deadline, credentials refused, exchange closed): end what is left."""
        left = self._planner.drain() + self._reads.drain()
        self._outcomes.end_left(left, status, code, message, self.dialect.name)
        if not any(sent.purpose == Purpose.VERIFY for sent in self._inflight):
            self._outcomes.unverified(self._verification.abandon(), message)

    def _reads_pending(self) -> bool:
        return bool(self._reads) or any(sent.purpose == Purpose.STATE for sent in self._inflight)

    def _busy(self) -> bool:
        """Cancels or state reads still to come: verify mode reads the account only after them."""
        return (
            not self._planner.idle
            or bool(self._reads.reopened)
            or self._reads_pending()
            or any(sent.purpose == Purpose.CANCEL for sent in self._inflight)
        )

    def _sent(self, sent: Sent, states: list[ItemState], spend: Any) -> None:
        self._inflight[sent] = (states, spend)
        self.requests_sent += 1

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** (attempt - 1))
        return ceiling * self._rng.uniform(0.5, 1.0)
