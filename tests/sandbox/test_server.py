"""Server properties: loopback only, no secrets shown, a 500 (never a traceback) when a handler
fails, the CLI, and keep-alive under concurrency."""

from __future__ import annotations

import argparse
import io
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests

from batchcancel.sandbox import Sandbox
from batchcancel.sandbox.cli import register, run
from batchcancel.sandbox.faults import FaultPlan, LatencyPlan
from batchcancel.sandbox.log import RequestLog
from batchcancel.sandbox.server import Router, SandboxHTTPServer
from batchcancel.sandbox.wire import HttpRequest, Reply


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
def test_only_loopback_addresses_bind(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        Sandbox(host=host)


def test_localhost_means_127_0_0_1() -> None:
    with Sandbox(host="localhost") as sb:
        assert sb.url.startswith("http://127.0.0.1:")


def test_secrets_stay_out_of_reprs_logs_and_answers(sandbox: Sandbox) -> None:
    account = sandbox.add_account()
    reprs = repr(sandbox) + repr(account) + repr(sandbox.default_account) + repr(sandbox.accounts())
    for account_ in (sandbox.default_account, account):  # not even the API key in a repr
        for credential in (account_.api_key, account_.secret, account_.password):
            assert credential not in reprs
    assert account.api_key[-4:] in reprs  # the check itself sees what it looks for
    shown = reprs
    ex = sandbox.client("bybit", enableRateLimit=False)
    ex.fetch_time()
    ex.privateGetV5UserQueryApi()
    bad = sandbox.client("bitget", secret="wrong", enableRateLimit=False)
    try:
        bad.privateSpotGetV2SpotTradeUnfilledOrders()
    except Exception as error:  # any error message counts as shown
        shown += str(error)
    shown += repr(sandbox.log) + str(ex.last_http_response)
    with pytest.raises(KeyError) as missing:
        sandbox.order("bybit", "nope")
    shown += str(missing.value)
    for account_ in (sandbox.default_account, account):
        assert account_.secret not in shown and account_.password not in shown
    assert sandbox.api_key in shown  # query-api echoes the key, as Bybit's does


class _CrashingExchange:
    """An exchange server whose handler always raises, to drive the server's last line of defence."""

    name = "crashing"
    redirect_path = "/"

    def handle(self, request: HttpRequest) -> Reply:
        raise RuntimeError("handler bug")

    def internal_error(self, request: HttpRequest) -> Reply:
        return Reply(500, {"code": "500", "msg": "System busy"}, code="500")

    def fault_reply(self, kind: str, request: HttpRequest) -> Reply:
        raise AssertionError

    def count_items(self, request: HttpRequest) -> int:
        return 0

    def account_of(self, request: HttpRequest) -> str | None:
        return None

    def is_batch(self, path: str) -> bool:
        return False

    def mangle_batch(self, kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
        raise AssertionError


def test_a_handler_exception_becomes_a_500_with_an_exchange_body(caplog: Any) -> None:
    log = RequestLog()
    crashing = _CrashingExchange()
    router = Router({"/api/": crashing}, crashing, FaultPlan(0), LatencyPlan(0, 0, 0), log, threading.Event())
    server = SandboxHTTPServer("127.0.0.1", 0, router)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response = requests.post(
            f"http://127.0.0.1:{server.server_address[1]}/api/v2/x", data=b"{}", timeout=5
        )
    finally:
        server.shutdown()
        server.server_close()
    assert response.status_code == 500 and response.json() == {"code": "500", "msg": "System busy"}
    assert "Traceback" not in response.text and "handler bug" not in response.text
    assert log.snapshot()[0].status == 500
    assert "handler bug" in caplog.text  # logged on the server side


def test_a_sandbox_can_be_stopped_and_started_again() -> None:
    sb = Sandbox()
    for _ in range(2):
        with sb:
            assert requests.get(sb.url + "/v5/market/time", timeout=5).json()["retCode"] == 0
    assert sb.count("/v5/market/time") == 2


def test_cli_runs_and_its_snippet_works() -> None:
    parser = argparse.ArgumentParser(prog="batchcancel")
    register(parser.add_subparsers())
    args = parser.parse_args(["sandbox", "--port", "0", "--seed", "3"])
    assert args.func is run and args.host == "127.0.0.1"
    with pytest.raises(SystemExit):
        parser.parse_args(["sandbox", "--host", "0.0.0.0"])
    out, ready, stop = io.StringIO(), threading.Event(), threading.Event()
    thread = threading.Thread(target=run, args=(args,), kwargs={"ready": ready, "stop": stop, "out": out})
    thread.start()
    try:
        assert ready.wait(10)
        banner = out.getvalue()
        snippet = banner[banner.index("import ccxt") : banner.index("pybit:")]
        scope: dict[str, Any] = {}
        exec(snippet, scope)  # the printed snippet, as a newcomer would paste it
        assert scope["bybit"].fetch_time() > 0
        scope["bybit"].load_markets()
        assert scope["bybit"].fetch_open_orders("BTC/USDT") == []
        assert scope["bitget"].fetch_open_orders("BTC/USDT") == []
    finally:
        stop.set()
        thread.join(10)


def test_concurrent_keep_alive_clients(sandbox: Sandbox) -> None:
    seeded = sandbox.seed_orders("bitget", {"BTC/USDT": 40})
    sandbox.set_budget_scale(100)
    failures: list[BaseException] = []

    def worker(orders: list[Any]) -> None:
        try:
            ex = sandbox.client("bitget", enableRateLimit=False)
            for order in orders:
                ex.cancel_order(order.order_id, "BTC/USDT")
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(seeded[i::20],)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and sandbox.open_orders("bitget") == []


def test_batchcancel_sandbox_command_runs_until_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "batchcancel", "sandbox", "--seed", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # A shell's background job inherits SIGINT ignored; give the child a real Ctrl-C.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        line = ""
        while "http://" not in line:  # the banner's first line names the URL
            line = process.stdout.readline()
            assert line, "the command ended before printing its URL"
        found = re.search(r"http://[0-9.:]+", line)
        assert found is not None
        url = found.group(0)
        assert requests.get(url + "/api/v2/public/time", timeout=5).json()["code"] == "00000"
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and "sandbox stopped" in output


def test_the_router_picks_the_longest_matching_prefix_and_falls_back_for_junk() -> None:
    first, second, third = _CrashingExchange(), _CrashingExchange(), _CrashingExchange()
    router = Router(
        {"/api/": first, "/api/v9/": second},
        third,
        FaultPlan(0),
        LatencyPlan(0, 0, 0),
        RequestLog(),
        threading.Event(),
    )
    assert router.server_for("/api/v2/spot/x") is first
    assert router.server_for("/api/v9/x") is second
    assert router.server_for("/") is third and router.server_for("/v5/x") is third


def test_a_sandbox_refuses_an_exchange_it_does_not_serve(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="serves bybit, bitget, okx"):
        sandbox.seed_orders("kraken", {"BTC/USDT": 1})


def test_a_sandbox_refuses_two_exchanges_with_one_name_or_prefix() -> None:
    from batchcancel.sandbox.registry import EXCHANGES

    with pytest.raises(ValueError, match="own name and its own path prefixes"):
        Sandbox(exchanges=(*EXCHANGES, EXCHANGES[0]))
    with pytest.raises(ValueError, match="at least one exchange"):
        Sandbox(exchanges=())
