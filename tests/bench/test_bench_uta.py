"""``batchcancel bench --bitget-account uta``: the bound and the fewest requests of a UTA account."""

from __future__ import annotations

import math

import pytest

from batchcancel.bench.workload import UTA_GROUP, Workload, bound_s, group_capacity, minimum_requests, seed
from batchcancel.cli import main


def test_the_bound_counts_v3s_one_batch_budget_for_every_category(uta_sandbox):
    seeded = seed(uta_sandbox, Workload("bitget", 1000, 20, ("spot", "USDT-FUTURES")))
    # 5 batches of 20 + 10 singles a window, spot and futures together: 1000 orders = 10 windows.
    assert group_capacity(uta_sandbox, "bitget", UTA_GROUP).orders_per_window == 110
    assert bound_s(uta_sandbox, seeded, 0.05) == pytest.approx(9.05)
    # 20 per request, any symbols of one category: 500 + 500 orders.
    assert minimum_requests(seeded, uta=True) == 2 * math.ceil(500 / 20)
    assert minimum_requests(seeded) == math.ceil(500 / 50) + 10 * math.ceil(50 / 50)  # classic v2


def test_the_uta_account_measures_the_methods_table_only(capsys):
    assert main(["bench", "--bitget-account", "uta", "--bots", "2", "--quiet"]) == 2
    assert "methods table only" in capsys.readouterr().err


def test_a_small_uta_run_reaches_the_fewest_requests_and_accounts_for_every_order():
    from batchcancel.bench.methods import BATCHCANCEL_ASYNC, BATCHCANCEL_SYNC
    from batchcancel.bench.runner import BenchConfig, run_bench

    config = BenchConfig(
        exchanges=("bitget",), orders=45, symbols=6, latency_ms=0.0, repeats=1, filled=3,
        methods=(BATCHCANCEL_SYNC, BATCHCANCEL_ASYNC), bitget_uta=True,
    )  # fmt: skip
    rows = run_bench(config)
    # 23 spot + 22 futures orders: 2 + 2 requests of at most 20.
    assert [(r.requests, r.unaccounted) for r in rows] == [(4, 0), (4, 0)]
