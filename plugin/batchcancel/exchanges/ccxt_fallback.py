"""The ``ccxt`` plugin: the engine's ccxt single-cancel dialect, for exchanges no native plugin claims.

Registered ``trylast`` by the manager, so every native plugin is asked first. The dialect itself
(:class:`batchcancel.engine.ccxt_single.CcxtSingleCancel`) belongs to the engine, which also uses it
as the fallback for what a native dialect cannot batch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from batchcancel import engine
from batchcancel.engine.ccxt_listing import CcxtListing
from batchcancel.engine.ccxt_single import CcxtSingleCancel, serves
from batchcancel.markers import hookimpl
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

__all__ = ["CcxtSingleCancel", "cancel_all_orders", "cancel_orders", "serves"]


@hookimpl(trylast=True)
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if not settings.fallback or not serves(exchange):
        return None
    return engine.run(CcxtSingleCancel.for_exchange(exchange.id), exchange, requests, settings)


@hookimpl(trylast=True)
def cancel_all_orders(
    exchange: Any, symbols: tuple[str, ...] | None, settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if not settings.fallback or not serves(exchange):
        return None
    return engine.run_kill(CcxtListing.for_exchange(exchange.id, symbols), exchange, symbols, settings)
