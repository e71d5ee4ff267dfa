"""The sandbox's Bitget v2 futures trigger (plan) and TP/SL orders, as documented: placed with
``place-plan-order`` / ``place-tpsl-order``, listed by ``orders-plan-pending`` (``planType``
``normal_plan`` or ``profit_loss``), cancelled by ``cancel-plan-order`` (by id list, or every
one of a product type / symbol / margin coin and ``planType``); the ordinary endpoints neither
list nor cancel them. Raw HTTP and through ccxt (``triggerPrice``, ``stopLossPrice``,
``params={"trigger": True}``)."""

from __future__ import annotations

from typing import Any

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient

PLACE_PLAN = "/api/v2/mix/order/place-plan-order"
PLACE_TPSL = "/api/v2/mix/order/place-tpsl-order"
PENDING = "/api/v2/mix/order/orders-plan-pending"
CANCEL_PLAN = "/api/v2/mix/order/cancel-plan-order"
USDT = {"productType": "USDT-FUTURES", "symbol": "BTCUSDT", "marginCoin": "USDT"}


def ok(answer: Any) -> Any:
    body = answer.json()
    assert body["code"] == "00000", body
    return body["data"]


def place(raw: RawClient, path: str, plan_type: str, **extra: str) -> str:
    params = {**USDT, "planType": plan_type, "triggerPrice": "50000", "size": "1", "side": "buy", **extra}
    return str(ok(raw.bitget("POST", path, params))["orderId"])


def pending(raw: RawClient, plan_type: str, **extra: str) -> list[str]:
    data = ok(raw.bitget("GET", PENDING, {"productType": "USDT-FUTURES", "planType": plan_type, **extra}))
    return [row["orderId"] for row in data["entrustedList"] or []]


def test_place_list_and_cancel_by_id(raw: RawClient) -> None:
    trigger = place(raw, PLACE_PLAN, "normal_plan")
    stop = place(raw, PLACE_TPSL, "pos_loss", holdSide="long")
    profit = place(raw, PLACE_TPSL, "pos_profit", holdSide="long")
    assert pending(raw, "normal_plan") == [trigger]
    assert pending(raw, "profit_loss") == [profit, stop]  # every TP/SL kind, newest first
    rows = ok(raw.bitget("GET", PENDING, {"productType": "USDT-FUTURES", "planType": "profit_loss"}))
    assert {row["planStatus"] for row in rows["entrustedList"]} == {"live"}
    assert raw.bitget("GET", PENDING, {"productType": "USDT-FUTURES"}).json()["code"] == "40017"

    # An id list must match symbol, productType and planType (default normal_plan).
    data = ok(
        raw.bitget("POST", CANCEL_PLAN, {**USDT, "orderIdList": [{"orderId": stop}, {"orderId": trigger}]})
    )
    assert [entry["orderId"] for entry in data["successList"]] == [trigger]
    assert [entry["orderId"] for entry in data["failureList"]] == [stop]
    data = ok(
        raw.bitget("POST", CANCEL_PLAN, {**USDT, "planType": "pos_loss", "orderIdList": [{"orderId": stop}]})
    )
    assert [entry["orderId"] for entry in data["successList"]] == [stop]
    assert pending(raw, "normal_plan") == [] and pending(raw, "profit_loss") == [profit]
    assert (
        raw.bitget("POST", CANCEL_PLAN, {"productType": "USDT-FUTURES", "orderIdList": []}).json()["code"]
        == "40017"
    )


def test_cancel_every_plan_order_of_a_product_type_and_plan_type(raw: RawClient) -> None:
    triggers = [place(raw, PLACE_PLAN, "normal_plan") for _ in range(3)]
    eth = place(raw, PLACE_PLAN, "normal_plan", symbol="ETHUSDT")
    stop = place(raw, PLACE_TPSL, "pos_loss", holdSide="long")
    data = ok(raw.bitget("POST", CANCEL_PLAN, {"productType": "USDT-FUTURES"}))  # planType: normal_plan
    assert sorted(entry["orderId"] for entry in data["successList"]) == sorted([*triggers, eth])
    assert pending(raw, "normal_plan") == [] and pending(raw, "profit_loss") == [stop]
    data = ok(raw.bitget("POST", CANCEL_PLAN, {"productType": "USDT-FUTURES", "planType": "pos_loss"}))
    assert [entry["orderId"] for entry in data["successList"]] == [stop]


def test_ordinary_endpoints_do_not_know_plan_orders(sandbox: Sandbox, raw: RawClient) -> None:
    trigger = place(raw, PLACE_PLAN, "normal_plan")
    plain = sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 1})[0].order_id
    listed = ok(raw.bitget("GET", "/api/v2/mix/order/orders-pending", {"productType": "USDT-FUTURES"}))
    assert [row["orderId"] for row in listed["entrustedList"]] == [plain]
    single = raw.bitget("POST", "/api/v2/mix/order/cancel-order", {**USDT, "orderId": trigger}).json()
    assert single["code"] == "40768"
    batch = ok(
        raw.bitget(
            "POST", "/api/v2/mix/order/batch-cancel-orders", {**USDT, "orderIdList": [{"orderId": trigger}]}
        )
    )
    assert [entry["orderId"] for entry in batch["failureList"]] == [trigger]
    everything = ok(
        raw.bitget("POST", "/api/v2/mix/order/cancel-all-orders", {"productType": "USDT-FUTURES"})
    )
    assert [entry["orderId"] for entry in everything["successList"]] == [plain]
    assert pending(raw, "normal_plan") == [trigger]


def test_ccxt_places_lists_and_cancels_them(bitget_client: Any) -> None:
    trigger = bitget_client.create_order("BTC/USDT:USDT", "limit", "buy", 1, 49000, {"triggerPrice": 50000})
    stop = bitget_client.create_order("BTC/USDT:USDT", "market", "sell", 1, None, {"stopLossPrice": 40000})
    assert [o["id"] for o in bitget_client.fetch_open_orders("BTC/USDT:USDT")] == []
    listed = bitget_client.fetch_open_orders("BTC/USDT:USDT", params={"trigger": True})
    assert [o["id"] for o in listed] == [trigger["id"]]
    tpsl = bitget_client.fetch_open_orders("BTC/USDT:USDT", params={"planType": "profit_loss"})
    assert [o["id"] for o in tpsl] == [stop["id"]]
    bitget_client.cancel_order(trigger["id"], "BTC/USDT:USDT", params={"trigger": True})
    assert bitget_client.fetch_open_orders("BTC/USDT:USDT", params={"trigger": True}) == []
    bitget_client.cancel_all_orders("BTC/USDT:USDT", params={"trigger": True, "planType": "pos_loss"})
    assert bitget_client.fetch_open_orders("BTC/USDT:USDT", params={"planType": "profit_loss"}) == []
