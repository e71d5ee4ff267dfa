"""Bitget v3 (unified trading account) rules as the sandbox applies them in UTA mode.

Sources: Bitget's UTA pages (Cancel-Batch, Cancel-Order, Cancel-All-Order, Get-Order-Details,
Get-Order-Pending), ccxt 4.5.90 ``bitget.py``; docs/exchanges/bitget.md says which facts stay
unverified (marked so here too).
"""

from __future__ import annotations

from typing import Any

from .rules import PARAM_ERROR, PRIVATE_LIMITS, UTA_PROBE, BitgetError
from .rules import base_limit as classic_limit

INSTRUMENTS = "/api/v3/market/instruments"
SETTINGS = UTA_PROBE  # /api/v3/account/settings
PLACE, UNFILLED, ORDER_INFO = (
    "/api/v3/trade/place-order",
    "/api/v3/trade/unfilled-orders",
    "/api/v3/trade/order-info",
)
CANCEL, CANCEL_BATCH, CANCEL_SYMBOL = (
    "/api/v3/trade/cancel-order",
    "/api/v3/trade/cancel-batch",
    "/api/v3/trade/cancel-symbol-order",
)

UTA_LIMITS = {
    CANCEL_BATCH: 5,  # "Rate limit: 5/sec/UID"
    CANCEL: 10,  # "Rate limit: 10/sec/UID"
    CANCEL_SYMBOL: 5,  # "Rate limit: 5/sec/UID"
    UNFILLED: 20,  # "Rate limit: 20/sec/UID"
    ORDER_INFO: 20,  # "Rate limit: 20/sec/UID"
    PLACE: 10,  # [UNVERIFIED] as the classic place-order endpoints
    SETTINGS: PRIVATE_LIMITS[UTA_PROBE],  # [UNVERIFIED]
}
BATCH_MAX = 20  # "No more than 20 orders per batch"
PAGE_MAX = 100  # unfilled-orders "Default: 100. Maximum: 100"

SPOT = "SPOT"
CATEGORIES = (SPOT, "USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES")
"""The v3 ``category`` values the sandbox lists (MARGIN lists nothing)."""

# [UNVERIFIED] code: the bitget-api SDK names 25204 ORDER_DOES_NOT_EXIST_V3; the text is ours.
NOT_FOUND = ("25204", "Order does not exist")
# [UNVERIFIED]: what Bitget answers a v2 trading call from a UTA account (the mirror of the
# classic account's answer to the v3 probe).
CLASSIC_REFUSED = ("40084", "You are in Unified Account mode, and the Classic Account API is not supported")


def base_limit(path: str, group: str | None = None) -> int:
    """The documented budget per UID and second of ``path`` in UTA mode, before scaling."""
    return UTA_LIMITS.get(path) or classic_limit(path, group)


def book_category(category: str) -> str:
    """The sandbox book's category of a v3 ``category`` (spot is ``spot`` there)."""
    return "spot" if category == SPOT else category


def v3_category(book_category: str) -> str:
    return SPOT if book_category == "spot" else book_category


def category_param(params: dict[str, Any], *, required: bool = True) -> str | None:
    """The request's ``category`` (any case), or Bitget's parameter error."""
    raw = str(params.get("category") or "").upper()
    if not raw and not required:
        return None
    if raw not in CATEGORIES:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: category is invalid")
    return raw
