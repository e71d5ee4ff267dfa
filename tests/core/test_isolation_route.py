"""Orders isolated after a whole-batch refusal try the one-order route first."""

from __future__ import annotations

import ccxt

from batchcancel import Settings, Status
from batchcancel.engine import Route
from tests.helpers import FakeDialect, new_job, requests


def batch_not_offered() -> FakeDialect:
    """An account for which the batch endpoint refuses everything; the single endpoint works."""
    return FakeDialect((Route("batch", 10), Route("single", 1)))


def test_isolated_orders_go_through_the_single_route_first():
    job = new_job(requests(3), batch_not_offered(), backoff_base_s=Settings().backoff_base_s)
    (batch,) = job.ready_calls(0.0, 8)
    job.on_result(batch, 0.1, error=ccxt.BadRequest('toy {"retCode":10001,"retMsg":"not for this account"}'))
    isolated = job.ready_calls(0.1, 8)
    assert [(c.method, len(c.items)) for c in isolated] == [("single", 1)] * 3
    for call in isolated:
        job.on_result(call, 0.2, response={})
    assert [(o.status, o.via) for o in job.report(0.0).outcomes] == [(Status.CANCELED, "toy:single")] * 3
