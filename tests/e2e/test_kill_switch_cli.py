"""``batchcancel cancel-all`` as an operator runs it: a subprocess against ``batchcancel sandbox``
(itself a subprocess), credentials from the environment only."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.sandbox.test_sandbox_cli import client, free_port, running

KILL = [sys.executable, "-m", "batchcancel", "cancel-all"]


def kill(info: dict, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ)
    environment.update(
        env
        if env is not None
        else {"BATCHCANCEL_API_KEY": info["api_key"], "BATCHCANCEL_SECRET": info["secret"]}
    )
    return subprocess.run(
        [*KILL, "--exchange", "bybit", "--base-url", info["url"], *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=environment,
    )


@pytest.fixture(scope="module")
def sandbox_process():
    with running("--port", str(free_port()), "--budget-scale", "100") as (_, info):
        yield info


@pytest.fixture
def book(sandbox_process):
    """A few orders on spot and linear, placed through ccxt; whatever is left is cancelled after."""
    ex = client(sandbox_process)
    for symbol in ("BTC/USDT", "BTC/USDT:USDT", "ETH/USDT:USDT"):
        for price in (100, 101):
            ex.create_order(symbol, "limit", "buy", 1, price)
    yield ex
    for order in ex.fetch_open_orders("BTC/USDT") + ex.fetch_open_orders(params={"settleCoin": "USDT"}):
        ex.cancel_order(order["id"], order["symbol"])


def open_count(ex) -> int:
    return len(ex.fetch_open_orders("BTC/USDT")) + len(ex.fetch_open_orders(params={"settleCoin": "USDT"}))


def test_dry_run_lists_and_touches_nothing(sandbox_process, book, tmp_path):
    out = tmp_path / "dry.json"
    result = kill(sandbox_process, "--dry-run", "--json", str(out))

    assert result.returncode == 0, result.stderr
    assert "6 open order(s) on bybit in scope (every market)" in result.stdout
    assert result.stdout.count("would cancel") == 6
    assert len(json.loads(out.read_text())["open"]) == 6
    assert open_count(book) == 6
    assert sandbox_process["secret"] not in result.stdout + result.stderr


def test_without_yes_on_a_non_terminal_it_refuses_and_touches_nothing(sandbox_process, book):
    result = kill(sandbox_process)

    assert result.returncode == 2
    assert "refusing to cancel without --yes: stdin is not a terminal" in result.stderr
    assert open_count(book) == 6


def test_yes_cancels_every_open_order_and_exits_0(sandbox_process, book, tmp_path):
    out = tmp_path / "report.json"
    result = kill(sandbox_process, "--yes", "--json", str(out))

    assert result.returncode == 0, result.stderr
    assert "canceled" in result.stdout and "6 order(s)" in result.stdout
    report = json.loads(out.read_text())
    assert report["ok"] and [o["status"] for o in report["outcomes"]] == ["canceled"] * 6
    assert open_count(book) == 0
    assert sandbox_process["secret"] not in result.stdout + result.stderr


def test_symbols_scope_it(sandbox_process, book):
    result = kill(sandbox_process, "--yes", "--symbol", "BTC/USDT:USDT", "--symbol", "BTC/USDT")

    assert result.returncode == 0, result.stderr
    assert "4 order(s)" in result.stdout
    assert open_count(book) == 2


def test_missing_credentials_exit_2_before_any_request(sandbox_process):
    result = kill(sandbox_process, "--yes", env={"BATCHCANCEL_API_KEY": "", "BATCHCANCEL_SECRET": ""})

    assert result.returncode == 2
    assert result.stderr.startswith("batchcancel cancel-all: set BATCHCANCEL_API_KEY")


def test_refused_keys_exit_2_without_the_secret(sandbox_process):
    secret = "not-the-sandbox-secret-0123456789"
    result = kill(
        sandbox_process, "--yes", env={"BATCHCANCEL_API_KEY": "wrongkey12345", "BATCHCANCEL_SECRET": secret}
    )

    assert result.returncode == 2
    assert secret not in result.stdout + result.stderr


def test_orders_left_open_exit_1_and_are_listed(sandbox, monkeypatch, capsys, tmp_path):
    # In-process (a fault needs the sandbox's Python API), the same command line.
    from batchcancel.cli import main

    sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    sandbox.inject("/v5/order/cancel*", "http_500", times=None)  # every cancel fails
    monkeypatch.setenv("BATCHCANCEL_API_KEY", sandbox.api_key)
    monkeypatch.setenv("BATCHCANCEL_SECRET", sandbox.secret)
    out = tmp_path / "report.json"
    argv = ["cancel-all", "--exchange", "bybit", "--base-url", sandbox.url, "--yes", "--json", str(out)]
    argv += ["--symbol", "BTC/USDT", "--deadline", "2"]

    status = main(argv)

    printed = capsys.readouterr().out
    assert status == 1
    assert "2 order(s) still open in scope:" in printed
    report = json.loads(out.read_text())
    assert not report["ok"] and len(report["still_open"]) == 2
    assert {o["status"] for o in report["outcomes"]} == {"failed"}
    assert sandbox.secret not in printed
