"""A secondary route judged against every group sharing the preferred route's budget.

Bitget v3 has one cancel-batch budget (5 requests/s) for every category, with a single-cancel
budget (10/s) beside it. Judged alone, each category's group expected its singles to finish it a
window sooner, and 1,000 orders took 86 to 93 requests instead of 50. Judged together, on the
rolling window's real free times, the singles are spent only where they finish the call sooner.
"""

from __future__ import annotations

from batchcancel import CancelRequest
from batchcancel.engine import Budget, Route
from batchcancel.engine.pacing import BudgetBook
from batchcancel.engine.planning import Demand, done_at, secondary_pays
from tests.core.test_secondary_route import windows
from tests.helpers import FakeDialect, new_job

BATCH = Route("batch", 5, "batch", cost_per_call=1, cost_per_item=0)
SINGLE = Route("single", 1, "single", cost_per_call=1, cost_per_item=0)


def shared(batch_limit: int, single_limit: int) -> FakeDialect:
    """Spot and swap groups whose batches share one per-request budget; singles another."""
    budgets = {"batch": Budget(batch_limit), "single": Budget(single_limit)}
    return FakeDialect((BATCH, SINGLE), budgets, name="shared", group_by_type=True)


def spot_and_swap(spot: int, swap: int) -> list[CancelRequest]:
    return [CancelRequest("BTC/USDT", order_id=f"s{i}") for i in range(spot)] + [
        CancelRequest("BTC/USDT:USDT", order_id=f"f{i}") for i in range(swap)
    ]


def test_groups_sharing_the_batch_budget_take_the_fewest_requests():
    # 2 batches of 5 a window for both groups; 2 singles a window beside would never save one.
    job = new_job(spot_and_swap(30, 20), shared(batch_limit=2, single_limit=2))
    seen = windows(job)
    assert [name for window in seen for name, _ in window] == ["batch"] * 10
    assert job.requests_sent == 10 and job.report(0.0).ok


def test_singles_still_finish_the_last_few_orders_a_window_sooner():
    # 2 batches carry 10 of 12 in the first window; the other group's 2 go as singles now.
    job = new_job(spot_and_swap(10, 2), shared(batch_limit=2, single_limit=2))
    seen = windows(job)
    assert len(seen) == 1
    assert sorted(seen[0]) == [("batch", 5), ("batch", 5), ("single", 1), ("single", 1)]


def test_a_phase_inside_the_rolling_window_is_not_a_window_saved():
    # v3's numbers: 5 batches of 20 a window, 10 singles. The batch budget frees unit by unit 10 ms
    # apart; its work (45 batches, the last window full) ends at 9.04 s without singles. 20
    # singles would take one batch off the last window: the end a hundredth sooner, not a window.
    book = BudgetBook({"batch": Budget(5), "single": Budget(10)})
    for at in (0.0, 0.01, 0.02, 0.03, 0.04):
        book.settle(book.spend("batch", 1), at)
    batch = Route("batch", 20, "batch", cost_per_call=1, cost_per_item=0)
    first = book.schedule("batch", 0.05)
    assert first == [1.0, 1.01, 1.02, 1.03, 1.04]
    assert done_at(first, 1.0, 45, 0.05) == 1.04 + 8  # the 45th batch, in the 9th window from now
    demand = [Demand(batch, 20, 400), Demand(batch, 20, 500)]
    assert not secondary_pays(book, (batch, SINGLE), 1, (20, 1), demand, False, 0.05)
    # With one batch in the last window (21 batches), 20 singles save that whole window.
    one_more = [Demand(batch, 20, 200), Demand(batch, 20, 220)]
    assert secondary_pays(book, (batch, SINGLE), 1, (20, 1), one_more, False, 0.05)


def test_schedule_lists_free_units_now_and_spent_ones_a_window_after_their_answer():
    book = BudgetBook({"b": Budget(4, 2.0)})
    book.settle(book.spend("b", 1), 0.5)
    book.spend("b", 2)  # in flight: a window from now
    assert book.schedule("b", 1.0) == [1.0, 2.5, 3.0, 3.0]
    assert book.schedule(None, 1.0) == [] and book.schedule("unknown", 1.0) == []
    book.block("b", 5.0)
    assert book.schedule("b", 1.0) == [5.0] * 4


def test_a_spent_budget_blocks_nothing_when_the_secondary_has_no_room_now():
    book = BudgetBook({"batch": Budget(1), "single": Budget(1)})
    book.spend("single", 1)
    demand = [Demand(BATCH, 5, 3)]
    assert not secondary_pays(book, (BATCH, SINGLE), 1, (5, 1), demand, False, 0.0)
