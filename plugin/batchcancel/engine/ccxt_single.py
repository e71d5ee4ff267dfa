"""The engine's own fallback dialect: one ccxt ``cancel_order`` per order, for any exchange ccxt supports.

The engine hands it what a native dialect cannot batch (and every order when
``batch_cancel.enabled`` is false, the host's old behaviour); the ``ccxt`` plugin
(:mod:`batchcancel.exchanges.ccxt_fallback`) runs it for exchanges no native plugin claims.
Each answer is still an outcome of its own: ``OrderNotFound`` means ``ALREADY_CLOSED``.

ccxt returns *something* for many answers that are not a cancel at all: an empty body, ``null``,
an HTML page, a redirect to another endpoint, a garbled rate-limit answer all come back as an
order dict with ``id=None``. So an answer counts as a cancel only when it names the order asked
about, in ccxt's parsed order and in the exchange's own ``info``; anything else leaves the state
unknown (sent again, then read with ``fetch_order`` before giving up).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ccxt

from batchcancel.engine.classify import code_in_message, describe
from batchcancel.engine.dialect import Call, Dialect, MalformedResponse, Route, Verdict, WorkItem
from batchcancel.engine.reading import OrderState
from batchcancel.model import CancelRequest

SINGLE = Route("single", max_items=1)
STATE_READ = Route("order-state", max_items=1)

# ccxt's unified cancel_order takes a client id as params["clientOrderId"] on most exchanges; a
# few read their native parameter name instead.
CLIENT_ID_PARAM = {"bybit": "orderLinkId"}

# Params ccxt's fetch_order needs on some exchanges to read an order at all (Bybit refuses
# without acknowledging that it only sees the last 500 orders).
FETCH_ORDER_PARAMS: Mapping[str, Mapping[str, Any]] = {"bybit": {"acknowledged": True}}

# Exchange codes meaning "the order is not open" that ccxt raises as a plain ExchangeError, not
# OrderNotFound (ccxt 4.5.90 maps neither): Bitget v3's 25204 (a UTA account's cancel-order).
NOT_OPEN_CODES: Mapping[str, frozenset[str]] = {"bitget": frozenset({"25204"})}

# ccxt's unified order status, and what it means for a cancel.
CCXT_STATES: Mapping[str, OrderState] = {
    "open": OrderState.OPEN,
    "canceled": OrderState.CANCELED,
    "cancelled": OrderState.CANCELED,
    "closed": OrderState.FILLED,
    "expired": OrderState.GONE,
    "rejected": OrderState.GONE,
}

INFO_DEPTH = 4
"""How deep to look for the order's id in the exchange's own answer (ccxt's ``info``)."""


class CcxtSingleCancel(Dialect[None]):
    """ccxt's unified ``cancel_order(id, symbol, params)``; ccxt's own rate limiter paces it."""

    name = "ccxt"

    def __init__(self, client_id_param: str = "clientOrderId", exchange_id: str = "") -> None:
        self.client_id_param = client_id_param
        self.exchange_id = exchange_id

    @classmethod
    def for_exchange(cls, exchange_id: str) -> CcxtSingleCancel:
        return cls(CLIENT_ID_PARAM.get(exchange_id, "clientOrderId"), exchange_id)

    def group_of(self, item: WorkItem) -> None:
        return None

    def routes(self, group: None) -> Sequence[Route]:
        return (SINGLE,)

    def build(self, route: Route, group: None, items: Sequence[WorkItem]) -> Call:
        (item,) = items
        request = item.request
        params = dict(request.params)
        if request.order_id is None and request.client_order_id is not None:
            params.setdefault(self.client_id_param, request.client_order_id)
        return Call("cancel_order", (request.order_id, item.market["symbol"], params), tuple(items))

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        (item,) = call.items
        status = _own_order(response, item.request)
        if status == "closed":
            return [Verdict.already_closed(None, "filled before it could be cancelled")]
        if status == "open":
            return [Verdict.unknown(None, "the answer shows the order still open")]
        return [Verdict.canceled()]

    def error_code(self, error: BaseException) -> str | None:
        return code_in_message(str(error))

    def read_error(self, call: Call, error: BaseException) -> Verdict | None:
        code = self.error_code(error)
        if code is not None and code in NOT_OPEN_CODES.get(self.exchange_id, ()):
            return Verdict.already_closed(code, describe(error))
        return None

    # -- reading an order's state --------------------------------------------------------------

    def build_state_read(self, item: WorkItem) -> Call | None:
        if item.request.order_id is None:
            return None  # ccxt's fetch_order needs the exchange's id on most exchanges
        params = dict(FETCH_ORDER_PARAMS.get(self.exchange_id, {}))
        symbol = item.market["symbol"]
        return Call("fetch_order", (item.request.order_id, symbol, params), (item,), route=STATE_READ)

    def read_state(self, call: Call, response: Any) -> OrderState:
        (item,) = call.items
        status = _own_order(response, item.request)
        if status not in CCXT_STATES:
            raise MalformedResponse(f"fetch_order gave the status {status!r}")
        return CCXT_STATES[str(status)]

    def read_state_error(self, call: Call, error: BaseException) -> OrderState | None:
        if isinstance(error, ccxt.OrderNotFound):
            return OrderState.GONE
        code = self.error_code(error)
        return OrderState.GONE if code in NOT_OPEN_CODES.get(self.exchange_id, ()) else None


def _own_order(response: Any, request: CancelRequest) -> Any:
    """ccxt's status for the order ``request`` names; raise unless the answer is about that order."""
    if not isinstance(response, Mapping):
        raise MalformedResponse(f"ccxt answered {type(response).__name__}, not an order")
    if request.order_id is not None:
        wanted, parsed = request.order_id, response.get("id")
    else:
        wanted, parsed = str(request.client_order_id), response.get("clientOrderId")
    if parsed is not None and str(parsed) != wanted:
        raise MalformedResponse(f"the answer is about order {parsed!r}, not {wanted!r}")
    # ccxt may fill the id in from the arguments: the exchange's own answer must name it too.
    if not _names(response.get("info"), wanted, INFO_DEPTH):
        raise MalformedResponse(f"the exchange's answer does not name order {wanted!r}")
    return response.get("status")


def _names(value: Any, wanted: str, depth: int) -> bool:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value) == wanted
    if depth <= 0:
        return False
    if isinstance(value, Mapping):
        return any(_names(v, wanted, depth - 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_names(v, wanted, depth - 1) for v in value)
    return False


def serves(exchange: Any) -> bool:
    """Whether ccxt can cancel orders on ``exchange`` at all."""
    has = getattr(exchange, "has", {}) or {}
    return bool(has.get("cancelOrder"))
