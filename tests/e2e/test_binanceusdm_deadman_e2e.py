"""The dead-man's switch on Binance USDⓈ-M end to end: real ccxt binanceusdm (sync and async) ->
HTTP -> the sandbox's ``countdownCancelAll``, one countdown per symbol, which really cancels that
symbol's open orders when it runs out (the sandbox allows countdowns from 1 s)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from batchcancel import AsyncDeadMansSwitch, DeadMansSwitch

EX = "binanceusdm"
COUNTDOWN = "/fapi/v1/countdownCancelAll"
TIMEOUT_S = 1.0
GUARDED = ["BTC/USDT:USDT", "ETH/USDT:USDT"]


def run_switch(sandbox: Any, mode: str, seconds: float, *, disarm: bool) -> None:
    """Arm a switch over ``GUARDED``, keep it alive ``seconds``, then disarm it or stop dead."""
    if mode == "sync":
        switch = DeadMansSwitch(sandbox.client(EX, enableRateLimit=False), TIMEOUT_S, GUARDED)
        switch.arm()
        time.sleep(seconds)
        switch.disarm() if disarm else switch.stop(disarm=False)
        return

    async def main() -> None:
        exchange = sandbox.client(EX, async_=True, enableRateLimit=False)
        try:
            switch = AsyncDeadMansSwitch(exchange, TIMEOUT_S, GUARDED)
            await switch.arm()
            await asyncio.sleep(seconds)
            await (switch.disarm() if disarm else switch.stop(disarm=False))
        finally:
            await exchange.close()

    asyncio.run(main())


def test_heartbeats_keep_the_orders_past_several_timeouts_and_disarm_leaves_them(sandbox, mode):
    orders = sandbox.seed_orders(EX, {"BTC/USDT:USDT": 3, "ETH/USDT:USDT": 2, "SOL/USDT:USDT": 1})
    run_switch(sandbox, mode, 3.5 * TIMEOUT_S, disarm=True)
    time.sleep(1.5 * TIMEOUT_S)  # disarmed: nothing runs out
    assert len(sandbox.open_orders(EX)) == len(orders)
    sent = [e for e in sandbox.log if e.path == COUNTDOWN]
    assert len(sent) >= 2 * (1 + 3 * 2)  # per symbol: armed, about three heartbeats a timeout, cleared
    assert {e.status for e in sent} == {200}


def test_when_the_heartbeat_stops_the_guarded_symbols_orders_are_cancelled(sandbox, mode):
    sandbox.seed_orders(EX, {"BTC/USDT:USDT": 3, "ETH/USDT:USDT": 2})
    (unguarded,) = sandbox.seed_orders(EX, {"SOL/USDT:USDT": 1})
    run_switch(sandbox, mode, 0.1, disarm=False)  # the bot "dies": the countdowns run
    deadline = time.monotonic() + 5
    while len(sandbox.open_orders(EX)) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [o.order_id for o in sandbox.open_orders(EX)] == [unguarded.order_id]


def test_binances_countdown_needs_the_symbols_it_guards(sandbox):
    switch = DeadMansSwitch(sandbox.client(EX, enableRateLimit=False), TIMEOUT_S)
    with pytest.raises(ValueError, match="per symbol"):
        switch.arm()
    assert not [e for e in sandbox.log if e.path == COUNTDOWN]
