"""Binance USDⓈ-M's rules as the sandbox applies them: endpoints, weights, limits, error codes.

The sandbox keeps its own copy of these facts (the client's are in
``batchcancel.exchanges.binanceusdm_api``), so each checks the other.
"""

from __future__ import annotations

EXCHANGE_ID = "binanceusdm"
CATEGORY = "linear"  # everything binanceusdm lists here is a linear contract

PING, TIME, EXCHANGE_INFO = "/fapi/v1/ping", "/fapi/v1/time", "/fapi/v1/exchangeInfo"
ORDER, OPEN_ORDERS, BATCH_ORDERS = "/fapi/v1/order", "/fapi/v1/openOrders", "/fapi/v1/batchOrders"
OPEN_ALGO_ORDERS = "/fapi/v1/openAlgoOrders"  # conditional orders: the sandbox books none
ALL_OPEN_ORDERS, COUNTDOWN = "/fapi/v1/allOpenOrders", "/fapi/v1/countdownCancelAll"

BATCH_MAX = 10

# Request weight per IP and minute (here: per rate window, 1 s by default, like every sandbox
# budget), and what each endpoint costs of it.
WEIGHT = "weight"
WEIGHT_LIMIT = 2400
WEIGHTS = {
    ("GET", PING): 1,
    ("GET", TIME): 1,
    ("GET", EXCHANGE_INFO): 1,
    ("POST", ORDER): 1,
    ("GET", ORDER): 1,
    ("DELETE", ORDER): 1,
    ("DELETE", BATCH_ORDERS): 1,
    ("DELETE", ALL_OPEN_ORDERS): 1,
    ("POST", COUNTDOWN): 10,
}
OPEN_ORDERS_WEIGHT = (1, 40)  # with a symbol, without one (openAlgoOrders alike)

# Binance documents no minimum countdown; the sandbox refuses less than this many milliseconds
# (tests that want a short countdown lower it: ``rules.COUNTDOWN_MIN_MS``, read at each request).
COUNTDOWN_MIN_MS = 1000
COUNTDOWN_TICK_S = 0.01  # Binance: "checks all countdowns approximately every 10 milliseconds"


def base_limit(path: str, group: str | None = None) -> int:
    """The documented budget of ``path``: only the request weight (``"weight"``) is one."""
    if path in (WEIGHT, "public"):
        return WEIGHT_LIMIT
    raise ValueError(f"no Binance USDⓈ-M budget for {path!r}: every endpoint spends 'weight'")


class BinanceError(Exception):
    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status


def unknown_order() -> BinanceError:
    return BinanceError(-2011, "Unknown order sent.")


def no_such_order() -> BinanceError:
    return BinanceError(-2013, "Order does not exist.")


def bad_symbol() -> BinanceError:
    return BinanceError(-1121, "Invalid symbol.")


def mandatory(name: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def invalid(name: str) -> BinanceError:
    return BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")


def too_many_requests() -> BinanceError:
    return BinanceError(
        -1003,
        f"Too many requests; current limit of IP is {WEIGHT_LIMIT} requests per minute. "
        "Please use the websocket for live updates to avoid polling the API.",
        429,
    )
