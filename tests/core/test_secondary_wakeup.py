"""A secondary route's budget that frees up before the preferred route's must wake the job.

Found by ``batchcancel bench``: on Bybit the single-cancel answers of a window arrive after the
batch answers, so the single budget frees up a little later than the batch budget. The job
declined the single route while its budget was still spent and then slept until the batch
budget's next window, leaving a whole window of single-cancel budget unused.
"""

from __future__ import annotations

import pytest

from batchcancel.engine import Verdict
from tests.helpers import new_job, paced, requests


def canceled(item):
    return Verdict.canceled()


def test_single_budget_freeing_after_the_batch_budget_is_used_in_the_same_window():
    job = new_job(requests(20), paced(batch_limit=5, single_limit=5, per_order=True))
    first = job.ready_calls(0.0, 100)
    assert sorted((c.route.name, len(c.items)) for c in first) == [("batch", 5)] + [("single", 1)] * 5
    for call in sorted(first, key=lambda c: c.route.name):  # the batch answers at 0.01, singles at 0.1
        job.on_result(call, 0.01 if call.route.name == "batch" else 0.1, response=canceled)

    now = job.next_wakeup(0.1)
    assert now == pytest.approx(1.01)  # the batch budget frees first
    second = job.ready_calls(now, 100)
    assert [(c.route.name, len(c.items)) for c in second] == [("batch", 5)]
    job.on_result(second[0], 1.02, response=canceled)

    now = job.next_wakeup(1.02)
    assert now == pytest.approx(1.1)  # not 2.02: the single budget frees before the next batch window
    third = job.ready_calls(now, 100)
    assert [(c.route.name, len(c.items)) for c in third] == [("single", 1)] * 5
    for call in third:
        job.on_result(call, 1.2, response=canceled)
    assert job.done


def test_free_request_slots_do_not_veto_the_secondary_route():
    """With fewer free slots than the single budget allows, the singles still go (the rest when
    slots free up), instead of waiting a whole window for the batch budget."""
    job = new_job(requests(15), paced(batch_limit=5, single_limit=5, per_order=True))
    first = job.ready_calls(0.0, 100)
    assert sorted((c.route.name, len(c.items)) for c in first) == [("batch", 5)] + [("single", 1)] * 5
    for call in sorted(first, key=lambda c: c.route.name, reverse=True):  # singles at 0.01, batch at 0.5
        job.on_result(call, 0.5 if call.route.name == "batch" else 0.01, response=canceled)

    # At 1.01 the single budget is whole again, the batch budget not before 1.5; 3 slots are free.
    second = job.ready_calls(1.01, 3)
    assert [(c.route.name, len(c.items)) for c in second] == [("single", 1)] * 3
    for call in second:
        job.on_result(call, 1.04, response=canceled)
    third = job.ready_calls(1.04, 3)
    assert [(c.route.name, len(c.items)) for c in third] == [("single", 1)] * 2
    for call in third:
        job.on_result(call, 1.07, response=canceled)
    assert job.done
