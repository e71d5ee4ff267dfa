"""The kill switch's sans-IO job step by step, with scripted answers: which outcome each order
ends with, and why (engine/kill.py, engine/kill_book.py)."""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from batchcancel import Settings, Status
from batchcancel.engine import Budget, Call, Route, Verdict, WorkItem
from batchcancel.engine.kill import KillJob
from batchcancel.engine.reading import CancelAllAnswer, OpenOrder, OrderState
from tests.helpers import BY_ID, MARKETS, FakeDialect

CANCEL_ALL = Route("cancel-all", 1)


class KillFake(FakeDialect):
    """The test dialect (batches of 3 per market type, listing per type), plus a cancel-all per
    market type whose answer the test scripts."""

    def __init__(self, cancel_all: bool = True) -> None:
        budgets = {"batch": Budget(1000), "single": Budget(1000)}
        super().__init__(budgets=budgets, group_by_type=True, listing=True)
        self.cancel_all = cancel_all

    def cancel_all_scopes(
        self, orders: Sequence[tuple[OpenOrder, Mapping[str, Any]]], whole_account: bool
    ) -> Sequence[Hashable]:
        return sorted({m["type"] for _, m in orders}) if self.cancel_all else ()

    def cancel_all_route(self, scope: Hashable) -> Route:
        return CANCEL_ALL

    def build_cancel_all(self, scope: Hashable) -> Call:
        return Call("cancel_all", (scope,))

    def read_cancel_all(self, scope: Hashable, call: Call, response: Any) -> CancelAllAnswer:
        return CancelAllAnswer(frozenset(response["ids"]))


class ReadingKillFake(KillFake):
    """...that also reads one order's state by id (the test answers an ``OrderState``)."""

    def build_state_read(self, item: WorkItem) -> Call | None:
        return Call("state", (item.request.order_id,), (item,))

    def read_state(self, call: Call, response: Any) -> OrderState:
        return response


Answer = Callable[[Any, int], Any]


def run(job: KillJob, answer: Answer, limit: int = 100) -> list[Any]:
    """Drive the job to its end: ``answer(sent, n)`` gives each call's response (n: how many calls
    of that method came before) or raises to fail it."""
    seen: dict[str, int] = {}
    sent_log: list[Any] = []
    now = 0.0
    for _ in range(limit):
        if job.done:
            return sent_log
        calls = job.ready_calls(now, 8)
        for sent in calls:
            n = seen.get(sent.method, 0)
            seen[sent.method] = n + 1
            sent_log.append(sent)
            try:
                job.on_result(sent, now, response=answer(sent, n))
            except Exception as exc:
                job.on_result(sent, now, error=exc)
        now = max(now + 0.01, job.next_wakeup(now)) if not calls else now + 0.001
    raise AssertionError(f"the job did not end: {job.summary()}")


def new_kill(dialect: Any = None, symbols: Sequence[str] | None = None, **settings: Any) -> KillJob:
    settings.setdefault("backoff_base_s", 0.01)
    return KillJob(
        dialect or KillFake(), symbols, Settings(**settings), now=0.0, markets=MARKETS,
        markets_by_id=BY_ID, rng=random.Random(1),
    )  # fmt: skip


def page(*ids: str, symbol: str = "BTC/USDT") -> list[dict[str, str]]:
    return [{"id": i, "symbol": symbol} for i in ids]


