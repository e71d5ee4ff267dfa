"""A loopback Bybit v5 + Bitget v2 + OKX v5 + Binance USDⓈ-M exchange that unmodified ccxt (sync
and async) and pybit talk to.

    with Sandbox() as sb:
        sb.seed_orders("bybit", {"BTC/USDT": 10})
        ex = sb.client("bybit")
        ex.load_markets()

See docs/sandbox.md.
"""

from .accounts import Account
from .book import SandboxOrder
from .core import LEAN_OPTIONS, Sandbox
from .faults import FAULT_KINDS
from .log import ServedRequest
from .markets import Market
from .urls import sandbox_urls

__all__ = [
    "FAULT_KINDS",
    "LEAN_OPTIONS",
    "Account",
    "Market",
    "Sandbox",
    "SandboxOrder",
    "ServedRequest",
    "sandbox_urls",
]
