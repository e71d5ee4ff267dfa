"""Bybit v5's rules as the sandbox applies them: categories, batch maxima, budgets, error codes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..markets import Market

EXCHANGE_ID = "bybit"
CATEGORIES = ("spot", "linear", "inverse", "option")
SPOT_ORDER_FILTERS = ("Order", "StopOrder", "tpslOrder")
BATCH_MAX = {"spot": 10, "linear": 20, "inverse": 20, "option": 20}
OK_MSG = "OK"

CREATE, REALTIME, CANCEL, CANCEL_BATCH, CANCEL_ALL = (
    "/v5/order/create",
    "/v5/order/realtime",
    "/v5/order/cancel",
    "/v5/order/cancel-batch",
    "/v5/order/cancel-all",
)

# Per UID and second (facts §1.6). Linear and inverse share one budget per endpoint
# ("derivatives"): the table lists them in one column, and sharing is the conservative reading.
ORDER_LIMITS: dict[str, dict[str, int]] = {
    CREATE: {"spot": 20, "derivatives": 10, "option": 10},
    CANCEL: {"spot": 20, "derivatives": 10, "option": 10},
    CANCEL_BATCH: {"spot": 20, "derivatives": 10, "option": 10},
    CANCEL_ALL: {"spot": 20, "derivatives": 10, "option": 1},
}
REALTIME_LIMIT = 50  # all categories together
OTHER_PRIVATE_LIMIT = 50  # assumption: account/info, query-api, wallet-balance, coin info
PUBLIC_LIMIT = 120  # per IP and second (Bybit documents 600 per 5 s); past it: HTTP 403


def base_limit(path: str, group: str | None = None) -> int:
    """The documented budget per UID and second of ``path`` ("public": per IP), before scaling."""
    if path == "public":
        return PUBLIC_LIMIT
    if path in ORDER_LIMITS:
        if group not in ORDER_LIMITS[path]:
            raise ValueError(f"{path} budgets are per group: one of {sorted(ORDER_LIMITS[path])}")
        return ORDER_LIMITS[path][group]
    return REALTIME_LIMIT if path == REALTIME else OTHER_PRIVATE_LIMIT


NOT_FOUND_SPOT = (170213, "Order does not exist.")
NOT_FOUND_DERIVATIVES = (110001, "Order does not exist.")
RATE_LIMITED = (10006, "Too many visits!")
PARAM_ERROR = 10001


class BybitError(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg


def group_of(category: str) -> str:
    return "derivatives" if category in ("linear", "inverse") else category


def not_found(category: str) -> tuple[int, str]:
    return NOT_FOUND_SPOT if category == "spot" else NOT_FOUND_DERIVATIVES


def category_of(params: dict[str, Any]) -> str:
    category = params.get("category")
    if category not in CATEGORIES:
        raise BybitError(PARAM_ERROR, "params error: category is invalid")
    return str(category)


ORDER_QUERY_FIELDS = (
    ("symbol", "native_symbol"),
    ("orderId", "order_id"),
    ("orderLinkId", "client_order_id"),
    ("orderFilter", "order_filter"),
)


def order_query(params: dict[str, Any], keys: tuple[str, ...] = ("symbol", "orderId", "orderLinkId")) -> dict:
    """The SandboxOrder fields (and values) an order query's ``keys`` ask for, when given."""
    return {field: params[key] for key, field in ORDER_QUERY_FIELDS if key in keys and params.get(key)}


def seed_order_filter(order_filter: str | None, markets: Sequence[Market]) -> Callable[[Market], str | None]:
    """Each seeded order's ``orderFilter``: conditional orders exist on spot only."""
    if order_filter is not None:
        if order_filter not in SPOT_ORDER_FILTERS:
            raise ValueError(f"order_filter must be one of {SPOT_ORDER_FILTERS}")
        if any(not market.is_spot for market in markets):
            raise ValueError("order_filter applies to Bybit spot markets only")
    spot_filter = order_filter or "Order"
    return lambda market: spot_filter if market.is_spot else None
