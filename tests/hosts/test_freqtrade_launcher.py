"""``batchcancel-freqtrade``: the only way the integration gets into a running freqtrade."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("freqtrade", reason="freqtrade is not installed: run `tox -e freqtrade-newest`")

from tests.hosts.ft_harness import write_config

LAUNCHER = Path(sys.executable).parent / "batchcancel-freqtrade"


def wait_for(predicate, process: subprocess.Popen, log: Path, limit_s: float = 90.0) -> None:
    """Poll until ``predicate()`` holds; fail early (with freqtrade's output) if it exits."""
    deadline = time.monotonic() + limit_s
    while not predicate():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"freqtrade exited ({process.returncode}) or hung:\n{log.read_text()[-4000:]}")
        time.sleep(0.1)


def test_installing_batchcancel_changes_nothing_in_a_freqtrade_started_normally():
    probe = (
        "import sys, batchcancel\n"
        "batchcancel.get_plugin_manager()\n"
        "from freqtrade.freqtradebot import FreqtradeBot\n"
        "from freqtrade.rpc.rpc import RPC\n"
        "print(FreqtradeBot.__init__.__module__, FreqtradeBot.cancel_all_open_orders.__module__)\n"
        "print(RPC._rpc_force_exit.__module__, RPC._RPC__exec_force_exit.__module__)\n"
        "print(sorted(m for m in sys.modules if m.startswith('batchcancel.hosts')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "freqtrade.freqtradebot freqtrade.freqtradebot",
        "freqtrade.rpc.rpc freqtrade.rpc.rpc",
        "[]",
    ]


def test_the_launcher_runs_freqtrade_whose_shutdown_batches_its_cancels(new_bot, ft_sandbox, ft_dirs):
    # Eight resting entries, placed by a plain freqtrade that is then stopped without cancelling.
    seeder = new_bot("bybit", "spot", cancel_on_exit=False)
    seeder.seed(exits=False)
    seeder.close()
    assert len(ft_sandbox.open_orders("bybit")) == 8

    # The same database, now run by `batchcancel-freqtrade trade`: running, ccxt's own pacing on,
    # cancel_open_orders_on_exit, and the toggle in freqtrade's own config file.
    config = write_config(
        ft_sandbox,
        seeder.workdir,
        *ft_dirs,
        exchange="bybit",
        mode="spot",
        batch_cancel={"enabled": True},
        rate_limit=True,
    )
    ft_sandbox.clear_log()
    log = seeder.workdir / "freqtrade.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(LAUNCHER), "trade", "--config", str(config)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "400"},
        )
        # Started and trading once it asks for candles; then stop it the way docker does, once it
        # is between loops: a SIGTERM landing inside freqtrade's own candle download makes
        # freqtrade itself print a traceback on the way out, which says nothing about batchcancel.
        wait_for(lambda: ft_sandbox.count("/v5/market/kline") > 0, process, log)
        quiet_since, seen = time.monotonic(), ft_sandbox.count()
        while time.monotonic() - quiet_since < 1.0 and process.poll() is None:
            time.sleep(0.1)
            if ft_sandbox.count() != seen:
                quiet_since, seen = time.monotonic(), ft_sandbox.count()
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=90)
    text = log.read_text()
    # freqtrade's own exit code for SIGTERM: 130 in recent releases, 0 in older ones (2025.12).
    assert returncode in (0, 130), text[-4000:]
    assert "Traceback" not in text, text[-4000:]
    assert "batchcancel: active (bybit spot)" in text
    assert ft_sandbox.open_orders("bybit") == []
    paths = [r.path for r in ft_sandbox.log]
    assert paths.count("/v5/order/cancel-batch") == 1
    assert paths.count("/v5/order/cancel") == 0
    with sqlite3.connect(seeder.workdir / "trades.sqlite") as db:
        assert db.execute("select count(*) from orders where ft_is_open = 1").fetchone() == (0,)
        assert db.execute("select count(*) from trades").fetchone() == (0,)  # fully cancelled entries
