"""Budgets whose real limit the exchange reports (``Budget.reported``): probe first, then pace by it.

Driven step by step with scripted answers and a virtual clock, like test_job.py.
"""

from __future__ import annotations

import pytest

from batchcancel import Settings
from batchcancel.engine import Budget, BudgetObservation, Call, CancelJob, Route
from batchcancel.engine.pacing import BudgetBook
from tests.helpers import FakeDialect, new_job, requests


def reported(documented: float = 10, batch_max: int = 20, *, reported: bool = True) -> FakeDialect:
    """Batches whose documented budget (10 orders/s) is below what the exchange reports."""
    budgets = {
        "batch": Budget(documented, reported=reported),
        "single": Budget(documented, reported=reported),
    }
    routes = (Route("batch", batch_max, "batch"), Route("single", 1, "single"))
    return FakeDialect(routes, budgets, name="reported")


def job_for(n: int, dialect: FakeDialect) -> CancelJob:
    return new_job(requests(n), dialect, backoff_base_s=Settings().backoff_base_s)


def shape(calls: list[Call]) -> list[tuple[str, int]]:
    return [(c.method, len(c.items)) for c in calls]


def test_first_request_on_a_reported_budget_goes_at_full_size_then_paces_by_the_report():
    job = job_for(100, reported())
    first = job.ready_calls(0.0, 8)
    # Documented 10/s would mean a batch of 10 plus singles beside; instead one full batch, and
    # nothing more while it overdraws the documented floor.
    assert shape(first) == [("batch", 20)]
    assert job.ready_calls(0.0, 8) == []
    job.on_result(first[0], 0.1, response={}, headers={"limit": 1000, "remaining": 980})
    assert shape(job.ready_calls(0.1, 8)) == [("batch", 20)] * 4  # the rest, no single beside
    assert job.requests_sent == 5


def test_an_answer_without_a_report_falls_back_to_the_documented_limit():
    job = job_for(100, reported())
    (first,) = job.ready_calls(0.0, 8)
    job.on_result(first, 0.1, response={})  # no headers: nothing reported
    # 20 spent of the documented 10 this window: the batch route waits; the single route
    # (its own first answer not heard yet) sends one request, then as many as its documented
    # floor of 10 leaves room for, 8 here (the free slots).
    assert shape(job.ready_calls(0.2, 8)) == [("single", 1)] * 8


def test_unreported_budgets_keep_planning_from_the_documented_limit():
    job = job_for(30, reported(reported=False))
    assert shape(job.ready_calls(0.0, 8))[0] == ("batch", 10)


def test_a_reset_reported_further_than_one_window_away_blocks_for_one_window_at_most():
    book = BudgetBook({"b": Budget(10, window_s=1.0, reported=True)})
    book.observe(BudgetObservation("b", limit=10, remaining=0, reset_at=100.0), now=50.0)
    assert book.capacity("b", 50.9) == 0.0
    assert book.next_change("b", 50.0) == pytest.approx(51.0)


def test_after_the_full_size_first_request_the_documented_floor_may_be_spent_at_once():
    job = job_for(35, reported(documented=20, batch_max=10))
    # Bybit spot: batches of 10 into a documented 20 orders/s: two batches in the first round trip.
    assert shape(job.ready_calls(0.0, 8)) == [("batch", 10), ("batch", 10)]
    assert job.ready_calls(0.0, 8) == []
