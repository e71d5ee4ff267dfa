"""The dead-man's switch end to end on OKX: real ccxt okx (sync and async) -> HTTP -> the sandbox's
cancel-all-after, whose countdown really cancels every open order when it runs out.

OKX's shortest countdown is 10 s; the sandbox lowers it to 1 s (``set_countdown_minimum``) and the
switch is given a dialect that allows 1 s, so each test takes a few seconds, not minutes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import pytest

from batchcancel import AsyncDeadMansSwitch, CountdownError, DeadMansSwitch, HeartbeatFailed, NotSupported
from batchcancel.exchanges.okx import OkxDialect

AFTER = "/api/v5/trade/cancel-all-after"
TIMEOUT_S = 1.0


class ShortOkx(OkxDialect):
    """OKX with the sandbox's lowered minimum: countdowns from 1 s."""

    def countdown_range(self) -> tuple[float, float]:
        return (1.0, 120.0)


@pytest.fixture
def sandbox(sandbox):
    sandbox.set_countdown_minimum("okx", 1)
    sandbox.set_limit("okx", AFTER, 1000)  # heartbeats every 1/3 s: past OKX's 1 request/s
    return sandbox


def run_switch(sandbox, mode: str, body: Callable[[Any], Any], **options: Any) -> None:
    """Build the switch (sync or async) over a fresh ccxt okx client and run ``body(switch)``;
    in async mode ``body`` gets the async switch and may return an awaitable."""
    options.setdefault("dialect", ShortOkx())
    if mode == "sync":
        body(DeadMansSwitch(sandbox.client("okx", enableRateLimit=False), timeout_s=TIMEOUT_S, **options))
        return

    async def main() -> None:
        exchange = sandbox.client("okx", async_=True, enableRateLimit=False)
        try:
            result = body(AsyncDeadMansSwitch(exchange, timeout_s=TIMEOUT_S, **options))
            if asyncio.iscoroutine(result):
                await result
        finally:
            await exchange.close()

    asyncio.run(main())


def pause(mode: str, seconds: float) -> Any:
    return asyncio.sleep(seconds) if mode == "async" else time.sleep(seconds)


def test_heartbeats_keep_the_orders_past_several_timeouts_and_disarm_leaves_them(sandbox, mode):
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 3, "ETH/USDT:USDT": 2})

    def sync_body(switch):
        with switch:
            assert switch.armed and sandbox.countdown_deadline("okx") is not None
            time.sleep(3.5 * TIMEOUT_S)
        assert sandbox.countdown_deadline("okx") is None

    async def async_body(switch):
        async with switch:
            assert switch.armed and sandbox.countdown_deadline("okx") is not None
            await asyncio.sleep(3.5 * TIMEOUT_S)
        assert sandbox.countdown_deadline("okx") is None

    run_switch(sandbox, mode, sync_body if mode == "sync" else async_body)
    time.sleep(1.5 * TIMEOUT_S)  # disarmed: nothing runs out

    assert len(sandbox.open_orders("okx")) == len(orders)
    bodies = [e for e in sandbox.log if e.path == AFTER]
    assert len(bodies) >= 1 + 3 * 2  # armed, then about three heartbeats per timeout, then cleared
    assert {e.status for e in bodies} == {200}


def test_when_the_heartbeat_stops_the_exchange_cancels_everything(sandbox, mode):
    sandbox.seed_orders("okx", {"BTC/USDT": 3, "SOL/USDT:USDT": 2})

    def sync_body(switch):
        switch.arm()
        switch.stop(disarm=False)  # the bot "dies": no more heartbeats, the countdown runs

    async def async_body(switch):
        await switch.arm()
        await switch.stop(disarm=False)

    run_switch(sandbox, mode, sync_body if mode == "sync" else async_body)
    assert len(sandbox.open_orders("okx")) == 5
    deadline = time.monotonic() + 5
    while sandbox.open_orders("okx") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.open_orders("okx") == []
    assert {o.status for o in sandbox.orders("okx")} == {"canceled"}


