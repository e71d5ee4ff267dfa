"""OKX v5's cancel API as batchcancel reads it: endpoints, maxima, budgets, codes, order states.

Sources: the OKX v5 docs (okx.com/docs-v5, "Order book trading > Trade": cancel order, cancel
multiple orders, cancel algo order, order details, order list, cancel all after), as scraped in
``rosssaunders/coincise`` and quoted by third-party SDKs (JKorf OKX.Net), the project's exchange
fact sheet §3, and ccxt 4.5.90 ``okx.py`` (its error map and what its implicit methods send). The
dialect in :mod:`batchcancel.exchanges.okx` is built from these facts; the sandbox keeps its own
copy on purpose (an independent check).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

from batchcancel.engine import CodeBook, Route
from batchcancel.engine.reading import OrderState
from batchcancel.model import CancelRequest

EXCHANGE_ID = "okx"
WINDOW_S = 2.0  # OKX counts every budget over 2 seconds

# -- endpoints (ccxt implicit methods) -----------------------------------------------------------

BATCH_METHOD = "privatePostTradeCancelBatchOrders"  # POST /api/v5/trade/cancel-batch-orders
SINGLE_METHOD = "privatePostTradeCancelOrder"  # POST /api/v5/trade/cancel-order
ALGO_METHOD = "privatePostTradeCancelAlgos"  # POST /api/v5/trade/cancel-algos
ORDER_METHOD = "privateGetTradeOrder"  # GET /api/v5/trade/order (one order, any state)
PENDING_METHOD = "privateGetTradeOrdersPending"  # GET /api/v5/trade/orders-pending
ALGO_PENDING_METHOD = "privateGetTradeOrdersAlgoPending"  # GET /api/v5/trade/orders-algo-pending
COUNTDOWN_METHOD = "privatePostTradeCancelAllAfter"  # POST /api/v5/trade/cancel-all-after

# -- maxima and budgets ---------------------------------------------------------------------------

# cancel-batch-orders: "Maximum 20 orders can be canceled per request"; 300 orders per 2 s per
# User ID + Instrument ID (a one-order batch spends the cancel-order budget instead). One request
# may name many instruments; we count all of them against one 300-order budget, which keeps every
# instrument's own budget safe whatever the mix.
BATCH_MAX = 20
BATCH_LIMIT = 300
# cancel-order: 60 requests per 2 s per User ID + Instrument ID.
SINGLE_LIMIT = 60
# cancel-algos: at most 10 algo orders per request, 20 requests per 2 s per User ID.
ALGO_MAX = 10
ALGO_LIMIT = 20
# order details (60 / 2 s per UID + instId) and orders-pending (60 / 2 s per UID): one read
# budget; orders-algo-pending has its own, 20 requests per 2 s per UID.
READ_LIMIT = 60
ALGO_LIST_LIMIT = 20
PAGE_LIMIT = 100  # orders-pending / orders-algo-pending: at most 100 a page, paged with ``after``

BATCH_BUDGET, SINGLE_BUDGET, ALGO_BUDGET = "cancel-batch", "cancel-order", "cancel-algos"
READ_BUDGET, ALGO_LIST_BUDGET = "read", "algo-list"
BATCH_ROUTE = Route("batch", BATCH_MAX, BATCH_BUDGET, cost_per_item=1)
SINGLE_ROUTE = Route("single", 1, SINGLE_BUDGET, cost_per_item=1)
ALGO_ROUTE = Route("algo", ALGO_MAX, ALGO_BUDGET, cost_per_call=1, cost_per_item=0)
READ_ROUTE = Route("read", 1, READ_BUDGET, cost_per_call=1, cost_per_item=0)
ALGO_LIST_ROUTE = Route("algo-list", 1, ALGO_LIST_BUDGET, cost_per_call=1, cost_per_item=0)

# -- cancel-all-after (the dead-man's switch) ----------------------------------------------------

# "timeOut: The countdown for order cancellation, with second as the unit. Range of value can be
# 0, [10, 120]. Setting timeOut to 0 disables Cancel All After." One timer per account (an
# optional ``tag`` narrows it; not used here). Rate limit: 1 request per second per UID.
COUNTDOWN_MIN_S, COUNTDOWN_MAX_S = 10.0, 120.0

# -- codes (docs' error code table; ccxt okx.py's map) -------------------------------------------

OK = "0"
ALL_FAILED, PARTIAL = "1", "2"  # top-level ``code`` of a batch: every item failed / some did

CODES = CodeBook(
    ok={OK},
    not_open={
        "51400",  # Cancellation failed as the order has been filled, canceled or does not exist
        "51401",  # Cancellation failed as the order is already canceled
        "51402",  # Cancellation failed as the order is already completed
        "51603",  # Order does not exist (order details)
    },
    rate_limited={
        "50011",  # Rate limit reached / Too Many Requests (HTTP 429)
        "50061",  # The sub-account's order rate limit is reached
    },
    transient={
        "51410",  # Cancellation failed as the order is already being cancelled (read it again)
    },
)

# Service errors: nobody says whether the cancel was applied. For a whole request ccxt's classes
# say it (50001 OnMaintenance, 50004 RequestTimeout, 50013/50026 ExchangeNotAvailable) and the
# engine decides; for one order in a batch the dialect reads them as "unknown" (send again, read
# the order before giving up).
SERVICE_CODES = frozenset(
    {
        "50001",  # Service temporarily unavailable (matching engine upgrading)
        "50004",  # Endpoint request timeout (does not say whether it was applied)
        "50013",  # System is busy
        "50026",  # System error
    }
)

# state values of an order (order details / orders-pending) and what each means for a cancel.
ORDER_STATES: Mapping[str, OrderState] = {
    "live": OrderState.OPEN,
    "partially_filled": OrderState.OPEN,
    "canceled": OrderState.CANCELED,
    "mmp_canceled": OrderState.CANCELED,
    "filled": OrderState.FILLED,
}

# -- requests ------------------------------------------------------------------------------------

# Request params that make an order an algo order (ccxt's cancel_order: trigger/stop/trailing).
ALGO_FLAGS = ("trigger", "stop", "trailing")
# Algo order types orders-algo-pending lists: its ``ordType`` is required, one type per request
# except "conditional" and "oco", which one request may name together.
ALGO_TYPES = ("conditional,oco", "trigger", "move_order_stop", "iceberg", "twap", "chase")


@attrs.frozen
class Group:
    """Orders that may share one request: plain orders (any instruments) or algo orders."""

    algo: bool
    """Algo orders go through cancel-algos, plain ones through cancel-batch-orders."""


@attrs.frozen
class Unsupported:
    """Orders no OKX route here can carry; ccxt's ``cancel_order`` gets them."""

    why: str
    """Said in the log and in the orders' messages."""


