"""The kill switch end to end: ``cancel_all_orders`` (sync and async), real ccxt, real HTTP.

A book of several hundred orders over spot and futures symbols, a few placed by hand through
ccxt, a few filled while the call runs, a few placed while it runs: it must end with nothing open
in scope, one true outcome per order (checked against the sandbox's own book) and a request count
of a small constant per category or product type plus the reads.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest

from batchcancel import CancelReport, Settings, Status, cancel_all_orders, cancel_all_orders_async

ROOMY = 1000
BOOKS = {
    "bybit": {"BTC/USDT": 120, "ETH/USDT": 60, "BTC/USDT:USDT": 150, "ETH/USDT:USDT": 40, "BTC/USD:BTC": 40},
    "bitget": {"BTC/USDT": 120, "ETH/USDT": 60, "BTC/USDT:USDT": 150, "ETH/USDT:USDT": 40, "BTC/USD:BTC": 40},
}
BY_HAND = {"bybit": "SOL/USDT:USDT", "bitget": "SOL/USDT:USDT"}
LISTING = {
    "bybit": ("/v5/order/realtime",),
    "bitget": (
        "/api/v2/spot/trade/unfilled-orders",
        "/api/v2/mix/order/orders-pending",
        "/api/v2/mix/order/orders-plan-pending",  # trigger, trailing and TP/SL orders
    ),
}
STATE_READS = {"bybit": (), "bitget": ("/api/v2/spot/trade/orderInfo", "/api/v2/mix/order/detail")}
HISTORY = {"bybit": (), "bitget": ("/api/v2/spot/trade/history-orders",)}
CANCEL_ALL = {
    "bybit": ("/v5/order/cancel-all",),
    "bitget": (
        "/api/v2/mix/order/cancel-all-orders",
        "/api/v2/mix/order/batch-cancel-orders",
        "/api/v2/spot/trade/cancel-symbol-order",
        "/api/v2/mix/order/cancel-plan-order",
    ),
}
PLAN_BOOK = {
    "BTC/USDT:USDT": ("normal_plan", 12),
    "ETH/USDT:USDT": ("pos_loss", 6),
    "BTC/USD:BTC": ("pos_profit", 4),
}
"""Bitget futures trigger and TP/SL orders: only cancel-plan-order, with their planType, reaches them."""


def kill(
    sandbox: Any, exchange_id: str, mode: str, symbols: Sequence[str] | None = None, **settings: Any
) -> CancelReport:
    config = {"enableRateLimit": False}
    given = Settings(**settings) if settings else None
    if mode == "sync":
        exchange = sandbox.client(exchange_id, **config)
        exchange.load_markets()
        sandbox.clear_log()
        return cancel_all_orders(exchange, symbols, settings=given)

    async def run() -> CancelReport:
        exchange = sandbox.client(exchange_id, async_=True, **config)
        try:
            await exchange.load_markets()
            sandbox.clear_log()
            return await cancel_all_orders_async(exchange, symbols, settings=given)
        finally:
            await exchange.close()

    return asyncio.run(run())


def seed_book(sandbox: Any, exchange_id: str) -> list[Any]:
    orders = sandbox.seed_orders(exchange_id, BOOKS[exchange_id])
    if exchange_id == "bybit":  # spot conditional and TP/SL orders: only their own filter reaches them
        orders += sandbox.seed_orders("bybit", {"SOL/USDT": 8}, order_filter="StopOrder")
        orders += sandbox.seed_orders("bybit", {"SOL/USDT": 8}, order_filter="tpslOrder")
    client = sandbox.client(exchange_id, enableRateLimit=False)
    if exchange_id == "bitget":
        for symbol, (plan_type, count) in PLAN_BOOK.items():
            sandbox.seed_orders("bitget", {symbol: count}, order_filter=plan_type)
        # and by hand, as ccxt places them: a trigger order and a stop-loss
        client.create_order(BY_HAND["bitget"], "limit", "buy", 1, 99, {"triggerPrice": 100})
        client.create_order(BY_HAND["bitget"], "market", "sell", 1, None, {"stopLossPrice": 90})
    for price in (100, 101, 102):
        client.create_order(BY_HAND[exchange_id], "limit", "buy", 1, price)
    return sandbox.open_orders(exchange_id)


def check_truth(sandbox: Any, exchange_id: str, report: CancelReport, expected_ids: set[str]) -> None:
    ids = [o.request.order_id for o in report.outcomes]
    assert len(ids) == len(set(ids)), "one outcome per order"
    assert set(ids) == expected_ids
    for outcome in report.outcomes:
        booked = sandbox.order(exchange_id, outcome.request.order_id)
        assert outcome.request.symbol == booked.symbol
        if outcome.status is Status.CANCELED:
            assert booked.status == "canceled", outcome
        else:
            assert outcome.status is Status.ALREADY_CLOSED and booked.status == "filled", outcome
    assert sandbox.open_orders(exchange_id) == []
    assert all(outcome.verified for outcome in report.outcomes)  # the last read confirmed each


@pytest.mark.parametrize("exchange_id", ["bybit", "bitget"])
def test_a_busy_book_ends_with_nothing_open_and_one_true_outcome_per_order(sandbox, mode, exchange_id):
    sandbox.set_budget_scale(ROOMY)
    before = seed_book(sandbox, exchange_id)
    assert len(before) > 400
    spot = [o for o in before if o.symbol == "ETH/USDT"]
    futures = [o for o in before if o.symbol == "ETH/USDT:USDT"]
    filled_meanwhile = [o.order_id for o in spot[:3] + futures[:3]]
    placed_meanwhile: list[Any] = []

    def during(entry: Any) -> None:
        # After the first listing, while the cancel-alls go out (one request at a time, the
        # inverse / coin-margined one first): orders already listed fill, and new ones appear
        # where the cancel-all has been (a later read finds them).
        if entry.path in CANCEL_ALL[exchange_id] and not placed_meanwhile:
            sandbox.fill(exchange_id, filled_meanwhile)
            placed_meanwhile.extend(sandbox.seed_orders(exchange_id, {"BTC/USD:BTC": 5}))

    sandbox.on_request(during)
    report = kill(sandbox, exchange_id, mode, max_concurrency=1)

    check_truth(
        sandbox, exchange_id, report, {o.order_id for o in before} | {o.order_id for o in placed_meanwhile}
    )
    closed = {o.request.order_id for o in report.outcomes if o.status is Status.ALREADY_CLOSED}
    assert closed == set(filled_meanwhile)
    vias = Counter(o.via for o in report.outcomes)
    assert vias[f"{exchange_id}:cancel-all"] >= 150
    # Requests: the listings and read-backs (paged), a small constant of cancel-alls per category,
    # product type or (Bitget spot) symbol, the reads that tell what became of orders gone unnamed
    # (Bitget spot: its order history, a page per 100 orders per symbol; one state read per
    # futures order that filled), and one batch for the orders placed meanwhile -- never one
    # request per 10-50 orders.
    log = sandbox.log
    cancel_alls = sum(1 for e in log if e.path in CANCEL_ALL[exchange_id])
    history = sum(1 for e in log if e.path in HISTORY[exchange_id])
    reads = sum(1 for e in log if e.path in LISTING[exchange_id] + STATE_READS[exchange_id])
    others = len(log) - cancel_alls - history - reads
    assert cancel_alls <= 6 + (3 if exchange_id == "bitget" else 0)  # Bitget: + one per planType present
    assert others <= 2
    assert reads <= 45 + (3 * 3 * 3 if exchange_id == "bitget" else 0) + len(filled_meanwhile)
    if exchange_id == "bitget":
        spot_books = [n for symbol, n in BOOKS["bitget"].items() if "/" in symbol and ":" not in symbol]
        paths = Counter(e.path for e in log)
        assert paths["/api/v2/mix/order/cancel-all-orders"] == 2  # USDT-FUTURES and COIN-FUTURES
        assert paths["/api/v2/spot/trade/cancel-symbol-order"] == len(spot_books)  # one per symbol
        # One per product type and planType present (SOL's by hand share USDT's): USDT-FUTURES
        # normal_plan and pos_loss, COIN-FUTURES pos_profit.
        assert paths["/api/v2/mix/order/cancel-plan-order"] == 3
        plans = [o for o in report.outcomes if dict(o.request.params).get("planType")]
        assert len(plans) == sum(n for _, n in PLAN_BOOK.values()) + 2
        assert {o.status for o in plans} == {Status.CANCELED}
        assert {o.via for o in plans} == {"bitget:cancel-plan"}
        assert history <= sum(-(-n // 100) + 1 for n in spot_books)
        assert vias["bitget:order-history"] == sum(spot_books)  # cancelled, and the three that filled
        assert not [e for e in log if e.path == "/api/v2/spot/trade/orderInfo"]  # the history told
    # Bitget lists plan orders on their own: 3 planTypes x 3 product types per read of the account.
    plan_reads = sum(1 for e in log if e.path == "/api/v2/mix/order/orders-plan-pending")
    assert plan_reads <= 3 * 3 * 3
    assert len(log) - plan_reads < len(before) / 10
    assert report.requests_sent == len(log)


@pytest.mark.parametrize("exchange_id", ["bybit", "bitget"])
def test_symbols_scope_the_kill_switch(sandbox, mode, exchange_id):
    sandbox.set_budget_scale(ROOMY)
    before = seed_book(sandbox, exchange_id)
    scope = ["BTC/USDT:USDT", "ETH/USDT"]

    report = kill(sandbox, exchange_id, mode, scope)

    in_scope = {o.order_id for o in before if o.symbol in scope}
    assert {o.request.order_id for o in report.outcomes} == in_scope
    assert all(o.status is Status.CANCELED for o in report.outcomes)
    left = sandbox.open_orders(exchange_id)
    assert {o.order_id for o in left} == {o.order_id for o in before} - in_scope


def test_concurrent_default_settings_keep_the_invariant(sandbox, mode):
    sandbox.set_budget_scale(ROOMY)
    before = seed_book(sandbox, "bybit")

    report = kill(sandbox, "bybit", mode)

    check_truth(sandbox, "bybit", report, {o.order_id for o in before})
    assert report.ok


def test_the_ccxt_fallback_lists_and_cancels(sandbox, mode):
    sandbox.set_budget_scale(ROOMY)
    sandbox.seed_orders("bybit", {"BTC/USDT": 4, "BTC/USDT:USDT": 3})

    report = kill(sandbox, "bybit", mode, ["BTC/USDT", "BTC/USDT:USDT"], disabled_plugins=["bybit"])

    assert len(report.outcomes) == 7 and report.ok
    assert {o.via for o in report.outcomes} == {"ccxt:single"}
    assert sandbox.open_orders("bybit") == []
