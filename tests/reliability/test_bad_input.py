"""The bad-input catalogue: each a clear error before any request, or a per-request outcome."""

from __future__ import annotations

import asyncio

import pytest

from batchcancel import CancelRequest, Status, cancel_orders, cancel_orders_async


@pytest.fixture
def bybit(sandbox):
    exchange = sandbox.client("bybit", enableRateLimit=False)
    exchange.load_markets()
    sandbox.clear_log()
    return exchange


@pytest.mark.parametrize(
    ("requests", "error", "message"),
    [
        (None, TypeError, "requests must be a list"),
        ("BTC/USDT", TypeError, "requests must be a list"),
        ({"symbol": "BTC/USDT", "id": "1"}, TypeError, "requests must be a list"),
        ([42], TypeError, r"requests\[0\]: expected CancelRequest or dict, got int"),
        ([{"symbol": "BTC/USDT"}], ValueError, r"requests\[0\]: .*needs an order_id or a client_order_id"),
        ([{"symbol": "", "id": "1"}], ValueError, r"requests\[0\]: .*non-empty symbol"),
        ([{"symbol": "BTC/USDT", "id": 1.5}], TypeError, r"requests\[0\]: order ids must be str or int"),
        ([{"symbol": "BTC/USDT", "orderId": "1"}], ValueError, r"unknown keys .*orderId"),
    ],
)
def test_malformed_arguments_raise_a_named_error_before_any_request(sandbox, bybit, requests, error, message):
    with pytest.raises(error, match=message):
        cancel_orders(bybit, requests)
    with pytest.raises(TypeError, match=r"settings must be a batchcancel\.Settings"):
        cancel_orders(bybit, [], settings={"max_retries": 1})
    assert sandbox.count() == 0


def test_the_async_api_raises_the_same_errors_before_any_request(sandbox):
    async def run():
        exchange = sandbox.client("bybit", async_=True)
        try:
            with pytest.raises(ValueError, match="needs an order_id"):
                await cancel_orders_async(exchange, [{"symbol": "BTC/USDT"}])
        finally:
            await exchange.close()

    asyncio.run(run())
    assert sandbox.count() == 0


def test_unknown_and_native_symbols_are_resolved_or_rejected_per_request(sandbox, bybit):
    inverse = sandbox.seed_orders("bybit", {"BTC/USD:BTC": 1})[0]
    spot = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    report = cancel_orders(
        bybit,
        [
            CancelRequest("DOGE/EUR", order_id="1"),  # no such market
            CancelRequest("BTCUSD", order_id=inverse.order_id),  # native id of one market only
            CancelRequest("BTCUSDT", order_id=spot.order_id),  # native id of spot AND perpetual
        ],
    )
    unknown, native, ambiguous = report.outcomes
    assert unknown.status is Status.REJECTED and "unknown symbol 'DOGE/EUR'" in unknown.message
    assert native.status is Status.CANCELED
    assert ambiguous.status is Status.REJECTED and "ambiguous" in ambiguous.message
    assert "BTC/USDT" in ambiguous.message and "BTC/USDT:USDT" in ambiguous.message
    assert [o.symbol for o in sandbox.open_orders("bybit")] == ["BTC/USDT"]


def test_duplicates_are_sent_once_and_every_duplicate_gets_the_outcome(sandbox, bybit):
    (order,) = sandbox.seed_orders("bybit", {"ETH/USDT": 1})
    request = CancelRequest(order.symbol, order_id=order.order_id)
    report = cancel_orders(bybit, [request, {"symbol": order.symbol, "id": int(order.order_id)}, request])
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 3
    assert sum(entry.items or 1 for entry in sandbox.log if "cancel" in entry.path) == 1


def test_order_id_wins_when_order_id_and_client_id_name_different_orders(sandbox, bybit):
    first, second = sandbox.seed_orders("bybit", {"SOL/USDT": 2})
    report = cancel_orders(
        bybit, [CancelRequest(first.symbol, order_id=first.order_id, client_order_id=second.client_order_id)]
    )
    assert report.outcomes[0].status is Status.CANCELED
    assert sandbox.order("bybit", first.order_id).status == "canceled"
    assert sandbox.order("bybit", second.order_id).status == "open"  # as the exchange does: orderId first


@pytest.mark.parametrize("weird_id", ["has space", "ünïcødé-ид", "tab\tid"])
def test_ids_with_spaces_or_non_ascii_get_a_per_request_outcome(sandbox, bybit, weird_id):
    (order,) = sandbox.seed_orders("bybit", {"BTC/USDT": 1})
    report = cancel_orders(
        bybit,
        [
            CancelRequest("BTC/USDT", client_order_id=weird_id),
            CancelRequest("BTC/USDT", order_id=order.order_id),
        ],
    )
    weird, normal = report.outcomes
    assert (
        weird.status is Status.ALREADY_CLOSED and weird.code == "170213"
    )  # not found, answered, signed fine
    assert normal.status is Status.CANCELED


@pytest.mark.slow
def test_ten_thousand_requests_in_one_call_each_get_one_outcome(sandbox, bybit):
    sandbox.set_budget_scale(1000)
    counts = {f"{coin}/USDT:USDT": 200 for coin in [m.base for m in sandbox.markets("bybit")][:50]}
    orders = sandbox.seed_orders("bybit", counts)
    assert len(orders) == 10_000
    report = cancel_orders(bybit, [CancelRequest(o.symbol, order_id=o.order_id) for o in orders])
    assert len(report.outcomes) == 10_000
    assert report.counts()["canceled"] == 10_000
    assert sandbox.open_orders("bybit") == []
