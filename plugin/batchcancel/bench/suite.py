"""``batchcancel bench --suite``: every workload of docs/performance.md's targets, limiter on and off.

Each workload runs batchcancel's two methods (sync, async) on clients with ccxt's limiter on
(ccxt's default) and with it off, the runs alternating, the median of ``repeats`` runs each, and
the suite prints one Markdown table: per workload and method, the bound, wall time and efficiency
with the limiter on, the wall time with it off, and their ratio. Its JSON keeps every row with
its workload and limiter, for the docs page to be regenerated from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from batchcancel.bench.methods import BATCHCANCEL_ASYNC, BATCHCANCEL_SYNC
from batchcancel.bench.report import Progress, Row, make_row
from batchcancel.bench.runner import BenchConfig, bench_sandbox, run_bench

METHODS = (BATCHCANCEL_SYNC, BATCHCANCEL_ASYNC)


@attrs.frozen
class Case:
    """One workload of the suite, and the efficiency docs/performance.md aims at for it."""

    name: str
    """How the tables name it."""
    exchanges: tuple[str, ...]
    """The exchanges it runs on (each its own row)."""
    orders: int
    """Orders per exchange."""
    symbols: int
    """Symbols per exchange."""
    target: float
    """The efficiency aimed at (issue 16)."""
    categories: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    """Categories per exchange; empty: the bench's defaults."""
    filled: int = 0
    """Orders marked filled first."""
    latency_ms: float = 50.0
    """The sandbox's latency."""
    budget_scale: float = 1.0
    """Budgets x this (1: the documented ones)."""


CASES = (
    Case("Bybit 1,000 over 20 symbols (20 filled)", ("bybit",), 1000, 20, 0.9, filled=20),
    Case("Bitget 1,000 over 20 symbols (20 filled)", ("bitget",), 1000, 20, 0.8, filled=20),
    Case("Bitget 500 over 10 symbols", ("bitget",), 500, 10, 0.8),
    Case(
        "Bitget 1,000 futures over 20 symbols",
        ("bitget",),
        1000,
        20,
        0.8,
        categories={"bitget": ("USDT-FUTURES",)},
    ),
    Case("10 spot + 10 futures", ("bybit", "bitget"), 20, 2, 0.7),
    Case("Bybit 20 spot + 10 linear", ("bybit",), 30, 3, 0.7),
    Case("Bybit 40 spot + 20 linear", ("bybit",), 60, 3, 0.7),
)
"""The workloads of docs/performance.md's targets."""


@attrs.frozen
class SuiteRow:
    """One row of one workload with the limiter on or off."""

    case: str
    limiter: bool
    row: Row


def run_suite(
    cases: Sequence[Case] = CASES, *, repeats: int = 3, seed: int = 0, progress: Progress | None = None
) -> list[SuiteRow]:
    """Each case's runs alternate the limiter on and off (on, off, on, off...), so a change of the
    machine's load during a case weighs on both sides of the on / off ratio alike."""
    progress = progress or Progress(quiet=True)
    results: list[SuiteRow] = []
    for case in cases:
        runs: dict[tuple[bool, str, str], list[Row]] = {}
        config = BenchConfig(
            exchanges=case.exchanges, orders=case.orders, symbols=case.symbols,
            categories=dict(case.categories), latency_ms=case.latency_ms,
            budget_scale=case.budget_scale, repeats=1, seed=seed, methods=METHODS,
            filled=case.filled,
        )  # fmt: skip
        # One sandbox per case, as run_bench keeps one over its repeats: the suite's runs are then
        # timed as the main table's are.
        with bench_sandbox(config) as sandbox:
            for repeat in range(repeats):
                for limiter in (True, False):
                    progress.line(
                        f"suite: {case.name}, ccxt's limiter {'on' if limiter else 'off'}, "
                        f"run {repeat + 1}/{repeats}"
                    )
                    one = attrs.evolve(config, ccxt_limiter=limiter)
                    for row in run_bench(one, progress, sandbox=sandbox):
                        runs.setdefault((limiter, row.method, row.exchange), []).append(row)
        for limiter in (True, False):
            for (on, _, _), rows in runs.items():
                if on == limiter:
                    results.append(SuiteRow(case.name, limiter, _median_row(rows)))
    return results


def _median_row(rows: Sequence[Row]) -> Row:
    """One row out of single runs, as ``run_bench`` makes it out of its repeats."""
    first = rows[0]
    return make_row(
        first.method, first.exchange, first.orders, [r.wall_s for r in rows],
        [r.requests for r in rows], [r.unaccounted for r in rows], first.bound_s,
    )  # fmt: skip


def suite_json(results: Sequence[SuiteRow]) -> str:
    return json.dumps(
        [
            {"workload": r.case, "ccxt_limiter": "on" if r.limiter else "off", **r.row.as_dict()}
            for r in results
        ],
        indent=2,
    )


def suite_table(results: Sequence[SuiteRow], cases: Sequence[Case] = CASES) -> str:
    """Markdown: limiter on (bound, wall, efficiency, target met?), off (wall), on / off."""
    targets = {case.name: case.target for case in cases}
    off = {(r.case, r.row.method, r.row.exchange): r.row for r in results if not r.limiter}
    body: list[list[Any]] = []
    for r in results:
        if not r.limiter:
            continue
        row, other = r.row, off.get((r.case, r.row.method, r.row.exchange))
        target = targets.get(r.case, 0.0)
        efficiency = f"{row.efficiency:.2f}" if not row.unaccounted else f"({row.efficiency:.2f})"
        met = "yes" if row.efficiency >= target and not row.unaccounted else "**no**"
        ratio = f"{row.wall_s / other.wall_s:.2f}" if other and other.wall_s > 0 else "-"
        unaccounted = max(row.unaccounted, other.unaccounted if other else 0)
        body.append([
            r.case, row.exchange, row.method, row.requests, f"{row.bound_s:.3f}", f"{row.wall_s:.3f}",
            efficiency, f"{target:g}", met, f"{other.wall_s:.3f}" if other else "-", ratio, unaccounted,
        ])  # fmt: skip
    header = (
        "workload", "exchange", "method", "requests", "bound_s", "wall_s (limiter on)",
        "efficiency", "target", "met", "wall_s (limiter off)", "on / off", "unaccounted",
    )  # fmt: skip
    right = (False, False, False, True, True, True, True, True, False, True, True, True)
    rule = ["---:" if r else "---" for r in right]
    return "\n".join("| " + " | ".join(str(c) for c in cells) + " |" for cells in [header, rule, *body])


def write_suite(results: Sequence[SuiteRow], path: str | Path) -> None:
    Path(path).write_text(suite_json(results) + "\n", encoding="utf-8")
