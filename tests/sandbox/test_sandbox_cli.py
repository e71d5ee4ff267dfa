"""``batchcancel sandbox`` as a script drives it: subprocesses, fixed port and credentials, the
``--json`` line, ``-v`` lines, signals, and one-line errors."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import ccxt
import pytest

from batchcancel.sandbox import LEAN_OPTIONS
from tests.helpers import needs_uta_probe

COMMAND = [sys.executable, "-m", "batchcancel", "sandbox"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(*args: str, sigint_ignored: bool = False) -> Iterator[tuple[subprocess.Popen, dict]]:
    """The command started with ``--json``; yields the process and the parsed line."""
    process = subprocess.Popen(
        [*COMMAND, "--json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As in a shell script's background job (`batchcancel sandbox &`): SIGINT starts ignored.
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else ""
        yield process, json.loads(line)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def client(info: dict) -> ccxt.bybit:
    ex = ccxt.bybit(
        {"apiKey": info["api_key"], "secret": info["secret"], "options": dict(LEAN_OPTIONS["bybit"])}
    )
    ex.urls["api"] = {key: info["url"] for key in ex.urls["api"]}
    ex.has["fetchCurrencies"] = False
    return ex


def test_json_line_fixed_port_and_credentials_verbose_lines_and_sigterm_exit_0():
    port = free_port()
    with running(
        "--port", str(port), "--api-key", "botkey", "--secret", "botsecret", "--password", "botpass", "-v"
    ) as (process, info):
        assert info == {
            "url": f"http://127.0.0.1:{port}",
            "port": port,
            "api_key": "botkey",
            "secret": "botsecret",
            "passphrase": "botpass",
            "exchanges": ["bybit", "bitget", "okx", "binanceusdm"],
        }
        ex = client(info)
        ex.load_markets()
        assert ex.fetch_open_orders("BTC/USDT") == []  # a signed request with the fixed credentials
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0
    assert out == ""  # the JSON line was the only thing on stdout
    lines = err.splitlines()
    assert lines[-1] == "sandbox stopped"
    realtime = [line for line in lines if " /v5/order/realtime " in line]
    assert len(realtime) == 1
    exchange, method, path, status, code, latency, budget = realtime[0].split()
    assert (exchange, method, path, status, code) == ("bybit", "GET", "/v5/order/realtime", "200", "code=0")
    assert latency.endswith("ms") and float(latency[:-2]) >= 0
    assert budget == "budget_left=49"  # /v5/order/realtime: 50 per second, one spent
    assert "botsecret" not in err and "botpass" not in err


def test_verbose_bitget_lines_carry_the_budget_too():
    with running("-v") as (process, info):
        ex = ccxt.bitget(
            {
                "apiKey": info["api_key"],
                "secret": info["secret"],
                "password": info["passphrase"],
                "options": dict(LEAN_OPTIONS["bitget"]),
            }
        )
        ex.urls["api"] = {key: info["url"] for key in ex.urls["api"]}
        ex.has["fetchCurrencies"] = False
        ex.load_markets()
        ex.fetch_open_orders("BTC/USDT")
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    line = next(line for line in err.splitlines() if "/api/v2/spot/trade/unfilled-orders" in line)
    assert line.split()[3:5] == ["200", "code=00000"] and line.split()[-1] == "budget_left=19"


@needs_uta_probe
def test_bitget_uta_serves_v3_and_ccxt_finds_the_account_by_itself():
    with running("-v", "--bitget-uta") as (process, info):
        assert info["bitget_account"] == "uta" and info["exchanges"] == [
            "bybit",
            "bitget",
            "okx",
            "binanceusdm",
        ]
        ex = ccxt.bitget(
            {"apiKey": info["api_key"], "secret": info["secret"], "password": info["passphrase"]}
        )
        ex.urls["api"] = {key: info["url"] for key in ex.urls["api"]}
        ex.has["fetchCurrencies"] = False
        ex.load_markets()  # ccxt's own probe of /api/v3/account/settings: a UTA account
        assert ex.options["uta"] is True and ex.fetch_open_orders("BTC/USDT") == []
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert any("/api/v3/trade/unfilled-orders 200 code=00000" in line for line in err.splitlines())


def test_sigint_stops_it_even_when_started_as_a_background_job():
    with running(sigint_ignored=True) as (process, _):
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0 and err.strip() == "sandbox stopped"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget-scale", "0"], "argument --budget-scale: must be greater than 0, got 0"),
        (["--budget-scale", "-2"], "argument --budget-scale: must be greater than 0, got -2"),
        (["--latency-ms", "-5"], "argument --latency-ms: must be 0 or more, got -5"),
        (["--jitter-ms", "-1"], "argument --jitter-ms: must be 0 or more, got -1"),
        (["--latency-ms", "nan"], "argument --latency-ms: 'nan' is not a finite number"),
        (["--port", "70000"], "argument --port: must be 0 (any free port) to 65535, got 70000"),
        (["--api-key", ""], "argument --api-key: must be non-empty"),
        (["--host", "0.0.0.0"], "binds to loopback only"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(args, message):
    result = subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("batchcancel sandbox: ") and message in result.stderr


def test_a_taken_port_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            [*COMMAND, "--port", str(port), "--json"], capture_output=True, text=True, timeout=30
        )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"batchcancel sandbox: port {port} on 127.0.0.1 is already in use; pick another --port\n"
    )
    assert time.monotonic() - started < 20
