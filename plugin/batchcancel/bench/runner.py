"""Run the benchmark: every method on a freshly seeded book, ``repeats`` times, one row each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from batchcancel.bench.methods import METHODS, RunResult, run_method
from batchcancel.bench.report import Progress, Row, make_row
from batchcancel.bench.workload import (
    DEFAULT_CATEGORIES,
    EXCHANGES,
    Audit,
    Seeded,
    Workload,
    audit,
    bound_s,
    minimum_requests,
    seed,
)


@attrs.frozen
class BenchConfig:
    exchanges: tuple[str, ...] = EXCHANGES
    orders: int = 1000
    symbols: int = 20
    categories: Mapping[str, tuple[str, ...]] = attrs.field(factory=lambda: dict(DEFAULT_CATEGORIES))
    latency_ms: float = 50.0
    budget_scale: float = 1.0
    repeats: int = 3
    seed: int = 0
    methods: tuple[str, ...] = METHODS
    filled: int = 0
    concurrency: int | None = None
    """batchcancel's ``max_concurrency`` (None: the Settings default)."""
    ccxt_limiter: bool = True
    """``enableRateLimit`` of batchcancel's ccxt clients (ccxt's default: on)."""

    def workload(self, exchange: str) -> Workload:
        return Workload(
            exchange=exchange,
            orders=self.orders,
            symbols=self.symbols,
            categories=tuple(self.categories.get(exchange) or DEFAULT_CATEGORIES[exchange]),
            filled=self.filled,
            seed=self.seed,
        )


@attrs.frozen
class Measured:
    """One repeat: what the method did and what the audit found."""

    seeded: Seeded
    result: RunResult
    audit: Audit
    bound_s: float


def measure_once(
    sandbox: Any,
    workload: Workload,
    method: str,
    *,
    rtt_s: float,
    settings: Any = None,
    progress: Progress | None = None,
    label: str = "",
    ccxt_limiter: bool = True,
) -> Measured:
    """Reset the sandbox, seed the workload, cancel it with ``method``, and audit every order."""
    sandbox.reset()
    seeded = seed(sandbox, workload)
    bound = bound_s(sandbox, seeded, rtt_s)
    total = len(seeded.orders)

    def status() -> str:
        closed = total - len(sandbox.open_orders(workload.exchange))
        return f"{label or method}: {closed}/{total} orders closed"

    progress = progress or Progress(quiet=True)
    with progress.ticking(status):
        result = run_method(sandbox, method, seeded, settings=settings, ccxt_limiter=ccxt_limiter)
    return Measured(seeded, result, audit(sandbox, seeded, result.reported), bound)


def run_bench(config: BenchConfig, progress: Progress | None = None) -> list[Row]:
    from batchcancel.sandbox import Sandbox
    from batchcancel.settings import Settings

    progress = progress or Progress(quiet=True)
    settings = Settings(max_concurrency=config.concurrency) if config.concurrency else None
    rows: list[Row] = []
    with Sandbox(latency_ms=config.latency_ms, seed=config.seed, budget_scale=config.budget_scale) as sandbox:
        for exchange in config.exchanges:
            workload = config.workload(exchange)
            progress.line(f"{exchange}: {workload.describe()}")
            for method in config.methods:
                runs: list[Measured] = []
                for repeat in range(config.repeats):
                    label = f"{method} on {exchange}, run {repeat + 1}/{config.repeats}"
                    one = measure_once(
                        sandbox,
                        workload,
                        method,
                        rtt_s=config.latency_ms / 1000,
                        settings=settings,
                        progress=progress,
                        label=label,
                        ccxt_limiter=config.ccxt_limiter,
                    )
                    runs.append(one)
                    if method == config.methods[0] and repeat == 0:
                        progress.line(
                            f"  bound {one.bound_s:.3f} s; fewest possible requests "
                            f"{minimum_requests(one.seeded)} (batches at the documented maximum)"
                        )
                    progress.line(
                        f"  {label}: {one.result.wall_s:.3f} s, {one.result.requests} requests, "
                        f"{one.audit.unaccounted} unaccounted"
                        + (f" ({_errors(one.result)})" if one.result.errors else "")
                    )
                rows.append(
                    make_row(
                        method,
                        exchange,
                        workload.orders,
                        [r.result.wall_s for r in runs],
                        [r.result.requests for r in runs],
                        [r.audit.unaccounted for r in runs],
                        runs[0].bound_s,
                    )
                )
    return rows


def _errors(result: RunResult) -> str:
    return ", ".join(f"{name} x{count}" for name, count in sorted(result.errors.items()))
