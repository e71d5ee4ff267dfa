"""The static market data both dialects serve: prices, candle and funding times, balances.

There is no matching engine: every market trades flat at its reference price, funding is a
constant rate every 8 hours, and an account holds a fixed amount of every coin it can trade.
"""

from __future__ import annotations

from decimal import Decimal

from .markets import Market, MarketCatalog

STATIC_BALANCE = "1000000"  # of every coin: a spot bot can always sell what it bought
FUNDING_INTERVAL_MS = 8 * 3_600_000
FUNDING_RATE = "0.0001"
HISTORY_SPAN_MS = 7 * 86_400_000  # what a list endpoint covers when no time window is given


def price(market: Market, factor: str = "1") -> str:
    """The market's reference price times ``factor``, rounded to its tick size."""
    tick = Decimal(market.tick_size)
    return str((Decimal(market.reference_price) * Decimal(factor)).quantize(tick))


def bid(market: Market) -> str:
    return price(market, "0.9999")


def ask(market: Market) -> str:
    return price(market, "1.0001")


def book_levels(market: Market, depth: int) -> tuple[list[list[str]], list[list[str]]]:
    """``depth`` bid and ask levels one tick apart around the reference price, 10 each."""
    tick = Decimal(market.tick_size)
    best_bid, best_ask = Decimal(bid(market)), Decimal(ask(market))
    bids = [[str(best_bid - i * tick), "10"] for i in range(depth)]
    asks = [[str(best_ask + i * tick), "10"] for i in range(depth)]
    return bids, asks


def times_back(step_ms: int, end_ms: int, start_ms: int, count: int) -> list[int]:
    """Up to ``count`` multiples of ``step_ms``, newest first, from ``end_ms`` down to ``start_ms``."""
    newest = end_ms // step_ms * step_ms
    return [t for t in (newest - i * step_ms for i in range(count)) if t >= start_ms]


def next_funding_ms(now_ms: int) -> int:
    return (now_ms // FUNDING_INTERVAL_MS + 1) * FUNDING_INTERVAL_MS


def coins(catalog: MarketCatalog) -> list[str]:
    """Every coin the catalog trades (bases, quotes and settle coins), sorted."""
    found: set[str] = set()
    for market in catalog:
        found.update(c for c in (market.base, market.quote, market.settle) if c)
    return sorted(found)
