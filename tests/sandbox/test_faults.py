"""Injected faults, per endpoint and deterministic with the seed; latency that outlasts a timeout."""

from __future__ import annotations

import json
import time
from typing import Any

import ccxt
import pytest
import requests

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient, wait_until

BYBIT_CANCEL = "/v5/order/cancel"
BYBIT_BATCH = "/v5/order/cancel-batch"
BITGET_BATCH = "/api/v2/spot/trade/batch-cancel-order"


def _cancel(raw: RawClient, order: Any) -> requests.Response:
    return raw.bybit(
        "POST", BYBIT_CANCEL, {"category": "spot", "symbol": order.native_symbol, "orderId": order.order_id}
    )


def _status(sandbox: Sandbox, order: Any) -> str:
    return sandbox.order(order.exchange, order.order_id).status


def test_http_500_is_not_applied(sandbox: Sandbox, raw: RawClient, bitget_client: Any) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, "http_500")
    response = _cancel(raw, order)
    assert response.status_code == 500 and response.json()["retCode"] == 10016
    assert _status(sandbox, order) == "open"
    assert _cancel(raw, order).json()["retCode"] == 0  # times=1: the next request is served
    bitget_order = sandbox.seed_orders("bitget", {"BTC/USDT": 1})[0]
    sandbox.inject("/api/v2/spot/trade/cancel-order", "http_500")
    with pytest.raises(ccxt.ExchangeNotAvailable):
        bitget_client.cancel_order(bitget_order.order_id, "BTC/USDT")
    assert _status(sandbox, bitget_order) == "open"


def test_reset_closes_without_response(sandbox: Sandbox, raw: RawClient, bybit_client: Any) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, "reset")
    with pytest.raises(requests.ConnectionError):
        _cancel(raw, order)
    assert _status(sandbox, order) == "open"
    assert (sandbox.log[-1].status, sandbox.log[-1].fault) == (0, "reset")
    sandbox.inject(BYBIT_CANCEL, "reset")
    with pytest.raises(ccxt.NetworkError):
        bybit_client.cancel_order(order.order_id, "BTC/USDT")


@pytest.mark.parametrize(("fault", "applied"), [("timeout_applied", True), ("timeout_not_applied", False)])
def test_timeouts(sandbox: Sandbox, fault: str, applied: bool) -> None:
    ex = sandbox.client("bybit", enableRateLimit=False, timeout=300)
    ex.load_markets()
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, fault, hold_s=1.0)
    with pytest.raises(ccxt.RequestTimeout):
        ex.cancel_order(order.order_id, "BTC/USDT")
    wait_until(lambda: sandbox.count(BYBIT_CANCEL) == 1)  # the hold is over
    assert _status(sandbox, order) == ("canceled" if applied else "open")
    assert sandbox.log[-1].fault == fault


@pytest.mark.parametrize("fault", ["malformed_json", "truncated_json"])
def test_broken_bodies_are_applied(sandbox: Sandbox, raw: RawClient, fault: str) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, fault)
    response = _cancel(raw, order)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    assert _status(sandbox, order) == "canceled"


def test_drop_and_extra_item_bybit(sandbox: Sandbox, raw: RawClient) -> None:
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 6})
    request = [{"symbol": "BTCUSDT", "orderId": o.order_id} for o in orders]
    sandbox.inject(BYBIT_BATCH, "drop_item")
    dropped = raw.bybit("POST", BYBIT_BATCH, {"category": "spot", "request": request[:3]}).json()
    assert len(dropped["result"]["list"]) == len(dropped["retExtInfo"]["list"]) == 2
    sandbox.inject(BYBIT_BATCH, "extra_item")
    extra = raw.bybit("POST", BYBIT_BATCH, {"category": "spot", "request": request[3:]}).json()
    assert len(extra["result"]["list"]) == len(extra["retExtInfo"]["list"]) == 4
    asked = {o.order_id for o in orders}
    assert len({row["orderId"] for row in extra["result"]["list"]} - asked) == 1
    assert sandbox.open_orders("bybit") == []  # both faults apply every requested cancel
    assert [e.fault for e in sandbox.log] == ["drop_item", "extra_item"]
    assert [len(e.item_codes) for e in sandbox.log] == [2, 4]


