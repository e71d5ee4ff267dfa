"""The toy exchange's sandbox package: everything under ``/toy/``."""

from __future__ import annotations

from batchcancel.sandbox.exchange import ExchangeSpec
from batchcancel.sandbox.markets import Market, base_coins, make_market

from ..ccxt_toy import client_class
from .rules import EXCHANGE_ID, REQUESTS_PER_WINDOW
from .server import ToyServer


def default_markets(count: int) -> list[Market]:
    return [
        make_market(EXCHANGE_ID, "spot", c, "USDT", None, f"{c}USDT", i)
        for i, c in enumerate(base_coins(count))
    ]


EXCHANGE = ExchangeSpec(
    name=EXCHANGE_ID,
    path_prefixes=("/toy/",),
    server=ToyServer,
    default_markets=default_markets,
    order_id_digits=8,
    base_limit=lambda path, group: REQUESTS_PER_WINDOW,
    client_class=client_class,
)
