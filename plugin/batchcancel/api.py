"""The two public entry points: ``cancel_orders`` (sync ccxt) and ``cancel_orders_async`` (async ccxt)."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from batchcancel import engine
from batchcancel.engine.ccxt_single import CcxtSingleCancel, serves
from batchcancel.engine.classify import describe
from batchcancel.engine.ledger import OnOutcome, OutcomeSink, current_sink
from batchcancel.manager import get_plugin_manager
from batchcancel.model import CancelOutcome, CancelReport, CancelRequest, Status, coerce_requests
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")

RequestsLike = Iterable[CancelRequest | Mapping[str, Any]]


def cancel_orders(
    exchange: Any,
    requests: RequestsLike,
    settings: Settings | None = None,
    *,
    on_outcome: OnOutcome | None = None,
) -> CancelReport:
    """Cancel ``requests`` on a sync ccxt exchange; one outcome per request, in order.

    Bad arguments raise ``TypeError``/``ValueError`` before any request is sent; everything the
    exchange says (or fails to say) becomes an outcome. ``on_outcome`` is called once per request
    as soon as its outcome is final, in the caller's thread, so an interrupted call (Ctrl-C)
    still leaves a record of what it decided.
    """
    sink = _sink(on_outcome, requests)
    result = _start(exchange, requests, settings, sink, want_async=False)
    if not isinstance(result, CancelReport):
        if inspect.iscoroutine(result):
            result.close()  # a plugin bug; don't leave a never-awaited coroutine behind
        raise TypeError(f"a batchcancel plugin answered {type(result).__name__} for a sync exchange")
    sink.deliver_rest(result)
    return result


async def cancel_orders_async(
    exchange: Any,
    requests: RequestsLike,
    settings: Settings | None = None,
    *,
    on_outcome: OnOutcome | None = None,
) -> CancelReport:
    """Cancel ``requests`` on a ``ccxt.async_support`` exchange; one outcome per request, in order.

    ``on_outcome`` is called once per request as soon as its outcome is final, in the caller's
    task, so a cancelled call (``asyncio.wait_for``) still leaves a record of what it decided.
    """
    sink = _sink(on_outcome, requests)
    result = _start(exchange, requests, settings, sink, want_async=True)
    if inspect.isawaitable(result):
        result = await result
    sink.deliver_rest(result)
    return result


def _sink(on_outcome: OnOutcome | None, requests: RequestsLike) -> OutcomeSink:
    if on_outcome is not None and not callable(on_outcome):
        raise TypeError(f"on_outcome must be callable, got {type(on_outcome).__name__}")
    return OutcomeSink(on_outcome, ())


def _start(
    exchange: Any, requests: RequestsLike, settings: Settings | None, sink: OutcomeSink, *, want_async: bool
) -> Any:
    """Check everything, then hand the call to the first plugin that claims the exchange."""
    engine.check_exchange(exchange, want_async=want_async)
    settings, given = _prepare(settings, requests)
    if not given:
        return CancelReport(())
    sink.expect(given)
    token = current_sink.set(sink)
    try:
        result = _dispatch(exchange, given, settings)
    except Exception as exc:
        return _recover(exchange, given, settings, exc)
    finally:
        # The engine took the sink when the plugin made its job (before anything is awaited).
        current_sink.reset(token)
    if inspect.isawaitable(result):
        return _awaiting(result, exchange, settings, given, sink)
    return result


async def _awaiting(
    result: Any, exchange: Any, settings: Settings, given: tuple[CancelRequest, ...], sink: OutcomeSink
) -> Any:
    """Await a plugin's coroutine; if it raises while running, the orders still get an answer."""
    try:
        return await result
    except Exception as exc:
        token = current_sink.set(sink)
        try:
            recovered = _recover(exchange, given, settings, exc)
        finally:
            current_sink.reset(token)
        return await recovered if inspect.isawaitable(recovered) else recovered


def _prepare(settings: Settings | None, requests: RequestsLike) -> tuple[Settings, tuple[CancelRequest, ...]]:
    if settings is None:
        settings = Settings()
    elif not isinstance(settings, Settings):
        raise TypeError(f"settings must be a batchcancel.Settings, got {type(settings).__name__}")
    return settings, coerce_requests(requests)


def _dispatch(exchange: Any, given: tuple[CancelRequest, ...], settings: Settings) -> Any:
    refusal = _refusal(exchange)
    if refusal:
        return _all(given, Status.REJECTED, refusal, "batchcancel")
    if not settings.enabled:
        # The host's behaviour before batchcancel: ccxt single cancels, still one outcome each.
        return engine.run(CcxtSingleCancel.for_exchange(exchange.id), exchange, given, settings)
    manager = get_plugin_manager()
    result = manager.cancel_orders(exchange, given, settings, exclude=settings.disabled_plugins)
    if result is None:
        why = manager.why_unclaimed(settings.disabled_plugins, settings.fallback)
        return _all(
            given, Status.REJECTED, f"no batchcancel plugin handles {exchange.id} ({why})", "batchcancel"
        )
    return result


def _refusal(exchange: Any) -> str:
    if not serves(exchange):
        return f"ccxt's {exchange.id} has no cancelOrder: it cannot cancel orders"
    if not exchange.check_required_credentials(False):
        needed = "apiKey/secret" + ("/password" if exchange.requiredCredentials.get("password") else "")
        return f"{exchange.id} has no API credentials set ({needed})"
    return ""


def _recover(exchange: Any, given: tuple[CancelRequest, ...], settings: Settings, error: Exception) -> Any:
    """A plugin raised instead of answering: the orders still need a true answer."""
    log.error("batchcancel: a plugin raised for %s: %s", exchange.id, describe(error), exc_info=error)
    if settings.fallback:
        log.warning("batchcancel: cancelling the %d order(s) through ccxt single cancels instead", len(given))
        return engine.run(CcxtSingleCancel.for_exchange(exchange.id), exchange, given, settings)
    return _all(given, Status.FAILED, f"plugin error: {describe(error)}", "batchcancel")


def _all(given: tuple[CancelRequest, ...], status: Status, message: str, via: str) -> CancelReport:
    return CancelReport(
        tuple(CancelOutcome(request, status, None, message, via) for request in given),
        requests_sent=0,
        elapsed_s=0.0,
    )
