"""Verify mode end to end: an acknowledged cancel that did not happen is found and sent again."""

from __future__ import annotations

import pytest

from batchcancel import CancelRequest, Settings, Status
from tests.helpers import FAST, check_invariant, run_cancel

BATCH_PATHS = {
    "bybit": "/v5/order/cancel-batch",
    "bitget": "/api/v2/spot/trade/batch-cancel-order",
    "okx": "/api/v5/trade/cancel-batch-orders",
    "binanceusdm": "/fapi/v1/batchOrders",
}
READ_PATHS = {
    "bybit": "/v5/order/realtime",
    "bitget": "/api/v2/spot/trade/unfilled-orders",
    "okx": "/api/v5/trade/orders-pending",
    "binanceusdm": "/fapi/v1/openOrders",
}
SYMBOLS = {"bybit": "{}/USDT", "bitget": "{}/USDT", "okx": "{}/USDT", "binanceusdm": "{}/USDT:USDT"}


@pytest.mark.parametrize("exchange_id", sorted(BATCH_PATHS))
def test_verify_mode_cancels_again_what_the_exchange_acknowledged_but_left_open(sandbox, exchange_id, mode):
    symbol = SYMBOLS[exchange_id]
    orders = sandbox.seed_orders(exchange_id, {symbol.format("BTC"): 8, symbol.format("ETH"): 2})
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    sandbox.set_budget_scale(100)
    sandbox.inject(BATCH_PATHS[exchange_id], "ack_not_applied", times=1)

    report = run_cancel(sandbox, exchange_id, mode, requests, Settings(**{**FAST, "verify": True}))

    check_invariant(sandbox, exchange_id, requests, report)
    assert sandbox.open_orders(exchange_id) == []
    assert all(o.status is Status.CANCELED and o.verified for o in report.outcomes)
    # The whole account is read back (one listing per category or product type, not per symbol),
    # and read again after the second cancel.
    assert len([e for e in sandbox.log if e.path == READ_PATHS[exchange_id]]) >= 2


@pytest.mark.parametrize("exchange_id", sorted(BATCH_PATHS))
def test_without_verify_an_acknowledged_cancel_is_reported_as_the_exchange_said(sandbox, exchange_id):
    orders = sandbox.seed_orders(exchange_id, {SYMBOLS[exchange_id].format("BTC"): 3})
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    sandbox.inject(BATCH_PATHS[exchange_id], "ack_not_applied", times=1)

    report = run_cancel(sandbox, exchange_id, "sync", requests, Settings(**FAST))

    # The exchange said "cancelled": that is what an unverified report can say, and it says
    # so honestly: verified stays False. This is the case verify mode exists for.
    assert all(o.status is Status.CANCELED and not o.verified for o in report.outcomes)
    assert len(sandbox.open_orders(exchange_id)) == 3


def test_an_order_that_never_goes_away_ends_failed_in_verify_mode(sandbox):
    (order,) = sandbox.seed_orders("bybit", {"BTC/USDT": 1})
    sandbox.inject("*cancel*", "ack_not_applied", times=None)
    settings = Settings(**{**FAST, "verify": True, "max_retries": 2})

    report = run_cancel(
        sandbox, "bybit", "sync", [CancelRequest(order.symbol, order_id=order.order_id)], settings
    )

    (outcome,) = report.outcomes
    assert (
        outcome.status is Status.FAILED and "still open after 3 verified cancel attempts" in outcome.message
    )
    assert sandbox.order("bybit", order.order_id).status == "open"
