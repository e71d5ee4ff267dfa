"""The sandbox's OKX v5, one test per endpoint: real ccxt where it has a unified method, raw signed
HTTP for exact bodies, per-order codes, budgets, signatures and faults."""

from __future__ import annotations

import time

import ccxt
import pytest

from batchcancel.sandbox import Sandbox
from batchcancel.sandbox.okx.signing import iso_timestamp, parse_timestamp
from tests.sandbox.sandbox_http import RawClient, wait_until

BATCH = "/api/v5/trade/cancel-batch-orders"
CANCEL = "/api/v5/trade/cancel-order"
ALGOS = "/api/v5/trade/cancel-algos"
AFTER = "/api/v5/trade/cancel-all-after"


@pytest.fixture
def raw(sandbox: Sandbox):
    client = RawClient(sandbox)
    yield client
    client.close()


@pytest.fixture
def okx(sandbox: Sandbox):
    return sandbox.client("okx", enableRateLimit=False)


def test_ccxt_loads_spot_and_swap_instruments_in_two_requests(sandbox: Sandbox, okx) -> None:
    okx.load_markets()
    assert okx.market("BTC/USDT")["id"] == "BTC-USDT" and okx.market("BTC/USDT")["spot"]
    swap = okx.market("ETH/USDT:USDT")
    assert swap["id"] == "ETH-USDT-SWAP" and swap["linear"] and swap["contractSize"] == 0.01
    assert okx.market("BTC/USD:BTC")["inverse"]
    assert [e.path for e in sandbox.log] == ["/api/v5/public/instruments"] * 2


def test_public_time_is_the_server_clock(sandbox: Sandbox, okx) -> None:
    sandbox.set_clock_skew(5_000)
    assert abs(okx.fetch_time() - (time.time() * 1000 + 5_000)) < 2_000


def test_place_list_read_and_cancel_one_order_through_ccxt(sandbox: Sandbox, okx) -> None:
    placed = okx.create_order("BTC/USDT:USDT", "limit", "buy", 1, 50_000)
    assert [o["id"] for o in okx.fetch_open_orders("BTC/USDT:USDT")] == [placed["id"]]
    assert okx.fetch_order(placed["id"], "BTC/USDT:USDT")["status"] == "open"
    okx.cancel_order(placed["id"], "BTC/USDT:USDT")
    assert okx.fetch_order(placed["id"], "BTC/USDT:USDT")["status"] == "canceled"
    with pytest.raises(ccxt.OrderNotFound):  # 51400: filled, cancelled or unknown
        okx.cancel_order(placed["id"], "BTC/USDT:USDT")
    with pytest.raises(ccxt.OrderNotFound):  # 51603 on a read of an unknown order
        okx.fetch_order("1899999999999999999", "BTC/USDT:USDT")


def test_a_batch_answers_code_2_with_an_scode_per_order_and_at_most_20(sandbox: Sandbox, raw) -> None:
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 2, "ETH/USDT:USDT": 1})
    sandbox.fill("okx", [orders[1].order_id])
    body = [{"instId": o.native_symbol, "ordId": o.order_id} for o in orders]
    answer = raw.okx("POST", BATCH, [*body, {"instId": "BTC-USDT", "clOrdId": "nobody"}]).json()
    assert answer["code"] == "2"
    assert [(e.get("ordId"), e.get("clOrdId"), e["sCode"]) for e in answer["data"]] == [
        (orders[0].order_id, orders[0].client_order_id, "0"),
        (orders[1].order_id, "", "51400"),
        (orders[2].order_id, orders[2].client_order_id, "0"),
        ("", "nobody", "51400"),
    ]
    assert raw.okx("POST", BATCH, body[:1]).json()["code"] == "1"  # every order failed
    too_many = raw.okx("POST", BATCH, [{"instId": "BTC-USDT", "ordId": str(i)} for i in range(21)]).json()
    assert too_many["code"] == "51000" and too_many["data"] == []
    unknown = raw.okx("POST", BATCH, [{"instId": "NOPE-USDT", "ordId": "1"}]).json()
    assert unknown["code"] == "51001"
    assert next(entry.item_codes for entry in sandbox.log if entry.path == BATCH) == (
        "0",
        "51400",
        "0",
        "51400",
    )


