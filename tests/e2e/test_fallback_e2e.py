"""The ccxt single-cancel path and the public API's guards, over real HTTP to the sandbox."""

from __future__ import annotations

import asyncio

import ccxt
import pytest

from batchcancel import CancelRequest, Settings, Status, WrongExchangeKind, cancel_orders, cancel_orders_async
from tests.helpers import run_cancel

SINGLE_PATHS = {"bybit": "/v5/order/cancel", "bitget": "/api/v2/spot/trade/cancel-order"}


def seed(sandbox, exchange: str):
    """Six open orders on two symbols, one of them filled before we cancel."""
    orders = sandbox.seed_orders(exchange, {"BTC/USDT": 4, "ETH/USDT": 2})
    sandbox.fill(exchange, [orders[1].order_id])
    return orders


def by_client_id_then_id(orders):
    return [
        CancelRequest(o.symbol, client_order_id=o.client_order_id)
        if i % 2
        else CancelRequest(o.symbol, order_id=o.order_id)
        for i, o in enumerate(orders)
    ]


@pytest.mark.parametrize("exchange_id", ["bybit", "bitget"])
def test_disabled_toggle_cancels_one_by_one_through_ccxt_with_one_outcome_each(sandbox, exchange_id):
    orders = seed(sandbox, exchange_id)
    requests = by_client_id_then_id(orders)
    exchange = sandbox.client(exchange_id, enableRateLimit=False)
    exchange.load_markets()
    sandbox.clear_log()

    report = cancel_orders(exchange, requests, Settings(enabled=False))

    assert [o.request for o in report.outcomes] == requests
    assert [o.status for o in report.outcomes] == [
        Status.CANCELED,
        Status.ALREADY_CLOSED,
        Status.CANCELED,
        Status.CANCELED,
        Status.CANCELED,
        Status.CANCELED,
    ]
    assert all(o.via == "ccxt:single" for o in report.outcomes)
    assert report.outcomes[1].code in {"170213", "43001"}  # the exchange's own not-found code
    assert sandbox.open_orders(exchange_id) == []
    assert report.requests_sent == 6 == sandbox.count(path=SINGLE_PATHS[exchange_id])


@pytest.mark.parametrize("exchange_id", ["bybit", "bitget"])
def test_async_fallback_cancels_with_one_outcome_each(sandbox, exchange_id):
    orders = seed(sandbox, exchange_id)
    requests = by_client_id_then_id(orders)

    report = run_cancel(sandbox, exchange_id, "async", requests, Settings(enabled=False, max_concurrency=3))
    assert report.counts() == {"canceled": 5, "already_closed": 1, "rejected": 0, "failed": 0}
    assert sandbox.open_orders(exchange_id) == []


def test_ccxt_plugin_answers_when_the_native_plugin_is_disabled(sandbox):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 3})
    exchange = sandbox.client("bybit", enableRateLimit=False)
    report = cancel_orders(
        exchange,
        [{"symbol": o.symbol, "id": o.order_id} for o in orders],
        Settings(disabled_plugins=("bybit",)),
    )
    assert report.ok and {o.via for o in report.outcomes} == {"ccxt:single"}
    assert sandbox.open_orders("bybit") == []


def test_without_fallback_and_without_a_native_plugin_every_request_is_rejected(sandbox):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    exchange = sandbox.client("bybit")
    sandbox.clear_log()
    report = cancel_orders(
        exchange,
        [CancelRequest(o.symbol, order_id=o.order_id) for o in orders],
        Settings(disabled_plugins=("bybit",), fallback=False),
    )
    assert [o.status for o in report.outcomes] == [Status.REJECTED] * 2
    assert "no batchcancel plugin handles bybit" in report.outcomes[0].message
    assert sandbox.count(exchange="bybit") == 0 and len(sandbox.open_orders("bybit")) == 2


def test_an_exchange_without_credentials_is_refused_before_sending(sandbox):
    exchange = sandbox.client("bitget", apiKey="", secret="", password="")
    report = cancel_orders(exchange, [CancelRequest("BTC/USDT", order_id="1")])
    (outcome,) = report.outcomes
    assert outcome.status is Status.REJECTED and "no API credentials" in outcome.message
    assert report.requests_sent == 0


def test_bad_credentials_reject_every_order_without_a_retry_storm(sandbox):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 5})
    exchange = sandbox.client("bybit", secret="not-the-secret", enableRateLimit=False)
    exchange.load_markets()
    sandbox.clear_log()
    report = cancel_orders(
        exchange,
        [CancelRequest(o.symbol, order_id=o.order_id) for o in orders],
        Settings(enabled=False, max_concurrency=1),
    )
    assert [o.status for o in report.outcomes] == [Status.REJECTED] * 5
    assert report.outcomes[0].code == "10004"
    assert "not-the-secret" not in repr(report)
    assert sandbox.count(exchange="bybit") == 1  # the first refusal stops everything


def test_the_wrong_kind_of_exchange_is_named_before_anything_is_sent(sandbox):
    sync_exchange = sandbox.client("bybit")
    with pytest.raises(WrongExchangeKind, match=r"use `cancel_orders\(...\)`"):
        asyncio.run(cancel_orders_async(sync_exchange, []))

    async def wrong_way():
        async_exchange = sandbox.client("bybit", async_=True)
        try:
            with pytest.raises(WrongExchangeKind, match="cancel_orders_async"):
                cancel_orders(async_exchange, [])
        finally:
            await async_exchange.close()

    asyncio.run(wrong_way())
    with pytest.raises(TypeError, match="ccxt exchange instance"):
        cancel_orders(object(), [])
    assert sandbox.count() == 0


def test_an_empty_list_sends_nothing(sandbox):
    report = cancel_orders(sandbox.client("bybit"), [])
    assert report.outcomes == () and report.requests_sent == 0 and sandbox.count() == 0


def test_an_exchange_ccxt_cannot_cancel_on_is_refused():
    exchange = ccxt.bybit({"apiKey": "k", "secret": "s"})
    exchange.has = {**exchange.has, "cancelOrder": False}
    report = cancel_orders(exchange, [CancelRequest("BTC/USDT", order_id="1")])
    assert report.outcomes[0].status is Status.REJECTED and "no cancelOrder" in report.outcomes[0].message
