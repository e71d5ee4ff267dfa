"""OKX v5's rules as the sandbox applies them: endpoints, maxima, budgets, error codes.

The sandbox's own copy of OKX's documented facts (the client's is ``exchanges/okx_api.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..markets import Market

EXCHANGE_ID = "okx"
OK_CODE = "0"
ALL_FAILED, PARTIAL = "1", "2"
TIMESTAMP_TOLERANCE_MS = 30_000  # [UNVERIFIED] OKX's window; ±30 s is the usual claim
BUDGET_WINDOWS = 2  # OKX counts every budget over 2 s: two of the sandbox's rate windows

PUBLIC_TIME = "/api/v5/public/time"
INSTRUMENTS = "/api/v5/public/instruments"
PLACE, BATCH_PLACE = "/api/v5/trade/order", "/api/v5/trade/batch-orders"
ORDER = "/api/v5/trade/order"  # GET: one order's details
PENDING, ALGO_PENDING = "/api/v5/trade/orders-pending", "/api/v5/trade/orders-algo-pending"
CANCEL, BATCH_CANCEL = "/api/v5/trade/cancel-order", "/api/v5/trade/cancel-batch-orders"
CANCEL_ALGOS = "/api/v5/trade/cancel-algos"
CANCEL_ALL_AFTER = "/api/v5/trade/cancel-all-after"

ARRAY = "[]"  # where a handler finds a POST body that is a JSON array (batch endpoints)
BATCH_MAX = 20  # cancel-batch-orders and batch-orders
ALGO_MAX = 10  # cancel-algos
PAGE_MAX = 100  # orders-pending, orders-algo-pending
COUNTDOWN_MIN_S, COUNTDOWN_MAX_S = 10.0, 120.0  # cancel-all-after: 0 or [10, 120]
ALGO_TYPES = ("conditional", "oco", "trigger", "move_order_stop", "iceberg", "twap", "chase")
COMBINABLE_ALGO_TYPES = frozenset({"conditional", "oco"})  # one orders-algo-pending may name both

# Budget per account (per instrument where OKX says "User ID + Instrument ID") and 2 s.
PRIVATE_LIMITS = {
    PLACE: 60,
    BATCH_PLACE: 300,  # orders
    PENDING: 60,
    ALGO_PENDING: 20,
    CANCEL: 60,  # per instrument; a one-order batch spends this one too
    BATCH_CANCEL: 300,  # orders, per instrument
    CANCEL_ALGOS: 20,
    CANCEL_ALL_AFTER: 2,  # 1 request per second, counted over the 2 s window
}
PER_INSTRUMENT = frozenset({CANCEL, BATCH_CANCEL, PLACE, BATCH_PLACE})  # ORDER is PLACE's path
PUBLIC_LIMIT = 20  # per IP and 2 s (instruments: 20 / 2 s)


def base_limit(path: str, group: str | None = None) -> int:
    """The documented budget per account and 2 s of ``path`` ("public": per IP), before scaling.

    OKX has no budget groups: ``group`` is accepted for the common signature and ignored."""
    if path == "public":
        return PUBLIC_LIMIT
    try:
        return PRIVATE_LIMITS[path]
    except KeyError:
        raise ValueError(f"no OKX budget for {path!r}") from None


# HTTP status of OKX's parameter errors (its error table: 50014, 50000, 50002, 51000 are 400).
BAD_REQUEST_CODES = frozenset({"50000", "50002", "50014", "51000"})


class OkxError(Exception):
    """An answer without data: ``{"code", "msg", "data": []}`` with its HTTP status."""

    def __init__(self, code: str, msg: str, status: int | None = None) -> None:
        status = status if status is not None else 400 if code in BAD_REQUEST_CODES else 200
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status


RATE_LIMITED = ("50011", "Too Many Requests", 429)
# OKX's error table: 51400 for a filled, cancelled or unknown order alike (51401 "already
# canceled" and 51402 "already completed" are listed "only applicable to Nitro Spread").
NOT_FOUND = ("51400", "Order cancellation failed as the order has been filled, canceled or does not exist.")
ORDER_MISSING = ("51603", "Order does not exist")
PARAM_ERROR = "50014"  # Parameter {0} can not be empty (HTTP 400)
BATCH_FAILED_MSG = "All operations failed"


def seed_order_filter(order_filter: str | None, markets: Sequence[Market]) -> Callable[[Market], str | None]:
    """``seed_orders(order_filter=...)`` on OKX seeds algo orders of that ``ordType``."""
    if order_filter is not None and order_filter not in ALGO_TYPES:
        raise ValueError(f"order_filter on OKX is an algo ordType, one of {ALGO_TYPES}")
    return lambda market: order_filter
