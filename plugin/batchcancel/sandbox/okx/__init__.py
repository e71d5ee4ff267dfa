"""OKX v5 as the sandbox serves it: every path under ``/api/v5/``.

``server.py`` routes, authenticates and wraps answers; ``orders.py`` and ``countdown.py`` are the
handlers (they take an :class:`~.venue.OkxVenue`, never the server); ``rules.py`` holds OKX's
documented facts, ``shapes.py`` its response records, ``catalog.py`` the markets it lists.
"""

from __future__ import annotations

from ..exchange import ExchangeSpec
from .catalog import default_markets
from .rules import EXCHANGE_ID, base_limit, seed_order_filter
from .server import OkxServer

EXCHANGE = ExchangeSpec(
    name=EXCHANGE_ID,
    path_prefixes=("/api/v5/",),
    server=OkxServer,
    default_markets=default_markets,
    order_id_digits=18,
    base_limit=base_limit,
    # ccxt options that keep start-up to the calls the sandbox serves (facts §3.3): spot and swap
    # instruments only (no futures, no option underlyings).
    lean_options={"fetchMarkets": {"types": ["spot", "swap"]}},
    needs_password=True,
    seed_order_filter=seed_order_filter,
)

__all__ = ["EXCHANGE"]
