"""The markets the sandbox lists for OKX v5: spot pairs, USDT perpetuals, a few coin-margined ones."""

from __future__ import annotations

from ..markets import DEFAULT_COUNT, Market, base_coins, make_market
from .rules import EXCHANGE_ID

SPOT, SWAP = "SPOT", "SWAP"  # OKX's instType, the sandbox's category


def default_markets(count: int = DEFAULT_COUNT) -> list[Market]:
    coins = base_coins(count)
    markets = [make_market(EXCHANGE_ID, SPOT, c, "USDT", None, f"{c}-USDT", i) for i, c in enumerate(coins)]
    markets += [
        make_market(EXCHANGE_ID, SWAP, c, "USDT", "USDT", f"{c}-USDT-SWAP", i) for i, c in enumerate(coins)
    ]
    markets += [
        make_market(EXCHANGE_ID, SWAP, c, "USD", c, f"{c}-USD-SWAP", i) for i, c in enumerate(("BTC", "ETH"))
    ]
    return markets
