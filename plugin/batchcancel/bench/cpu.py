"""batchcancel's own CPU cost per order, at zero latency with budgets that never bind.

"Own" means batchcancel's code: the API and model, the engine's planning, pacing and
bookkeeping, and the dialects' building and parsing; not ccxt (signing, JSON, HTTP), the
standard library, aiohttp, or the in-process sandbox. Three measures, from three runs each:

- ``job_us_per_order``: the thread CPU clock (``time.thread_time``) summed around every call into
  the sans-IO :class:`~batchcancel.engine.job.CancelJob` (construction, ``ready_calls``,
  ``on_result``, ``next_wakeup``, ``report``). All of batchcancel's logic runs inside those calls
  and ccxt runs outside them, so this is the project's own CPU, with no profiler overhead and no
  time spent waiting for the GIL (the sandbox serves from threads of the same process).
- ``profiled_us_per_order``: cProfile's ``tottime`` of the frames in batchcancel's files, in a
  profiled run. It names the heavy functions; its total carries the profiler's own overhead and
  the GIL waits of wall-clock timing, so it reads high.
- ``thread_us_per_order`` (sync only): the calling thread's CPU for the whole call. The sync
  driver runs the job on the calling thread and ccxt on the pool's threads, so this is the job
  plus the driver and ``concurrent.futures`` bookkeeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import functools
import os
import pstats
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.bench.report import Progress, format_table
from batchcancel.bench.workload import DEFAULT_CATEGORIES, Workload, audit, seed

BUDGET_SCALE = 1000.0  # budgets never bind: the run is CPU, not waiting
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_EXCLUDED = tuple(os.path.join(_PACKAGE, name) + os.sep for name in ("sandbox", "bench"))
_JOB_METHODS = ("__init__", "ready_calls", "on_result", "next_wakeup", "report")


def _own(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE + os.sep) and not path.startswith(_EXCLUDED)


@attrs.frozen
class CpuResult:
    exchange: str
    driver: str
    orders: int
    requests: int
    job_us_per_order: float
    """Thread CPU inside the job's methods, per order (median of 3 runs)."""
    profiled_us_per_order: float
    """Own-code ``tottime`` under cProfile, per order."""
    thread_us_per_order: float | None
    """Sync only: the calling thread's CPU per order for the whole call (median of 3 runs)."""
    unaccounted: int
    top: tuple[tuple[str, float], ...]
    """The heaviest own functions under cProfile: (``file:line(function)``, µs per order)."""


