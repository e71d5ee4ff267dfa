"""Order-book behaviour, batch maxima, conditional spot orders, filled orders, unknown paths."""

from __future__ import annotations

from typing import Any

import ccxt
import pytest

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient

BYBIT_BATCH = "/v5/order/cancel-batch"
BITGET_BATCH = "/api/v2/spot/trade/batch-cancel-order"


def _bybit_batch(raw: RawClient, category: str, orders: list[Any], **item: str) -> Any:
    request = [{"symbol": o.native_symbol, "orderId": o.order_id, **item} for o in orders]
    return raw.bybit("POST", BYBIT_BATCH, {"category": category, "request": request}).json()


@pytest.mark.parametrize(
    ("category", "symbol", "maximum"),
    [("spot", "BTC/USDT", 10), ("linear", "BTC/USDT:USDT", 20), ("inverse", "BTC/USD:BTC", 20)],
)
def test_bybit_batch_over_the_maximum_is_refused_whole(
    sandbox: Sandbox, raw: RawClient, category: str, symbol: str, maximum: int
) -> None:
    sandbox.set_budget_scale(10)
    orders = sandbox.seed_orders("bybit", {symbol: maximum + 1})
    assert _bybit_batch(raw, category, orders)["retCode"] == 10001
    assert len(sandbox.open_orders("bybit")) == maximum + 1
    reply = _bybit_batch(raw, category, orders[:maximum])
    assert [i["code"] for i in reply["retExtInfo"]["list"]] == [0] * maximum


def test_bitget_batch_over_50_is_refused_whole(sandbox: Sandbox, raw: RawClient) -> None:
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 51})
    body = {"symbol": "BTCUSDT", "orderList": [{"orderId": o.order_id} for o in orders]}
    response = raw.bitget("POST", BITGET_BATCH, body)
    assert (response.status_code, response.json()["code"]) == (400, "40017")
    body["orderList"] = body["orderList"][:50]
    assert len(raw.bitget("POST", BITGET_BATCH, body).json()["data"]["successList"]) == 50
    assert len(sandbox.open_orders("bitget")) == 1


def test_bitget_batch_modes_and_client_ids(sandbox: Sandbox, raw: RawClient) -> None:
    btc, eth = (sandbox.seed_orders("bitget", {s: 1})[0] for s in ("BTC/USDT", "ETH/USDT"))
    multiple = {
        "symbol": "",
        "batchMode": "multiple",
        "orderList": [
            {"symbol": "BTCUSDT", "clientOid": btc.client_order_id},
            {"symbol": "ETHUSDT", "clientOid": eth.client_order_id},
        ],
    }
    data = raw.bitget("POST", BITGET_BATCH, multiple).json()["data"]
    assert {i["orderId"] for i in data["successList"]} == {btc.order_id, eth.order_id}
    # single mode (the default) applies the top-level symbol to every item
    again = sandbox.seed_orders("bitget", {"ETH/USDT": 1})[0]
    data = raw.bitget(
        "POST",
        BITGET_BATCH,
        {"symbol": "BTCUSDT", "orderList": [{"symbol": "ETHUSDT", "orderId": again.order_id}]},
    ).json()["data"]
    assert data["successList"] == [] and data["failureList"][0]["errorCode"] == "43001"
    mixed = {"symbol": "ETHUSDT", "orderList": [{"orderId": again.order_id}, {"clientOid": "x"}]}
    assert raw.bitget("POST", BITGET_BATCH, mixed).json()["code"] == "40017"


def test_conditional_spot_orders_need_their_filter(
    sandbox: Sandbox, raw: RawClient, bybit_client: Any
) -> None:
    stops = sandbox.seed_orders("bybit", {"BTC/USDT": 3}, order_filter="StopOrder")
    assert {o.order_filter for o in stops} == {"StopOrder"}
    reply = _bybit_batch(raw, "spot", stops)
    assert [i["code"] for i in reply["retExtInfo"]["list"]] == [170213] * 3
    with pytest.raises(ccxt.OrderNotFound):  # ccxt sends orderFilter "Order" by default
        bybit_client.cancel_order(stops[0].order_id, "BTC/USDT")
    bybit_client.cancel_order(stops[0].order_id, "BTC/USDT", {"trigger": True})  # "StopOrder"
    single = raw.bybit(
        "POST",
        "/v5/order/cancel",
        {"category": "spot", "symbol": "BTCUSDT", "orderId": stops[1].order_id, "orderFilter": "StopOrder"},
    )
    assert single.json()["retCode"] == 0
    assert [o.order_id for o in sandbox.open_orders("bybit")] == [stops[2].order_id]
    with pytest.raises(ValueError):
        sandbox.seed_orders("bybit", {"BTC/USDT:USDT": 1}, order_filter="StopOrder")


