"""The Bitget plugin end to end: public API -> engine -> real ccxt (sync and async) -> HTTP -> sandbox.

Clients run with ``enableRateLimit=False`` and the sandbox's budgets scaled up, so neither ccxt's
own throttle nor the sandbox's 429s shape the request counts: what the sandbox sees is what the
plugin planned (its own pacing at Bitget's documented 10 requests/s per endpoint still applies).
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from batchcancel import CancelReport, CancelRequest, Settings, Status
from tests.helpers import run_cancel

SPOT_BATCH = "/api/v2/spot/trade/batch-cancel-order"
SPOT_SINGLE = "/api/v2/spot/trade/cancel-order"
MIX_BATCH = "/api/v2/mix/order/batch-cancel-orders"
MIX_SINGLE = "/api/v2/mix/order/cancel-order"
CANCEL_PATHS = (SPOT_BATCH, SPOT_SINGLE, MIX_BATCH, MIX_SINGLE)


def run(sandbox, mode: str, requests: list[CancelRequest], settings: Settings | None = None,
        setup=None) -> CancelReport:  # fmt: skip
    """Cancel through the public API with a fresh ccxt bitget client, markets loaded, log cleared."""
    return run_cancel(sandbox, "bitget", mode, requests, settings, loaded=True, prepare=setup)


def cancel_requests(sandbox) -> Counter[str]:
    return Counter(entry.path for entry in sandbox.log if entry.path in CANCEL_PATHS)


def spot_symbols(sandbox, count: int) -> list[str]:
    return [m.symbol for m in sandbox.markets("bitget") if m.category == "spot"][:count]


def by_order_id(orders) -> list[CancelRequest]:
    return [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]


@pytest.fixture
def sandbox(sandbox):
    sandbox.set_budget_scale(100)
    return sandbox


@pytest.mark.parametrize("n", [1, 50, 51, 1000])
def test_spot_orders_over_many_symbols_cancel_in_the_fewest_requests(sandbox, mode, n):
    symbols = spot_symbols(sandbox, min(n, 40))
    counts = {s: n // len(symbols) + (1 if i < n % len(symbols) else 0) for i, s in enumerate(symbols)}
    orders = sandbox.seed_orders("bitget", counts)
    assert len(orders) == n
    report = run(sandbox, mode, by_order_id(orders))
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * n
    assert {o.via for o in report.outcomes} == {"bitget:batch"}
    assert [o.request.order_id for o in report.outcomes] == [o.order_id for o in orders]
    assert sandbox.open_orders("bitget") == []
    # One multiple-mode request per 50 orders, whatever the symbols: the minimum.
    assert cancel_requests(sandbox) == {SPOT_BATCH: math.ceil(n / 50)}
    assert report.requests_sent == math.ceil(n / 50)
    assert sorted(e.items for e in sandbox.log if e.path == SPOT_BATCH) == sorted(
        [50] * (n // 50) + ([n % 50] if n % 50 else [])
    )


def test_futures_in_two_product_types_one_symbol_per_request(sandbox, mode):
    orders = sandbox.seed_orders(
        "bitget", {"BTC/USDT:USDT": 55, "ETH/USDT:USDT": 3, "BTC/USD:BTC": 4, "ETH/USD:ETH": 2}
    )
    assert {o.category for o in orders} == {"USDT-FUTURES", "COIN-FUTURES"}
    report = run(sandbox, mode, by_order_id(orders))
    assert report.ok and len(report.canceled) == len(orders)
    assert sandbox.open_orders("bitget") == []
    assert cancel_requests(sandbox) == {MIX_BATCH: 5}  # 50 + 5 BTCUSDT, ETHUSDT, BTCUSD, ETHUSD
    assert sorted(e.items for e in sandbox.log if e.path == MIX_BATCH) == [2, 3, 4, 5, 50]


def test_mixed_order_ids_and_client_ids_go_in_separate_batches(sandbox, mode):
    spot = sandbox.seed_orders("bitget", {s: 10 for s in spot_symbols(sandbox, 6)})
    futures = sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 6})
    requests = [
        CancelRequest(o.symbol, order_id=o.order_id)
        if i % 2
        else CancelRequest(o.symbol, client_order_id=o.client_order_id)
        for i, o in enumerate(spot + futures)
    ]
    report = run(sandbox, mode, requests)
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * len(requests)
    assert sandbox.open_orders("bitget") == []
    # The sandbox refuses a batch mixing the two kinds, as Bitget does: had we mixed them, the
    # refusal would have cost isolation requests. 30 + 30 spot, 3 + 3 futures: 4 requests.
    assert cancel_requests(sandbox) == {SPOT_BATCH: 2, MIX_BATCH: 2}


def test_orders_already_cancelled_or_filled_are_already_closed_with_bitgets_code(sandbox, mode):
    spot = sandbox.seed_orders("bitget", {"BTC/USDT": 6, "ETH/USDT": 4})
    futures = sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 3, "BTC/USD:BTC": 2})
    sandbox.fill("bitget", [spot[0].order_id, spot[5].order_id, futures[0].order_id])

    before = sandbox.client("bitget", enableRateLimit=False)
    for order in (spot[1], futures[3]):  # cancelled before, through ccxt itself
        before.cancel_order(order.order_id, order.symbol)
    closed = {order.order_id: "43001" for order in (spot[0], spot[1], spot[5])}
    closed.update({order.order_id: "40768" for order in (futures[0], futures[3])})
    report = run(sandbox, mode, [*by_order_id(spot), *by_order_id(futures), CancelRequest("BTC/USDT", "404")])
    outcomes = {o.request.order_id: o for o in report.outcomes}
    assert outcomes["404"].status is Status.ALREADY_CLOSED and outcomes["404"].code == "43001"
    del outcomes["404"]
    for order_id, outcome in outcomes.items():
        if order_id in closed:
            assert (outcome.status, outcome.code, outcome.via) == (
                Status.ALREADY_CLOSED,
                closed[order_id],
                "bitget:batch",
            )
            assert "does not exist" in outcome.message
        else:
            assert outcome.status is Status.CANCELED
    assert sandbox.open_orders("bitget") == []
    assert cancel_requests(sandbox) == {SPOT_BATCH: 1, MIX_BATCH: 2}


def test_an_order_missing_from_the_answer_is_sent_again_and_ends_with_a_true_outcome(sandbox, mode):
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 10, "ETH/USDT": 10})
    sandbox.inject(SPOT_BATCH, "drop_item")  # the cancel is applied; the answer lacks one item
    report = run(sandbox, mode, by_order_id(orders), Settings(backoff_base_s=0.01))
    batches = [e for e in sandbox.log if e.path == SPOT_BATCH]
    assert [(e.fault, e.items) for e in batches] == [("drop_item", 20), (None, 1)]
    # The dropped order was cancelled by the first request: the second says it is not open.
    (again,) = [o for o in report.outcomes if o.status is not Status.CANCELED]
    assert (again.status, again.code) == (Status.ALREADY_CLOSED, "43001")
    assert len(report.canceled) == 19 and report.requests_sent == 2
    assert sandbox.open_orders("bitget") == []


def test_past_the_exchange_budget_429s_are_waited_out_not_failed(sandbox, mode):
    # The exchange allows 2 batch requests per second here, fewer than the documented 10 the
    # plugin paces by: the third answer is HTTP 429, and its orders go again after the window.
    sandbox.set_limit("bitget", SPOT_BATCH, 2)
    orders = sandbox.seed_orders("bitget", {s: 50 for s in spot_symbols(sandbox, 3)})
    report = run(sandbox, mode, by_order_id(orders), Settings(max_concurrency=1, max_retries=0))
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 150
    statuses = [e.status for e in sandbox.log if e.path == SPOT_BATCH]
    assert statuses.count(429) >= 1 and statuses.count(200) == 3
    assert sandbox.open_orders("bitget") == []


def test_single_cancels_finish_what_the_batch_budget_leaves_in_its_window(sandbox, mode):
    # 505 orders: 10 batch requests (the window's budget) carry 500; the last 5 fit the
    # single-cancel budget now, so they go one by one instead of waiting for the next window.
    orders = sandbox.seed_orders("bitget", {s: 101 for s in spot_symbols(sandbox, 5)})
    sandbox.fill("bitget", [orders[-5].order_id])
    report = run(sandbox, mode, by_order_id(orders))
    assert cancel_requests(sandbox) == {SPOT_BATCH: 10, SPOT_SINGLE: 5}
    singles = report.outcomes[-5:]
    assert {o.via for o in singles} == {"bitget:single"}
    assert (singles[0].status, singles[0].code) == (Status.ALREADY_CLOSED, "43001")
    assert [o.status for o in singles[1:]] == [Status.CANCELED] * 4
    assert sandbox.open_orders("bitget") == []