def test_cancel_order_refuses_what_is_not_open_with_its_code(sandbox: Sandbox, raw) -> None:
    (order,) = sandbox.seed_orders("okx", {"SOL/USDT": 1})
    params = {"instId": "SOL-USDT", "ordId": order.order_id}
    assert raw.okx("POST", CANCEL, params).json()["data"][0]["sCode"] == "0"
    again = raw.okx("POST", CANCEL, params).json()
    assert (again["code"], again["data"][0]["sCode"]) == ("1", "51400")


def test_algo_orders_are_listed_and_cancelled_by_algo_id_only(sandbox: Sandbox, raw) -> None:
    algos = sandbox.seed_orders("okx", {"BTC/USDT:USDT": 2}, order_filter="trigger")
    listed = raw.okx("GET", "/api/v5/trade/orders-algo-pending", {"ordType": "trigger"}).json()["data"]
    assert sorted(row["algoId"] for row in listed) == sorted(o.order_id for o in algos)
    assert raw.okx("GET", "/api/v5/trade/orders-pending").json()["data"] == []
    oco = sandbox.seed_orders("okx", {"BTC/USDT:USDT": 1}, order_filter="oco")
    both = raw.okx("GET", "/api/v5/trade/orders-algo-pending", {"ordType": "conditional,oco"}).json()["data"]
    assert [row["algoId"] for row in both] == [oco[0].order_id]  # the two types one request may name
    refused = raw.okx("GET", "/api/v5/trade/orders-algo-pending", {"ordType": "trigger,oco"}).json()
    assert (refused["code"], refused["data"]) == ("51000", [])
    raw.okx("POST", ALGOS, [{"instId": "BTC-USDT-SWAP", "algoId": oco[0].order_id}])
    plain = raw.okx("POST", BATCH, [{"instId": "BTC-USDT-SWAP", "ordId": algos[0].order_id}]).json()
    assert plain["data"][0]["sCode"] == "51400"  # an algo order is no plain order
    answer = raw.okx("POST", ALGOS, [{"instId": "BTC-USDT-SWAP", "algoId": o.order_id} for o in algos]).json()
    assert answer["code"] == "0" and [e["algoId"] for e in answer["data"]] == [o.order_id for o in algos]
    assert sandbox.open_orders("okx") == []


def test_orders_pending_pages_newest_first_with_after(sandbox: Sandbox, raw) -> None:
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 150, "BTC/USDT:USDT": 10})
    first = raw.okx("GET", "/api/v5/trade/orders-pending", {"limit": "100"}).json()["data"]
    second = raw.okx("GET", "/api/v5/trade/orders-pending", {"after": first[-1]["ordId"]}).json()["data"]
    assert len(first) == 100 and len(second) == 60
    assert [r["ordId"] for r in first + second] == [o.order_id for o in reversed(orders)]
    spot = raw.okx("GET", "/api/v5/trade/orders-pending", {"instType": "SWAP"}).json()["data"]
    assert len(spot) == 10


def test_signatures_timestamps_and_passphrases_are_checked(sandbox: Sandbox, raw) -> None:
    path = "/api/v5/trade/orders-pending"
    assert raw.okx("GET", path, secret="not-the-secret").json()["code"] == "50113"
    stale = raw.okx("GET", path, timestamp_ms=int(time.time() * 1000) - 60_000)
    assert (stale.status_code, stale.json()["code"]) == (401, "50102")
    assert raw.okx("GET", path, password="wrong").json()["code"] == "50105"
    assert parse_timestamp(iso_timestamp(1_700_000_000_123)) == 1_700_000_000_123


def test_past_the_budget_okx_answers_429_with_50011_per_instrument(sandbox: Sandbox, raw) -> None:
    sandbox.set_rate_window(30)  # nothing expires during the test
    sandbox.set_limit("okx", BATCH, 3)
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 4, "ETH/USDT": 2})
    first = raw.okx("POST", BATCH, [{"instId": "BTC-USDT", "ordId": o.order_id} for o in orders[:3]])
    assert first.json()["code"] == "0"
    refused = raw.okx("POST", BATCH, [{"instId": "BTC-USDT", "ordId": orders[3].order_id}] * 2)
    assert (refused.status_code, refused.json()["code"]) == (429, "50011")
    other = raw.okx("POST", BATCH, [{"instId": "ETH-USDT", "ordId": o.order_id} for o in orders[4:]])
    assert other.json()["code"] == "0"  # another instrument's budget is its own


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [("rate_limit", 429, "50011"), ("maintenance", 503, "50001"), ("http_500", 500, "50026")],
)
def test_fault_answers_are_okx_shaped_and_apply_nothing(sandbox: Sandbox, raw, fault, status, code) -> None:
    (order,) = sandbox.seed_orders("okx", {"BTC/USDT": 1})
    sandbox.inject(BATCH, fault)
    answer = raw.okx("POST", BATCH, [{"instId": "BTC-USDT", "ordId": order.order_id}])
    assert (answer.status_code, answer.json()["code"], answer.json()["data"]) == (status, code, [])
    assert len(sandbox.open_orders("okx")) == 1


