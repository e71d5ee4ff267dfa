"""Bitget v2's rules as the sandbox applies them: endpoints, batch maximum, budgets, error codes."""

from __future__ import annotations

from typing import Any

EXCHANGE_ID = "bitget"
PRODUCT_TYPES = ("USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES")
# ccxt also asks Bitget for the simulated-trading product types; they list nothing here.
DEMO_PRODUCT_TYPES = ("SUSDT-FUTURES", "SCOIN-FUTURES", "SUSDC-FUTURES")
OK_CODE = "00000"
BATCH_MAX = 50
TIMESTAMP_TOLERANCE_MS = 30_000  # assumption: Bitget does not document it; ±30 s is the usual claim

SPOT_PLACE, SPOT_UNFILLED, SPOT_CANCEL, SPOT_BATCH = (
    "/api/v2/spot/trade/place-order",
    "/api/v2/spot/trade/unfilled-orders",
    "/api/v2/spot/trade/cancel-order",
    "/api/v2/spot/trade/batch-cancel-order",
)
MIX_PLACE, MIX_PENDING, MIX_CANCEL, MIX_BATCH = (
    "/api/v2/mix/order/place-order",
    "/api/v2/mix/order/orders-pending",
    "/api/v2/mix/order/cancel-order",
    "/api/v2/mix/order/batch-cancel-orders",
)
UTA_PROBE = "/api/v3/account/settings"
# What a trading host reads besides placing and cancelling (handlers in host.py).
SPOT_ASSETS, SPOT_ORDER_INFO, SPOT_FILLS = (
    "/api/v2/spot/account/assets",
    "/api/v2/spot/trade/orderInfo",
    "/api/v2/spot/trade/fills",
)
MIX_ACCOUNTS, MIX_POSITIONS, MIX_BILL = (
    "/api/v2/mix/account/accounts",
    "/api/v2/mix/position/all-position",
    "/api/v2/mix/account/bill",
)
MIX_POSITION_MODE, MIX_MARGIN_MODE, MIX_LEVERAGE = (
    "/api/v2/mix/account/set-position-mode",
    "/api/v2/mix/account/set-margin-mode",
    "/api/v2/mix/account/set-leverage",
)
MIX_DETAIL, MIX_FILLS = "/api/v2/mix/order/detail", "/api/v2/mix/order/fills"
MIX_CANCEL_ALL = "/api/v2/mix/order/cancel-all-orders"
SPOT_CANCEL_SYMBOL = "/api/v2/spot/trade/cancel-symbol-order"
SPOT_HISTORY = "/api/v2/spot/trade/history-orders"
# Futures trigger (plan) and TP/SL orders (plan_orders.py).
MIX_PLACE_PLAN, MIX_PLACE_TPSL, MIX_PLAN_PENDING, MIX_CANCEL_PLAN = (
    "/api/v2/mix/order/place-plan-order",
    "/api/v2/mix/order/place-tpsl-order",
    "/api/v2/mix/order/orders-plan-pending",
    "/api/v2/mix/order/cancel-plan-order",
)

# Requests per UID and second, per endpoint (Bitget documents 10/s for the cancel endpoints).
PRIVATE_LIMITS = {
    SPOT_PLACE: 10,
    SPOT_UNFILLED: 20,
    SPOT_CANCEL: 10,
    SPOT_BATCH: 10,
    MIX_PLACE: 10,
    MIX_PENDING: 20,
    MIX_CANCEL: 10,
    MIX_BATCH: 10,
    MIX_CANCEL_ALL: 10,  # assumption: as the other cancel endpoints (ccxt weighs it 20)
    SPOT_CANCEL_SYMBOL: 5,  # Bitget's page: "Frequency limit: 5 times/1s (UID)"
    SPOT_HISTORY: 20,  # Bitget's page: "Frequency limit: 20 times/1s (UID)"
    UTA_PROBE: 10,
    # Futures trigger and TP/SL orders (plan_orders.py): "10 times/s (UID)" on each page.
    MIX_PLACE_PLAN: 10,
    MIX_PLACE_TPSL: 10,
    MIX_PLAN_PENDING: 10,
    MIX_CANCEL_PLAN: 10,
    # The host endpoints, as Bitget's pages list them.
    SPOT_ASSETS: 10,
    SPOT_ORDER_INFO: 20,
    SPOT_FILLS: 10,
    MIX_ACCOUNTS: 10,
    MIX_POSITIONS: 5,
    MIX_BILL: 10,
    MIX_POSITION_MODE: 5,
    MIX_MARGIN_MODE: 5,
    MIX_LEVERAGE: 5,
    MIX_DETAIL: 10,
    MIX_FILLS: 10,
}
PUBLIC_LIMIT = 20  # per IP and second, per endpoint


def base_limit(path: str, group: str | None = None) -> int:
    """The documented budget per UID and second of ``path`` ("public": per IP), before scaling.

    Bitget has no budget groups: ``group`` is accepted for the common signature and ignored."""
    if path == "public":
        return PUBLIC_LIMIT
    try:
        return PRIVATE_LIMITS[path]
    except KeyError:
        raise ValueError(f"no Bitget budget for {path!r}") from None


SPOT_NOT_FOUND = ("43001", "The order does not exist")
MIX_NOT_FOUND = ("40768", "Order does not exist")
PARAM_ERROR = "40017"


class BitgetError(Exception):
    def __init__(self, code: str, msg: str, status: int = 400) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status


RATE_LIMITED = BitgetError("429", "Too Many Requests", 429)


def product_type_of(params: dict[str, Any]) -> str:
    product_type = str(params.get("productType") or "").upper()
    if product_type not in PRODUCT_TYPES + DEMO_PRODUCT_TYPES:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: productType is invalid")
    return product_type


def item_codes(successes: list[dict[str, Any]], failures: list[dict[str, Any]]) -> tuple[str, ...]:
    return (OK_CODE,) * len(successes) + tuple(str(f["errorCode"]) for f in failures)
