"""``batchcancel bench --bots N --budget-store URL`` at a small size: rows, JSON, exit codes."""

from __future__ import annotations

import json

import pytest

from batchcancel.bench.bots import _windows_needed, account_bound_s
from batchcancel.bench.workload import Workload, seed
from batchcancel.cli import main


def test_bots_bench_writes_a_row_per_pacing(redis_url, tmp_path, capsys):
    out = tmp_path / "bots.json"
    status = main(
        ["bench", "--bots", "2", "--orders", "12", "--symbols", "3", "--exchange", "bitget",
         "--latency-ms", "0", "--repeats", "1", "--budget-store", redis_url, "--json", str(out), "--quiet"]
    )  # fmt: skip
    printed = capsys.readouterr()
    assert status == 0, printed.err
    rows = json.loads(out.read_text())
    assert [(r["pacing"], r["exchange"], r["bots"], r["orders"]) for r in rows] == [
        ("in-process", "bitget", 2, 24),
        ("shared store", "bitget", 2, 24),
    ]
    assert all(r["unaccounted"] == 0 for r in rows)
    assert rows[1]["rate_limited"] == 0
    assert "t3st" not in printed.out + printed.err  # the URL's password is never printed


@pytest.mark.parametrize("exchange", ["bybit", "bitget", "okx", "binanceusdm"])
def test_bots_bench_runs_on_every_exchange_the_bench_knows(redis_url, exchange, capsys):
    # `batchcancel bench --bots 4` without --exchange runs them all: OKX once ended in a KeyError.
    status = main(
        ["bench", "--bots", "2", "--orders", "8", "--symbols", "2", "--exchange", exchange,
         "--latency-ms", "0", "--repeats", "1", "--budget-store", redis_url, "--quiet"]
    )  # fmt: skip
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert "Traceback" not in printed.err


def test_bots_bench_refuses_bad_store_urls(capsys):
    assert main(["bench", "--budget-store", "redis://127.0.0.1:6390/0", "--quiet"]) == 2
    assert "--budget-store needs --bots" in capsys.readouterr().err
    assert main(["bench", "--bots", "2", "--budget-store", "http://127.0.0.1:6390/0", "--quiet"]) == 2
    assert "redis://" in capsys.readouterr().err


def test_bitget_bound_counts_batch_requests_and_single_cancels():
    # 12 batches, 10 batches + 10 single orders per window: one window does not hold them (two
    # batches of 50 can't become singles), two do.
    assert _windows_needed([50] * 12, 10, 10) == 2
    # 11 batches, one of them of 5 orders: its 5 go as single cancels, 10 batches fit one window.
    assert _windows_needed([5] + [50] * 10, 10, 10) == 1
    assert _windows_needed([], 10, 10) == 1


def test_binance_bound_counts_each_bots_requests_against_the_ips_weight(sandbox):
    sandbox.set_latency(0)
    bots = [seed(sandbox, Workload("binanceusdm", 25, 2, ("linear",), seed=i)) for i in range(2)]
    # Each bot: 13 + 12 orders over two symbols, 2 + 2 requests; 8 requests in all.
    sandbox.set_limit("binanceusdm", "weight", 3)  # 3 a window: 3 windows
    assert account_bound_s(sandbox, bots, 0.05) == pytest.approx(2 * sandbox.rate_window_s + 0.05)