def test_drop_and_extra_item_bitget(sandbox: Sandbox, raw: RawClient) -> None:
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 4})
    body = {
        "symbol": "BTCUSDT",
        "orderList": [{"orderId": o.order_id} for o in orders[:2]] + [{"orderId": "404"}],
    }
    sandbox.inject(BITGET_BATCH, "drop_item")
    data = raw.bitget("POST", BITGET_BATCH, body).json()["data"]
    assert len(data["successList"]) + len(data["failureList"]) == 2
    sandbox.inject(BITGET_BATCH, "extra_item")
    data = raw.bitget(
        "POST",
        BITGET_BATCH,
        {"symbol": "BTCUSDT", "orderList": [{"orderId": o.order_id} for o in orders[2:]]},
    ).json()["data"]
    assert len(data["successList"]) == 3 and data["failureList"] == []
    assert sandbox.open_orders("bitget") == []


def test_maintenance(sandbox: Sandbox, raw: RawClient, bitget_client: Any) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, "maintenance")
    reply = _cancel(raw, order)
    assert (reply.status_code, reply.json()["retCode"]) == (200, 10016)
    assert _status(sandbox, order) == "open"
    bitget_order = sandbox.seed_orders("bitget", {"BTC/USDT": 1})[0]
    sandbox.inject("/api/v2/spot/*", "maintenance")
    with pytest.raises(ccxt.OnMaintenance):
        bitget_client.cancel_order(bitget_order.order_id, "BTC/USDT")
    assert sandbox.log[-1].status == 503 and _status(sandbox, bitget_order) == "open"


def test_forced_rate_limit(sandbox: Sandbox, bybit_client: Any, bitget_client: Any) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, "rate_limit")
    with pytest.raises(ccxt.RateLimitExceeded):
        bybit_client.cancel_order(order.order_id, "BTC/USDT")
    bitget_order = sandbox.seed_orders("bitget", {"BTC/USDT": 1})[0]
    sandbox.inject("/api/v2/spot/trade/cancel-order", "rate_limit")
    with pytest.raises(ccxt.DDoSProtection):
        bitget_client.cancel_order(bitget_order.order_id, "BTC/USDT")
    assert [e.status for e in sandbox.log] == [200, 429]
    assert _status(sandbox, order) == _status(sandbox, bitget_order) == "open"


def _fault_pattern(sandbox: Sandbox, raw: RawClient) -> list[int]:
    sandbox.inject("/v5/market/*", "http_500", times=None, rate=0.5)
    return [raw.bybit("GET", "/v5/market/time").status_code for _ in range(24)]


def test_rate_faults_are_deterministic_with_the_seed(sandbox: Sandbox, raw: RawClient) -> None:
    first = _fault_pattern(sandbox, raw)
    sandbox.reset()
    assert _fault_pattern(sandbox, raw) == first
    assert {200, 500} == set(first)
    with Sandbox(seed=sandbox.seed) as twin:
        twin_raw = RawClient(twin)
        assert _fault_pattern(twin, twin_raw) == first
        twin_raw.close()


def test_latency_past_the_client_timeout(sandbox: Sandbox) -> None:
    ex = sandbox.client("bybit", enableRateLimit=False, timeout=200)
    ex.load_markets()
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.set_latency(600, path=BYBIT_CANCEL)
    with pytest.raises(ccxt.RequestTimeout):
        ex.cancel_order(order.order_id, "BTC/USDT")
    assert isinstance(ex.fetch_open_orders("BTC/USDT"), list)  # other paths are not delayed
    wait_until(lambda: sandbox.count(BYBIT_CANCEL) == 1)  # late, but served and applied
    assert _status(sandbox, order) == "canceled"
    sandbox.reset()  # latency back to the constructor's 0
    sandbox.seed_orders("bybit", {"BTC/USDT": 1})
    assert ex.cancel_order(sandbox.open_orders("bybit")[0].order_id, "BTC/USDT")


