"""Bybit v5's cancel API as batchcancel reads it: categories, maxima, budgets, codes, order states.

Sources: the Bybit v5 docs ``batch-cancel.mdx``, ``cancel-order.mdx``, ``open-order.mdx``,
``error.mdx`` and ``rate-limit.mdx``, as collected in the project's exchange fact sheet (sections
1.3 to 1.7) and in ``shared/reference/bybit-docs``. The dialect in :mod:`batchcancel.exchanges.bybit`
is built from these facts; the sandbox keeps its own copy on purpose (an independent check).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

from batchcancel.engine import CodeBook, Route
from batchcancel.engine.reading import OrderState
from batchcancel.exchanges.answers import code_of
from batchcancel.model import CancelRequest

EXCHANGE_ID = "bybit"

# -- categories -------------------------------------------------------------------------------

SPOT, LINEAR, INVERSE, OPTION = "spot", "linear", "inverse", "option"
CATEGORIES = (SPOT, LINEAR, INVERSE, OPTION)

# Orders per cancel-batch request (batch-cancel.mdx: "A maximum of 20 orders (option), 20 orders
# (inverse), 20 orders (linear), 10 orders (spot) can be cancelled per request").
BATCH_MAX = {SPOT: 10, LINEAR: 20, INVERSE: 20, OPTION: 20}

# Spot orderFilter values (cancel-order.mdx). Only "Order" (the default) is reachable by a batch.
PLAIN_ORDER = "Order"
SPOT_ORDER_FILTERS = ("Order", "tpslOrder", "StopOrder")

# Request params this plugin reads itself; any other key sends the order through the single
# endpoint with that key in the body (a batch item carries only symbol and an id).
CATEGORY_PARAM = "category"
ORDER_FILTER_PARAM = "orderFilter"
CCXT_TRIGGER_PARAMS = ("trigger", "stop")  # ccxt's cancel_order: True means spot "StopOrder"

# -- rate budgets (rate-limit.mdx, per UID, rolling second, default non-PRO account) -------------

WINDOW_S = 1.0
# Linear and inverse share one column of the table: we assume they share one budget per endpoint
# (conservative; the sandbox assumes the same).
SPOT_BUDGET, DERIVATIVES_BUDGET, OPTION_BUDGET = "spot", "derivatives", "option"
BUDGET_OF_CATEGORY = {
    SPOT: SPOT_BUDGET,
    LINEAR: DERIVATIVES_BUDGET,
    INVERSE: DERIVATIVES_BUDGET,
    OPTION: OPTION_BUDGET,
}
# POST /v5/order/cancel-batch: orders per second (option: requests per second).
BATCH_LIMIT = {SPOT_BUDGET: 20, DERIVATIVES_BUDGET: 10, OPTION_BUDGET: 10}
# POST /v5/order/cancel: requests per second.
SINGLE_LIMIT = {SPOT_BUDGET: 20, DERIVATIVES_BUDGET: 10, OPTION_BUDGET: 10}

# POST /v5/order/cancel-all: requests per second (rate-limit.mdx: linear/inverse 10, option 1,
# spot 20), a budget of its own.
CANCEL_ALL_LIMIT = {SPOT_BUDGET: 20, DERIVATIVES_BUDGET: 10, OPTION_BUDGET: 1}

HEADER_LIMIT = "x-bapi-limit"
HEADER_REMAINING = "x-bapi-limit-status"
HEADER_RESET_MS = "x-bapi-limit-reset-timestamp"

# -- codes (error.mdx; the fact sheet's table 1.5) -----------------------------------------------

OK = 0

CODES = CodeBook(
    ok={OK},
    # The order is not open: unknown, filled, or cancelled before.
    not_open={
        110001,  # Order does not exist (derivatives; also "order not exists or too late to cancel")
        170213,  # Order does not exist (spot)
        110008,  # The order has been completed or cancelled
        110010,  # The order has been cancelled
        170142,  # Order has been cancelled (spot)
        170139,  # Order has been filled (spot)
        170143,  # Cannot be found on order book (spot)
        170190,  # Cancel order has been finished (spot)
    },
    # The UID's budget for this endpoint is spent: send again once it resets. The engine has just
    # read the answer's X-Bapi-Limit* headers (observe); meanwhile the single route may carry it.
    rate_limited={
        10006,  # Too many visits (UID rate limit)
        10018,  # (deprecated) IP rate limit
        170222,  # Too many requests in this time frame (spot)
        30035,  # Option: too fast to cancel
    },
    # Worth sending again after a backoff (cancelling is idempotent).
    transient={
        170191,  # Can not cancel order, please try again later
        170147,  # Order cancellation timeout
        170150,  # Cancel order failed
        170212,  # Cancel order request processing (a retry then reads the settled state)
        10016,  # Server error / restarting
        10000,  # Server timeout
        429,  # As a retCode: "trading service high load, please retry"
    },
)

_RET_CODE = re.compile(r'"ret_?[cC]ode"\s*:\s*"?(-?\d+)')
_RET_MSG = re.compile(r'"ret_?[mM]sg"\s*:\s*"((?:[^"\\]|\\.)*)"')


# -- routes ---------------------------------------------------------------------------------------


def _batch_route(category: str) -> Route:
    budget = BUDGET_OF_CATEGORY[category]
    if category == OPTION:  # option batches are counted per request
        return Route("batch", BATCH_MAX[category], f"batch:{budget}", cost_per_call=1, cost_per_item=0)
    return Route("batch", BATCH_MAX[category], f"batch:{budget}", cost_per_item=1)


def _single_route(category: str) -> Route:
    return Route("single", 1, f"single:{BUDGET_OF_CATEGORY[category]}", cost_per_item=1)


BATCH_ROUTES = {category: _batch_route(category) for category in CATEGORIES}
SINGLE_ROUTES = {category: _single_route(category) for category in CATEGORIES}
# A category Bybit does not list (a request's own override): one request, and Bybit's answer.
UNKNOWN_CATEGORY_ROUTE = Route("single", 1)

# POST /v5/order/cancel-all (cancel-all.mdx): one request cancels a category's orders, narrowed by
# ``symbol`` > ``baseCoin`` > ``settleCoin`` (linear and inverse need one of them; spot and option
# need none). Spot cancels plain orders only unless ``orderFilter`` says ``tpslOrder`` /
# ``StopOrder`` (...); linear, inverse and option cancel every kind without ``orderFilter``.
# Futures cancel at most 500 orders a request, "picked randomly": the read-back catches the rest.
CANCEL_ALL_ROUTES = {
    category: Route(
        "cancel-all", 1, f"cancel-all:{BUDGET_OF_CATEGORY[category]}", cost_per_call=1, cost_per_item=0
    )
    for category in CATEGORIES
}
CANCEL_ALL_METHOD = "privatePostV5OrderCancelAll"
# A spot open order's ``stopOrderType`` (open-order.mdx) and the ``orderFilter`` that reaches it.
SPOT_FILTER_OF_STOP_TYPE = {
    "Stop": "StopOrder",
    "tpslOrder": "tpslOrder",
    "OcoOrder": "OcoOrder",
    "BidirectionalTpslOrder": "BidirectionalTpslOrder",
}

BATCH_METHOD = "privatePostV5OrderCancelBatch"
SINGLE_METHOD = "privatePostV5OrderCancel"

# -- reading orders back (open-order.mdx) ---------------------------------------------------------

# GET /v5/order/realtime: open orders (paged with ``cursor``, at most 50 a page), or one order by
# ``orderId`` / ``orderLinkId`` in any status. Its own budget: 50/s per UID, all categories together.
REALTIME_METHOD = "privateGetV5OrderRealtime"
READ_BUDGET = "read"
READ_LIMIT = 50
PAGE_LIMIT = 50
READ_ROUTE = Route("read", 1, READ_BUDGET, cost_per_call=1, cost_per_item=0)

# orderStatus values (enums.mdx), and what each means for a cancel.
ORDER_STATES: Mapping[str, OrderState] = {
    "New": OrderState.OPEN,
    "PartiallyFilled": OrderState.OPEN,
    "Untriggered": OrderState.OPEN,
    "Triggered": OrderState.OPEN,  # a conditional order that fired: now an active order
    "Active": OrderState.OPEN,
    "Cancelled": OrderState.CANCELED,
    "PartiallyFilledCanceled": OrderState.CANCELED,
    "Deactivated": OrderState.CANCELED,  # a conditional order cancelled before it fired
    "Filled": OrderState.FILLED,
    "Rejected": OrderState.GONE,
}


@attrs.frozen
class Group:
    """Orders that may share a cancel-batch request: one category, plain orders only."""

    category: str
    batchable: bool


def category_of(request: CancelRequest, market: Mapping[str, Any]) -> str:
    """The request's ``params["category"]`` if given, else the ccxt market's kind."""
    override = request.params.get(CATEGORY_PARAM)
    if override is not None:
        return str(override).strip().lower()
    if market.get("spot"):
        return SPOT
    if market.get("option"):
        return OPTION
    if market.get("inverse"):
        return INVERSE
    if market.get("linear"):
        return LINEAR
    kind = market.get("type")
    return SPOT if kind == SPOT else OPTION if kind == OPTION else LINEAR


def order_filter_of(request: CancelRequest, category: str) -> str | None:
    """The spot ``orderFilter`` to send, None for the default (plain orders)."""
    value = request.params.get(ORDER_FILTER_PARAM)
    if value is None and category == SPOT and any(request.params.get(k) for k in CCXT_TRIGGER_PARAMS):
        value = "StopOrder"
    if value is None or value == PLAIN_ORDER:
        return None
    return str(value)


def extra_params(request: CancelRequest) -> dict[str, Any]:
    """Params a batch item cannot carry; they go into a single cancel's body as given."""
    known = (CATEGORY_PARAM, ORDER_FILTER_PARAM, *CCXT_TRIGGER_PARAMS)
    return {k: v for k, v in request.params.items() if k not in known}


def id_field(request: CancelRequest) -> tuple[str, str]:
    """Bybit identifies an order by ``orderId`` when we have it, else by ``orderLinkId``."""
    if request.order_id is not None:
        return "orderId", request.order_id
    assert request.client_order_id is not None  # CancelRequest guarantees one id
    return "orderLinkId", request.client_order_id


def parse_error_body(error: BaseException) -> tuple[int | None, str]:
    """``retCode`` and ``retMsg`` from a ccxt exception (ccxt's message is ``"bybit " + body``)."""
    text = str(error)
    start = text.find("{")
    if start >= 0:
        try:
            body = json.loads(text[start:])
        except ValueError:
            body = None
        if isinstance(body, Mapping):
            code = code_of(body.get("retCode", body.get("ret_code")))
            message = body.get("retMsg", body.get("ret_msg"))
            return code, str(message) if message is not None else ""
    code_match, msg_match = _RET_CODE.search(text), _RET_MSG.search(text)
    code = int(code_match.group(1)) if code_match else None
    return code, msg_match.group(1) if msg_match else ""
