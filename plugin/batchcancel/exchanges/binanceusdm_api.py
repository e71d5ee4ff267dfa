"""Binance USDⓈ-M futures' cancel API as batchcancel reads it: routes, weights, codes, order states.

Sources (Binance's derivatives docs, ``developers.binance.com/docs/derivatives/usds-margined-futures``,
as collected in the project's exchange fact sheet, section 4, and checked again for this plugin):
``trade/rest-api/Cancel-Multiple-Orders`` (``DELETE /fapi/v1/batchOrders``: weight 1, at most 10 ids
in ``orderIdList`` *or* ``origClientOrderIdList``, never both), ``Cancel-Order`` (weight 1),
``Cancel-All-Open-Orders`` (weight 1), ``Current-All-Open-Orders`` (weight 1 with a symbol, 40
without), ``Query-Order`` (weight 1), ``Auto-Cancel-All-Open-Orders`` (``countdownCancelAll``,
weight 10), ``Cancel-Algo-Order`` (conditional orders), ``general-info`` (limits, headers) and the
error-code page. The dialect in :mod:`batchcancel.exchanges.binanceusdm` is built from these facts;
the sandbox keeps its own copy on purpose (an independent check).
"""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

from batchcancel.engine import CodeBook, Route
from batchcancel.engine.reading import OrderState
from batchcancel.exchanges.answers import code_of, header_text
from batchcancel.model import CancelRequest

EXCHANGE_ID = "binanceusdm"

# -- the request-weight budget (general-info: "REQUEST_WEIGHT 2400 per minute", per IP) ---------

WEIGHT_BUDGET = "weight"
WEIGHT_LIMIT = 2400
WEIGHT_WINDOW_S = 60.0
HEADER_USED_WEIGHT = "x-mbx-used-weight-1m"
HEADER_RETRY_AFTER = "retry-after"
HEADER_DATE = "date"

# -- cancelling ----------------------------------------------------------------------------------

BATCH_MAX = 10  # ids per DELETE /fapi/v1/batchOrders
# Weight per request, whatever the number of ids in it.
BATCH_ROUTE = Route("batch", BATCH_MAX, WEIGHT_BUDGET, cost_per_call=1, cost_per_item=0)
SINGLE_ROUTE = Route("single", 1, WEIGHT_BUDGET, cost_per_call=1, cost_per_item=0)

BATCH_METHOD = "fapiPrivateDeleteBatchOrders"
SINGLE_METHOD = "fapiPrivateDeleteOrder"
# ccxt's sign() reads the id lists under these keys and writes them as Binance wants them
# (``orderidlist=%5B1%2C2%5D``, ``origclientorderidlist=%5B%22a%22%5D``); see facts §4.2.
ORDER_ID_LIST_PARAM = "orderidlist"
CLIENT_ID_LIST_PARAM = "origClientOrderIdList"

# Client order ids Binance accepts (newClientOrderId: ``^[\.A-Z\:/a-z0-9_-]{1,36}$``); ccxt puts a
# list of them into the query unencoded, so only these may travel in a batch.
CLIENT_ID_PATTERN = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")

# Conditional orders (STOP, TAKE_PROFIT, TRAILING_STOP_MARKET...) live in Binance's Algo Service
# since its 2025 migration: their own ids (algoId / clientAlgoId), ``DELETE /fapi/v1/algoOrder``
# one at a time, no batch. ccxt's cancel_order(..., {"trigger": True}) goes there.
CCXT_CONDITIONAL_PARAMS = ("trigger", "stop", "conditional")

# -- reading orders back -------------------------------------------------------------------------

ORDER_METHOD = "fapiPrivateGetOrder"  # GET /fapi/v1/order: one order by id, any status; weight 1
OPEN_ORDERS_METHOD = "fapiPrivateGetOpenOrders"  # every open order; weight 40 without a symbol
# GET /fapi/v1/openAlgoOrders: every open conditional order (the Algo Service's), weight 40
# without a symbol; rows carry algoId, clientAlgoId, symbol. Plain and conditional orders are
# listed apart, so an account-wide read takes both.
OPEN_ALGO_ORDERS_METHOD = "fapiPrivateGetOpenAlgoOrders"
ORDER_READ_ROUTE = Route("read", 1, WEIGHT_BUDGET, cost_per_call=1, cost_per_item=0)
LIST_ROUTE = Route("list", 1, WEIGHT_BUDGET, cost_per_call=40, cost_per_item=0)
ORDERS_SCOPE, ALGO_SCOPE = "orders", "algo"  # one unpaged listing each covers the account
LIST_METHODS = {ORDERS_SCOPE: OPEN_ORDERS_METHOD, ALGO_SCOPE: OPEN_ALGO_ORDERS_METHOD}
# The id fields of a listed row: plain orders, conditional orders.
ROW_IDS = {
    OPEN_ORDERS_METHOD: ("orderId", "clientOrderId"),
    OPEN_ALGO_ORDERS_METHOD: ("algoId", "clientAlgoId"),
}

ORDER_STATES: Mapping[str, OrderState] = {
    "NEW": OrderState.OPEN,
    "PARTIALLY_FILLED": OrderState.OPEN,
    "CANCELED": OrderState.CANCELED,
    "EXPIRED": OrderState.CANCELED,  # GTX, IOC, FOK and GTD orders the exchange ended
    "EXPIRED_IN_MATCH": OrderState.CANCELED,  # ended by self-trade prevention
    "FILLED": OrderState.FILLED,
    "REJECTED": OrderState.GONE,
}
CANCELED = "CANCELED"

