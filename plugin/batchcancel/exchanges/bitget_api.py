"""Bitget's v2 (classic account) cancel API as batchcancel reads it: endpoints, budgets, codes, states.

Sources: Bitget API docs for ``/api/v2/spot/trade/batch-cancel-order``,
``/api/v2/mix/order/batch-cancel-orders`` and their single-order twins, the error table
(``shared/reference/bitget-docs``), the project's exchange facts §2.3-2.7 and §7, and ccxt 4.5.90
``bitget.py``. The dialect in :mod:`batchcancel.exchanges.bitget` is built from these facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from batchcancel.engine import CodeBook, Route, Verdict, success_body
from batchcancel.engine.reading import OrderState
from batchcancel.model import CancelRequest

EXCHANGE_ID = "bitget"

# ccxt implicit API methods (present on ccxt.bitget and ccxt.async_support.bitget 4.5.90).
SPOT_BATCH_CANCEL = "privateSpotPostV2SpotTradeBatchCancelOrder"  # /api/v2/spot/trade/batch-cancel-order
SPOT_CANCEL = "privateSpotPostV2SpotTradeCancelOrder"  # /api/v2/spot/trade/cancel-order
MIX_BATCH_CANCEL = "privateMixPostV2MixOrderBatchCancelOrders"  # /api/v2/mix/order/batch-cancel-orders
MIX_CANCEL = "privateMixPostV2MixOrderCancelOrder"  # /api/v2/mix/order/cancel-order

BATCH_MAX = 50
"""``orderList`` / ``orderIdList`` "maximum length: 50" (spot and mix docs; seed 003; facts §2.4)."""

REQUESTS_PER_SECOND = 10
"""Per UID, per endpoint, for each of the four cancel endpoints (Bitget docs; facts §2.3-2.4)."""

SPOT_BATCH_BUDGET = "spot-batch-cancel"
SPOT_SINGLE_BUDGET = "spot-cancel"
MIX_BATCH_BUDGET = "mix-batch-cancel"
MIX_SINGLE_BUDGET = "mix-cancel"

# A request costs one unit of its endpoint's budget whatever the number of orders in it.
SPOT_BATCH = Route("batch", BATCH_MAX, SPOT_BATCH_BUDGET, cost_per_call=1, cost_per_item=0)
SPOT_SINGLE = Route("single", 1, SPOT_SINGLE_BUDGET, cost_per_call=1, cost_per_item=0)
MIX_BATCH = Route("batch", BATCH_MAX, MIX_BATCH_BUDGET, cost_per_call=1, cost_per_item=0)
MIX_SINGLE = Route("single", 1, MIX_SINGLE_BUDGET, cost_per_call=1, cost_per_item=0)

SPOT_BATCH_MODE = "multiple"
"""``single`` (the default) uses the top-level symbol for every item; ``multiple`` each item's own."""

ORDER_ID = "orderId"
CLIENT_OID = "clientOid"

OK_CODE = "00000"
CANCELED = Verdict.canceled(OK_CODE)
"""An order's cancel accepted: one frozen value shared by every such answer (1,000 of them in a
large call), not one made per order."""

CODES = CodeBook(
    ok={OK_CODE},
    # The order is not open: unknown, filled or cancelled before (facts §2.5; ccxt's exact map).
    not_open={
        "43001",  # the order does not exist (spot)
        "40768",  # order does not exist (futures)
        "40109",  # the data of the order cannot be found
        "43004",  # there is no order to cancel
        "22001",  # no order to cancel
        "43025",  # plan order does not exist
        # Bitget's error table (facts §7); which of these the v2 cancel endpoints really return is
        # unverified, but each says the order is not there to cancel.
        "31007",  # order does not exist
        "31054",  # no order to cancel
        "43020",  # stop profit and stop loss order does not exist
        "43033",  # trailing order does not exist
        "45057",  # the order does not exist!
        "80011",  # order not exist
        "25204",  # order does not exist (hummingbot's connector reads it so)
        "40819",  # order does not exist (hummingbot's connector reads it so)
    },
    # Wait for the budget, then send again (facts §2.5).
    rate_limited={
        "429",  # too many requests
        "1001",  # the request is too frequent and has been throttled
    },
    # Send again after a backoff (facts §2.5; ccxt maps 40015 to a plain ExchangeError).
    transient={
        "40015",  # system is abnormal, please try again later
        "40200",  # server upgrade, please try again later
        "40604",  # server is busy, please try again later
        "500",  # system busy
    },
)

# failureList entries may carry errorMsg only (the docs' own examples: "notExistend"). Without a
# code, a message saying the *order* is missing means not open; "Symbol does not exist" or
# "Apikey does not exist" do not (they are rejections).
NOT_OPEN_PHRASES = ("notexist", "doesnotexist", "cannotbefound", "notfound")
NO_ORDER_PHRASES = ("noordertocancel", "thereisnoordertocancel")
CHINESE_NOT_OPEN = ("订单不存在", "没有可撤销的订单")  # "order does not exist", "no order to cancel"


