"""The ``ccxt`` plugin: one ccxt ``cancel_order`` per order, for any exchange ccxt supports.

It serves exchanges no native plugin claims (registered ``trylast``), orders a native plugin
cannot batch, and every order when ``batch_cancel.enabled`` is false (the host's old behaviour).
Each answer is still an outcome of its own: ``OrderNotFound`` means ``ALREADY_CLOSED``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Hashable, Sequence
from typing import Any

from batchcancel import engine
from batchcancel.engine import Call, Dialect, Route, Verdict, WorkItem
from batchcancel.markers import hookimpl
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

SINGLE = Route("single", max_items=1)


class CcxtSingleCancel(Dialect):
    """ccxt's unified ``cancel_order(id, symbol, params)``; ccxt's own rate limiter paces it."""

    name = "ccxt"

    def group_of(self, item: WorkItem) -> Hashable:
        return None

    def routes(self, group: Hashable, settings: Settings) -> Sequence[Route]:
        return (SINGLE,)

    def build(self, route: Route, group: Hashable, items: Sequence[WorkItem]) -> Call:
        (item,) = items
        request = item.request
        params = dict(request.params)
        if request.order_id is None and request.client_order_id is not None:
            params.setdefault("clientOrderId", request.client_order_id)
        return Call("cancel_order", (request.order_id, item.market["symbol"], params), tuple(items))

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        # ccxt raises for a refused cancel; an answer means the exchange accepted it.
        return [Verdict.canceled()]


def serves(exchange: Any) -> bool:
    has = getattr(exchange, "has", {}) or {}
    return bool(has.get("cancelOrder"))


@hookimpl(trylast=True)
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if not settings.fallback or not serves(exchange):
        return None
    return engine.run(CcxtSingleCancel(), exchange, requests, settings)
