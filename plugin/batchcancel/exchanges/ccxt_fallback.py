"""The ``ccxt`` plugin: one ccxt ``cancel_order`` per order, for any exchange ccxt supports.

It serves exchanges no native plugin claims (registered ``trylast``), orders a native plugin
cannot batch, and every order when ``batch_cancel.enabled`` is false (the host's old behaviour).
Each answer is still an outcome of its own: ``OrderNotFound`` means ``ALREADY_CLOSED``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Hashable, Sequence
from typing import Any

from batchcancel import engine
from batchcancel.engine import Call, Dialect, Route, Verdict, WorkItem
from batchcancel.markers import hookimpl
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

SINGLE = Route("single", max_items=1)

# ccxt's unified cancel_order takes a client id as params["clientOrderId"] on most exchanges; a
# few read their native parameter name instead.
CLIENT_ID_PARAM = {"bybit": "orderLinkId"}

# Where exchanges put their own error code in the JSON body that ccxt quotes in its messages.
CODE_KEYS = ("retCode", "ret_code", "code", "sCode", "errorCode", "error_code")


class CcxtSingleCancel(Dialect):
    """ccxt's unified ``cancel_order(id, symbol, params)``; ccxt's own rate limiter paces it."""

    name = "ccxt"

    def __init__(self, client_id_param: str = "clientOrderId") -> None:
        self.client_id_param = client_id_param

    @classmethod
    def for_exchange(cls, exchange_id: str) -> CcxtSingleCancel:
        return cls(CLIENT_ID_PARAM.get(exchange_id, "clientOrderId"))

    def group_of(self, item: WorkItem) -> Hashable:
        return None

    def routes(self, group: Hashable, settings: Settings) -> Sequence[Route]:
        return (SINGLE,)

    def build(self, route: Route, group: Hashable, items: Sequence[WorkItem]) -> Call:
        (item,) = items
        request = item.request
        params = dict(request.params)
        if request.order_id is None and request.client_order_id is not None:
            params.setdefault(self.client_id_param, request.client_order_id)
        return Call("cancel_order", (request.order_id, item.market["symbol"], params), tuple(items))

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        # ccxt raises for a refused cancel; an answer means the exchange accepted it.
        return [Verdict.canceled()]

    def error_code(self, error: BaseException) -> str | None:
        return code_in_message(str(error))


def code_in_message(message: str) -> str | None:
    """The exchange's code in a ccxt exception message (``"bybit {...json body...}"``), if any."""
    start = message.find("{")
    if start < 0:
        return None
    try:
        body = json.loads(message[start:])
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for key in CODE_KEYS:
        value = body.get(key)
        if value not in (None, "", 0, "0", "00000"):
            return str(value)
    return None


def serves(exchange: Any) -> bool:
    has = getattr(exchange, "has", {}) or {}
    return bool(has.get("cancelOrder"))


@hookimpl(trylast=True)
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if not settings.fallback or not serves(exchange):
        return None
    return engine.run(CcxtSingleCancel.for_exchange(exchange.id), exchange, requests, settings)
