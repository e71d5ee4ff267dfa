"""Run the benchmark: every method on a freshly seeded book, ``repeats`` times, one row each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from batchcancel.bench.kill import KILL_WORKLOAD, ORDERS_WORKLOAD, kill_bound_s, run_kill_method
from batchcancel.bench.methods import METHODS, RunResult, run_method
from batchcancel.bench.report import Progress, Row, make_row
from batchcancel.bench.workload import (
    CATEGORIES,
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
    kind: str = ORDERS_WORKLOAD
    """``orders`` (cancel the given orders) or ``kill-switch`` (flatten the account)."""
    bitget_uta: bool = False
    """Bitget accounts are unified trading accounts (the sandbox serves v3)."""

    def workload(self, exchange: str) -> Workload:
        # The kill switch flattens every category of the account unless told which.
        every = CATEGORIES if self.kind == KILL_WORKLOAD else DEFAULT_CATEGORIES
        return Workload(
            exchange=exchange,
            orders=self.orders,
            symbols=self.symbols,
            categories=tuple(self.categories.get(exchange) or every[exchange]),
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
    kind: str = ORDERS_WORKLOAD,
) -> Measured:
    """Reset the sandbox, seed the workload, cancel it with ``method``, and audit every order."""
    sandbox.reset()
    seeded = seed(sandbox, workload)
    kill = kind == KILL_WORKLOAD
    if kill:  # an order filled before the call is not open: flattening the account never sees it
        seeded = attrs.evolve(seeded, orders=tuple(o for o in seeded.orders if not o.filled))
    bound = kill_bound_s(sandbox, seeded, rtt_s) if kill else bound_s(sandbox, seeded, rtt_s)
    total = len(seeded.orders)

    def status() -> str:
        closed = total - len(sandbox.open_orders(workload.exchange))
        return f"{label or method}: {closed}/{total} orders closed"

    progress = progress or Progress(quiet=True)
    with progress.ticking(status):
        if kill:
            result = run_kill_method(sandbox, method, seeded, settings)
        else:
            result = run_method(sandbox, method, seeded, settings=settings, ccxt_limiter=ccxt_limiter)
    return Measured(seeded, result, audit(sandbox, seeded, result.reported), bound)


def bench_sandbox(config: BenchConfig) -> Any:
    """The sandbox ``config`` runs on (not started: use it as a context manager)."""
    from batchcancel.sandbox import Sandbox

    return Sandbox(
        latency_ms=config.latency_ms,
        seed=config.seed,
        budget_scale=config.budget_scale,
        bitget_uta=config.bitget_uta,
    )


def run_bench(config: BenchConfig, progress: Progress | None = None, *, sandbox: Any = None) -> list[Row]:
    """Every method of ``config`` on every exchange, ``repeats`` times each, one row per method.

    ``sandbox``: a running one made by :func:`bench_sandbox` for the same config, kept warm
    across several calls (the suite alternates calls); None: a fresh one for this call."""
    if sandbox is None:
        with bench_sandbox(config) as fresh:
            return run_bench(config, progress, sandbox=fresh)
    from batchcancel.settings import Settings

    progress = progress or Progress(quiet=True)
    settings = Settings(max_concurrency=config.concurrency) if config.concurrency else None
    rows: list[Row] = []
    for exchange in config.exchanges:
        workload = config.workload(exchange)
        account = " (UTA account, v3)" if config.bitget_uta and exchange == "bitget" else ""
        progress.line(f"{exchange}{account}: {workload.describe()}")
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
                    kind=config.kind,
                )
                runs.append(one)
                if method == config.methods[0] and repeat == 0 and config.kind == ORDERS_WORKLOAD:
                    fewest = minimum_requests(one.seeded, config.bitget_uta)
                    progress.line(
                        f"  bound {one.bound_s:.3f} s; fewest possible requests "
                        f"{fewest} (batches at the documented maximum)"
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
