"""The freqtrade-on-the-sandbox recipe of docs/hosts/freqtrade.md, run exactly as written: its two
commands as subprocesses, on the shipped config and strategy (examples/freqtrade-sandbox).

The one change: port 8090 becomes a free port, in the commands and the config alike, because
test machines are shared and 8090 may be taken.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import recipe_commands

pytest.importorskip("freqtrade", reason="freqtrade is not installed: run `tox -e freqtrade-newest`")

ROOT = Path(__file__).resolve().parents[2]
RECIPE_DIR = Path("examples/freqtrade-sandbox")
PORT = "8090"


def free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def test_the_recipe_has_two_commands_on_the_shipped_files():
    commands = recipe_commands()
    assert len(commands) == 2
    assert commands[0].startswith("batchcancel sandbox ") and f"--port {PORT}" in commands[0]
    assert commands[1] == f"batchcancel-freqtrade trade --config {RECIPE_DIR}/config.json"
    config = (ROOT / RECIPE_DIR / "config.json").read_text()
    assert '"enable_ws": false' in config and '"dry_run": false' in config
    for flag, key in (("--api-key", "key"), ("--secret", "secret")):
        value = commands[0].split(f"{flag} ")[1].split()[0]
        assert f'"{key}": "{value}"' in config


def test_the_recipe_cancels_the_bots_resting_orders_in_one_batch_on_ctrl_c(tmp_path):
    import ccxt

    port = free_port()
    workdir = tmp_path / RECIPE_DIR
    workdir.mkdir(parents=True)
    for name in ("config.json", "resting_orders.py"):
        text = (ROOT / RECIPE_DIR / name).read_text()
        (workdir / name).write_text(text.replace(f"127.0.0.1:{PORT}", f"127.0.0.1:{port}"))
    commands = [c.replace(f"--port {PORT}", f"--port {port}") for c in recipe_commands()]
    sandbox_cmd, bot_cmd = (shlex.split(command) for command in commands)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "PATH": path, "PYTHONUNBUFFERED": "1"}
    assert shutil.which(sandbox_cmd[0], path=env["PATH"]) and shutil.which(bot_cmd[0], path=env["PATH"])

    sandbox = subprocess.Popen(
        sandbox_cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: list[str] = []  # the sandbox's -v lines, one per request
    reader = threading.Thread(target=lambda: lines.extend(iter(sandbox.stderr.readline, "")), daemon=True)
    reader.start()
    bot_log = tmp_path / "freqtrade.log"
    bot = None
    try:
        assert f"http://127.0.0.1:{port}" in sandbox.stdout.readline()
        with bot_log.open("w") as output:
            bot = subprocess.Popen(bot_cmd, cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 120
            while sum(" /v5/order/create 200 " in line for line in lines) < 8:
                if bot.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the bot exited or placed no orders:\n{bot_log.read_text()[-4000:]}")
                time.sleep(0.2)
            # Ctrl-C once the bot is between loops (it sleeps process_throttle_secs): a SIGINT that
            # lands inside freqtrade's own database flush makes freqtrade itself print a traceback
            # while shutting down (seen with 2025.12), which says nothing about batchcancel.
            quiet_since, seen = time.monotonic(), len(lines)
            while time.monotonic() - quiet_since < 1.0 and time.monotonic() < deadline:
                time.sleep(0.1)
                if len(lines) != seen:
                    quiet_since, seen = time.monotonic(), len(lines)
            bot.send_signal(signal.SIGINT)  # Ctrl-C
            bot.wait(timeout=90)
        text = bot_log.read_text()
        assert "Traceback" not in text, text[-4000:]
        assert "batchcancel: active (bybit spot)" in text
        assert "batchcancel: 8 of 8 open orders batch-cancelled" in text
        cancels = [line for line in lines if "/v5/order/cancel" in line]
        assert len(cancels) == 1 and " /v5/order/cancel-batch 200 code=0 " in cancels[0], cancels

        ex = ccxt.bybit({"apiKey": "sbx-key", "secret": "sbx-secret"})
        ex.urls["api"] = dict.fromkeys(ex.urls["api"], f"http://127.0.0.1:{port}")
        ex.options["fetchMarkets"] = {"types": ["spot"]}
        ex.has["fetchCurrencies"] = False
        ex.load_markets()
        pairs = re.findall(r'"(\w+/USDT)"', (workdir / "config.json").read_text())
        assert len(pairs) == 8 and all(ex.fetch_open_orders(pair) == [] for pair in pairs)
    finally:
        if bot is not None and bot.poll() is None:
            bot.kill()
        sandbox.send_signal(signal.SIGINT)
        try:
            sandbox.wait(timeout=20)
        finally:
            if sandbox.poll() is None:
                sandbox.kill()
    assert sandbox.returncode == 0
