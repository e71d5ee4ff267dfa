"""``batchcancel bench``'s sizes by default, and the ccxt limiter of batchcancel's clients."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from batchcancel.bench.cli import FULL, QUICK, fill_defaults
from batchcancel.bench.methods import BATCHCANCEL_ASYNC, BATCHCANCEL_SYNC, CCXT_CANCEL_ORDERS
from batchcancel.bench.runner import BenchConfig, run_bench
from batchcancel.cli import main


def args(**given: Any) -> argparse.Namespace:
    base = {"orders": None, "symbols": None, "repeats": None, "cpu": False, "bots": None, "suite": None}
    return argparse.Namespace(**{**base, **given})


def test_the_plain_bench_is_quick_and_cpu_or_bots_full_unless_told():
    quick, cpu, bots, told = args(), args(cpu=True), args(bots=4), args(orders=7, repeats=5)
    for namespace in (quick, cpu, bots, told):
        fill_defaults(namespace)
    assert (quick.orders, quick.symbols, quick.repeats) == (QUICK.orders, QUICK.symbols, QUICK.repeats)
    assert (cpu.orders, cpu.symbols) == (FULL.orders, FULL.symbols)
    assert bots.repeats == FULL.repeats
    assert (told.orders, told.symbols, told.repeats) == (7, QUICK.symbols, 5)


def spy_clients(monkeypatch: Any) -> list[bool]:
    """Record the ``enableRateLimit`` of every client the sandbox makes (the real client is made)."""
    from batchcancel.sandbox import Sandbox

    seen: list[bool] = []
    real_client = Sandbox.client

    def spy(sandbox: Any, *a: Any, **config: Any) -> Any:
        seen.append(config.get("enableRateLimit"))
        return real_client(sandbox, *a, **config)

    monkeypatch.setattr(Sandbox, "client", spy)
    return seen


@pytest.mark.parametrize("limiter", [True, False])
def test_batchcancels_clients_carry_the_chosen_ccxt_limiter_and_ccxts_methods_keep_it_on(
    monkeypatch, limiter
):
    seen = spy_clients(monkeypatch)
    config = BenchConfig(
        exchanges=("bybit",), orders=12, symbols=4, latency_ms=0, repeats=1,
        methods=(CCXT_CANCEL_ORDERS, BATCHCANCEL_SYNC, BATCHCANCEL_ASYNC), ccxt_limiter=limiter,
    )  # fmt: skip
    rows = run_bench(config)
    assert seen == [True, limiter, limiter]
    assert [row.unaccounted for row in rows[1:]] == [0, 0]


def test_bench_says_what_it_runs_first(capsys):
    status = main([
        "bench", "--exchange", "bitget", "--orders", "4", "--symbols", "2", "--latency-ms", "0",
        "--methods", "batchcancel-async", "--ccxt-limiter", "off",
    ])  # fmt: skip
    assert status == 0
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith("batchcancel bench: 1 exchange(s) x 1 method(s) x 1 run(s), 4 orders")
    assert "ccxt's limiter off" in first


def test_the_suite_runs_each_workload_with_the_limiter_on_and_off_and_tables_them(tmp_path):
    import json

    from batchcancel.bench.suite import Case, run_suite, suite_table, write_suite

    cases = (Case("tiny", ("bitget",), 6, 2, 0.5, latency_ms=0),)
    results = run_suite(cases, repeats=1)
    both = [BATCHCANCEL_SYNC, BATCHCANCEL_ASYNC]
    assert [(r.limiter, r.row.method) for r in results] == [(True, m) for m in both] + [
        (False, m) for m in both
    ]
    assert all(r.row.unaccounted == 0 for r in results)
    table = suite_table(results, cases).splitlines()
    assert len(table) == 2 + 2  # header, rule, one line per method with both walls and their ratio
    assert table[2].startswith("| tiny | bitget | batchcancel-sync | 2 |")
    path = tmp_path / "suite.json"
    write_suite(results, path)
    assert {(row["workload"], row["ccxt_limiter"]) for row in json.loads(path.read_text())} == {
        ("tiny", "on"), ("tiny", "off"),
    }  # fmt: skip


def test_the_suite_alternates_the_limiter_run_by_run_and_takes_the_median_of_each_side():
    import io

    from batchcancel.bench.report import Progress
    from batchcancel.bench.suite import Case, run_suite

    stream = io.StringIO()
    cases = (Case("tiny", ("bitget",), 6, 2, 0.5, latency_ms=0),)
    results = run_suite(cases, repeats=3, progress=Progress(stream))
    order = [line.split(", ")[1:] for line in stream.getvalue().splitlines() if line.startswith("suite:")]
    assert order == [
        [f"ccxt's limiter {side}", f"run {repeat}/3"] for repeat in (1, 2, 3) for side in ("on", "off")
    ]
    assert len(results) == 4  # sync and async, limiter on and off: one median row each
    assert all(r.row.unaccounted == 0 and r.row.requests == 2 for r in results)
