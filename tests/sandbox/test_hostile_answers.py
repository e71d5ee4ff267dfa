"""The sandbox's hostile answers: non-answers, gateway pages, lost answers, trickles, odd batch shapes.

Each fault says whether the request was applied; these tests hold it to that, over raw HTTP.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient

BYBIT_CANCEL = "/v5/order/cancel"
BYBIT_BATCH = "/v5/order/cancel-batch"
BITGET_CANCEL = "/api/v2/spot/trade/cancel-order"
BITGET_MIX_BATCH = "/api/v2/mix/order/batch-cancel-orders"
OKX_CANCEL = "/api/v5/trade/cancel-order"
BINANCE_CANCEL = "/fapi/v1/order"
CANCEL_PATH = {
    "bybit": BYBIT_CANCEL,
    "bitget": BITGET_CANCEL,
    "okx": OKX_CANCEL,
    "binanceusdm": BINANCE_CANCEL,
}
SYMBOL = {"bybit": "BTC/USDT", "bitget": "BTC/USDT", "okx": "BTC/USDT", "binanceusdm": "BTC/USDT:USDT"}


def _bybit_cancel(raw: RawClient, order: Any) -> requests.Response:
    params = {"category": "spot", "symbol": order.native_symbol, "orderId": order.order_id}
    return raw.bybit("POST", BYBIT_CANCEL, params)


def _bitget_cancel(raw: RawClient, order: Any) -> requests.Response:
    return raw.bitget("POST", BITGET_CANCEL, {"symbol": order.native_symbol, "orderId": order.order_id})


def _cancel(raw: RawClient, exchange: str, order: Any) -> requests.Response:
    if exchange == "okx":
        return raw.okx("POST", OKX_CANCEL, {"instId": order.native_symbol, "ordId": order.order_id})
    if exchange == "binanceusdm":
        params = {"symbol": order.native_symbol, "orderId": order.order_id}
        return raw.binance("DELETE", BINANCE_CANCEL, params)
    return _bybit_cancel(raw, order) if exchange == "bybit" else _bitget_cancel(raw, order)


def _status(sandbox: Sandbox, order: Any) -> str:
    return sandbox.order(order.exchange, order.order_id).status


NOT_APPLIED = [
    ("empty_body", 200, ""),
    ("null_body", 200, "null"),
    ("empty_list_body", 200, "[]"),
    ("empty_object_body", 200, "{}"),
    ("html_200", 200, "<html>"),
    ("cloudflare_520", 520, "520:"),
    ("cloudflare_522", 522, "522:"),
    ("cloudflare_523", 523, "523:"),
]


@pytest.mark.parametrize(("fault", "status", "starts"), NOT_APPLIED)
@pytest.mark.parametrize("exchange", sorted(CANCEL_PATH))
def test_non_answers_apply_nothing(
    sandbox: Sandbox, raw: RawClient, exchange: str, fault: str, status: int, starts: str
) -> None:
    order = sandbox.seed_orders(exchange, {SYMBOL[exchange]: 1})[0]
    sandbox.inject(CANCEL_PATH[exchange], fault)
    response = _cancel(raw, exchange, order)
    assert response.status_code == status
    assert starts in response.text if starts else response.text == ""
    assert _status(sandbox, order) == "open"
    assert sandbox.log[-1].fault == fault


@pytest.mark.parametrize(("fault", "status"), [("cloudflare_524", 524), ("http_504_applied", 504)])
def test_lost_answers_are_applied(sandbox: Sandbox, raw: RawClient, fault: str, status: int) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, fault)
    response = _bybit_cancel(raw, order)
    assert response.status_code == status and "<html>" in response.text
    assert _status(sandbox, order) == "canceled"
    assert sandbox.log[-1].code == "0"  # the log records what the exchange did


def test_redirect_sends_the_client_to_the_time_endpoint_and_applies_nothing(
    sandbox: Sandbox, raw: RawClient
) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, "redirect")
    response = _bybit_cancel(raw, order)  # followed, as ccxt's HTTP client does
    (hop,) = response.history
    assert hop.status_code == 302 and hop.headers["Location"] == "/v5/market/time"
    assert "timeSecond" in response.json()["result"]  # an answer, but not to the cancel
    assert _status(sandbox, order) == "open"


def test_garbled_not_applied_is_half_a_rate_limit_answer(sandbox: Sandbox, raw: RawClient) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, "garbled_not_applied")
    response = _bybit_cancel(raw, order)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    assert '"retCode":10006' in response.text
    assert _status(sandbox, order) == "open"


def test_trickle_sends_the_real_answer_byte_by_byte(sandbox: Sandbox, raw: RawClient) -> None:
    order = sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    sandbox.inject(BYBIT_CANCEL, "trickle", hold_s=0.002)
    started = time.monotonic()
    response = _bybit_cancel(raw, order)
    assert response.json()["retCode"] == 0
    assert time.monotonic() - started > 0.002 * len(response.content) * 0.8
    assert _status(sandbox, order) == "canceled"


@pytest.mark.parametrize(("fault", "codes"), [("code_list_short", 1), ("code_list_long", 3)])
def test_bybit_code_lists_out_of_step(sandbox: Sandbox, raw: RawClient, fault: str, codes: int) -> None:
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    sandbox.inject(BYBIT_BATCH, fault)
    body = raw.bybit(
        "POST",
        BYBIT_BATCH,
        {"category": "spot", "request": [{"symbol": o.native_symbol, "orderId": o.order_id} for o in orders]},
    ).json()
    assert len(body["result"]["list"]) == 2 and len(body["retExtInfo"]["list"]) == codes
    assert all(_status(sandbox, o) == "canceled" for o in orders)


def test_bitget_failures_without_error_code_as_the_docs_examples_show(
    sandbox: Sandbox, raw: RawClient
) -> None:
    orders = sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 2})
    sandbox.fill("bitget", [orders[0].order_id])
    sandbox.inject(BITGET_MIX_BATCH, "no_error_code")
    body = raw.bitget(
        "POST",
        BITGET_MIX_BATCH,
        {
            "symbol": "BTCUSDT",
            "productType": "USDT-FUTURES",
            "marginCoin": "USDT",
            "orderIdList": [{"orderId": o.order_id} for o in orders],
        },
    ).json()
    (failure,) = body["data"]["failureList"]
    assert failure["orderId"] == orders[0].order_id and failure["errorMsg"] == "notExistend"
    assert "errorCode" not in failure
    assert [s["orderId"] for s in body["data"]["successList"]] == [orders[1].order_id]


@pytest.mark.parametrize("exchange", sorted(CANCEL_PATH))
def test_ok_without_id_is_a_success_envelope_that_names_nothing(
    sandbox: Sandbox, raw: RawClient, exchange: str
) -> None:
    order = sandbox.seed_orders(exchange, {SYMBOL[exchange]: 1})[0]
    sandbox.inject(CANCEL_PATH[exchange], "ok_without_id")
    response = _cancel(raw, exchange, order)
    body = response.json()
    assert body.get("result", body.get("data", {})) in ({}, []) and "orderId" not in body
    assert str(body.get("retCode", body.get("code"))) in ("0", "00000", "200")
    assert _status(sandbox, order) == "open"


def test_echo_headers_quotes_the_credentials_back(sandbox: Sandbox, raw: RawClient) -> None:
    order = sandbox.seed_orders("bitget", {"BTC/USDT": 1})[0]
    sandbox.inject(BITGET_CANCEL, "echo_headers")
    response = _bitget_cancel(raw, order)
    assert response.status_code == 502
    assert sandbox.default_account.api_key in response.text
    assert sandbox.default_account.password in response.text
    assert _status(sandbox, order) == "open"
