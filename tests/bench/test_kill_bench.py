"""``batchcancel bench --workload kill-switch``: three ways to flatten the account, rows as usual."""

from __future__ import annotations

import json

from batchcancel.bench.kill import BATCHES, CANCEL_ALL, CCXT_CANCEL_ALL, KILL_METHODS, KILL_WORKLOAD
from batchcancel.bench.report import ROW_KEYS, Progress
from batchcancel.bench.runner import BenchConfig, run_bench
from batchcancel.cli import main

QUIET = Progress(quiet=True)


def test_kill_switch_rows_for_the_batchcancel_methods_every_exchange():
    config = BenchConfig(
        orders=60, symbols=6, latency_ms=0, repeats=1, filled=3, kind=KILL_WORKLOAD,
        methods=(BATCHES, CANCEL_ALL), budget_scale=100,
    )  # fmt: skip
    rows = run_bench(config, QUIET)
    assert [(r.method, r.exchange) for r in rows] == [
        (m, e) for e in ("bybit", "bitget", "okx", "binanceusdm") for m in (BATCHES, CANCEL_ALL)
    ]
    by = {(r.method, r.exchange): r for r in rows}
    for row in rows:
        assert list(row.as_dict()) == list(ROW_KEYS)
        assert row.unaccounted == 0 and row.bound_s >= 0 and row.wall_s > 0
    # Every category of the account (Bybit spot, linear, inverse): the listing pages, a few
    # cancel-alls (spot, linear USDT, one per inverse coin) and the read-back.
    assert by[CANCEL_ALL, "bybit"].requests <= 20
    # OKX has no cancel-all endpoint: a listing (one plain page, six algo types), batches of 20
    # (57 open orders: 3) and the read-back.
    assert by[CANCEL_ALL, "okx"].requests <= 2 * 7 + 3
    # Binance: listed (plain and conditional), one cancel-all per symbol, read back, then each of
    # the 57 live orders' state read (the answer names none).
    assert by[CANCEL_ALL, "binanceusdm"].requests == 2 + 6 + 2 + 57
    assert by[BATCHES, "binanceusdm"].requests == 2 + 6  # listed, then one batch of 10 per symbol


def test_kill_switch_command_with_ccxt_cancel_all_orders(tmp_path):
    path = tmp_path / "rows.json"
    status = main([
        "bench", "--workload", "kill-switch", "--exchange", "bitget", "--orders", "8", "--symbols", "2",
        "--categories", "bitget:USDT-FUTURES", "--latency-ms", "0", "--repeats", "1", "--json", str(path),
        "--quiet",
    ])  # fmt: skip
    assert status == 0
    rows = {row["method"]: row for row in json.loads(path.read_text())}
    assert list(rows) == list(KILL_METHODS)
    assert rows[CCXT_CANCEL_ALL]["requests"] == 2  # one per symbol
    assert rows[CANCEL_ALL]["unaccounted"] == 0


def test_kill_switch_methods_are_checked(capsys):
    status = main(["bench", "--workload", "kill-switch", "--methods", "ccxt-loop", "--quiet"])
    assert status == 2
    assert "unknown method 'ccxt-loop'" in capsys.readouterr().err
