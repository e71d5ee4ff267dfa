"""``batchcancel demo`` and ``batchcancel bench`` at small sizes, through real ccxt and HTTP.

Assertions are on content (counts, audits, JSON keys, exit codes), never on timings.
"""

from __future__ import annotations

import io
import json
import math

import pytest

from batchcancel.bench import demo
from batchcancel.bench.cli import categories_from
from batchcancel.bench.methods import BATCHCANCEL_ASYNC, BATCHCANCEL_SYNC, METHODS, parse_methods
from batchcancel.bench.report import ROW_KEYS, Progress
from batchcancel.bench.runner import BenchConfig, run_bench
from batchcancel.bench.workload import (
    ALREADY_CLOSED,
    CANCELED,
    FAILED,
    Workload,
    audit,
    bound_s,
    group_capacity,
    minimum_requests,
    parse_categories,
    seed,
)
from batchcancel.cli import main

QUIET = Progress(quiet=True)


def small_workloads(orders: int = 16, filled: int = 2) -> list[Workload]:
    return [
        Workload("bybit", orders, 4, ("spot", "linear"), filled=filled),
        Workload("bitget", orders, 4, ("spot", "USDT-FUTURES"), filled=filled),
    ]


# -- demo ------------------------------------------------------------------------------------------


def test_demo_command_cancels_everything_and_exits_zero(capsys):
    status = main(
        ["demo", "--orders", "16", "--symbols", "4", "--filled", "2", "--latency-ms", "0", "--quiet"]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "check OK" in out
    for exchange in ("bybit", "bitget"):
        block = out.split(f"\n{exchange}: ")[1]
        rows = {line[:16].strip(): line[16:].split() for line in block.splitlines()[1:15]}
        assert rows["orders"] == ["16", "16"]
        assert rows["already closed"] == ["2", "2"]  # the filled ones, by both methods
        assert rows["no answer"] == ["0", "0"]
        assert rows["left open"][1] == "0" and rows["unaccounted"][1] == "0"  # batchcancel's column
        assert int(rows["HTTP requests"][0]) == 16  # the loop: one request per order
        assert int(rows["HTTP requests"][1]) < 16


def test_demo_fails_when_batchcancel_leaves_an_order_open():
    def break_bybit_cancels(sandbox, method):
        if method == BATCHCANCEL_SYNC:  # the plain loop runs unharmed; batchcancel meets a dead endpoint
            sandbox.inject("/v5/order/cancel*", "http_500", times=None)

    out = io.StringIO()
    status = demo.run_demo(
        small_workloads(orders=6, filled=0), latency_ms=0, progress=QUIET, out=out,
        before_cancel=break_bybit_cancels,
    )  # fmt: skip
    text = out.getvalue()
    assert status == 1, text
    assert "check FAILED" in text
    assert "bybit: 6 left open, 6 unaccounted" in text
    assert "bitget" not in text.split("check FAILED")[1]


# -- bench -----------------------------------------------------------------------------------------


def test_bench_rows_every_method_every_exchange():
    config = BenchConfig(orders=12, symbols=4, latency_ms=0, repeats=1, filled=2)
    rows = run_bench(config, QUIET)
    exchanges = ("bybit", "bitget", "okx", "binanceusdm")
    assert [(r.method, r.exchange) for r in rows] == [(m, e) for e in exchanges for m in METHODS]
    by = {(r.method, r.exchange): r for r in rows}
    for row in rows:
        assert list(row.as_dict()) == list(ROW_KEYS)
        assert row.orders == 12
        assert row.bound_s >= 0 and row.wall_s > 0
    for exchange in exchanges:
        for method in (BATCHCANCEL_SYNC, BATCHCANCEL_ASYNC):
            assert by[method, exchange].unaccounted == 0
        assert by["ccxt-loop", exchange].requests == 12
        # ccxt's unified cancel_orders: the filled orders come back as shells (Bybit) or not at all
        # (Bitget's failureList, Binance's id-less error rows): either way their answer is lost.
        assert by["ccxt-cancel-orders", exchange].unaccounted >= 2
    # 6 spot + 6 linear orders: within the batch budgets, so the fewest requests (1 + 1).
    assert by[BATCHCANCEL_SYNC, "bybit"].requests == 2
    # Bitget: spot in one multi-symbol batch, futures one batch per symbol (2 symbols).
    assert by[BATCHCANCEL_SYNC, "bitget"].requests == 3
    # Binance USDⓈ-M: one batch per symbol (4 symbols, 3 orders each).
    assert by[BATCHCANCEL_SYNC, "binanceusdm"].requests == 4
    # OKX: one request mixes spot and swap instruments.
    assert by[BATCHCANCEL_SYNC, "okx"].requests == 1


def test_demo_takes_an_exchange(capsys):
    status = main(
        ["demo", "--exchange", "okx", "--orders", "8", "--symbols", "2", "--latency-ms", "0", "--quiet"]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "\nokx: 8 orders over 2 symbols (SPOT, SWAP)" in out and "\nbybit: " not in out
    assert "batchcancel paths: okx:batch 8" in out


def test_bench_command_writes_json_with_exact_keys(tmp_path, capsys):
    path = tmp_path / "rows.json"
    status = main([
        "bench", "--exchange", "bitget", "--orders", "12", "--symbols", "3", "--latency-ms", "0",
        "--repeats", "2", "--methods", "batchcancel-sync,batchcancel-async", "--json", str(path), "--quiet",
    ])  # fmt: skip
    assert status == 0
    rows = json.loads(path.read_text())
    assert [row["method"] for row in rows] == [BATCHCANCEL_SYNC, BATCHCANCEL_ASYNC]
    for row in rows:
        assert list(row) == list(ROW_KEYS)
        assert row["exchange"] == "bitget" and row["orders"] == 12 and row["unaccounted"] == 0
        assert row["efficiency"] == pytest.approx(row["bound_s"] / row["wall_s"], rel=0.01, abs=0.002)
    assert "orders_per_s" in capsys.readouterr().out  # the table went to stdout


def test_bench_json_to_stdout(capsys):
    status = main([
        "bench", "--exchange", "bybit", "--orders", "5", "--symbols", "1", "--categories", "bybit:inverse",
        "--latency-ms", "0", "--repeats", "1", "--methods", "ccxt-cancel-orders,batchcancel-sync",
        "--json", "-", "--quiet",
    ])  # fmt: skip
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert status == 0
    by = {row["method"]: row for row in rows}
    # ccxt refuses inverse in its unified cancel_orders: nothing sent, every order still open.
    assert by["ccxt-cancel-orders"]["requests"] == 0
    assert by["ccxt-cancel-orders"]["unaccounted"] == 5
    assert by[BATCHCANCEL_SYNC]["unaccounted"] == 0


def test_bench_cpu_mode(capsys):
    status = main(["bench", "--cpu", "--exchange", "bitget", "--orders", "40", "--symbols", "4", "--quiet"])
    out = capsys.readouterr().out
    assert status == 0
    assert "job_us_per_order" in out
    lines = [line.split() for line in out.splitlines() if line.startswith("bitget ")]
    assert [line[1] for line in lines] == ["sync", "async"]
    assert all(line[-1] == "0" for line in lines)  # unaccounted


def test_bench_refuses_bad_options(capsys):
    assert main(["bench", "--methods", "nope", "--quiet"]) == 2
    assert main(["bench", "--exchange", "bitget", "--categories", "linear", "--quiet"]) == 2
    assert "no category 'linear'" in capsys.readouterr().err


def test_plot_without_matplotlib_says_how_to_get_it(monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    assert main(["bench", "--plot", "x.png", "--quiet"]) == 2
    assert "batchcancel[plot]" in capsys.readouterr().err


# -- the bound, the audit, the option parsers -------------------------------------------------------


def test_bound_follows_the_sandboxs_budgets(sandbox):
    sandbox.set_latency(0)
    seeded = seed(sandbox, Workload("bybit", 100, 2, ("spot",)))
    # Bybit spot: 20 orders/s through cancel-batch plus 20/s through cancel; 100 orders = 3 windows.
    assert group_capacity(sandbox, "bybit", "spot").orders_per_window == 40
    assert bound_s(sandbox, seeded, 0.05) == pytest.approx(2.05)
    sandbox.set_budget_scale(1.5)  # 30 + 30 per window: 2 windows
    assert bound_s(sandbox, seeded, 0.05) == pytest.approx(1.05)
    sandbox.set_limit("bybit", "/v5/order/cancel", 0, group="spot")  # pinned: batch only, 30 a window
    assert bound_s(sandbox, seeded, 0.0) == pytest.approx(3.0)
    assert minimum_requests(seeded) == 10


def test_bound_bitget_counts_requests_of_fifty(sandbox):
    seeded = seed(sandbox, Workload("bitget", 1020, 4, ("spot", "USDT-FUTURES")))
    # Per group 510 orders; 10 batches of 50 + 10 singles = 510 per window: exactly one window.
    assert group_capacity(sandbox, "bitget", "mix").orders_per_window == 510
    assert bound_s(sandbox, seeded, 0.03) == pytest.approx(0.03)
    assert minimum_requests(seeded) == math.ceil(510 / 50) + 2 * math.ceil(255 / 50)


def test_bound_binance_counts_weight_of_batches_of_ten(sandbox):
    seeded = seed(sandbox, Workload("binanceusdm", 95, 3, ("linear",)))
    assert group_capacity(sandbox, "binanceusdm", "weight").orders_per_window == 24_000
    sandbox.set_limit("binanceusdm", "weight", 4)  # 4 batches of 10 a window: 95 orders, 3 windows
    assert bound_s(sandbox, seeded, 0.0) == pytest.approx(2.0)
    assert minimum_requests(seeded) == 3 * math.ceil(32 / 10)  # 32 + 32 + 31 over three symbols


def test_demo_and_bench_take_one_exchange(capsys):
    status = main(["demo", "--exchange", "binanceusdm", "--orders", "12", "--symbols", "3", "--filled", "1",
                   "--latency-ms", "0", "--quiet"])  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0 and "check OK" in out
    assert "\nbinanceusdm: " in out and "\nbybit: " not in out and "binanceusdm:batch 12" in out
    status = main(["bench", "--exchange", "binanceusdm", "--orders", "12", "--symbols", "3",
                   "--latency-ms", "0", "--repeats", "1", "--json", "-", "--quiet"])  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    assert status == 0 and {row["exchange"] for row in rows} == {"binanceusdm"}
    assert {row["method"]: row["requests"] for row in rows}[BATCHCANCEL_SYNC] == 3


def test_audit_compares_answers_with_the_sandbox(sandbox):
    seeded = seed(sandbox, Workload("bybit", 5, 1, ("spot",), filled=1))
    ids = [o.order_id for o in seeded.orders]
    filled = next(o.order_id for o in seeded.orders if o.filled)
    opened = [i for i in ids if i != filled]
    client = sandbox.client("bybit", enableRateLimit=False)
    client.load_markets()
    for order_id in opened[:3]:
        client.cancel_order(order_id, "BTC/USDT")
    reported = {opened[0]: CANCELED, opened[1]: ALREADY_CLOSED, opened[2]: FAILED, filled: CANCELED}
    result = audit(sandbox, seeded, reported)
    # opened[2]: cancelled but answered FAILED; filled: answered CANCELED; opened[3]: open, no answer.
    assert (result.left_open, result.disagree, result.unaccounted) == (1, 3, 3)
    assert result.statuses == {CANCELED: 2, ALREADY_CLOSED: 1, FAILED: 1, "no answer": 1}


def test_option_parsers():
    assert parse_categories("bitget", "spot,futures") == ("spot", "USDT-FUTURES")
    assert parse_categories("bybit", None) == ("spot", "linear")
    with pytest.raises(ValueError, match="bybit has no category 'option'"):
        parse_categories("bybit", "option")
    assert categories_from(["bybit:linear", "bitget:spot"], ("bybit", "bitget")) == {
        "bybit": ("linear",),
        "bitget": ("spot",),
    }
    assert parse_methods("batchcancel-async,ccxt-loop") == (BATCHCANCEL_ASYNC, "ccxt-loop")
    with pytest.raises(ValueError):
        Workload("bybit", 0, 1, ("spot",))


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    from batchcancel.bench.report import make_row, plot

    rows = [
        make_row("ccxt-loop", "bybit", 100, [5.0], [100], [3], 1.05),
        make_row("batchcancel-sync", "bybit", 100, [1.2, 1.1, 1.3], [12, 12, 12], [0, 0, 0], 1.05),
        make_row("batchcancel-async", "bitget", 100, [0.06], [2], [0], 0.05),
    ]
    path = tmp_path / "bench.png"
    plot(rows, path, "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert rows[1].wall_s == 1.2 and rows[1].efficiency == pytest.approx(1.05 / 1.2, abs=0.001)


def test_table_puts_efficiencies_of_runs_with_unaccounted_orders_in_parentheses():
    from batchcancel.bench.report import make_row, rows_table

    rows = [
        make_row("ccxt-loop", "bybit", 1000, [0.35], [1000], [830], 1.05),
        make_row("batchcancel-sync", "bybit", 1000, [1.1], [60], [0], 1.05),
    ]
    lines = rows_table(rows).splitlines()
    assert lines[2].split()[-2:] == ["(3.00)", "830"]
    assert lines[3].split()[-2:] == ["0.95", "0"]
