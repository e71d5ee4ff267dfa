"""Binance USDⓈ-M futures as the sandbox serves it: every path under ``/fapi/``.

``server.py`` routes, charges request weight, authenticates and adds Binance's headers;
``orders.py`` holds the handlers (they take a :class:`~.venue.BinanceVenue`, never the server);
``countdown.py`` the per-symbol dead-man's switch; ``rules.py`` Binance's documented facts,
``shapes.py`` its response records, ``catalog.py`` the markets it lists.
"""

from __future__ import annotations

from ..exchange import ExchangeSpec
from .catalog import default_markets
from .rules import EXCHANGE_ID, base_limit
from .server import BinanceUsdmServer

EXCHANGE = ExchangeSpec(
    name=EXCHANGE_ID,
    path_prefixes=("/fapi/",),
    server=BinanceUsdmServer,
    default_markets=default_markets,
    order_id_digits=7,
    base_limit=base_limit,
    # ccxt options that keep start-up to GET /fapi/v1/exchangeInfo (facts §4.1, §5): no sapi
    # currency or margin calls, linear markets only.
    lean_options={"fetchCurrencies": False, "fetchMarkets": {"types": ["linear"]}},
)

__all__ = ["EXCHANGE"]
