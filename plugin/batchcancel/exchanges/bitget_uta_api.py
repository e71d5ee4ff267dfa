"""Bitget's v3 (unified trading account, UTA) cancel API as batchcancel reads it.

Sources (docs/exchanges/bitget.md lists them with what stays unverified): Bitget's UTA pages
``/api-doc/uta/trade/Cancel-Batch``, ``Cancel-Order``, ``Cancel-All-Order``,
``Get-Order-Details``, ``Get-Order-Pending`` (stored copies in the search tool's pages corpus),
the bitget-api SDK's error constants, and ccxt 4.5.90 ``bitget.py`` (``cancel_uta_orders``,
``cancel_order`` and ``handle_uta_and_params``). The dialect in
:mod:`batchcancel.exchanges.bitget_uta` is built from these facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from batchcancel.engine import CodeBook, Route
from batchcancel.engine.reading import OrderState
from batchcancel.exchanges.bitget_api import CODES as CLASSIC_CODES
from batchcancel.exchanges.bitget_api import product_type

# ccxt implicit API methods (ccxt.bitget and ccxt.async_support.bitget 4.5.90, api ``uta``).
UTA_BATCH_CANCEL = "privateUtaPostV3TradeCancelBatch"  # POST /api/v3/trade/cancel-batch
UTA_CANCEL = "privateUtaPostV3TradeCancelOrder"  # POST /api/v3/trade/cancel-order
UTA_ORDER_INFO = "privateUtaGetV3TradeOrderInfo"  # GET /api/v3/trade/order-info
UTA_CANCEL_SYMBOL = "privateUtaPostV3TradeCancelSymbolOrder"  # POST /api/v3/trade/cancel-symbol-order
UTA_OPEN_ORDERS = "privateUtaGetV3TradeUnfilledOrders"  # GET /api/v3/trade/unfilled-orders
UTA_METHODS = frozenset({UTA_BATCH_CANCEL, UTA_CANCEL, UTA_ORDER_INFO, UTA_CANCEL_SYMBOL, UTA_OPEN_ORDERS})
"""Every v3 call the dialect builds: a call is read as v3 exactly when its method is one of these."""

UTA_BATCH_MAX = 20
"""Cancel-Batch: "No more than 20 orders per batch"."""

UTA_BATCH_BUDGET = "uta-cancel-batch"
UTA_SINGLE_BUDGET = "uta-cancel-order"
UTA_ORDER_INFO_BUDGET = "uta-order-info"
UTA_CANCEL_ALL_BUDGET = "uta-cancel-symbol"
UTA_OPEN_ORDERS_BUDGET = "uta-unfilled-orders"
UTA_LIMITS: Mapping[str, int] = {
    UTA_BATCH_BUDGET: 5,  # Cancel-Batch "Rate limit: 5/sec/UID", every category together
    UTA_SINGLE_BUDGET: 10,  # Cancel-Order "Rate limit: 10/sec/UID"
    UTA_ORDER_INFO_BUDGET: 20,  # Get-Order-Details "Rate limit: 20/sec/UID"
    UTA_CANCEL_ALL_BUDGET: 5,  # Cancel-All-Order (cancel-symbol-order) "Rate limit: 5/sec/UID"
    UTA_OPEN_ORDERS_BUDGET: 20,  # Get-Order-Pending (unfilled-orders) "Rate limit: 20/sec/UID"
}
"""Requests per UID and second; one request costs one unit whatever the orders in it."""

UTA_BATCH = Route("batch", UTA_BATCH_MAX, UTA_BATCH_BUDGET, cost_per_call=1, cost_per_item=0)
UTA_SINGLE = Route("single", 1, UTA_SINGLE_BUDGET, cost_per_call=1, cost_per_item=0)
UTA_STATE_ROUTE = Route("order-state", 1, UTA_ORDER_INFO_BUDGET, cost_per_call=1, cost_per_item=0)
UTA_CANCEL_ALL_ROUTE = Route("cancel-all", 1, UTA_CANCEL_ALL_BUDGET, cost_per_call=1, cost_per_item=0)
UTA_LIST_ROUTE = Route("open-orders", 1, UTA_OPEN_ORDERS_BUDGET, cost_per_call=1, cost_per_item=0)
UTA_PAGE_LIMIT = 100
"""Get-Order-Pending: ``limit`` "Default: 100. Maximum: 100"."""

SPOT_CATEGORY = "SPOT"
CATEGORIES = frozenset({SPOT_CATEGORY, "USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES"})
"""The ``category`` values ccxt's UTA markets come from (``fetch_uta_markets``); MARGIN orders
(ccxt ``marginMode``) carry params and go to ccxt's own ``cancel_order``."""

OK_ENTRY_MESSAGES = frozenset({"", "success"})
"""A cancel-batch entry that names its order with no code (or ``00000``) and one of these
messages is the documented success entry (the docs' example: ``{"orderId", "clientOid"}``)."""

CODES = CodeBook(
    ok={"00000"},
    not_open=CLASSIC_CODES.not_open
    | {
        "25204",  # order does not exist (v3; the bitget-api SDK's ORDER_DOES_NOT_EXIST_V3)
        "24056",  # "notExisted": Cancel-All-Order's own example of a per-order failure
    },
    rate_limited=CLASSIC_CODES.rate_limited,
    transient=CLASSIC_CODES.transient,
)
"""What v3's per-order ``code`` (and a whole-request refusal's code) means for an order."""

# ``orderStatus`` of Get-Order-Details, and what each means for a cancel.
ORDER_STATES: Mapping[str, OrderState] = {
    "live": OrderState.OPEN,
    "new": OrderState.OPEN,
    "init": OrderState.OPEN,
    "partially_filled": OrderState.OPEN,
    "filled": OrderState.FILLED,
    "cancelled": OrderState.CANCELED,
    "canceled": OrderState.CANCELED,
}


@attrs.frozen
class UtaGroup:
    """UTA orders of one category: Cancel-Batch says "All orders must have the same category",
    while every item carries its own ``symbol`` and its own ``orderId`` or ``clientOid``."""

    category: str
    """``SPOT``, ``USDT-FUTURES``, ``COIN-FUTURES`` or ``USDC-FUTURES``."""


def category_of(market: Mapping[str, Any]) -> str | None:
    """The v3 ``category`` of a ccxt market, as ccxt's ``handle_product_type_and_params`` says it;
    None for markets v3's order endpoints do not take (options)."""
    if market.get("spot"):
        return SPOT_CATEGORY
    if market.get("swap") or market.get("future"):
        category = product_type(market)
        return category if category in CATEGORIES else None
    return None


def account_is_uta(exchange: Any) -> bool | None:
    """Whether ccxt treats the account as UTA: its ``uta`` option, None while its probe has not run.

    A ccxt without the probe (``handle_uta_and_params``, added after 4.5.59) never asks and sends
    v2 for every account unless told ``uta``: for it, an unset option means classic."""
    uta = exchange.options.get("uta")
    if uta is None and not callable(getattr(exchange, "handle_uta_and_params", None)):
        return False
    return None if uta is None else bool(uta)