def test_a_failing_heartbeat_logs_error_and_calls_back_before_the_timer_runs_out(sandbox, mode, caplog):
    sandbox.seed_orders("okx", {"BTC/USDT": 2})
    failures: list[HeartbeatFailed] = []

    def sync_body(switch):
        with switch:
            sandbox.inject(AFTER, "http_500", times=2)  # the next two heartbeats fail
            time.sleep(2.5 * TIMEOUT_S)

    async def async_body(switch):
        async with switch:
            sandbox.inject(AFTER, "http_500", times=2)
            await asyncio.sleep(2.5 * TIMEOUT_S)

    with caplog.at_level(logging.ERROR, logger="batchcancel"):
        run_switch(sandbox, mode, sync_body if mode == "sync" else async_body, on_failure=failures.append)

    assert len(failures) == 2
    assert all(0 < f.seconds_left < TIMEOUT_S for f in failures)  # told before the countdown ran out
    assert "okx dead-man's switch heartbeat failed" in str(failures[0])
    errors = [
        r for r in caplog.records if r.levelno == logging.ERROR and "heartbeat failed" in r.getMessage()
    ]
    assert len(errors) == 2
    # The retries got through before the countdown ran out: the orders are still there.
    assert len(sandbox.open_orders("okx")) == 2
    statuses = [e.status for e in sandbox.log if e.path == AFTER]
    assert statuses.count(500) == 2 and statuses[-1] == 200


def test_an_async_on_failure_coroutine_is_awaited(sandbox):
    told: list[float] = []

    async def on_failure(failure: HeartbeatFailed) -> None:
        told.append(failure.seconds_left)

    async def body(switch):
        async with switch:
            sandbox.inject(AFTER, "ok_without_id", times=1)  # "0" with no triggerTime: not a re-arm
            await asyncio.sleep(0.8 * TIMEOUT_S)

    run_switch(sandbox, "async", body, on_failure=on_failure)
    assert len(told) == 1


@pytest.mark.parametrize("fault", ["ok_without_id", "html_200", "empty_object_body", "http_502"])
def test_arming_raises_unless_the_exchange_confirms_the_countdown(sandbox, mode, fault):
    sandbox.inject(AFTER, fault, times=1)

    def sync_body(switch):
        with pytest.raises(CountdownError, match="okx"):
            switch.arm()
        assert not switch.armed

    async def async_body(switch):
        with pytest.raises(CountdownError, match="okx"):
            await switch.arm()
        assert not switch.armed

    run_switch(sandbox, mode, sync_body if mode == "sync" else async_body)
    assert sandbox.countdown_deadline("okx") is None


@pytest.mark.parametrize(
    ("exchange_id", "why"),
    [("bybit", "WebSocket"), ("bitget", "classic \\(v2\\) API has no cancel-all countdown")],
)
def test_bybit_and_bitget_raise_not_supported_naming_the_exchange_before_any_request(
    sandbox, exchange_id, why
):
    with pytest.raises(NotSupported, match=f"^{exchange_id}: .*{why}"):
        DeadMansSwitch(sandbox.client(exchange_id), timeout_s=30)
    assert sandbox.log == []


@pytest.mark.parametrize("timeout", [5, 121, math.nan, math.inf, -1, 0])
def test_a_timeout_outside_okxs_range_is_refused_before_any_request(sandbox, timeout):
    with pytest.raises(ValueError, match="okx: timeout_s must lie between 10 and 120 s"):
        DeadMansSwitch(sandbox.client("okx"), timeout_s=timeout)
    assert sandbox.log == []


@pytest.mark.parametrize("timeout", [True, "30", None])
def test_a_timeout_that_is_not_a_number_is_a_type_error(sandbox, timeout):
    with pytest.raises(TypeError, match="timeout_s must be a number"):
        DeadMansSwitch(sandbox.client("okx"), timeout_s=timeout)


