"""Budgets whose real limit the exchange reports (``Budget.reported``): probe first, then pace by it.

Driven step by step with scripted answers and a virtual clock, like test_job.py.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import Any

import pytest

from batchcancel import CancelRequest, Settings
from batchcancel.engine import Budget, BudgetObservation, Call, CancelJob, Dialect, Route, Verdict, WorkItem
from batchcancel.engine.pacing import BudgetBook
from batchcancel.exchanges.ccxt_fallback import CcxtSingleCancel

MARKETS = {"BTC/USDT": {"id": "BTCUSDT", "symbol": "BTC/USDT", "type": "spot"}}


class Reported(Dialect):
    """Batches of up to 20 whose documented budget (10 orders/s) is below what the exchange reports."""

    name = "reported"

    def __init__(self, reported: bool = True) -> None:
        self.reported = reported

    def budgets(self, settings: Settings):
        return {"batch": Budget(10, reported=self.reported), "single": Budget(10, reported=self.reported)}

    def group_of(self, item: WorkItem) -> Hashable:
        return None

    def routes(self, group: Hashable, settings: Settings) -> Sequence[Route]:
        return (Route("batch", 20, "batch"), Route("single", 1, "single"))

    def build(self, route: Route, group: Hashable, items: Sequence[WorkItem]) -> Call:
        return Call(route.name, (), tuple(items))

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        return [Verdict.canceled() for _ in call.items]

    def observe(self, call: Call, headers) -> BudgetObservation | None:
        if not headers or call.route is None or call.route.budget is None:
            return None
        return BudgetObservation(call.route.budget, limit=headers["limit"], remaining=headers["remaining"])


def new_job(n: int, dialect: Dialect) -> CancelJob:
    reqs = [CancelRequest("BTC/USDT", order_id=str(i)) for i in range(n)]
    return CancelJob(
        dialect, reqs, Settings(), now=0.0, markets=MARKETS, fallback=CcxtSingleCancel(), rng=random.Random(1)
    )


def shape(calls: list[Call]) -> list[tuple[str, int]]:
    return [(c.method, len(c.items)) for c in calls]


def test_first_request_on_a_reported_budget_goes_at_full_size_then_paces_by_the_report():
    job = new_job(100, Reported())
    first = job.ready_calls(0.0, 8)
    # Documented 10/s would mean a batch of 10 plus singles beside; instead one full batch, and
    # nothing more while it overdraws the documented floor.
    assert shape(first) == [("batch", 20)]
    assert job.ready_calls(0.0, 8) == []
    job.on_result(first[0], 0.1, response={}, headers={"limit": 1000, "remaining": 980})
    assert shape(job.ready_calls(0.1, 8)) == [("batch", 20)] * 4  # the rest, no single beside
    assert job.requests_sent == 5


def test_an_answer_without_a_report_falls_back_to_the_documented_limit():
    job = new_job(100, Reported())
    (first,) = job.ready_calls(0.0, 8)
    job.on_result(first, 0.1, response={})  # no headers: nothing reported
    # 20 spent of the documented 10 this window: the batch route waits; the single route
    # (its own first answer not heard yet) sends one request, then as many as its documented
    # floor of 10 leaves room for, 8 here (the free slots).
    assert shape(job.ready_calls(0.2, 8)) == [("single", 1)] * 8


def test_unreported_budgets_keep_planning_from_the_documented_limit():
    job = new_job(30, Reported(reported=False))
    assert shape(job.ready_calls(0.0, 8))[0] == ("batch", 10)


def test_a_reset_reported_further_than_one_window_away_blocks_for_one_window_at_most():
    book = BudgetBook({"b": Budget(10, window_s=1.0, reported=True)})
    book.observe(BudgetObservation("b", limit=10, remaining=0, reset_at=100.0), now=50.0)
    assert book.capacity("b", 50.9) == 0.0
    assert book.next_change("b", 50.0) == pytest.approx(51.0)


def test_after_the_full_size_first_request_the_documented_floor_may_be_spent_at_once():
    class Spot(Reported):
        def budgets(self, settings: Settings):
            return {"batch": Budget(20, reported=True), "single": Budget(20, reported=True)}

        def routes(self, group: Hashable, settings: Settings) -> Sequence[Route]:
            return (Route("batch", 10, "batch"), Route("single", 1, "single"))

    job = new_job(35, Spot())
    # Bybit spot: batches of 10 into a documented 20 orders/s: two batches in the first round trip.
    assert shape(job.ready_calls(0.0, 8)) == [("batch", 10), ("batch", 10)]
    assert job.ready_calls(0.0, 8) == []
