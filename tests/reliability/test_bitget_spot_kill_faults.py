"""Bitget spot's kill switch meets hostile answers: every sandbox fault kind on
``cancel-symbol-order`` (an answer that never names an order) and on the spot order history that
tells what it did, through real ccxt and real HTTP.

Whatever the fault: nothing open in scope afterwards, one outcome per order, ``CANCELED`` only for
an order the exchange's own record (its history, or its ``orderInfo``) says was cancelled,
``ALREADY_CLOSED`` for one that filled -- never inferred from "not open any more".
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from batchcancel import Settings, Status, cancel_all_orders
from batchcancel.sandbox import FAULT_KINDS

FAULTS = [kind for kind in FAULT_KINDS if kind != "trickle"]  # trickle: the deadline's test, slow
BOOK = {"BTC/USDT": 120, "ETH/USDT": 60}  # each more than a batch holds: cancel-symbol-order
SMALL = {"XRP/USDT": 4}  # a batch's worth or less: pooled into the batch round
CANCEL_SYMBOL = "/api/v2/spot/trade/cancel-symbol-order"
UNFILLED = "/api/v2/spot/trade/unfilled-orders"
HISTORY = "/api/v2/spot/trade/history-orders"
ORDER_INFO = "/api/v2/spot/trade/orderInfo"
FAST = Settings(backoff_base_s=0.01, backoff_max_s=0.05, max_retries=3, deadline_s=30.0)


def run(sandbox: Any, path: str | None, fault: str | None, times: int | None = 1, symbols=None, book=None):
    """A spot book; two of its orders fill once the first listing has seen them open (before any
    cancel-symbol-order)."""
    sandbox.set_budget_scale(1000)
    before = sandbox.seed_orders("bitget", book or {**BOOK, **SMALL})
    fills = [o.order_id for o in before if o.symbol == "ETH/USDT"][:2]
    filled: list[str] = []

    def during(entry: Any) -> None:
        if entry.path == UNFILLED and not filled:
            filled.extend(fills)
            sandbox.fill("bitget", fills)

    sandbox.on_request(during)
    exchange = sandbox.client("bitget", enableRateLimit=False, timeout=1500)
    exchange.load_markets()
    if path is not None and fault is not None:
        sandbox.inject(path, fault, times=times)
    sandbox.clear_log()
    report = cancel_all_orders(exchange, symbols, settings=FAST)
    return before, report


def check(sandbox: Any, before: list[Any], report: Any) -> None:
    ids = [o.request.order_id for o in report.outcomes]
    assert len(ids) == len(set(ids)) and set(ids) == {o.order_id for o in before}
    for outcome in report.outcomes:
        booked = sandbox.order("bitget", outcome.request.order_id)
        if outcome.status is Status.CANCELED:
            assert booked.status == "canceled", outcome
        elif outcome.status is Status.ALREADY_CLOSED:
            assert booked.status == "filled", outcome  # only a fill: every cancel here is ours
        else:
            pytest.fail(f"{outcome}")
    assert sandbox.open_orders("bitget") == []


def test_one_cancel_symbol_order_per_symbol_and_the_history_tells_each_order(sandbox, mode):
    before, report = run(sandbox, None, None)
    check(sandbox, before, report)
    paths = Counter(e.path for e in sandbox.log)
    assert paths[CANCEL_SYMBOL] == len(BOOK)  # not for XRP/USDT
    assert paths[HISTORY] == 2 + 1  # a page per 100 orders of each symbol
    assert paths[ORDER_INFO] == 0
    assert paths["/api/v2/spot/trade/batch-cancel-order"] == 1
    total = sum(BOOK.values()) + sum(SMALL.values())
    assert Counter(o.status for o in report.outcomes) == {
        Status.CANCELED: total - 2,
        Status.ALREADY_CLOSED: 2,
    }
    assert Counter(o.via for o in report.outcomes) == {
        "bitget:order-history": sum(BOOK.values()),
        "bitget:batch": sum(SMALL.values()),
    }
    assert all(o.verified for o in report.outcomes)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_hostile_cancel_symbol_answer_is_decided_by_the_read_back_and_the_history(sandbox, fault):
    before, report = run(sandbox, CANCEL_SYMBOL, fault)
    check(sandbox, before, report)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_hostile_history_page_is_read_again(sandbox, fault):
    before, report = run(sandbox, HISTORY, fault)
    check(sandbox, before, report)


@pytest.mark.parametrize("fault", ["http_500", "ok_without_id", "html_200"])
def test_a_history_that_never_answers_leaves_each_order_to_its_own_state_read(sandbox, fault):
    # The smallest book cancel-symbol-order takes (reads by id are paced at 20 a second).
    before, report = run(sandbox, HISTORY, fault, times=None, book={"ETH/USDT": 51})
    check(sandbox, before, report)
    assert Counter(e.path for e in sandbox.log)[ORDER_INFO] == 51
    assert {o.via for o in report.outcomes} == {"bitget:order-state"}
    assert Counter(o.status for o in report.outcomes)[Status.ALREADY_CLOSED] == 2  # the fills


def test_named_symbols_cancel_only_theirs(sandbox):
    sandbox.set_budget_scale(1000)
    others = sandbox.seed_orders("bitget", {"SOL/USDT": 3, "BTC/USDT:USDT": 2})
    before, report = run(sandbox, None, None, symbols=["ETH/USDT"])
    mine = {o.order_id for o in before if o.symbol == "ETH/USDT"}
    assert {o.request.order_id for o in report.outcomes} == mine
    for outcome in report.outcomes:
        booked = sandbox.order("bitget", outcome.request.order_id).status
        assert (outcome.status, booked) in ((Status.CANCELED, "canceled"), (Status.ALREADY_CLOSED, "filled"))
    assert Counter(e.path for e in sandbox.log)[CANCEL_SYMBOL] == 1
    left = {o.order_id for o in sandbox.open_orders("bitget")}
    assert left == {o.order_id for o in before + others if o.order_id not in mine}
