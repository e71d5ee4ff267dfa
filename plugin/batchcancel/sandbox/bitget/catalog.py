"""The markets the sandbox lists for Bitget v2 (nothing for the simulated product types)."""

from __future__ import annotations

from ..markets import DEFAULT_COUNT, Market, base_coins, make_market
from .rules import EXCHANGE_ID


def default_markets(count: int = DEFAULT_COUNT) -> list[Market]:
    coins = base_coins(count)
    markets = [make_market(EXCHANGE_ID, "spot", c, "USDT", None, f"{c}USDT", i) for i, c in enumerate(coins)]
    markets += [
        make_market(EXCHANGE_ID, "USDT-FUTURES", c, "USDT", "USDT", f"{c}USDT", i)
        for i, c in enumerate(coins)
    ]
    markets += [
        make_market(EXCHANGE_ID, "COIN-FUTURES", c, "USD", c, f"{c}USD", i)
        for i, c in enumerate(("BTC", "ETH"))
    ]
    markets += [
        make_market(EXCHANGE_ID, "USDC-FUTURES", c, "USDC", "USDC", f"{c}PERP", i)
        for i, c in enumerate(("BTC", "ETH"))
    ]
    return markets
