"""When the engine spends a secondary route's budget beside the preferred (batch) route.

Only when that finishes the group in fewer budget windows; otherwise the extra requests buy
nothing and the batch route carries the rest in the next window.
"""

from __future__ import annotations

import ccxt

from batchcancel import Status
from batchcancel.engine import CancelJob, Verdict
from tests.helpers import FakeDialect, new_job, paced, requests


def job_for(n: int, dialect: FakeDialect) -> CancelJob:
    return new_job(requests(n), dialect)


def windows(job: CancelJob, verdict=lambda item: Verdict.canceled()) -> list[list[tuple[str, int]]]:
    """Drive the job on a virtual clock; the calls started in each 1 s budget window."""
    now, seen = 0.0, []
    for _ in range(1000):
        if job.done:
            return seen
        calls = job.ready_calls(now, 100)
        if calls:
            window = int(now)
            while len(seen) <= window:
                seen.append([])
            seen[window].extend((c.route.name, len(c.items)) for c in calls)
        for call in calls:
            job.on_result(call, now, response=verdict)
        if not calls:
            now = max(now + 1e-6, job.next_wakeup(now))
    raise AssertionError("job did not finish")


def test_per_request_budget_skips_singles_when_the_next_window_carries_the_rest():
    # 2 batch requests of 5 per window: 20 orders need 2 windows whether or not 2 singles help.
    job = job_for(20, paced(batch_limit=2, single_limit=2, per_order=False))
    seen = windows(job)
    assert seen == [[("batch", 5), ("batch", 5)], [("batch", 5), ("batch", 5)]]
    assert job.requests_sent == 4  # the minimum: ceil(20 / 5)
    assert job.report(0.0).ok


def test_per_request_budget_uses_singles_when_they_finish_the_group_now():
    job = job_for(12, paced(batch_limit=2, single_limit=2, per_order=False))
    seen = windows(job)
    assert seen == [[("batch", 5), ("batch", 5), ("single", 1), ("single", 1)]]
    assert job.report(0.0).ok


def test_per_order_budget_spends_singles_beside_batches_to_finish_sooner():
    # 5 orders per window through batches, 5 more through singles: 20 orders in 2 windows, not 4.
    job = job_for(20, paced(batch_limit=5, single_limit=5, per_order=True))
    seen = windows(job)
    assert len(seen) == 2
    assert seen[0] == [("batch", 5)] + [("single", 1)] * 5
    assert sum(n for window in seen for _, n in window) == 20
    assert job.report(0.0).ok


def test_isolated_orders_spend_the_single_budget_freely():
    job = job_for(5, paced(batch_limit=1, single_limit=3, per_order=False))
    (first,) = job.ready_calls(0.0, 100)
    job.on_result(first, 0.0, error=ccxt.BadRequest('paced {"code":"1","msg":"bad batch"}'))
    isolated = job.ready_calls(0.0, 100)
    # The batch budget is spent; one order per request either way, so the singles go now.
    assert [(c.route.name, len(c.items)) for c in isolated] == [("single", 1)] * 3
    for call in isolated:
        job.on_result(call, 0.0, response=lambda item: Verdict.canceled())
    rest = windows(job)
    assert sum(n for window in rest for _, n in window) == 2
    assert [o.status for o in job.report(0.0).outcomes] == [Status.CANCELED] * 5