# -- the kill switch and the dead-man's switch ---------------------------------------------------

CANCEL_ALL_METHOD = "fapiPrivateDeleteAllOpenOrders"  # DELETE /fapi/v1/allOpenOrders; per symbol
COUNTDOWN_METHOD = "fapiPrivatePostCountdownCancelAll"  # POST /fapi/v1/countdownCancelAll; weight 10
# The docs give no bounds; countdownTime is a LONG of milliseconds, 0 stops the timer, and the
# system checks countdowns about every 10 ms. Below one second a heartbeat cannot keep up.
COUNTDOWN_MIN_S = 1.0
COUNTDOWN_MAX_S = 24 * 3600.0  # no documented maximum: a day keeps a forgotten timer bounded

# -- codes (the error-code page; per-item codes of a batch are the same) -------------------------

CODES = CodeBook(
    ok=(),  # a cancelled order is answered with the order itself, not a code
    not_open={
        -2011,  # Unknown order sent (CANCEL_REJECTED: unknown, filled or cancelled before)
        -2013,  # Order does not exist (NO_SUCH_ORDER)
    },
    rate_limited={
        -1003,  # TOO_MANY_REQUESTS: the IP's request weight is spent (HTTP 429, or 418 when banned)
        -1015,  # TOO_MANY_ORDERS
    },
    transient={
        -1001,  # DISCONNECTED: internal error, try again
        -1008,  # SERVER_BUSY
        -1016,  # SERVICE_SHUTTING_DOWN
    },
)
# "Execution status unknown": the request may have been applied.
UNKNOWN_STATE_CODES = frozenset({"-1006", "-1007"})  # UNEXPECTED_RESP, TIMEOUT

_CODE = re.compile(r'"code"\s*:\s*"?(-?\d+)')
_MSG = re.compile(r'"msg"\s*:\s*"((?:[^"\\]|\\.)*)"')
_HTTP_LIMITED = re.compile(r"^\S+ (418|429) ")


@attrs.frozen
class Group:
    """Orders that may share one batch request: one symbol, one kind of id, plain orders only."""

    symbol: str
    """The market id (``BTCUSDT``)."""
    by_client_id: bool
    """Named by ``origClientOrderId`` rather than ``orderId`` (a batch carries one kind)."""
    batchable: bool
    """False for an id a batch list cannot carry, or a request with params of its own."""
    conditional: bool = False
    """A conditional order: Binance's Algo Service, which no batch reaches."""


def is_conditional(request: CancelRequest) -> bool:
    return any(request.params.get(key) for key in CCXT_CONDITIONAL_PARAMS)


def extra_params(request: CancelRequest) -> dict[str, Any]:
    """Params a batch cannot carry; they go into a single cancel's query as given."""
    return {k: v for k, v in request.params.items() if k not in CCXT_CONDITIONAL_PARAMS}


def id_field(request: CancelRequest) -> tuple[str, str]:
    """Binance names an order by ``orderId`` when we have it, else by ``origClientOrderId``."""
    if request.order_id is not None:
        return "orderId", request.order_id
    assert request.client_order_id is not None  # CancelRequest guarantees one id
    return "origClientOrderId", request.client_order_id


def fits_a_batch_list(request: CancelRequest) -> bool:
    """An id ccxt can put into a batch's JSON list as it is: digits, or a well-formed client id."""
    if request.order_id is not None:
        return request.order_id.isdigit()
    return bool(CLIENT_ID_PATTERN.fullmatch(request.client_order_id or ""))


def answered_id(row: Mapping[str, Any], request: CancelRequest) -> bool:
    """Whether an order object in an answer names ``request``'s order (by the id it was sent with)."""
    if request.order_id is not None:
        return str(row.get("orderId", "")) == request.order_id
    return str(row.get("clientOrderId", "")) == request.client_order_id


def parse_error_body(error: BaseException) -> tuple[int | None, str]:
    """``code`` and ``msg`` from a ccxt exception (``"binanceusdm " + body``, the body an object or,
    for a one-order batch, a one-element list)."""
    text = str(error)
    for start in (text.find("{"), text.find("[")):
        if start < 0:
            continue
        try:
            body = json.loads(text[start:])
        except ValueError:
            continue
        if isinstance(body, list) and len(body) == 1:
            body = body[0]
        if isinstance(body, Mapping) and code_of(body.get("code")) is not None:
            return code_of(body.get("code")), str(body.get("msg") or "")
    code_match, msg_match = _CODE.search(text), _MSG.search(text)
    code = int(code_match.group(1)) if code_match else None
    return code, msg_match.group(1) if msg_match else ""


def http_limited(error: BaseException) -> str | None:
    """ "429" or "418" when ccxt raised for Binance's HTTP rate-limit answer (before any body)."""
    match = _HTTP_LIMITED.match(str(error))
    return match.group(1) if match else None


def answer_time(headers: Mapping[str, Any]) -> float | None:
    """The answer's ``Date`` header as epoch seconds (HTTP dates are whole seconds)."""
    value = header_text(headers, HEADER_DATE)
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
