"""The markets the sandbox lists for Binance USDⓈ-M: USDT perpetuals, and two USDC ones."""

from __future__ import annotations

from ..markets import DEFAULT_COUNT, Market, base_coins, make_market
from .rules import CATEGORY, EXCHANGE_ID


def default_markets(count: int = DEFAULT_COUNT) -> list[Market]:
    markets = [
        make_market(EXCHANGE_ID, CATEGORY, c, "USDT", "USDT", f"{c}USDT", i)
        for i, c in enumerate(base_coins(count))
    ]
    markets += [
        make_market(EXCHANGE_ID, CATEGORY, c, "USDC", "USDC", f"{c}USDC", i)
        for i, c in enumerate(("BTC", "ETH"))
    ]
    return markets