def is_algo(request: CancelRequest) -> bool:
    return any(request.params.get(flag) for flag in ALGO_FLAGS)


def extra_params(request: CancelRequest) -> list[str]:
    """Params no OKX cancel request here carries (they need ccxt's own cancel_order)."""
    return sorted(key for key in request.params if key not in ALGO_FLAGS)


def id_field(request: CancelRequest, algo: bool) -> tuple[str, str]:
    """OKX names an order by ``ordId`` (algo: ``algoId``) when we have it, else the client id."""
    if request.order_id is not None:
        return ("algoId" if algo else "ordId"), request.order_id
    assert request.client_order_id is not None  # CancelRequest guarantees one id
    return ("algoClOrdId" if algo else "clOrdId"), request.client_order_id


def text(value: Any) -> str | None:
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    result = str(value).strip()
    return result or None


_CODE = re.compile(r'"code"\s*:\s*"?(-?\d+)')


def error_body(error: BaseException) -> Mapping[str, Any] | None:
    """The JSON answer inside a ccxt exception (ccxt's message is ``"okx " + body``)."""
    message = str(error)
    start = message.find("{")
    if start < 0:
        return None
    try:
        body = json.loads(message[start:])
    except ValueError:
        return None
    return body if isinstance(body, Mapping) else None


def error_code(error: BaseException) -> str | None:
    """The top-level ``code`` of the answer a ccxt exception carries."""
    body = error_body(error)
    if body is not None:
        return text(body.get("code"))
    match = _CODE.search(str(error))
    return match.group(1) if match else None