def says_not_open(message: str) -> bool:
    """Whether a code-less failure message says the order is not there to cancel."""
    if any(phrase in message for phrase in CHINESE_NOT_OPEN):
        return True
    text = "".join(ch for ch in message.lower() if ch.isascii() and ch.isalpha())
    if any(phrase in text for phrase in NO_ORDER_PHRASES) or text.startswith("notexist"):
        return True
    return "order" in text and any(phrase in text for phrase in NOT_OPEN_PHRASES)


PRODUCT_TYPE_BY_SETTLE: Mapping[str, str] = {
    "USDT": "USDT-FUTURES",
    "USDC": "USDC-FUTURES",
    "SUSDT": "SUSDT-FUTURES",
    "SUSDC": "SUSDC-FUTURES",
    "SBTC": "SCOIN-FUTURES",
    "SETH": "SCOIN-FUTURES",
    "SEOS": "SCOIN-FUTURES",
}
"""Futures ``productType`` from the market's settle coin; any other settle coin is COIN-FUTURES
(the same rule as ccxt's ``handle_product_type_and_params``)."""
COIN_FUTURES = "COIN-FUTURES"

MIX_PARAMS = frozenset({"productType", "marginCoin"})
"""Request ``params`` a futures cancel understands natively; anything else goes to ccxt."""


@attrs.frozen
class SpotGroup:
    """Spot orders named by the same kind of id: one ``multiple``-mode batch may hold any pairs."""

    id_field: str


@attrs.frozen
class MixGroup:
    """Futures orders of one symbol and product type named by the same kind of id."""

    symbol: str
    product_type: str
    margin_coin: str
    id_field: str


@attrs.frozen
class Unsupported:
    """Orders only ccxt's ``cancel_order`` can cancel (UTA account, trigger params, options...)."""

    why: str


def id_field(request: CancelRequest) -> str:
    """``orderId`` when the request has one (it takes precedence), else ``clientOid``."""
    return ORDER_ID if request.order_id is not None else CLIENT_OID


def id_value(request: CancelRequest, field: str) -> str:
    value = request.order_id if field == ORDER_ID else request.client_order_id
    return str(value)


def product_type(market: Mapping[str, Any]) -> str:
    settle = str(market.get("settle") or "").upper()
    return PRODUCT_TYPE_BY_SETTLE.get(settle, COIN_FUTURES)


# -- reading orders back ---------------------------------------------------------------------------

# One order in any status: spot ``GET /api/v2/spot/trade/orderInfo`` (a list; empty for an unknown
# id), futures ``GET /api/v2/mix/order/detail`` (an object; 40109 for an unknown id).
SPOT_ORDER_INFO = "privateSpotGetV2SpotTradeOrderInfo"
MIX_ORDER_DETAIL = "privateMixGetV2MixOrderDetail"
# Open orders, newest first, paged with ``idLessThan`` (at most 100 a page): spot
# ``GET /api/v2/spot/trade/unfilled-orders`` (a plain list), futures
# ``GET /api/v2/mix/order/orders-pending`` per productType (``entrustedList`` and ``endId``).
SPOT_OPEN_ORDERS = "privateSpotGetV2SpotTradeUnfilledOrders"
MIX_OPEN_ORDERS = "privateMixGetV2MixOrderOrdersPending"
PAGE_LIMIT = 100

# Requests per UID and second (the docs' frequency limits).
READ_LIMITS: Mapping[str, int] = {
    "spot-order-info": 20,
    "mix-order-detail": 10,
    "spot-open-orders": 20,
    "mix-open-orders": 20,
}
SPOT_STATE_ROUTE = Route("order-state", 1, "spot-order-info", cost_per_call=1, cost_per_item=0)
MIX_STATE_ROUTE = Route("order-state", 1, "mix-order-detail", cost_per_call=1, cost_per_item=0)
SPOT_LIST_ROUTE = Route("open-orders", 1, "spot-open-orders", cost_per_call=1, cost_per_item=0)
MIX_LIST_ROUTE = Route("open-orders", 1, "mix-open-orders", cost_per_call=1, cost_per_item=0)

# ``status`` (spot) / ``state`` (futures) values, and what each means for a cancel.
ORDER_STATES: Mapping[str, OrderState] = {
    "live": OrderState.OPEN,
    "new": OrderState.OPEN,
    "init": OrderState.OPEN,
    "partially_filled": OrderState.OPEN,
    "filled": OrderState.FILLED,
    "cancelled": OrderState.CANCELED,
    "canceled": OrderState.CANCELED,
}


# -- reading answers (classic and UTA alike) ------------------------------------------------------


def data_of(response: Any) -> Any:
    """The ``data`` of a successful Bitget answer; anything else is not an answer we can read."""
    return success_body(response, "code", lambda code: text_of(code) == OK_CODE, "data")


def text_of(value: Any) -> str | None:
    """A scalar field as stripped text; None for a missing, empty or non-scalar one."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None
