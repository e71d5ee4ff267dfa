"""The kill switch on OKX end to end: ``cancel_all_orders`` (sync and async), real ccxt okx, real HTTP.

OKX has no general cancel-all endpoint (``mass-cancel`` serves option orders of one family, for
market makers), so the kill switch lists the account (plain and algo orders) and cancels what it
found in batches of 20 (algo orders through cancel-algos, 10 a request), then reads the account
back: nothing open in scope, one true outcome per order.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from batchcancel import CancelReport, Status, cancel_all_orders, cancel_all_orders_async
from batchcancel.kill_api import list_open_orders

BOOK = {"BTC/USDT": 90, "ETH/USDT": 40, "BTC/USDT:USDT": 60, "ETH/USDT:USDT": 25, "BTC/USD:BTC": 15}
PENDING = "/api/v5/trade/orders-pending"
ALGO_PENDING = "/api/v5/trade/orders-algo-pending"


def kill(sandbox: Any, mode: str, symbols: Sequence[str] | None = None) -> CancelReport:
    if mode == "sync":
        exchange = sandbox.client("okx", enableRateLimit=False)
        exchange.load_markets()
        sandbox.clear_log()
        return cancel_all_orders(exchange, symbols)

    async def run() -> CancelReport:
        exchange = sandbox.client("okx", async_=True, enableRateLimit=False)
        try:
            await exchange.load_markets()
            sandbox.clear_log()
            return await cancel_all_orders_async(exchange, symbols)
        finally:
            await exchange.close()

    return asyncio.run(run())


def test_the_whole_account_ends_with_nothing_open_plain_and_algo_orders_alike(sandbox, mode):
    sandbox.set_budget_scale(100)
    plain = sandbox.seed_orders("okx", BOOK)
    algos = sandbox.seed_orders("okx", {"SOL/USDT:USDT": 12}, order_filter="conditional")
    sandbox.fill("okx", [plain[0].order_id])  # filled before the call: not open, not listed

    report = kill(sandbox, mode)

    expected = {o.order_id for o in plain[1:] + algos}
    assert {o.request.order_id for o in report.outcomes} == expected
    assert all(o.status is Status.CANCELED and o.verified for o in report.outcomes)
    assert sandbox.open_orders("okx") == []
    for outcome in report.outcomes:
        assert outcome.request.symbol == sandbox.order("okx", outcome.request.order_id).symbol
    assert Counter(o.via for o in report.outcomes) == Counter({"okx:batch": len(plain) - 1, "okx:algo": 12})
    log = Counter(entry.path for entry in sandbox.log)
    assert log["/api/v5/trade/cancel-batch-orders"] == math.ceil((len(plain) - 1) / 20)
    assert log["/api/v5/trade/cancel-algos"] == 2
    # Two listings: before (plain orders in pages of 100) and after (one empty page); each reads
    # one page per algo order type.
    assert log[PENDING] == math.ceil((len(plain) - 1) / 100) + 1
    assert log[ALGO_PENDING] == 2 * 6


def test_symbols_scope_the_kill_switch_and_the_dry_run_lists_the_same(sandbox):
    sandbox.set_budget_scale(100)
    before = sandbox.seed_orders("okx", BOOK)
    scope = ["BTC/USDT:USDT", "ETH/USDT"]
    exchange = sandbox.client("okx", enableRateLimit=False)
    listed = list_open_orders(exchange, scope)
    in_scope = {o.order_id for o in before if o.symbol in scope}
    assert {r.order_id for r in listed} == in_scope

    report = kill(sandbox, "sync", scope)

    assert {o.request.order_id for o in report.outcomes} == in_scope
    assert all(o.status is Status.CANCELED for o in report.outcomes)
    assert {o.order_id for o in sandbox.open_orders("okx")} == {o.order_id for o in before} - in_scope


def test_listing_pages_refused_for_the_rate_budget_wait_for_it_instead_of_failing(sandbox, mode):
    # Five algo-list pages answered 50011 (more than max_retries): each waits out its budget's
    # window and is asked again, bounded by the deadline, never counted as a failed read.
    sandbox.set_budget_scale(100)
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 5})
    sandbox.inject(ALGO_PENDING, "rate_limit", times=5)

    report = kill(sandbox, mode)

    assert {o.request.order_id for o in report.outcomes} == {o.order_id for o in orders}
    assert all(o.status is Status.CANCELED and o.verified for o in report.outcomes)
    assert [e.status for e in sandbox.log if e.path == ALGO_PENDING].count(429) == 5