def listing(*pages: list[dict[str, str]]) -> Callable[[Any, int], Any]:
    """The n-th listing (of each scope) answers ``pages[n]`` for spot, nothing for swap."""

    def answer(sent: Any, n: int) -> Any:
        scope = sent.args[0]
        index = min(n // 2, len(pages) - 1)  # two scopes (spot, swap) per listing
        return [o for o in pages[index] if (MARKETS[o["symbol"]]["type"] == scope)]

    return answer


def outcomes(job: KillJob) -> dict[str, tuple[Status, str]]:
    return {o.request.order_id or "": (o.status, o.via) for o in job.report(0.0).outcomes}


def test_named_and_gone_is_canceled_by_the_cancel_all():
    lists = listing(page("1", "2"), page())
    job = new_kill()
    run(job, lambda s, n: {"ids": ["1", "2"]} if s.method == "cancel_all" else lists(s, n))
    assert outcomes(job) == {
        "1": (Status.CANCELED, "toy:cancel-all"),
        "2": (Status.CANCELED, "toy:cancel-all"),
    }


def test_gone_but_not_named_goes_to_a_batch_whose_answer_decides():
    # "2" filled meanwhile: the cancel-all did not name it; the batch's "not open" is the truth.
    lists = listing(page("1", "2"), page(), page())

    def answer(sent: Any, n: int) -> Any:
        if sent.method == "cancel_all":
            return {"ids": ["1"]}
        if sent.method == "batch":
            return {"2": Verdict.already_closed("110001", "Order does not exist")}
        return lists(sent, n)

    job = new_kill()
    calls = run(job, answer)
    assert outcomes(job) == {
        "1": (Status.CANCELED, "toy:cancel-all"),
        "2": (Status.ALREADY_CLOSED, "toy:batch"),
    }
    assert [c.method for c in calls].count("batch") == 1


def test_named_but_still_open_is_cancelled_again_and_stays_the_cancel_alls():
    # Bybit acknowledges before it cancels: the read-back still sees "1"; the batch finds it gone.
    lists = listing(page("1"), page("1"), page())

    def answer(sent: Any, n: int) -> Any:
        if sent.method == "cancel_all":
            return {"ids": ["1"]}
        if sent.method == "batch":
            return {"1": Verdict.already_closed("110001", "Order does not exist")}
        return lists(sent, n)

    job = new_kill()
    run(job, answer)
    assert outcomes(job) == {"1": (Status.CANCELED, "toy:cancel-all")}


def test_an_order_placed_during_the_call_is_found_and_cancelled():
    lists = listing(page("1"), page("9"), page())
    job = new_kill()
    run(job, lambda s, n: {"ids": ["1"]} if s.method == "cancel_all" else lists(s, n))
    assert outcomes(job) == {"1": (Status.CANCELED, "toy:cancel-all"), "9": (Status.CANCELED, "toy:batch")}


def test_an_order_that_never_closes_ends_failed_even_after_canceled_answers():
    lists = listing(page("1"))  # every read finds it open
    job = new_kill(max_retries=1)
    run(job, lambda s, n: {"ids": []} if s.method == "cancel_all" else lists(s, n))
    ((status, _),) = outcomes(job).values()
    assert status is Status.FAILED
    assert "still open" in job.report(0.0).outcomes[0].message


def test_a_lost_cancel_all_answer_says_so_on_orders_found_gone():
    lists = listing(page("1"), page(), page())

    def answer(sent: Any, n: int) -> Any:
        if sent.method == "cancel_all":
            raise ValueError("not an answer")
        if sent.method == "batch":
            return {"1": Verdict.already_closed("110001", "Order does not exist")}
        return lists(sent, n)

    job = new_kill(max_retries=0)
    run(job, answer)
    (outcome,) = job.report(0.0).outcomes
    assert outcome.status is Status.ALREADY_CLOSED and "whose answer was lost" in outcome.message


def test_symbols_scope_what_is_kept_and_without_cancel_all_batches_do_it():
    lists = listing(page("1", "2", symbol="BTC/USDT") + page("3", symbol="ETH/USDT"), page())
    job = new_kill(KillFake(cancel_all=False), ["ETH/USDT"])
    calls = run(job, lists)
    assert outcomes(job) == {"3": (Status.CANCELED, "toy:batch")}
    assert "cancel_all" not in {c.method for c in calls}


def test_a_listing_that_keeps_failing_ends_the_call_with_nothing_decided():
    def answer(sent: Any, n: int) -> Any:
        raise ValueError("garbled")

    job = new_kill(max_retries=1)
    run(job, answer)
    assert job.report(0.0).outcomes == ()
    assert "could not read the open orders" in job.summary()


def test_gone_but_not_named_is_decided_by_its_state_when_the_exchange_can_tell():
    # "1" cancelled by the cancel-all though its answer left it out, "2" filled, "3" still open
    # after all (a listing that missed it): the state reads tell each apart.
    lists = listing(page("1", "2", "3"), page(), page())
    states = {"1": OrderState.CANCELED, "2": OrderState.FILLED, "3": OrderState.OPEN}

    def answer(sent: Any, n: int) -> Any:
        if sent.method == "cancel_all":
            return {"ids": []}
        if sent.method == "state":
            return states[sent.args[0]]
        return lists(sent, n)

    job = new_kill(ReadingKillFake())
    calls = run(job, answer)
    assert outcomes(job) == {
        "1": (Status.CANCELED, "toy:order-state"),
        "2": (Status.ALREADY_CLOSED, "toy:order-state"),
        "3": (Status.CANCELED, "toy:batch"),
    }
    assert [c.method for c in calls].count("state") == 3
    assert all(o.verified for o in job.report(0.0).outcomes)
