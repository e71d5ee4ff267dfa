"""Bitget v2 (classic account) as the sandbox serves it: every path under ``/api/``.

``server.py`` routes, authenticates and wraps answers; ``orders.py`` and ``host.py`` are the
handlers (they take a :class:`~.venue.BitgetVenue`, never the server); ``rules.py`` holds Bitget's
documented facts, ``shapes.py`` its response records, ``catalog.py`` the markets it lists.

``UTA_EXCHANGE`` is the same exchange for unified trading accounts (``Sandbox(bitget_uta=True)``):
``server.BitgetUtaServer`` serves v3 (``uta_orders.py``, ``uta_shapes.py``, ``uta_rules.py``) and
refuses v2 trading, as Bitget does for such an account.
"""

from __future__ import annotations

import attrs

from ..exchange import ExchangeSpec
from .catalog import default_markets
from .plan_orders import seed_order_filter
from .rules import EXCHANGE_ID, base_limit
from .server import BitgetServer, BitgetUtaServer
from .uta_rules import base_limit as uta_base_limit

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
    seed_order_filter=seed_order_filter,  # futures plan orders: order_filter="normal_plan", "pos_loss"...
)

UTA_EXCHANGE = attrs.evolve(
    EXCHANGE,
    server=BitgetUtaServer,
    base_limit=uta_base_limit,
    # ccxt in UTA mode: v3 markets, orders and cancels (ccxt's own probe finds it too, when unset).
    lean_options={"uta": True},
)

__all__ = ["EXCHANGE", "UTA_EXCHANGE"]