def test_filled_orders_answer_the_not_found_codes(
    sandbox: Sandbox, raw: RawClient, bybit_client: Any, bitget_client: Any
) -> None:
    spot, linear = sandbox.seed_orders("bybit", {"BTC/USDT": 1, "BTC/USDT:USDT": 1})
    bg_spot, bg_mix = sandbox.seed_orders("bitget", {"BTC/USDT": 1, "BTC/USDT:USDT": 1})
    filled = sandbox.fill("bybit", [spot.order_id, linear.order_id])
    filled += sandbox.fill("bitget", [bg_spot.order_id, bg_mix.order_id])
    assert {o.status for o in filled} == {"filled"} and sandbox.open_orders("bybit") == []
    assert _bybit_batch(raw, "spot", [spot])["retExtInfo"]["list"][0]["code"] == 170213
    assert _bybit_batch(raw, "linear", [linear])["retExtInfo"]["list"][0]["code"] == 110001
    with pytest.raises(ccxt.OrderNotFound):
        bybit_client.cancel_order(linear.order_id, "BTC/USDT:USDT")
    failure = raw.bitget(
        "POST",
        "/api/v2/mix/order/batch-cancel-orders",
        {"symbol": "BTCUSDT", "productType": "USDT-FUTURES", "orderIdList": [{"orderId": bg_mix.order_id}]},
    ).json()["data"]["failureList"]
    assert failure[0]["errorCode"] == "40768"
    for order in (bg_spot, bg_mix):
        with pytest.raises(ccxt.OrderNotFound):
            bitget_client.cancel_order(order.order_id, order.symbol)
    assert sandbox.order("bitget", bg_spot.order_id).status == "filled"


def test_bybit_open_orders_page_with_a_stable_cursor(sandbox: Sandbox, raw: RawClient) -> None:
    seeded = sandbox.seed_orders("bybit", {"DOGE/USDT": 45})
    seen: list[str] = []
    cursor = ""
    while True:
        params = {"category": "spot", "symbol": "DOGEUSDT", **({"cursor": cursor} if cursor else {})}
        result = raw.bybit("GET", "/v5/order/realtime", params).json()["result"]
        seen += [o["orderId"] for o in result["list"]]
        cursor = result["nextPageCursor"]
        if not cursor:
            break
        sandbox.fill("bybit", [seen[-1]])  # the book changes between pages; the cursor holds
    assert sorted(seen) == sorted(o.order_id for o in seeded) and len(seen) == 45


def test_unknown_paths_answer_like_the_exchange(raw: RawClient, sandbox: Sandbox) -> None:
    bybit = raw.bybit("GET", "/v5/not/a/path")
    assert (bybit.status_code, bybit.json()["retCode"]) == (404, 404)
    bitget = raw.bitget("POST", "/api/v2/spot/trade/not-a-path", {})
    assert (bitget.status_code, bitget.json()["code"]) == (404, "40404")
    assert raw.session.get(sandbox.url + "/").status_code == 404
    assert "Traceback" not in bybit.text + bitget.text


def test_unknown_symbol_and_bad_parameters(raw: RawClient, bybit_client: Any) -> None:
    reply = raw.bybit("POST", "/v5/order/cancel", {"category": "spot", "symbol": "BTCUSDT"}).json()
    assert reply["retCode"] == 10001  # neither orderId nor orderLinkId
    assert raw.bybit("POST", "/v5/order/cancel", body="not json").json()["retCode"] == 10001
    assert raw.bybit("GET", "/v5/order/realtime", {"category": "linear"}).json()["retCode"] == 10001
    with pytest.raises(ccxt.BadRequest):
        bybit_client.privatePostV5OrderCreate(
            {
                "category": "spot",
                "symbol": "NOPEUSDT",
                "side": "Buy",
                "orderType": "Limit",
                "qty": "1",
                "price": "1",
            }
        )


def test_bybit_cancel_all_by_settle_coin(sandbox: Sandbox, bybit_client: Any) -> None:
    sandbox.seed_orders("bybit", {"BTC/USDT:USDT": 3, "ETH/USDT:USDT": 2, "BTC/USDT": 1})
    cancelled = bybit_client.cancel_all_orders()  # linear, settleCoin USDT
    assert len(cancelled) == 5
    assert [o.symbol for o in sandbox.open_orders("bybit")] == ["BTC/USDT"]


def test_reset_forgets_orders_and_knobs_but_keeps_markets(sandbox: Sandbox, raw: RawClient) -> None:
    sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    sandbox.set_budget_scale(0.1)
    sandbox.set_clock_skew(99_000)
    sandbox.inject("*", "http_500", times=None)
    sandbox.reset()
    assert sandbox.orders("bybit") == [] and sandbox.log == []
    assert raw.bybit("GET", "/v5/order/realtime", {"category": "spot"}).json()["retCode"] == 0
    assert len(sandbox.markets("bybit")) >= 123 and sandbox.count() == 1
