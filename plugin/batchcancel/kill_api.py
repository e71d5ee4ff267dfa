"""The kill switch's public entry points: ``cancel_all_orders`` (sync ccxt) and ``cancel_all_orders_async``.

Every open order the keys can see (or only those of the symbols given) is cancelled, each with a
true outcome: see ``docs/kill-switch.md``. Unlike ``cancel_orders``, a call that cannot even
start (no credentials, no plugin for the exchange) raises: a kill switch that quietly reports
"nothing to cancel" is worse than one that says it did not run.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable
from typing import Any

from batchcancel import engine
from batchcancel.api import _refusal
from batchcancel.engine.ccxt_listing import CcxtListing
from batchcancel.engine.classify import describe
from batchcancel.engine.dialect import Dialect
from batchcancel.engine.drivers import new_kill_job, run_kill
from batchcancel.errors import BatchCancelError
from batchcancel.manager import get_plugin_manager
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")


class KillSwitchUnavailable(BatchCancelError):
    """The kill switch could not start on this exchange (no credentials, no plugin serves it)."""


def cancel_all_orders(
    exchange: Any, symbols: Iterable[str] | None = None, *, settings: Settings | None = None
) -> CancelReport:
    """Cancel every open order on a sync ccxt exchange (``symbols``: only those markets).

    One outcome per order open in scope when the call started or found open during it;
    ``report.ok`` when every one was cancelled or was already closed.
    """
    result = _start(exchange, symbols, settings, want_async=False)
    if not isinstance(result, CancelReport):
        if inspect.iscoroutine(result):
            result.close()
        raise TypeError(f"a batchcancel plugin answered {type(result).__name__} for a sync exchange")
    return result


async def cancel_all_orders_async(
    exchange: Any, symbols: Iterable[str] | None = None, *, settings: Settings | None = None
) -> CancelReport:
    """Cancel every open order on a ``ccxt.async_support`` exchange (``symbols``: only those)."""
    result = _start(exchange, symbols, settings, want_async=True)
    if inspect.isawaitable(result):
        result = await result
    return result


def list_open_orders(
    exchange: Any, symbols: Iterable[str] | None = None, *, settings: Settings | None = None
) -> list[CancelRequest]:
    """What ``cancel_all_orders`` would cancel now (a dry run, sync ccxt): every open order in
    scope, read with the built-in dialect's account-wide listing (ccxt's ``fetch_open_orders``
    for other exchanges). Nothing is cancelled."""
    engine.check_exchange(exchange, want_async=False)
    settings = settings if isinstance(settings, Settings) else Settings()
    scope = check_symbols(symbols)
    refusal = _refusal(exchange)
    if refusal:
        raise KillSwitchUnavailable(refusal)
    dialect = _builtin_dialect(exchange, scope)
    job = new_kill_job(dialect, exchange, scope, settings, list_only=True)
    run_kill(dialect, exchange, scope, settings, job)
    if job.book.listings == 0:
        raise KillSwitchUnavailable(f"could not read the open orders of {exchange.id}: {job.summary()}")
    return job.book.open_orders()


def _builtin_dialect(exchange: Any, scope: tuple[str, ...] | None) -> Dialect:
    if exchange.id == "bybit":
        from batchcancel.exchanges.bybit import BybitDialect

        return BybitDialect()
    if exchange.id == "bitget":
        from batchcancel.exchanges.bitget import BitgetDialect
        from batchcancel.exchanges.bitget_uta_kill import decide_account

        decide_account(exchange)  # sync ccxt: its own UTA probe, when nothing else will decide
        return BitgetDialect(lambda: exchange.options.get("uta"))
    if exchange.id == "okx":
        from batchcancel.exchanges.okx import OkxDialect

        return OkxDialect()
    if exchange.id == "binanceusdm":
        from batchcancel.exchanges.binanceusdm import BinanceUsdmDialect

        return BinanceUsdmDialect()
    return CcxtListing.for_exchange(exchange.id, scope)


def check_symbols(symbols: Iterable[str] | None) -> tuple[str, ...] | None:
    """``None`` (everything) or a non-empty tuple of distinct symbols; anything else raises."""
    if symbols is None:
        return None
    if isinstance(symbols, (str, bytes)):
        raise TypeError("symbols must be a list of unified symbols (or None for all), not one string")
    given = tuple(symbols)
    if not given:
        raise ValueError("symbols is empty: pass None to cancel every open order, or name the symbols")
    for symbol in given:
        if not isinstance(symbol, str) or not symbol.strip():
            raise ValueError(f"every symbol must be a non-empty string, got {symbol!r}")
    return tuple(dict.fromkeys(s.strip() for s in given))


def _start(
    exchange: Any, symbols: Iterable[str] | None, settings: Settings | None, *, want_async: bool
) -> Any:
    engine.check_exchange(exchange, want_async=want_async)
    if settings is None:
        settings = Settings()
    elif not isinstance(settings, Settings):
        raise TypeError(f"settings must be a batchcancel.Settings, got {type(settings).__name__}")
    scope = check_symbols(symbols)
    refusal = _refusal(exchange)
    if refusal:
        raise KillSwitchUnavailable(refusal)
    if not settings.enabled:
        return engine.run_kill(CcxtListing.for_exchange(exchange.id, scope), exchange, scope, settings)
    manager = get_plugin_manager()
    try:
        result = manager.cancel_all_orders(exchange, scope, settings, exclude=settings.disabled_plugins)
    except Exception as exc:
        log.error("batchcancel: a plugin raised for %s: %s", exchange.id, describe(exc), exc_info=exc)
        if not settings.fallback:
            raise
        log.warning("batchcancel: listing and cancelling through ccxt instead")
        return engine.run_kill(CcxtListing.for_exchange(exchange.id, scope), exchange, scope, settings)
    if result is None:
        why = manager.why_unclaimed(settings.disabled_plugins, settings.fallback)
        raise KillSwitchUnavailable(f"no batchcancel plugin handles {exchange.id} ({why})")
    return result
