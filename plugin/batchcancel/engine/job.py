"""The sans-IO heart of batchcancel: one cancel call's state, driven by the sync or async driver.

The driver asks :meth:`CancelJob.ready_calls` what to send now, performs those calls, and feeds
each answer (or exception) to :meth:`CancelJob.on_result`. Everything else (planning into
batches, pacing by rate budgets, retries with backoff, isolating a refused batch, falling back to
ccxt single cancels, and accounting for every order) happens here, once, for both drivers.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.engine.classify import ErrorClass, classify, describe
from batchcancel.engine.dialect import Call, Dialect, Kind, MalformedResponse, Route, Verdict, WorkItem
from batchcancel.engine.pacing import INFINITY, BudgetBook
from batchcancel.engine.planning import per_request, secondary_pays
from batchcancel.engine.resolve import distinct, resolve_market
from batchcancel.engine.state import ItemState, QueueKey
from batchcancel.engine.verify import VERIFY, Verifier
from batchcancel.model import CancelOutcome, CancelReport, CancelRequest, Status
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")

MARKETS = "markets"
RESYNC = "resync"


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
        budgets: BudgetBook | None = None,
    ) -> None:
        self.dialect = dialect
        self.fallback_dialect = fallback
        self.settings = settings
        self.deadline = now + settings.deadline_s
        self._given = tuple(requests)
        self.distinct = distinct(self._given)
        self.requests_sent = 0
        self._secrets = [s for s in secrets if s and len(s) >= 4]
        self._rng = rng or random.Random()
        # A shared book (engine/shared_budget.py) when a budget store is set; else in-process.
        self._budgets = budgets if budgets is not None else BudgetBook(dialect.budgets(settings))
        self._final: dict[int, CancelOutcome] = {}
        self._queues: dict[QueueKey, deque[ItemState]] = {}
        self._waiting: list[tuple[float, int, ItemState]] = []
        self._seq = itertools.count()
        self._inflight: dict[Call, tuple[list[ItemState], Any]] = {}
        self._routes: dict[QueueKey, Sequence[Route]] = {}
        self._blocked_budgets: set[str] = set()
        self._halt: Verdict | None = None
        self._housekeeping: Call | None = None
        self._resync_wanted = False
        self._markets_attempts = 0
        self._markets_not_before = now
        self._verifier = Verifier(settings.max_retries, self._backoff)
        self._markets_ready = bool(markets)
        if self._markets_ready:
            self._admit(markets or {}, markets_by_id)

    # -- what the driver asks ------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return (
            len(self._final) == len(self.distinct.requests)
            and not self._inflight
            and not self._verifier.pending
        )

    def ready_calls(self, now: float, slots: int) -> list[Call]:
        """Calls to start now, at most ``slots`` of them."""
        if slots <= 0 or self._housekeeping is not None:
            return []
        if not self._markets_ready:
            if now >= self._markets_not_before:
                return [self._start_housekeeping(Call("load_markets", (), purpose=MARKETS))]
            return []
        if self._resync_wanted:
            self._resync_wanted = False
            return [self._start_housekeeping(Call("load_time_difference", (), purpose=RESYNC))]
        self._release_waiting(now)
        if self._halt is not None:
            self._finish_queued(self._halt.status or Status.REJECTED, self._halt.code, self._halt.message)
        elif now >= self.deadline:
            self._finish_queued(Status.FAILED, None, f"deadline of {self.settings.deadline_s:g} s reached")
        calls: list[Call] = []
        self._blocked_budgets.clear()
        visited: set[QueueKey] = set()
        # Keys may appear while planning (orders handed to the fallback), hence the outer loop.
        while fresh := [key for key in self._queues if key not in visited]:
            for key in fresh:
                visited.add(key)
                queue = self._queues[key]
                routes = self._routes_for(key)
                for index, route in enumerate(routes):
                    if index and queue and not self._secondary_pays(key, routes, index, now):
                        if route.budget is not None:
                            # It may pay once its own budget frees up, which can be before the
                            # preferred route's: wake up then and ask again.
                            self._blocked_budgets.add(route.budget)
                        continue
                    while queue and len(calls) < slots:
                        count = self._batch_size(route, key, len(queue), now)
                        if count <= 0:
                            if route.budget is not None:
                                self._blocked_budgets.add(route.budget)
                            break
                        calls.append(self._start(key, route, [queue.popleft() for _ in range(count)]))
                if not queue:
                    del self._queues[key]
        if self._verifier.pending and len(calls) < slots:
            calls += self._verification_calls(now, slots - len(calls))
        return calls

    def next_wakeup(self, now: float) -> float:
        """When something may become sendable without an answer arriving first."""
        if not self._markets_ready:
            return self._markets_not_before
        times = [self.deadline]
        if self._verifier.pending:
            times.append(self._verifier.not_before)
        if self._waiting:
            times.append(self._waiting[0][0])
        for budget in self._blocked_budgets:
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
        if call.purpose in (MARKETS, RESYNC):
            self._housekeeping = None
            if call.purpose == MARKETS:
                self._on_markets(now, response, error)
            elif error is not None:
                log.warning("batchcancel: clock resync failed: %s", self._redact(describe(error)))
            return
        if call.purpose == VERIFY:
            self._on_verified(call, states, now, response, error)
            return
        dialect = call.dialect or self.dialect
        if headers:
            seen = dialect.observe(call, headers)
            if seen is not None:
                self._budgets.observe(seen, now)
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
        log.debug("batchcancel: %s failed for %d order(s): %s", call.via, len(states), verdict.message)
        delay = self._call_backoff(states)
        for state in states:
            self._apply(state, verdict, call, now, delay)

    def report(self, elapsed_s: float) -> CancelReport:
        outcomes = []
        for request, key in zip(self._given, self.distinct.positions, strict=True):
            outcome = self._final[key]
            outcomes.append(outcome if outcome.request is request else attrs.evolve(outcome, request=request))
        return CancelReport(tuple(outcomes), requests_sent=self.requests_sent, elapsed_s=elapsed_s)

    # -- verify mode ---------------------------------------------------------------------------

    def _verification_calls(self, now: float, slots: int) -> list[Call]:
        """Once no cancel is queued, waiting or in flight: read back the open orders."""
        if now >= self.deadline:
            self._verifier.pending.clear()  # no time left: the outcomes stand, unverified
            return []
        if self._queues or self._waiting or any(c.purpose == "cancel" for c in self._inflight):
            return []
        calls = []
        for call, states in self._verifier.calls(now, slots):
            self._inflight[call] = (states, None)
            self.requests_sent += 1
            calls.append(call)
        return calls

    def _on_verified(
        self, call: Call, states: list[ItemState], now: float, response: Any, error: BaseException | None
    ) -> None:
        for state, still_open in self._verifier.read(call, states, now, response, error):
            key = state.item.key
            outcome = self._final[key]
            if not still_open:
                self._final[key] = attrs.evolve(outcome, verified=True)
            elif state.verify_rounds > self.settings.max_retries:
                message = (
                    f"still open after {state.verify_rounds} verified cancel attempts ({outcome.message})"
                )
                self._final[key] = attrs.evolve(outcome, status=Status.FAILED, message=message)
            else:
                log.info(
                    "batchcancel: %s still open after %s; cancelling again",
                    state.item.request.describe(),
                    outcome.status.value,
                )
                state.previous, state.attempts = outcome, 0
                del self._final[key]
                self._enqueue(state)

    # -- admission -----------------------------------------------------------------------------

    def _admit(self, markets: Mapping[str, Any], markets_by_id: Mapping[str, Any] | None) -> None:
        self._markets_ready = True
        for key, request in enumerate(self.distinct.requests):
            market, why = resolve_market(request.symbol, markets, markets_by_id)
            if market is None:
                self._final[key] = CancelOutcome(request, Status.REJECTED, None, why, "resolve")
                continue
            self._enqueue(ItemState(WorkItem(key, request, market)))

    def _on_markets(self, now: float, markets: Any, error: BaseException | None) -> None:
        if error is None and isinstance(markets, Mapping) and markets:
            by_id = self._markets_by_id(markets)
            self._admit(markets, by_id)
            return
        self._markets_attempts += 1
        message = describe(error) if error is not None else "the exchange returned no markets"
        kind = classify(error) if error is not None else ErrorClass.TRANSIENT
        retryable = kind in (ErrorClass.TRANSIENT, ErrorClass.RATE_LIMITED, ErrorClass.RESYNC)
        if retryable and self._markets_attempts <= self.settings.max_retries:
            self._markets_not_before = now + self._backoff(self._markets_attempts)
            return
        status = Status.FAILED if retryable else Status.REJECTED
        self._markets_ready = True
        for key, request in enumerate(self.distinct.requests):
            self._final[key] = CancelOutcome(
                request, status, None, self._redact(f"could not load markets: {message}"), "markets"
            )

    @staticmethod
    def _markets_by_id(markets: Mapping[str, Any]) -> dict[str, list[Any]]:
        by_id: dict[str, list[Any]] = {}
        for market in markets.values():
            by_id.setdefault(str(market.get("id")), []).append(market)
        return by_id

    def _enqueue(self, state: ItemState, not_before: float = 0.0) -> None:
        if not_before > 0:
            heapq.heappush(self._waiting, (not_before, next(self._seq), state))
            return
        dialect = self._dialect_for(state)
        key = QueueKey(state.fallback, dialect.group_of(state.item), state.isolate)
        self._queues.setdefault(key, deque()).append(state)

    def _release_waiting(self, now: float) -> None:
        while self._waiting and self._waiting[0][0] <= now:
            _, _, state = heapq.heappop(self._waiting)
            self._enqueue(state)

    # -- planning ------------------------------------------------------------------------------

    def _dialect_for(self, state: ItemState) -> Dialect:
        if state.fallback and self.fallback_dialect is not None:
            return self.fallback_dialect
        return self.dialect

    def _routes_for(self, key: QueueKey) -> Sequence[Route]:
        routes = self._routes.get(key)
        if routes is None:
            dialect = self.fallback_dialect if key.fallback else self.dialect
            routes = tuple(dialect.routes(key.group, self.settings)) if dialect is not None else ()
            if key.isolate:
                # After a whole batch was refused, the batch endpoint itself may be what was refused
                # (e.g. not offered to this account): a route made for one order goes first.
                routes = tuple(sorted(routes, key=lambda route: route.max_items != 1))
            self._routes[key] = routes
        if not routes:
            # Nothing native can serve this group: hand its orders on (or reject) right away.
            queue = self._queues.get(key, deque())
            verdict = Verdict.fallback(None, "no native endpoint serves this order")
            while queue:
                self._apply(queue.popleft(), verdict, None, 0.0)
        return routes

    def _sizes(self, routes: Sequence[Route], key: QueueKey) -> list[int]:
        return [per_request(route, key.isolate, self.settings.max_batch_size) for route in routes]

    def _batch_size(self, route: Route, key: QueueKey, queued: int, now: float) -> int:
        size = min(per_request(route, key.isolate, self.settings.max_batch_size), queued)
        return self._budgets.take(route, size, now)

    def _secondary_pays(self, key: QueueKey, routes: Sequence[Route], index: int, now: float) -> bool:
        queued = len(self._queues[key])
        sizes = self._sizes(routes, key)
        return secondary_pays(self._budgets, routes, index, sizes, queued, key.isolate, now)

    def _start(self, key: QueueKey, route: Route, states: list[ItemState]) -> Call:
        dialect = self.fallback_dialect if key.fallback and self.fallback_dialect else self.dialect
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

    # -- reading answers -----------------------------------------------------------------------

    def _verdict_for(self, call: Call, error: BaseException, now: float) -> Verdict:
        kind = classify(error)
        code = (call.dialect or self.dialect).error_code(error)
        message = describe(error)
        single = len(call.items) == 1
        if kind is ErrorClass.HALT:
            self._halt = Verdict.rejected(code, message)
            return self._halt
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
            return Verdict.transient(code, message)
        if kind is ErrorClass.UNSUPPORTED:
            return Verdict.fallback(code, message)
        return Verdict.rejected(code, message) if single else Verdict.isolate(code, message)

    def _call_backoff(self, states: list[ItemState]) -> float:
        # One draw per answer, so orders that failed together are retried together in one request.
        return self._backoff(max((state.attempts for state in states), default=0) + 1)

    def _apply(
        self, state: ItemState, verdict: Verdict, call: Call | None, now: float, delay: float = 0.0
    ) -> None:
        via = call.via if call is not None else self.dialect.name
        if verdict.kind is Kind.FINAL:
            self._finish(state, verdict.status or Status.FAILED, verdict.code, verdict.message, via)
            return
        state.last_code, state.last_message = verdict.code, verdict.message
        if verdict.kind is Kind.RETRY:
            state.attempts += 1
            if state.attempts > self.settings.max_retries:
                message = f"gave up after {state.attempts} attempts; last error: {verdict.message}"
                self._finish(state, Status.FAILED, verdict.code, message, via)
            else:
                self._enqueue(state, now + delay)
        elif verdict.kind is Kind.WAIT_BUDGET:
            state.waits += 1
            budget = call.route.budget if call is not None and call.route else None
            until = verdict.retry_at or now + self._budgets.window(budget)
            if self._budgets.block(budget, until, now):
                # Only this route's budget is spent: the planner keeps off it until the reset,
                # and another route with budget left (Bybit's separate single-cancel budget) may
                # carry the order now instead of after the reset.
                self._enqueue(state)
            else:
                self._enqueue(state, max(until, now + 0.001))
        elif verdict.kind is Kind.ISOLATE:
            if state.isolate or (call is not None and len(call.items) == 1):
                self._finish(state, Status.REJECTED, verdict.code, verdict.message, via)
            else:
                state.isolate = True
                self._enqueue(state)
        elif verdict.kind is Kind.FALLBACK:
            if state.fallback or not self.settings.fallback or self.fallback_dialect is None:
                why = "" if self.settings.fallback else " (fallback to ccxt single cancels is disabled)"
                self._finish(state, Status.REJECTED, verdict.code, verdict.message + why, via)
            else:
                state.fallback = True
                state.isolate = False
                self._enqueue(state)

    def _finish(self, state: ItemState, status: Status, code: str | None, message: str, via: str) -> None:
        request = state.item.request
        outcome = CancelOutcome(request, status, code, self._redact(message), via)
        if status is Status.ALREADY_CLOSED and state.previous and state.previous.status is Status.CANCELED:
            # Verify mode re-sent a cancel the exchange had accepted but not yet applied; that the
            # order is gone now is the first cancel's doing.
            outcome = state.previous
        self._final[state.item.key] = outcome
        if self.settings.verify and status in (Status.CANCELED, Status.ALREADY_CLOSED):
            self._verifier.pending[state.item.key] = state

    def _finish_queued(self, status: Status, code: str | None, message: str) -> None:
        self._release_waiting(INFINITY)
        for queue in self._queues.values():
            while queue:
                state = queue.popleft()
                detail = f"{message}; last error: {state.last_message}" if state.last_message else message
                self._finish(state, status, code or state.last_code, detail, self.dialect.name)
        self._queues.clear()

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** (attempt - 1))
        return ceiling * self._rng.uniform(0.5, 1.0)

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text
