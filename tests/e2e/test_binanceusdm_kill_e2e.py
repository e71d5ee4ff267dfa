"""The kill switch on Binance USDⓈ-M end to end: ``cancel_all_orders`` (sync and async) and the
``cancel-all`` command, real ccxt, real HTTP.

Binance cancels everything of one symbol with ``DELETE /fapi/v1/allOpenOrders`` and its answer
names no order: every outcome comes from the read-back and each order's own state.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from typing import Any

from batchcancel import Status
from tests.e2e.test_kill_switch_e2e import kill

EX = "binanceusdm"
BOOK = {"BTC/USDT:USDT": 120, "ETH/USDT:USDT": 45, "SOL/USDT:USDT": 20, "BTC/USDC:USDC": 8}
CANCEL_ALL = "/fapi/v1/allOpenOrders"
LISTINGS = ("/fapi/v1/openOrders", "/fapi/v1/openAlgoOrders")


def test_every_symbol_in_one_request_each_and_one_true_outcome_per_order(sandbox, mode):
    sandbox.set_budget_scale(1000)
    before = sandbox.seed_orders(EX, BOOK)
    # Two SOLUSDT orders fill while the first cancel-all (BTCUSDC's: one at a time, in symbol
    # order) goes out: SOLUSDT's, the last, finds them filled.
    filled = [o.order_id for o in before if o.native_symbol == "SOLUSDT"][:2]

    fired: list[bool] = []

    def during(entry: Any) -> None:
        # Orders fill while the cancel-alls go out. (The sandbox keeps its listeners for the
        # session: this one acts once, then stays inert for later tests.)
        if entry.path == CANCEL_ALL and not fired:
            fired.append(True)
            sandbox.fill(EX, filled)

    sandbox.on_request(during)
    report = kill(sandbox, EX, mode, max_concurrency=1)

    ids = [o.request.order_id for o in report.outcomes]
    assert sorted(ids) == sorted(o.order_id for o in before)
    for outcome in report.outcomes:
        booked = sandbox.order(EX, outcome.request.order_id)
        assert outcome.request.symbol == booked.symbol and outcome.verified
        expected = Status.ALREADY_CLOSED if booked.order_id in filled else Status.CANCELED
        assert (outcome.status, booked.status) == (
            expected, "filled" if expected is Status.ALREADY_CLOSED else "canceled"
        )  # fmt: skip
    assert sandbox.open_orders(EX) == []
    paths = Counter(e.path for e in sandbox.log)
    assert paths[CANCEL_ALL] == len(BOOK)  # one per symbol: everything cancelled in 4 requests
    assert sum(paths[p] for p in LISTINGS) == 4  # listed, then read back: plain and conditional
    # The answers name no order, so each order's own state says cancelled or filled.
    assert paths["/fapi/v1/order"] == len(before)
    assert report.requests_sent == len(sandbox.log)


def test_named_symbols_scope_the_kill_switch(sandbox, mode):
    sandbox.set_budget_scale(1000)
    before = sandbox.seed_orders(EX, BOOK)
    scope = ["ETH/USDT:USDT", "BTC/USDC:USDC"]

    report = kill(sandbox, EX, mode, scope)

    in_scope = {o.order_id for o in before if o.symbol in scope}
    assert {o.request.order_id for o in report.outcomes} == in_scope
    assert all(o.status is Status.CANCELED for o in report.outcomes)
    assert {o.order_id for o in sandbox.open_orders(EX)} == {o.order_id for o in before} - in_scope
    assert Counter(e.path for e in sandbox.log)[CANCEL_ALL] == 2


def test_the_cancel_all_command_serves_binance(sandbox):
    sandbox.seed_orders(EX, {"BTC/USDT:USDT": 12, "ETH/USDT:USDT": 3})
    env = dict(os.environ, BATCHCANCEL_API_KEY=sandbox.api_key, BATCHCANCEL_SECRET=sandbox.secret)
    command = [sys.executable, "-m", "batchcancel", "cancel-all", "--exchange", EX, "--base-url", sandbox.url]
    listed = subprocess.run([*command, "--dry-run"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and listed.stdout.count("would cancel") == 15
    done = subprocess.run([*command, "--yes"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sandbox.open_orders(EX) == []
