"""The kill switch, sans-IO: every open order in scope cancelled, with one true outcome each.

Phases, driven by the same drivers as :class:`~batchcancel.engine.job.CancelJob`:

1. **list**: read every open order of the account (the dialect's ``list_scopes`` / ``build_list``,
   paged to the end, paced on the read budgets); keep those in scope (all, or the symbols given).
2. **cancel-all**: the dialect's cancel-all requests at the widest scope it allows (one request
   per category, settle coin, product type or symbol); their answers name the orders they
   cancelled. A dialect without cancel-all skips this phase.
3. **read-back**: list again. An order named by a cancel-all answer and gone is ``CANCELED``.
   An order gone that no answer named (filled meanwhile? cancelled by a cancel-all whose answer
   left it out, or named none, like Bitget spot's?) is looked up in the exchange's order history
   where the dialect reads one, else its state is read (:mod:`~batchcancel.engine.kill_reads`).
   Anything still open, and what no read could tell, goes to a **batch round**: an ordinary
   :class:`CancelJob` over those orders, whose per-order answers are the truth ("does not
   exist": ``ALREADY_CLOSED``).
4. read back again after each batch round, until a read finds nothing in scope open, the rounds
   run out (``max_retries + 1`` batch rounds) or the deadline passes.

Orders found open by a later read (placed during the call) join the next round. An order whose
outcome says closed but that the last read found open ends ``FAILED``: nothing reported closed is
open afterwards.
"""

from __future__ import annotations

import enum
import logging
import random
from collections import deque
from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Any

import attrs

from batchcancel.engine.bootstrap import Bootstrap, MarketsFailed
from batchcancel.engine.classify import ErrorClass, classify, describe
from batchcancel.engine.dialect import Dialect, Route
from batchcancel.engine.job import CancelJob
from batchcancel.engine.kill_book import KillBook
from batchcancel.engine.kill_reads import GoneReads
from batchcancel.engine.pacing import BudgetBook
from batchcancel.engine.sent import Purpose, Sent
from batchcancel.engine.verify import Sweep
from batchcancel.model import CancelReport
from batchcancel.redact import Redactor
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")


class Phase(enum.Enum):
    BOOT = "boot"
    LIST = "list"
    CANCEL_ALL = "cancel_all"
    READ = "read"
    BATCH = "batch"
    DONE = "done"


def _route_of(call: Sent) -> Route | None:
    return call.route