def test_drop_and_extra_item_faults_change_the_batch_answer_only(sandbox: Sandbox, raw) -> None:
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 3})
    body = [{"instId": "BTC-USDT", "ordId": o.order_id} for o in orders]
    sandbox.inject(BATCH, "drop_item")
    assert len(raw.okx("POST", BATCH, body).json()["data"]) == 2
    sandbox.inject(BATCH, "extra_item")
    assert len(raw.okx("POST", BATCH, body).json()["data"]) == 4
    assert sandbox.open_orders("okx") == []


def test_cancel_all_after_arms_rearms_disarms_and_validates_its_range(sandbox: Sandbox, raw) -> None:
    sandbox.set_limit("okx", AFTER, 100)
    for bad in ("5", "121", "-1", "ten", ""):
        assert raw.okx("POST", AFTER, {"timeOut": bad}).json()["code"] == "51000"
    armed = raw.okx("POST", AFTER, {"timeOut": "60"}).json()["data"][0]
    assert int(armed["triggerTime"]) - int(armed["ts"]) == 60
    deadline = sandbox.countdown_deadline("okx")
    assert deadline is not None and 58 < deadline - time.time() <= 60
    assert raw.okx("POST", AFTER, {"timeOut": "0"}).json()["data"][0]["triggerTime"] == "0"
    assert sandbox.countdown_deadline("okx") is None


def test_an_expired_countdown_cancels_every_open_order_of_the_account(sandbox: Sandbox, raw) -> None:
    sandbox.set_countdown_minimum("okx", 1)
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 3, "ETH/USDT:USDT": 2})
    other = sandbox.add_account()
    theirs = sandbox.seed_orders("okx", {"BTC/USDT": 2}, account=other)
    assert raw.okx("POST", AFTER, {"timeOut": "1"}).json()["code"] == "0"
    wait_until(lambda: sandbox.open_orders("okx", account=sandbox.default_account) == [], timeout_s=5)
    assert {o.status for o in sandbox.orders("okx", account=sandbox.default_account)} == {"canceled"}
    assert len(orders) == 5 and len(sandbox.open_orders("okx", account=other)) == len(theirs)


def test_the_router_picks_the_longest_prefix_okx_api_v5_over_bitget_api(sandbox: Sandbox, raw) -> None:
    raw.okx("GET", "/api/v5/trade/orders-pending")
    raw.bitget("GET", "/api/v2/spot/trade/unfilled-orders")
    assert [(e.exchange, e.status) for e in sandbox.log] == [("okx", 200), ("bitget", 200)]


def test_place_one_order_by_object_and_read_it_by_client_id(sandbox: Sandbox, raw) -> None:
    params = {
        "instId": "ETH-USDT",
        "tdMode": "cash",
        "side": "sell",
        "ordType": "limit",
        "px": "3100",
        "sz": "2",
    }
    placed = raw.okx("POST", "/api/v5/trade/order", {**params, "clOrdId": "mine1"}).json()
    assert placed["code"] == "0" and placed["data"][0]["clOrdId"] == "mine1"
    again = raw.okx("POST", "/api/v5/trade/order", {**params, "clOrdId": "mine1"}).json()
    assert (again["code"], again["data"][0]["sCode"]) == ("1", "51016")  # a duplicate clOrdId
    read = raw.okx("GET", "/api/v5/trade/order", {"instId": "ETH-USDT", "clOrdId": "mine1"}).json()
    assert read["code"] == "0" and read["data"][0]["state"] == "live"
    assert read["data"][0]["ordId"] == placed["data"][0]["ordId"]
    wrong = raw.okx("GET", "/api/v5/trade/order", {"instId": "BTC-USDT", "clOrdId": "mine1"}).json()
    assert wrong["code"] == "51603"  # not under another instrument
