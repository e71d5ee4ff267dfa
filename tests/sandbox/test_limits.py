"""Rate budgets per UID and endpoint: Bybit counts batch orders and fails the overflow item by
item with 10006; Bitget allows 10 requests/s and answers 429 past it."""

from __future__ import annotations

from typing import Any

import ccxt
import pytest

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient

BATCH = "/v5/order/cancel-batch"


@pytest.fixture(autouse=True)
def _long_window(sandbox: Sandbox) -> None:
    # Nothing expires between a test's requests however slow the machine: outcomes, not timing.
    sandbox.set_rate_window(60)


def _batch(raw: RawClient, category: str, orders: list[Any]) -> Any:
    request = [{"symbol": o.native_symbol, "orderId": o.order_id} for o in orders]
    return raw.bybit("POST", BATCH, {"category": category, "request": request})


def test_every_bybit_response_carries_the_limit_headers(raw: RawClient) -> None:
    responses = [
        raw.bybit("GET", "/v5/market/time"),
        raw.bybit("GET", "/v5/order/realtime", {"category": "spot"}),
        raw.bybit("POST", "/v5/order/cancel", {"category": "spot", "symbol": "BTCUSDT", "orderId": "1"}),
        raw.bybit("POST", "/v5/order/cancel", {}, secret="wrong"),
        raw.bybit("GET", "/v5/no/such/path"),
    ]
    for response in responses:
        assert {"X-Bapi-Limit", "X-Bapi-Limit-Status", "X-Bapi-Limit-Reset-Timestamp"} <= set(
            response.headers
        )
    # The single-cancel spot budget is 20/s and this request used one of it.
    assert (responses[2].headers["X-Bapi-Limit"], responses[2].headers["X-Bapi-Limit-Status"]) == ("20", "19")


def test_bybit_batch_items_past_the_budget_fail_one_by_one(raw: RawClient, sandbox: Sandbox) -> None:
    sandbox.set_limit("bybit", BATCH, 15, group="spot")
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 10, "ETH/USDT": 10})
    first = _batch(raw, "spot", orders[:10]).json()
    assert [i["code"] for i in first["retExtInfo"]["list"]] == [0] * 10
    second = _batch(raw, "spot", orders[10:])
    codes = [i["code"] for i in second.json()["retExtInfo"]["list"]]
    assert codes == [0] * 5 + [10006] * 5  # the budget had 5 left: the first 5 items got them
    assert second.json()["retCode"] == 0
    assert second.headers["X-Bapi-Limit"] == "15" and second.headers["X-Bapi-Limit-Status"] == "0"
    assert int(second.headers["X-Bapi-Limit-Reset-Timestamp"]) > sandbox.server_time_ms() - 1000
    assert {o.order_id for o in sandbox.open_orders("bybit")} == {o.order_id for o in orders[15:]}
    # With the budget at 0 the whole request is refused.
    third = _batch(raw, "spot", orders[15:]).json()
    assert third["retCode"] == 10006 and third["result"] == {}
    assert sandbox.log[-1].code == "10006" and sandbox.log[-1].items == 5


def test_batch_budget_is_separate_from_the_single_cancel_budget(raw: RawClient, sandbox: Sandbox) -> None:
    sandbox.set_limit("bybit", BATCH, 0)
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    assert _batch(raw, "spot", [order]).json()["retCode"] == 10006
    assert (
        raw.bybit(
            "POST", "/v5/order/cancel", {"category": "spot", "symbol": "BTCUSDT", "orderId": order.order_id}
        ).json()["retCode"]
        == 0
    )


def test_a_ccxt_burst_past_the_bybit_budget_raises_rate_limit_exceeded(
    sandbox: Sandbox, bybit_client: Any
) -> None:
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 21})
    for order in orders[:20]:  # the documented spot single-cancel budget: 20/s
        bybit_client.cancel_order(order.order_id, "BTC/USDT")
    with pytest.raises(ccxt.RateLimitExceeded):
        bybit_client.cancel_order(orders[20].order_id, "BTC/USDT")
    assert sandbox.order("bybit", orders[20].order_id).status == "open"


