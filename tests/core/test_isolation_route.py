"""Orders isolated after a whole-batch refusal try the one-order route first."""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import Any

import ccxt

from batchcancel import CancelRequest, Settings, Status
from batchcancel.engine import Call, CancelJob, Dialect, Route, Verdict, WorkItem
from batchcancel.exchanges.ccxt_fallback import CcxtSingleCancel

MARKETS = {"BTC/USDT": {"id": "BTCUSDT", "symbol": "BTC/USDT", "type": "spot"}}


class BatchNotOffered(Dialect):
    """An account for which the batch endpoint refuses everything; the single endpoint works."""

    name = "toy"

    def group_of(self, item: WorkItem) -> Hashable:
        return None

    def routes(self, group: Hashable, settings: Settings) -> Sequence[Route]:
        return (Route("batch", 10), Route("single", 1))

    def build(self, route: Route, group: Hashable, items: Sequence[WorkItem]) -> Call:
        return Call(route.name, (), tuple(items))

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        return [Verdict.canceled() for _ in call.items]


def test_isolated_orders_go_through_the_single_route_first():
    requests = [CancelRequest("BTC/USDT", order_id=str(i)) for i in range(3)]
    job = CancelJob(
        BatchNotOffered(),
        requests,
        Settings(),
        now=0.0,
        markets=MARKETS,
        fallback=CcxtSingleCancel(),
        rng=random.Random(0),
    )
    (batch,) = job.ready_calls(0.0, 8)
    job.on_result(batch, 0.1, error=ccxt.BadRequest('toy {"retCode":10001,"retMsg":"not for this account"}'))
    isolated = job.ready_calls(0.1, 8)
    assert [(c.method, len(c.items)) for c in isolated] == [("single", 1)] * 3
    for call in isolated:
        job.on_result(call, 0.2, response={})
    assert [(o.status, o.via) for o in job.report(0.0).outcomes] == [(Status.CANCELED, "toy:single")] * 3
