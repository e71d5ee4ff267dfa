"""The toy exchange's client dialect and plugin: what ``batchcancel/exchanges/bybit.py`` is for Bybit.

Its facts (path, batch maximum) are its own copy, independent of the sandbox's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Hashable, Sequence
from typing import Any

from batchcancel import CancelReport, CancelRequest, Settings, engine, hookimpl
from batchcancel.engine import Call, Dialect, MalformedResponse, Route, Verdict, WorkItem

BATCH = Route("batch", max_items=5)
CANCEL_BATCH = "privatePostToyV1CancelBatch"  # POST /toy/v1/cancel-batch


class ToyDialect(Dialect):
    name = "toy"

    def group_of(self, item: WorkItem) -> Hashable:
        return "spot"  # one request may mix symbols

    def routes(self, group: Hashable) -> Sequence[Route]:
        return (BATCH,)

    def build(self, route: Route, group: Hashable, items: Sequence[WorkItem]) -> Call:
        orders = [{"symbol": item.market_id, "orderId": item.request.order_id} for item in items]
        return Call(CANCEL_BATCH, ({"orders": orders},), tuple(items))

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        try:
            results = {row["orderId"]: row["result"] for row in response["results"]}
        except (KeyError, TypeError) as error:
            raise MalformedResponse(f"toy batch answer without results: {error}") from None
        verdicts = []
        for item in call.items:
            result = results.get(item.request.order_id)
            if result == "canceled":
                verdicts.append(Verdict.canceled())
            elif result == "not_found":
                verdicts.append(Verdict.already_closed(None, "not found"))
            else:
                verdicts.append(Verdict.missing())
        return verdicts


@hookimpl
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if exchange.id != "toy" or any(r.order_id is None for r in requests):
        return None  # client ids: the toy's batch takes order ids only, so the ccxt fallback decides
    return engine.run(ToyDialect(), exchange, requests, settings)
