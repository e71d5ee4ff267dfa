"""Bybit v5 as the sandbox serves it: every path under ``/v5/``.

``server.py`` routes, authenticates and wraps answers; ``orders.py`` and ``host.py`` are the
handlers (they take a :class:`~.venue.BybitVenue`, never the server); ``rules.py`` holds Bybit's
documented facts, ``shapes.py`` its response records, ``catalog.py`` the markets it lists.
"""

from __future__ import annotations

from ..exchange import ExchangeSpec
from .catalog import default_markets
from .rules import EXCHANGE_ID, base_limit, seed_order_filter
from .server import BybitServer

EXCHANGE = ExchangeSpec(
    name=EXCHANGE_ID,
    path_prefixes=("/v5/",),
    server=BybitServer,
    default_markets=default_markets,
    order_id_digits=19,
    base_limit=base_limit,
    # ccxt options that keep start-up to the calls the sandbox serves (facts §1.7).
    lean_options={
        "fetchMarkets": {"types": ["spot", "linear", "inverse"]},
        "enableUnifiedAccount": True,
        "enableUnifiedMargin": False,
    },
    seed_order_filter=seed_order_filter,
)

__all__ = ["EXCHANGE"]