def test_the_sync_switch_refuses_an_async_exchange_and_the_other_way_round(sandbox):
    import ccxt.async_support

    from batchcancel import WrongExchangeKind

    with pytest.raises(WrongExchangeKind):
        DeadMansSwitch(ccxt.async_support.okx(), timeout_s=30)
    with pytest.raises(WrongExchangeKind):
        AsyncDeadMansSwitch(sandbox.client("okx"), timeout_s=30)


def test_a_failure_quoting_the_credentials_back_reports_none_of_them(sandbox, caplog):
    # A gateway page that echoes the request's headers (API key, passphrase) fails the heartbeat:
    # neither the log nor the HeartbeatFailed handed to on_failure may carry them.
    failures: list[HeartbeatFailed] = []

    def body(switch):
        with switch:
            sandbox.inject(AFTER, "echo_headers", times=1)
            time.sleep(0.8 * TIMEOUT_S)

    with caplog.at_level(logging.ERROR, logger="batchcancel"):
        run_switch(sandbox, "sync", body, on_failure=failures.append)

    assert len(failures) == 1 and "***" in str(failures[0])
    texts = [str(failures[0]), caplog.text]
    for secret in (sandbox.api_key, sandbox.secret, sandbox.password):
        assert all(secret not in text for text in texts)


def _late_first_heartbeat(exchange: Any, delay_s: float, started: Any) -> None:
    """The next heartbeat (a countdown being set, not cleared) reaches the exchange ``delay_s``
    late, as over a congested network: the sandbox cannot delay a request before applying it, so
    ccxt's own ``fetch`` (the network boundary, below all of batchcancel) waits first."""
    real_fetch = exchange.fetch
    pending = [True]

    def arming(url: str, body: Any) -> bool:
        return AFTER in url and '"timeOut":"0"' not in str(body) and pending[0]

    if asyncio.iscoroutinefunction(real_fetch):

        async def fetch(url, method="GET", headers=None, body=None):
            if arming(url, body):
                pending[0] = False
                started.set()
                await asyncio.sleep(delay_s)
            return await real_fetch(url, method, headers, body)

    else:

        def fetch(url, method="GET", headers=None, body=None):
            if arming(url, body):
                pending[0] = False
                started.set()
                time.sleep(delay_s)
            return real_fetch(url, method, headers, body)

    exchange.fetch = fetch


def test_a_heartbeat_landing_after_the_disarm_is_cleared_again(sandbox, mode):
    """Disarm while a heartbeat is still on its way: when it lands and sets the countdown again,
    the switch clears it once more, so the orders outlive the timeout."""
    import threading

    orders = sandbox.seed_orders("okx", {"BTC/USDT": 2})
    delay_s = 0.8  # longer than the switch waits for a heartbeat (a third of 1 s)
    if mode == "sync":
        exchange = sandbox.client("okx", enableRateLimit=False)
        switch = DeadMansSwitch(exchange, timeout_s=TIMEOUT_S, dialect=ShortOkx())
        switch.arm()
        started = threading.Event()
        _late_first_heartbeat(exchange, delay_s, started)
        assert started.wait(2 * TIMEOUT_S)
        switch.disarm()
        time.sleep(delay_s + 0.3)  # the late heartbeat lands, then the switch clears it again
    else:

        async def main() -> None:
            exchange = sandbox.client("okx", async_=True, enableRateLimit=False)
            try:
                switch = AsyncDeadMansSwitch(exchange, timeout_s=TIMEOUT_S, dialect=ShortOkx())
                await switch.arm()
                started = asyncio.Event()
                _late_first_heartbeat(exchange, delay_s, started)
                await asyncio.wait_for(started.wait(), 2 * TIMEOUT_S)
                await switch.disarm()  # waits for the late heartbeat and clears after it
            finally:
                await exchange.close()

        asyncio.run(main())
    assert sandbox.countdown_deadline("okx") is None
    time.sleep(1.5 * TIMEOUT_S)  # past the timeout the late heartbeat set
    assert len(sandbox.open_orders("okx")) == len(orders)
