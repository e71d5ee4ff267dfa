"""batchcancel's own CPU cost per order, measured with cProfile at zero latency.

"Own" means the frames whose code lives in the batchcancel package (the engine's planning and
bookkeeping, the dialects' building and parsing, the API and model), excluding the sandbox and
this benchmark, and excluding ccxt (signing, JSON, HTTP), the standard library and aiohttp.

- sync: the driver, the job and the dialects run on the calling thread, ccxt's HTTP on the pool's
  worker threads. cProfile profiles the calling thread only, which is exactly what we want. The
  same run without the profiler gives the calling thread's CPU time (``time.thread_time``), an
  upper bound free of profiler overhead (it also holds ``concurrent.futures`` bookkeeping).
- async: everything runs on the event loop's thread; the profile is filtered by file.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import time
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from batchcancel.bench.report import Progress, format_table
from batchcancel.bench.workload import DEFAULT_CATEGORIES, Workload, audit, seed

BUDGET_SCALE = 1000.0  # budgets never bind: the run is CPU, not waiting
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_EXCLUDED = tuple(os.path.join(_PACKAGE, name) + os.sep for name in ("sandbox", "bench"))


def _own(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE + os.sep) and not path.startswith(_EXCLUDED)


@attrs.frozen
class CpuResult:
    exchange: str
    driver: str
    orders: int
    requests: int
    own_us_per_order: float
    """Own-code tottime under cProfile, per order."""
    thread_us_per_order: float | None
    """Sync only: the calling thread's CPU per order in a run without the profiler."""
    unaccounted: int
    top: tuple[tuple[str, float], ...]
    """The heaviest own functions: (``file:line(function)``, µs per order)."""


def _own_stats(profile: cProfile.Profile) -> tuple[float, list[tuple[str, float]]]:
    stats = pstats.Stats(profile)
    own: list[tuple[str, float]] = []
    raw: Mapping[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, line, function), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        if _own(filename):
            own.append((f"{os.path.relpath(filename, _PACKAGE)}:{line}({function})", tottime))
    own.sort(key=lambda item: -item[1])
    return sum(t for _, t in own), own


def _measure(sandbox: Any, workload: Workload, driver: str, *, profile: bool) -> tuple[Any, float, Any]:
    """One run; returns (report, calling-thread CPU seconds, profile or None), markets preloaded."""
    from batchcancel import cancel_orders, cancel_orders_async

    sandbox.reset()
    seeded = seed(sandbox, workload)
    requests = seeded.requests()
    profiler = cProfile.Profile() if profile else None
    if driver == "sync":
        client = sandbox.client(workload.exchange, enableRateLimit=False)
        client.load_markets()
        cpu = time.thread_time()
        if profiler:
            profiler.enable()
        report = cancel_orders(client, requests)
        if profiler:
            profiler.disable()
        cpu = time.thread_time() - cpu
        client.session.close()
    else:

        async def go() -> Any:
            client = sandbox.client(workload.exchange, async_=True, enableRateLimit=False)
            try:
                await client.load_markets()
                if profiler:
                    profiler.enable()
                result = await cancel_orders_async(client, requests)
                if profiler:
                    profiler.disable()
                return result
            finally:
                await client.close()

        cpu = 0.0
        report = asyncio.run(go())
    reported = {str(o.request.order_id): o.status.value for o in report.outcomes}
    return report, cpu, (profiler, audit(sandbox, seeded, reported))


def measure_cpu(
    exchanges: Sequence[str],
    *,
    orders: int = 1000,
    symbols: int = 20,
    categories: Mapping[str, tuple[str, ...]] | None = None,
    seed: int = 0,
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
                progress.status(f"profiling batchcancel-{driver} on {exchange}...")
                _measure(sandbox, workload, driver, profile=False)  # warm-up: imports, caches
                thread_cpu = None
                if driver == "sync":
                    _, cpu, _ = _measure(sandbox, workload, driver, profile=False)
                    thread_cpu = cpu / orders * 1e6
                report, _, (profiler, checked) = _measure(sandbox, workload, driver, profile=True)
                own, top = _own_stats(profiler)
                results.append(
                    CpuResult(
                        exchange,
                        driver,
                        orders,
                        report.requests_sent,
                        own / orders * 1e6,
                        thread_cpu,
                        checked.unaccounted,
                        tuple((name, t / orders * 1e6) for name, t in top[:8]),
                    )
                )
                progress.line(
                    f"  batchcancel-{driver} on {exchange}: {own / orders * 1e6:.1f} us/order own CPU"
                )
    return results


def cpu_table(results: Sequence[CpuResult]) -> str:
    body = [
        (
            r.exchange,
            r.driver,
            r.orders,
            r.requests,
            f"{r.own_us_per_order:.1f}",
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
        "own_us_per_order",
        "thread_us_per_order",
        "unaccounted",
    )
    lines = [
        "batchcancel's own CPU per order (cProfile tottime of batchcancel's frames, zero latency, "
        f"budgets x{BUDGET_SCALE:g});",
        "thread_us_per_order: the sync calling thread's CPU without the profiler "
        "(includes concurrent.futures)",
        "",
        format_table(header, body, (False, False, True, True, True, True, True)),
    ]
    for r in results:
        lines.append("")
        lines.append(f"heaviest own functions, {r.exchange} {r.driver} (us/order):")
        lines.extend(f"  {us:6.2f}  {name}" for name, us in r.top)
    return "\n".join(lines)