@contextlib.contextmanager
def job_clock() -> Iterator[list[float]]:
    """Sum the calling threads' CPU time spent inside :class:`CancelJob` methods while active."""
    from batchcancel.engine.job import CancelJob

    spent = [0.0]
    originals = {name: CancelJob.__dict__[name] for name in _JOB_METHODS}

    def timed(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                spent[0] += time.thread_time() - started

        return wrapper

    for name, method in originals.items():
        setattr(CancelJob, name, timed(method))
    try:
        yield spent
    finally:
        for name, method in originals.items():
            setattr(CancelJob, name, method)


def _own_stats(profile: cProfile.Profile) -> tuple[float, list[tuple[str, float]]]:
    stats = pstats.Stats(profile)
    own: list[tuple[str, float]] = []
    raw: Mapping[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, line, function), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        if _own(filename):
            own.append((f"{os.path.relpath(filename, _PACKAGE)}:{line}({function})", tottime))
    own.sort(key=lambda item: -item[1])
    return sum(t for _, t in own), own


@attrs.frozen
class _Run:
    report: Any
    thread_s: float
    job_s: float
    unaccounted: int


def _run(sandbox: Any, workload: Workload, driver: str, profiler: cProfile.Profile | None) -> _Run:
    """One run on a freshly seeded book, markets loaded before the clocks start."""
    from batchcancel import cancel_orders, cancel_orders_async

    sandbox.reset()
    seeded = seed(sandbox, workload)
    requests = seeded.requests()
    profiling = profiler.enable if profiler else (lambda: None)
    stop = profiler.disable if profiler else (lambda: None)
    thread_s = 0.0
    if driver == "sync":
        client = sandbox.client(workload.exchange, enableRateLimit=False)
        client.load_markets()
        with job_clock() as job_s:
            started = time.thread_time()
            profiling()
            report = cancel_orders(client, requests)
            stop()
            thread_s = time.thread_time() - started
        client.session.close()
    else:

        async def go() -> Any:
            client = sandbox.client(workload.exchange, async_=True, enableRateLimit=False)
            try:
                await client.load_markets()
                profiling()
                result = await cancel_orders_async(client, requests)
                stop()
                return result
            finally:
                await client.close()

        with job_clock() as job_s:
            report = asyncio.run(go())
    reported = {str(o.request.order_id): o.status.value for o in report.outcomes}
    return _Run(report, thread_s, job_s[0], audit(sandbox, seeded, reported).unaccounted)


def measure_cpu(
    exchanges: Sequence[str],
    *,
    orders: int = 1000,
    symbols: int = 20,
    categories: Mapping[str, tuple[str, ...]] | None = None,
    seed: int = 0,
    runs: int = 3,
    progress: Progress | None = None,
) -> list[CpuResult]:
    from batchcancel.sandbox import Sandbox

    progress = progress or Progress(quiet=True)
    results = []
    with Sandbox(latency_ms=0, budget_scale=BUDGET_SCALE, seed=seed) as sandbox:
        for exchange in exchanges:
            cats = tuple((categories or {}).get(exchange) or DEFAULT_CATEGORIES[exchange])
            workload = Workload(exchange, orders, symbols, cats, seed=seed)
            for driver in ("sync", "async"):
                progress.status(f"measuring batchcancel-{driver} on {exchange}...")
                _run(sandbox, workload, driver, None)  # warm-up: imports, caches, plugin discovery
                plain = sorted(
                    (_run(sandbox, workload, driver, None) for _ in range(runs)), key=lambda r: r.job_s
                )
                profiler = cProfile.Profile()
                profiled = _run(sandbox, workload, driver, profiler)
                own, top = _own_stats(profiler)
                median = plain[len(plain) // 2]
                thread_s = sorted(r.thread_s for r in plain)[len(plain) // 2]
                per = 1e6 / orders
                results.append(
                    CpuResult(
                        exchange=exchange,
                        driver=driver,
                        orders=orders,
                        requests=median.report.requests_sent,
                        job_us_per_order=median.job_s * per,
                        profiled_us_per_order=own * per,
                        thread_us_per_order=thread_s * per if driver == "sync" else None,
                        unaccounted=max(r.unaccounted for r in [*plain, profiled]),
                        top=tuple((name, t * per) for name, t in top[:8]),
                    )
                )
                progress.line(
                    f"  batchcancel-{driver} on {exchange}: {median.job_s * per:.1f} us/order in the job"
                )
    return results


def cpu_table(results: Sequence[CpuResult]) -> str:
    body = [
        (
            r.exchange,
            r.driver,
            r.orders,
            r.requests,
            f"{r.job_us_per_order:.1f}",
            f"{r.profiled_us_per_order:.1f}",
            "-" if r.thread_us_per_order is None else f"{r.thread_us_per_order:.1f}",
            r.unaccounted,
        )
        for r in results
    ]
    header = (
        "exchange",
        "driver",
        "orders",
        "requests",
        "job_us_per_order",
        "profiled_us_per_order",
        "thread_us_per_order",
        "unaccounted",
    )
    lines = [
        f"batchcancel's own CPU per order at zero latency, budgets x{BUDGET_SCALE:g} "
        "(see batchcancel.bench.cpu for the three measures)",
        "",
        format_table(header, body, (False, False, True, True, True, True, True, True)),
    ]
    for r in results:
        lines.append("")
        lines.append(f"heaviest own functions under cProfile, {r.exchange} {r.driver} (us/order):")
        lines.extend(f"  {us:6.2f}  {name}" for name, us in r.top)
    return "\n".join(lines)