class KillJob:
    """State of one ``cancel_all_orders`` call, from the first listing to one outcome per order."""

    def __init__(
        self,
        dialect: Dialect,
        symbols: Collection[str] | None,
        settings: Settings,
        *,
        now: float,
        markets: Mapping[str, Any] | None = None,
        markets_by_id: Mapping[str, Any] | None = None,
        fallback: Dialect | None = None,
        secrets: Iterable[str] = (),
        rng: random.Random | None = None,
        budgets: BudgetBook | None = None,
        list_only: bool = False,
    ) -> None:
        self.dialect = dialect
        self.list_only = list_only
        """Only read what is open in scope (a dry run): ``book.open_orders()`` once done."""
        self.settings = settings
        self.deadline = now + settings.deadline_s
        self._fallback = fallback
        self._rng = rng or random.Random()
        self._secrets = [s for s in secrets if isinstance(s, str)]
        self._redact = Redactor(self._secrets)
        self._budgets = budgets if budgets is not None else BudgetBook(dialect.budgets(settings))
        self._boot = Bootstrap(markets, now)
        self._markets_by_id = markets_by_id
        self.book = KillBook(dialect, None if symbols is None else frozenset(symbols))
        self.phase = Phase.BOOT
        self.requests_sent = 0
        self.rounds = 0  # batch rounds started
        self._sweep: Sweep | None = None
        self._reads = GoneReads(dialect, settings.max_retries)
        self._scopes: deque[tuple[Hashable, int, float]] = deque()  # cancel-all scope, tries, not before
        self._inflight: dict[Sent, Any] = {}  # our own calls, with their budget spend
        self._cancel_all_calls: dict[Sent, tuple[Hashable, int]] = {}
        self._child: CancelJob | None = None
        self._child_calls: set[Sent] = set()
        self._child_sent = 0
        self._blocked: set[str] = set()
        self.ended_because = ""
        """Why the call ended early (empty when it ran to its end)."""

    # -- what the driver asks ------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.phase is Phase.DONE and not self._inflight

    def ready_calls(self, now: float, slots: int) -> list[Sent]:
        if slots <= 0 or self.phase is Phase.DONE or self._boot.in_flight is not None:
            return []
        if now >= self.deadline and self._child is None:
            self._finish(f"deadline of {self.settings.deadline_s:g} s reached")
            return []
        housekeeping = self._boot.next_call(now)
        if housekeeping is not None:
            self._inflight[housekeeping] = None
            return [housekeeping]
        if not self._boot.ready:
            return []
        if self.phase is Phase.BOOT:
            self._start_listing()
        self._blocked.clear()
        if self.phase is Phase.LIST:
            return self._list_calls(now, slots)
        if self.phase is Phase.CANCEL_ALL:
            return self._cancel_all_calls_now(now, slots)
        if self.phase is Phase.READ:
            return self._reads.calls(now, slots, lambda read, at: self._spend(read, 1, at), self._sent)
        if self.phase is Phase.BATCH and self._child is not None:
            calls = self._child.ready_calls(now, slots)
            self._child_calls.update(calls)
            self._after_child(now)
            return calls
        return []

    def next_wakeup(self, now: float) -> float:
        if not self._boot.ready:
            return min(self._boot.not_before, self.deadline)
        times = [self.deadline]
        if self.phase is Phase.BATCH and self._child is not None:
            times.append(self._child.next_wakeup(now))
        if self._sweep is not None and self._sweep.not_before > now:
            times.append(self._sweep.not_before)
        times += [not_before for _, _, not_before in self._scopes if not_before > now]
        read_at = self._reads.next_time(now)
        if read_at is not None:
            times.append(read_at)
        times += [self._budgets.next_change(budget, now) for budget in self._blocked]
        return min(times)

    def on_result(
        self,
        call: Sent,
        now: float,
        response: Any = None,
        error: BaseException | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if call in self._child_calls:
            self._child_calls.discard(call)
            if self._child is not None:
                self._child.on_result(call, now, response, error, headers)
                self._after_child(now)
            return
        spend = self._inflight.pop(call, None)
        self._budgets.settle(spend, now)
        if call.purpose == Purpose.MARKETS:
            loaded = self._boot.on_markets(now, response, error, self.settings.max_retries, self._backoff)
            if isinstance(loaded, MarketsFailed):
                self._finish(f"loading the markets failed: {loaded.message}")
            elif loaded is not None:
                self._markets_by_id = loaded
            return
        if call.purpose == Purpose.RESYNC:
            self._boot.in_flight = None
            return
        if headers:
            seen = self.dialect.observe(call.call, headers)
            if seen is not None:
                self._budgets.observe(seen, now)
        if call.purpose == Purpose.CANCEL_ALL:
            self._on_cancel_all(call, now, response, error)
        elif self._reads.owns(call):
            self._reads.on_result(call, now, response, error, self._backoff(1))
            if self._reads.idle:
                self._next_round(now)
        elif self._sweep is not None and self._sweep.owns(call):
            self._on_page(call, now, response, error)

    def expire(self, now: float) -> None:
        """The deadline passed with calls in flight: end the call with what is known."""
        if self._child is not None:
            self._child.expire(now)
            self._absorb_child()
        self._inflight.clear()
        self._boot.in_flight = None
        self._finish(f"deadline of {self.settings.deadline_s:g} s reached")

    def report(self, elapsed_s: float) -> CancelReport:
        return CancelReport(self.book.outcomes(), self.requests_sent + self._child_sent, elapsed_s)

    def summary(self) -> str:
        counts = self.book.counts()
        why = f"; {self.ended_because}" if self.ended_because else ""
        return f"{len(self.book)} order(s) found open in scope; decided: {counts}{why}"

    # -- listing -------------------------------------------------------------------------------

    def _start_listing(self) -> None:
        scopes = self.dialect.list_scopes(self._boot.markets)
        if not scopes:
            why = f"{self.dialect.name} offers no listing of the account's open orders"
            log.error("batchcancel: kill switch: %s: nothing cancelled", why)
            self._finish(why)
            return
        self.phase = Phase.LIST
        self._sweep = Sweep(self.dialect, scopes, self.settings.max_retries)

    def _list_calls(self, now: float, slots: int) -> list[Sent]:
        sweep = self._sweep
        calls: list[Sent] = []
        while sweep is not None and len(calls) < slots and (call := sweep.next_call(now)) is not None:
            call = attrs.evolve(call, purpose=Purpose.LIST)
            spend = self._spend(call, 1, now)
            if spend is False:
                break
            sweep.started(call)
            calls.append(self._sent(call, spend))
        return calls

    def _on_page(self, call: Sent, now: float, response: Any, error: BaseException | None) -> None:
        sweep = self._sweep
        assert sweep is not None
        retry_at = now + self._backoff(1)
        rate_limited = error is not None and classify(error) is ErrorClass.RATE_LIMITED
        if rate_limited:
            retry_at = self._block(call, now)
        sweep.on_page(call, response, error, retry_at, rate_limited=rate_limited)
        if not sweep.finished:
            return
        self._sweep = None
        if sweep.failed is not None:
            why = f"could not read the open orders: {self._redact(sweep.failed)}"
            log.error("batchcancel: %s kill switch: %s", self.dialect.name, why)
            self._finish(why)
            return
        first = self.book.listings == 0
        self.book.take_listing(sweep.by_id.values(), self._boot.markets, self._markets_by_id)
        if self.list_only:
            self.phase = Phase.DONE
            return
        if first:
            scopes = self.dialect.cancel_all_scopes(self.book.open_with_markets(), self.book.whole_account)
            if scopes:
                self.phase = Phase.CANCEL_ALL
                self._scopes = deque((scope, 0, now) for scope in scopes)
                return
        gone = self.book.gone_unnamed()
        if gone:
            self._reads.start(gone, now)
            if not self._reads.idle:
                self.phase = Phase.READ
                return
        self._next_round(now)

    # -- cancel-all ----------------------------------------------------------------------------

    def _cancel_all_calls_now(self, now: float, slots: int) -> list[Sent]:
        calls: list[Sent] = []
        for _ in range(len(self._scopes)):
            if len(calls) >= slots:
                break
            scope, tries, not_before = self._scopes.popleft()
            route = self.dialect.cancel_all_route(scope)
            if not_before > now or route.budget in self._blocked:
                self._scopes.append((scope, tries, not_before))
                continue
            built = self.dialect.build_cancel_all(scope)
            via = built.via or f"{self.dialect.name}:cancel-all"
            call = Sent(built, Purpose.CANCEL_ALL, self.dialect, route, via)
            spend = self._spend(call, 0, now)
            if spend is False:
                self._scopes.append((scope, tries, not_before))
                continue
            self._cancel_all_calls[call] = (scope, tries)
            calls.append(self._sent(call, spend))
        return calls

    def _on_cancel_all(self, call: Sent, now: float, response: Any, error: BaseException | None) -> None:
        scope, tries = self._cancel_all_calls.pop(call)
        try:
            if error is not None:
                raise error
            answer = self.dialect.read_cancel_all(scope, call.call, response)
        except Exception as exc:
            kind = classify(exc, self.dialect.error_code(exc))
            message = self._redact(describe(exc))
            if kind is ErrorClass.RATE_LIMITED:  # refused, not applied: send it again
                self._scopes.append((scope, tries, self._block(call, now)))
                return
            if kind in (ErrorClass.TRANSIENT, ErrorClass.RESYNC) and tries < self.settings.max_retries:
                self._boot.resync_wanted |= kind is ErrorClass.RESYNC
                self._scopes.append((scope, tries + 1, now + self._backoff(tries + 1)))
            else:
                log.warning("batchcancel: %s failed for %r: %s", call.via, scope, message)
            self.book.cancel_all_unanswered(message)  # it may have been applied all the same
        else:
            self.book.named(answer, call.via)
        if not self._scopes and not self._cancel_all_calls:
            self._start_listing()

    # -- batch rounds --------------------------------------------------------------------------

    def _next_round(self, now: float) -> None:
        leftovers = self.book.to_cancel()
        if not leftovers:
            self._finish("")
            return
        if self.rounds > self.settings.max_retries:
            self._finish(f"still open after {self.rounds} rounds of cancels")
            return
        remaining = self.deadline - now
        if remaining <= 0:
            self._finish(f"deadline of {self.settings.deadline_s:g} s reached")
            return
        self.rounds += 1
        settings = attrs.evolve(self.settings, deadline_s=remaining, verify=False)
        self._child = CancelJob(
            self.dialect,
            [entry.request for entry in leftovers],
            settings,
            now=now,
            markets=self._boot.markets,
            markets_by_id=self._markets_by_id,
            fallback=self._fallback,
            secrets=self._secrets,
            rng=self._rng,
            budgets=self._budgets,
        )
        self.book.round_started(leftovers)
        self.phase = Phase.BATCH
        self._after_child(now)

    def _after_child(self, now: float) -> None:
        if self._child is None or not self._child.done:
            return
        self._absorb_child()
        self._start_listing()

    def _absorb_child(self) -> None:
        child, self._child = self._child, None
        assert child is not None
        self._child_sent += child.requests_sent
        self._child_calls.clear()
        self.book.round_ended(child.report(0.0).outcomes)

    # -- shared --------------------------------------------------------------------------------

    def _finish(self, why: str) -> None:
        if self._child is not None:
            return  # the batch round ends itself (its own deadline is ours)
        self.phase = Phase.DONE
        self.ended_because = why
        self._sweep = None
        self._scopes.clear()
        self.book.finish(why)

    def _spend(self, call: Sent, items: int, now: float) -> Any:
        """Spend what ``call`` costs, or False (its budget blocked until it frees) when it has no room."""
        route = _route_of(call)
        budget = route.budget if route else None
        cost = route.cost(items) if route else 0.0
        if budget is not None and self._budgets.capacity(budget, now) < cost:
            self._blocked.add(budget)
            return False
        return self._budgets.spend(budget, cost)

    def _block(self, call: Sent, now: float) -> float:
        route = _route_of(call)
        budget = route.budget if route else None
        until = self._budgets.frees_at(budget, now)  # a Retry-After beats a whole window
        self._budgets.block(budget, until, now)
        return until

    def _sent(self, call: Sent, spend: Any) -> Sent:
        self._inflight[call] = spend
        self.requests_sent += 1
        return call

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** (attempt - 1))
        return ceiling * self._rng.uniform(0.5, 1.0)
