"""Bitget v2 (classic account) as the sandbox serves it: every path under ``/api/``.

``server.py`` routes, authenticates and wraps answers; ``orders.py`` and ``host.py`` are the
handlers (they take a :class:`~.venue.BitgetVenue`, never the server); ``rules.py`` holds Bitget's
documented facts, ``shapes.py`` its response records, ``catalog.py`` the markets it lists.
"""

from __future__ import annotations

from ..exchange import ExchangeSpec
from .catalog import default_markets
from .rules import EXCHANGE_ID, base_limit
from .server import BitgetServer

EXCHANGE = ExchangeSpec(
    name=EXCHANGE_ID,
    path_prefixes=("/api/",),
    server=BitgetServer,
    default_markets=default_markets,
    order_id_digits=12,
    base_limit=base_limit,
    # ccxt options that keep start-up to the calls the sandbox serves (facts §2.6).
    lean_options={"uta": False, "fetchMarkets": {"types": ["spot", "swap"]}},
    needs_password=True,
)

__all__ = ["EXCHANGE"]
