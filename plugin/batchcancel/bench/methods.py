"""The four ways to cancel a seeded workload, each timed from the first cancel to the last answer.

Every method gets its own ccxt client with markets already loaded (a running bot has them), so
the clock covers cancelling only. HTTP requests are counted from the sandbox's own log.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.bench.workload import (
    ALREADY_CLOSED,
    BINANCEUSDM,
    BITGET,
    BYBIT,
    CANCELED,
    FAILED,
    OKX,
    Seeded,
    SeededOrder,
    is_uta,
)

CCXT_LOOP = "ccxt-loop"
CCXT_CANCEL_ORDERS = "ccxt-cancel-orders"
BATCHCANCEL_SYNC = "batchcancel-sync"
BATCHCANCEL_ASYNC = "batchcancel-async"
METHODS = (CCXT_LOOP, CCXT_CANCEL_ORDERS, BATCHCANCEL_SYNC, BATCHCANCEL_ASYNC)


@attrs.frozen
class RunResult:
    """One timed run of one method over one seeded workload."""

    method: str
    exchange: str
    reported: Mapping[str, str | None]
    """Order id -> the status the method reported (None: it returned nothing for that order)."""
    requests: int
    """HTTP requests the sandbox served for this exchange during the run."""
    wall_s: float
    errors: Mapping[str, int] = attrs.field(factory=dict)
    """ccxt exception class -> how many times it was raised (ccxt methods)."""
    via: Mapping[str, int] = attrs.field(factory=dict)
    """batchcancel: which path decided how many orders (``bybit:batch``...)."""


def parse_methods(value: str | Sequence[str] | None, known: Sequence[str] = METHODS) -> tuple[str, ...]:
    """The methods named in ``value``, out of ``known`` (all of them when None)."""
    known = tuple(known)
    if value is None:
        return known
    names = [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value)
    for name in names:
        if name not in known:
            raise ValueError(f"unknown method {name!r}; choose from {', '.join(known)}")
    return tuple(dict.fromkeys(n for n in names if n))


def run_method(
    sandbox: Any,
    method: str,
    seeded: Seeded,
    *,
    settings: Any = None,
    on_order: Callable[[], None] | None = None,
    ccxt_limiter: bool = True,
) -> RunResult:
    """Cancel every order of ``seeded`` with ``method``; the sandbox must hold them open (or filled).

    ``ccxt_limiter``: the ``enableRateLimit`` of batchcancel's clients (ccxt's default, on, unless
    said otherwise); the ccxt methods always run with it on, as a plain bot does."""
    if method == CCXT_LOOP:
        return _ccxt_loop(sandbox, seeded, on_order)
    if method == CCXT_CANCEL_ORDERS:
        return _ccxt_cancel_orders(sandbox, seeded)
    if method == BATCHCANCEL_SYNC:
        return _batchcancel_sync(sandbox, seeded, settings, ccxt_limiter)
    if method == BATCHCANCEL_ASYNC:
        return asyncio.run(_batchcancel_async(sandbox, seeded, settings, ccxt_limiter))
    raise ValueError(f"unknown method {method!r}")


def _requests_since(sandbox: Any, mark: int, exchange: str) -> int:
    return sum(1 for entry in sandbox.log[mark:] if entry.exchange == exchange)


def _close_sync(exchange: Any) -> None:
    session = getattr(exchange, "session", None)
    if session is not None:
        session.close()


def _timed_ccxt(
    sandbox: Any,
    seeded: Seeded,
    method: str,
    cancel: Callable[[Any, dict[str, str | None], Counter[str]], None],
) -> RunResult:
    """Run ``cancel(client, reported, errors)`` on a plain ccxt client (ccxt's rate limiter on)."""
    client = sandbox.client(seeded.exchange, enableRateLimit=True)
    try:
        client.load_markets()
        reported: dict[str, str | None] = {}
        errors: Counter[str] = Counter()
        mark = len(sandbox.log)
        started = time.perf_counter()
        cancel(client, reported, errors)
        wall = time.perf_counter() - started
        requests = _requests_since(sandbox, mark, seeded.exchange)
        return RunResult(method, seeded.exchange, reported, requests, wall, errors)
    finally:
        _close_sync(client)


def _ccxt_loop(sandbox: Any, seeded: Seeded, on_order: Callable[[], None] | None) -> RunResult:
    """A plain bot: ``cancel_order`` one order after the other, ccxt's own rate limiter on."""
    import ccxt

    def cancel(client: Any, reported: dict[str, str | None], errors: Counter[str]) -> None:
        for order in seeded.orders:
            try:
                client.cancel_order(order.order_id, order.symbol)
                reported[order.order_id] = CANCELED
            except ccxt.OrderNotFound:
                reported[order.order_id] = ALREADY_CLOSED
            except ccxt.BaseError as error:
                reported[order.order_id] = FAILED
                errors[type(error).__name__] += 1
            if on_order is not None:
                on_order()

    return _timed_ccxt(sandbox, seeded, CCXT_LOOP, cancel)


def _chunk_size(exchange: str, category: str, uta: bool) -> int:
    """The documented maximum per request, which the caller of ccxt's ``cancel_orders`` must respect."""
    if uta:
        return 20  # Bitget v3 cancel-batch
    if exchange == BYBIT:
        return 10 if category == "spot" else 20
    if exchange == BINANCEUSDM:
        return 10
    return 20 if exchange == OKX else 50


def _ccxt_cancel_orders(sandbox: Any, seeded: Seeded) -> RunResult:
    """ccxt's unified ``cancel_orders``: one symbol per call, chunked to the maximum by the caller.

    What it returns is what a caller learns: an order in the returned list counts as cancelled
    (Bybit returns failed items as id-only shells, Bitget drops its ``failureList``, Binance drops
    its id-less error rows), an order
    missing from it has no answer, and an exception fails the whole chunk.
    """
    import ccxt

    by_symbol: dict[str, list[SeededOrder]] = {}
    for order in seeded.orders:
        by_symbol.setdefault(order.symbol, []).append(order)

    def cancel(client: Any, reported: dict[str, str | None], errors: Counter[str]) -> None:
        for symbol, orders in by_symbol.items():
            size = _chunk_size(
                seeded.exchange, orders[0].category, seeded.exchange == BITGET and is_uta(sandbox)
            )
            for start in range(0, len(orders), size):
                chunk = orders[start : start + size]
                try:
                    answer = client.cancel_orders([o.order_id for o in chunk], symbol)
                except ccxt.BaseError as error:
                    errors[type(error).__name__] += 1
                    reported.update((o.order_id, FAILED) for o in chunk)
                    continue
                returned = {str(item.get("id")) for item in answer or () if item.get("id")}
                reported.update((o.order_id, CANCELED if o.order_id in returned else None) for o in chunk)

    return _timed_ccxt(sandbox, seeded, CCXT_CANCEL_ORDERS, cancel)


def _warm_up() -> None:
    """Entry-point discovery happens once per process, on the first call: not part of cancelling."""
    from batchcancel import get_plugin_manager

    get_plugin_manager()


def _from_report(method: str, seeded: Seeded, report: Any, requests: int, wall: float) -> RunResult:
    reported = {str(o.request.order_id): o.status.value for o in report.outcomes}
    via = Counter(o.via for o in report.outcomes)
    return RunResult(method, seeded.exchange, reported, requests, wall, via=dict(via))


def _batchcancel_sync(sandbox: Any, seeded: Seeded, settings: Any, ccxt_limiter: bool) -> RunResult:
    """batchcancel on a sync ccxt client; batchcancel paces its own calls by the budgets, whatever
    the client's ``enableRateLimit``."""
    from batchcancel import cancel_orders

    client = sandbox.client(seeded.exchange, enableRateLimit=ccxt_limiter)
    try:
        client.load_markets()
        _warm_up()
        requests = seeded.requests()
        mark = len(sandbox.log)
        started = time.perf_counter()
        report = cancel_orders(client, requests, settings)
        wall = time.perf_counter() - started
        return _from_report(
            BATCHCANCEL_SYNC, seeded, report, _requests_since(sandbox, mark, seeded.exchange), wall
        )
    finally:
        _close_sync(client)


async def _batchcancel_async(sandbox: Any, seeded: Seeded, settings: Any, ccxt_limiter: bool) -> RunResult:
    from batchcancel import cancel_orders_async

    client = sandbox.client(seeded.exchange, async_=True, enableRateLimit=ccxt_limiter)
    try:
        await client.load_markets()
        _warm_up()
        requests = seeded.requests()
        mark = len(sandbox.log)
        started = time.perf_counter()
        report = await cancel_orders_async(client, requests, settings)
        wall = time.perf_counter() - started
        return _from_report(
            BATCHCANCEL_ASYNC, seeded, report, _requests_since(sandbox, mark, seeded.exchange), wall
        )
    finally:
        await client.close()