def test_latency_is_a_round_trip_the_request_applied_halfway(sandbox: Sandbox, raw: RawClient) -> None:
    """Half the latency on the way there, the exchange's work, the rest on the way back: the
    order is cancelled before its answer leaves, and the answer takes the whole latency.

    Read off the sandbox's own record (when the request arrived, when the order changed, when the
    answer left), not off a watcher's polling, which a loaded machine delays."""
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.set_latency(800, path=BYBIT_CANCEL)
    assert _cancel(raw, order).json()["retCode"] == 0
    (entry,) = [e for e in sandbox.log if e.path == BYBIT_CANCEL]
    applied = sandbox.order("bybit", order.order_id).updated_ms / 1000
    assert _status(sandbox, order) == "canceled"
    assert applied >= entry.started + 0.4 - 0.002  # never before half the latency (ms rounding)
    assert applied < entry.finished - 0.2  # and well before the answer left
    assert entry.finished - entry.started >= 0.8  # never sooner than the whole latency


@pytest.mark.parametrize("clear", ["reset", "clear_log"])
def test_a_request_held_past_a_clear_stays_out_of_the_new_log(sandbox: Sandbox, clear: str) -> None:
    """A held answer that finishes after ``reset()`` / ``clear_log()`` belongs to what came before
    (a previous test, on a shared sandbox): the new log neither counts it nor tells listeners."""
    ex = sandbox.client("bybit", enableRateLimit=False, timeout=200)
    ex.load_markets()
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, "timeout_applied", hold_s=0.6)
    heard: list[str] = []
    sandbox.on_request(lambda entry: heard.append(entry.path))
    with pytest.raises(ccxt.RequestTimeout):
        ex.cancel_order(order.order_id, "BTC/USDT")
    getattr(sandbox, clear)()  # while the sandbox still holds the answer
    after = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    time.sleep(0.8)  # the hold is over: the held answer has been written (to nobody)
    assert sandbox.count(BYBIT_CANCEL) == 0 and BYBIT_CANCEL not in heard
    ex.cancel_order(after.order_id, "BTC/USDT")  # what comes after the clear is logged as ever
    assert [e.path for e in sandbox.log if e.path == BYBIT_CANCEL] == [BYBIT_CANCEL]
    assert heard[-1] == BYBIT_CANCEL


def test_unknown_fault_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        sandbox.inject(BYBIT_CANCEL, "gremlins")


def test_http_502_gateway_page_is_not_applied(sandbox: Sandbox, raw: RawClient, bybit_client: Any) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, "http_502", times=2)
    response = _cancel(raw, order)
    assert response.status_code == 502 and response.headers["Content-Type"] == "text/html"
    with pytest.raises(ccxt.ExchangeNotAvailable):  # no JSON: ccxt falls back to the HTTP status
        bybit_client.cancel_order(order.order_id, "BTC/USDT")
    assert _status(sandbox, order) == "open" and sandbox.log[-1].items == 1


def test_ack_not_applied_answers_ok_but_leaves_the_named_orders_open(
    sandbox: Sandbox, raw: RawClient
) -> None:
    named, other = sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    sandbox.inject(BYBIT_BATCH, "ack_not_applied")
    body = {"category": "spot", "request": [{"symbol": "BTCUSDT", "orderId": named.order_id}]}
    answer = raw.bybit("POST", BYBIT_BATCH, body).json()
    assert answer["retCode"] == 0 and answer["retExtInfo"]["list"][0]["code"] == 0  # acknowledged
    assert _status(sandbox, named) == "open"  # ...but not applied
    assert _status(sandbox, other) == "open"
    assert _cancel(raw, named).json()["retCode"] == 0  # times=1: the next cancel applies
    assert _status(sandbox, named) == "canceled"
    bitget_order = sandbox.seed_orders("bitget", {"ETH/USDT": 1})[0]
    sandbox.inject(BITGET_BATCH, "ack_not_applied")
    answer = raw.bitget(
        "POST",
        BITGET_BATCH,
        {"batchMode": "multiple", "orderList": [{"symbol": "ETHUSDT", "orderId": bitget_order.order_id}]},
    ).json()
    assert [s["orderId"] for s in answer["data"]["successList"]] == [bitget_order.order_id]
    assert _status(sandbox, bitget_order) == "open"
