"""The store failing under a running call: stopped, frozen (slow), or never there.

Each time the call goes on paced in-process after one WARNING, and every order still gets a true
outcome. The faults are real: the test's own redis-server process is terminated or frozen
(SIGSTOP: connections stay open, nothing answers), or paused by Redis's own ``CLIENT PAUSE`` (a
server that answers, seconds late), or the URL names a port nobody listens on.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

from batchcancel import CancelRequest, Settings, Status
from tests.helpers import run_cancel
from tests.shared_budget.redis_server import PASSWORD

FAST = {"backoff_base_s": 0.02, "backoff_max_s": 0.2, "deadline_s": 60.0}
# Linear and inverse share 10 orders/s per endpoint: 40 orders take a few seconds of pacing,
# time for the fault to strike while the call runs.
WORKLOAD = {"BTC/USDT:USDT": 20, "ETH/USDT:USDT": 20}


def run(sandbox, mode: str, requests, settings: Settings):
    return run_cancel(sandbox, "bybit", mode, requests, settings)


def seeded(sandbox) -> list[CancelRequest]:
    orders = sandbox.seed_orders("bybit", WORKLOAD)
    sandbox.fill("bybit", [orders[0].order_id])
    return [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]


def when_cancels_sent(sandbox, count: int, action) -> threading.Thread:
    """Run ``action`` once the sandbox has served ``count`` cancel requests (the call is under way)."""

    def watch() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if sum("cancel" in e.path for e in sandbox.log) >= count:
                action()
                return
            time.sleep(0.005)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def check_truth(sandbox, requests, report, caplog) -> None:
    assert [o.request for o in report.outcomes] == requests
    statuses = {o.request.order_id: o.status for o in report.outcomes}
    for order_id, status in statuses.items():
        final = sandbox.order("bybit", order_id).status
        assert final != "open", f"{order_id} left open ({status})"
        assert status is (Status.CANCELED if final == "canceled" else Status.ALREADY_CLOSED), order_id
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    warnings = [r for r in warned if "budget store" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "in this process only" in warnings[0].getMessage()
    assert PASSWORD not in caplog.text


def in_use_then(server, action, seen: list[int]):
    """Record that the store holds this call's reservations, then break it."""

    def strike() -> None:
        seen.append(server.client().dbsize())
        action()

    return strike


def test_server_stopped_mid_run(sandbox, own_redis, mode, caplog):
    requests = seeded(sandbox)
    settings = Settings(budget_store=own_redis.url, **FAST)
    seen: list[int] = []
    watcher = when_cancels_sent(sandbox, 3, in_use_then(own_redis, own_redis.stop, seen))
    with caplog.at_level(logging.DEBUG, logger="batchcancel"):
        report = run(sandbox, mode, requests, settings)
    watcher.join()
    assert seen and seen[0] > 0  # the call was reserving in the store when it was stopped
    assert own_redis.process is None
    check_truth(sandbox, requests, report, caplog)


def test_server_frozen_mid_run(sandbox, own_redis, mode, caplog):
    requests = seeded(sandbox)
    settings = Settings(budget_store=own_redis.url, **FAST)
    seen: list[int] = []
    watcher = when_cancels_sent(sandbox, 3, in_use_then(own_redis, own_redis.pause, seen))
    try:
        with caplog.at_level(logging.DEBUG, logger="batchcancel"):
            report = run(sandbox, mode, requests, settings)
    finally:
        watcher.join()
        own_redis.resume()
    assert seen and seen[0] > 0
    check_truth(sandbox, requests, report, caplog)


def test_server_slow(sandbox, own_redis, mode, caplog):
    requests = seeded(sandbox)
    # Redis holds every client's commands for 3 s, then answers them: slower than the store's
    # timeout, so the call paces in-process instead of waiting.
    own_redis.client().execute_command("CLIENT", "PAUSE", 3000, "ALL")
    with caplog.at_level(logging.DEBUG, logger="batchcancel"):
        report = run(sandbox, mode, requests, Settings(budget_store=own_redis.url, **FAST))
    check_truth(sandbox, requests, report, caplog)


def test_server_never_there(sandbox, mode, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nobody listens there
    requests = seeded(sandbox)
    url = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
    with caplog.at_level(logging.DEBUG, logger="batchcancel"):
        report = run(sandbox, mode, requests, Settings(budget_store=url, **FAST))
    check_truth(sandbox, requests, report, caplog)