def test_linear_and_inverse_share_one_budget(sandbox: Sandbox, bybit_client: Any) -> None:
    linear = sandbox.seed_orders("bybit", {"BTC/USDT:USDT": 6})
    inverse = sandbox.seed_orders("bybit", {"BTC/USD:BTC": 5})
    for order in linear:
        bybit_client.cancel_order(order.order_id, "BTC/USDT:USDT")
    for order in inverse[:4]:
        bybit_client.cancel_order(order.order_id, "BTC/USD:BTC")
    with pytest.raises(ccxt.RateLimitExceeded):  # 10/s for linear + inverse together
        bybit_client.cancel_order(inverse[4].order_id, "BTC/USD:BTC")


def test_budgets_are_per_uid(sandbox: Sandbox, raw: RawClient) -> None:
    sandbox.set_limit("bybit", BATCH, 1)
    other = RawClient(sandbox, sandbox.add_account())
    try:
        mine = sandbox.seed_orders("bybit", {"BTC/USDT": 2})
        theirs = sandbox.seed_orders("bybit", {"BTC/USDT": 1}, account=other.account)
        assert _batch(raw, "spot", mine[:1]).json()["retExtInfo"]["list"][0]["code"] == 0
        assert _batch(raw, "spot", mine[1:]).json()["retCode"] == 10006
        assert _batch(other, "spot", theirs).json()["retExtInfo"]["list"][0]["code"] == 0
        assert sandbox.log[-1].account == other.account.uid
    finally:
        other.close()


def test_budget_scale_multiplies_every_limit(sandbox: Sandbox, raw: RawClient) -> None:
    sandbox.set_budget_scale(0.5)
    response = raw.bybit(
        "POST", "/v5/order/cancel", {"category": "linear", "symbol": "BTCUSDT", "orderId": "1"}
    )
    assert response.headers["X-Bapi-Limit"] == "5"
    sandbox.set_budget_scale(30)
    response = raw.bybit(
        "POST", "/v5/order/cancel", {"category": "spot", "symbol": "BTCUSDT", "orderId": "1"}
    )
    assert response.headers["X-Bapi-Limit"] == "600"


def test_bitget_answers_429_past_10_requests_per_second(
    sandbox: Sandbox, bitget_client: Any, raw: RawClient
) -> None:
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 12})
    for order in orders[:10]:
        bitget_client.cancel_order(order.order_id, "BTC/USDT")
    response = raw.bitget(
        "POST", "/api/v2/spot/trade/cancel-order", {"symbol": "BTCUSDT", "orderId": orders[10].order_id}
    )
    assert response.status_code == 429
    assert response.json()["code"] == "429" and response.json()["msg"] == "Too Many Requests"
    # ccxt maps the body's code "429" to DDoSProtection (facts §2.5), a NetworkError like
    # RateLimitExceeded.
    with pytest.raises(ccxt.DDoSProtection):
        bitget_client.cancel_order(orders[11].order_id, "BTC/USDT")
    # The batch endpoint has a budget of its own.
    bitget_client.cancel_orders([orders[11].order_id], "BTC/USDT")
    assert sandbox.order("bitget", orders[11].order_id).status == "canceled"


def test_effective_limits_are_readable(sandbox: Sandbox) -> None:
    assert sandbox.limit("bybit", BATCH, group="spot") == 20
    assert sandbox.limit("bybit", BATCH, group="derivatives") == 10
    assert sandbox.limit("bitget", "/api/v2/mix/order/batch-cancel-orders") == 10
    sandbox.set_budget_scale(3)
    sandbox.set_limit("bybit", BATCH, 7, group="option")
    assert sandbox.limit("bybit", BATCH, group="spot") == 60
    assert sandbox.limit("bybit", BATCH, group="option") == 7
    assert sandbox.rate_window_s == 60  # this module's fixture
    with pytest.raises(ValueError):
        sandbox.limit("bybit", BATCH)  # Bybit order endpoints are budgeted per group
