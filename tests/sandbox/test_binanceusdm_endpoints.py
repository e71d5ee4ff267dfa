"""Binance USDⓈ-M as the sandbox serves it, one test per endpoint: through real ccxt where ccxt has a
method for it, raw signed HTTP for the exact answers (errors, headers, signatures)."""

from __future__ import annotations

import json
import time
from typing import Any

import ccxt
import pytest

from batchcancel.sandbox import Sandbox
from batchcancel.sandbox.binanceusdm import rules
from tests.sandbox.sandbox_http import RawClient, wait_until

PERP = "BTC/USDT:USDT"
EX = "binanceusdm"


def place(client: Any, count: int, symbol: str = PERP, **params: Any) -> list[str]:
    return [client.create_order(symbol, "limit", "buy", 0.01, 50_000, params)["id"] for _ in range(count)]


def test_ccxt_loads_markets_with_one_request_to_exchange_info(sandbox: Sandbox) -> None:
    client = sandbox.client(EX, enableRateLimit=False)
    client.load_markets()
    assert [(e.method, e.path) for e in sandbox.log] == [("GET", "/fapi/v1/exchangeInfo")]
    market = client.market(PERP)
    assert (market["id"], market["linear"], market["swap"], market["settle"]) == (
        "BTCUSDT",
        True,
        True,
        "USDT",
    )
    assert client.market("ETH/USDC:USDC")["id"] == "ETHUSDC"
    assert len(client.markets) == len(sandbox.markets(EX))


def test_time_and_ping_are_public(raw: RawClient, sandbox: Sandbox) -> None:
    answer = raw.binance("GET", "/fapi/v1/time", sign=False)
    assert answer.status_code == 200 and abs(answer.json()["serverTime"] - sandbox.server_time_ms()) < 5_000
    assert raw.binance("GET", "/fapi/v1/ping", sign=False).json() == {}


def test_place_answers_the_order_and_books_it(binance_client, sandbox: Sandbox) -> None:
    order = binance_client.create_order(PERP, "limit", "buy", 0.01, 50_000, {"newClientOrderId": "mine-1"})
    assert (order["status"], order["clientOrderId"], order["price"]) == ("open", "mine-1", 50_000)
    booked = sandbox.order(EX, order["id"])
    assert (booked.native_symbol, booked.status, booked.client_order_id) == ("BTCUSDT", "open", "mine-1")
    with pytest.raises(ccxt.ExchangeError, match="-4116"):  # the client id is taken
        binance_client.create_order(PERP, "limit", "buy", 0.01, 50_000, {"newClientOrderId": "mine-1"})


def test_query_finds_an_order_in_any_status_by_either_id(binance_client, raw: RawClient, sandbox) -> None:
    (order_id,) = place(binance_client, 1, newClientOrderId="q-1")
    assert binance_client.fetch_order(order_id, PERP)["status"] == "open"
    sandbox.fill(EX, [order_id])
    answer = raw.binance("GET", "/fapi/v1/order", {"symbol": "BTCUSDT", "origClientOrderId": "q-1"})
    assert (answer.json()["orderId"], answer.json()["status"]) == (int(order_id), "FILLED")
    gone = raw.binance("GET", "/fapi/v1/order", {"symbol": "BTCUSDT", "orderId": "123"})
    assert (gone.status_code, gone.json()["code"]) == (400, -2013)
    other = raw.binance("GET", "/fapi/v1/order", {"symbol": "ETHUSDT", "orderId": order_id})
    assert other.json()["code"] == -2013  # an order is found only on its own symbol


def test_open_orders_per_symbol_or_for_the_whole_account_and_their_weight(binance_client, raw) -> None:
    place(binance_client, 2)
    place(binance_client, 1, "ETH/USDT:USDT")
    assert len(binance_client.fetch_open_orders(PERP)) == 2
    one = raw.binance("GET", "/fapi/v1/openOrders", {"symbol": "BTCUSDT"})
    everything = raw.binance("GET", "/fapi/v1/openOrders")
    assert sorted(o["symbol"] for o in everything.json()) == ["BTCUSDT", "BTCUSDT", "ETHUSDT"]
    used = int(everything.headers["X-MBX-USED-WEIGHT-1M"]) - int(one.headers["X-MBX-USED-WEIGHT-1M"])
    assert used == 40  # the account-wide listing costs 40; with a symbol, 1
    # Conditional orders live in the Algo Service, listed apart: the sandbox books none.
    algo = raw.binance("GET", "/fapi/v1/openAlgoOrders")
    assert algo.json() == [] and int(algo.headers["X-MBX-USED-WEIGHT-1M"]) == 40 + int(
        everything.headers["X-MBX-USED-WEIGHT-1M"]
    )
    assert raw.binance("GET", "/fapi/v1/openOrders", {"symbol": "NOPE"}).json()["code"] == -1121


def test_cancel_one_order_then_it_is_unknown(binance_client, sandbox: Sandbox) -> None:
    (order_id,) = place(binance_client, 1)
    assert binance_client.cancel_order(order_id, PERP)["status"] == "canceled"
    assert sandbox.order(EX, order_id).status == "canceled"
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):
        binance_client.cancel_order(order_id, PERP)


def test_batch_cancel_answers_in_the_order_sent_with_id_less_errors(binance_client, raw, sandbox) -> None:
    ids = place(binance_client, 3)
    sandbox.fill(EX, [ids[1]])
    answer = binance_client.fapiPrivateDeleteBatchOrders({"symbol": "BTCUSDT", "orderidlist": [*ids, "42"]})
    # Compared as text: older ccxt (4.5.59) hands every JSON number back as a string.
    assert [str(row.get("orderId", "")) for row in answer] == [ids[0], "", ids[2], ""]
    assert [(str(r["code"]), r["msg"]) for r in (answer[1], answer[3])] == [
        ("-2011", "Unknown order sent.")
    ] * 2
    assert [e.item_codes for e in sandbox.log][-1] == ("CANCELED", "-2011", "CANCELED", "-2011")
    by_client = place(binance_client, 2)
    names = [sandbox.order(EX, i).client_order_id for i in by_client]
    cancelled = binance_client.fapiPrivateDeleteBatchOrders(
        {"symbol": "BTCUSDT", "origClientOrderIdList": names}
    )
    assert [row["status"] for row in cancelled] == ["CANCELED", "CANCELED"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"symbol": "BTCUSDT"}, -1102),  # no list
        ({"symbol": "BTCUSDT", "orderIdList": "[1]", "origClientOrderIdList": '["a"]'}, -1102),  # both
        ({"symbol": "BTCUSDT", "orderIdList": json.dumps(list(range(1, 12)))}, -4025),  # 11 > 10
        ({"symbol": "BTCUSDT", "orderIdList": "[1,"}, -1130),
        ({"symbol": "BTCUSDT", "orderIdList": '["1"]'}, -1130),  # ids are numbers
        ({"symbol": "NOPE", "orderIdList": "[1]"}, -1121),
    ],
)
def test_batch_cancel_refuses_a_malformed_batch_whole(raw: RawClient, params, code) -> None:
    answer = raw.binance("DELETE", "/fapi/v1/batchOrders", params)
    assert (answer.status_code, answer.json()["code"]) == (400, code)


def test_cancel_all_open_orders_of_one_symbol(binance_client, sandbox: Sandbox) -> None:
    place(binance_client, 3)
    (other,) = place(binance_client, 1, "ETH/USDT:USDT")
    answer = binance_client.fapiPrivateDeleteAllOpenOrders({"symbol": "BTCUSDT"})
    assert (str(answer["code"]), answer["msg"]) == ("200", "The operation of cancel all open order is done.")
    assert [o.order_id for o in sandbox.open_orders(EX)] == [other]


@pytest.fixture
def short_countdowns(monkeypatch):
    monkeypatch.setattr(rules, "COUNTDOWN_MIN_MS", 100)


def test_the_countdown_cancels_the_symbols_orders_when_it_runs_out(binance_client, sandbox, short_countdowns):
    place(binance_client, 2)
    (other,) = place(binance_client, 1, "ETH/USDT:USDT")
    answer = binance_client.fapiPrivatePostCountdownCancelAll({"symbol": "BTCUSDT", "countdownTime": 300})
    assert answer == {"symbol": "BTCUSDT", "countdownTime": "300"}
    assert len(sandbox.open_orders(EX)) == 3  # not before it runs out
    wait_until(lambda: [o.order_id for o in sandbox.open_orders(EX)] == [other], timeout_s=3)


def test_heartbeats_keep_the_orders_and_zero_disarms(binance_client, sandbox, short_countdowns):
    place(binance_client, 2)
    for _ in range(6):  # 6 x 100 ms, twice the countdown, re-armed each time
        binance_client.fapiPrivatePostCountdownCancelAll({"symbol": "BTCUSDT", "countdownTime": 300})
        time.sleep(0.1)
    binance_client.fapiPrivatePostCountdownCancelAll({"symbol": "BTCUSDT", "countdownTime": 0})
    time.sleep(0.5)
    assert len(sandbox.open_orders(EX)) == 2


def test_a_countdown_below_the_minimum_or_malformed_is_refused(raw: RawClient) -> None:
    for value in (rules.COUNTDOWN_MIN_MS - 1, "soon", -5):
        answer = raw.binance(
            "POST", "/fapi/v1/countdownCancelAll", {"symbol": "BTCUSDT", "countdownTime": value}
        )
        assert answer.status_code == 400 and answer.json()["code"] in (-1102, -1130)


def test_reset_forgets_armed_countdowns(binance_client, sandbox, short_countdowns):
    binance_client.fapiPrivatePostCountdownCancelAll({"symbol": "BTCUSDT", "countdownTime": 300})
    sandbox.reset()
    orders = sandbox.seed_orders(EX, {PERP: 2})
    time.sleep(0.5)
    assert len(sandbox.open_orders(EX)) == len(orders)


def test_signing_the_key_the_signature_and_the_clock(raw: RawClient, sandbox: Sandbox) -> None:
    params = {"symbol": "BTCUSDT"}
    assert raw.binance("GET", "/fapi/v1/openOrders", params).status_code == 200
    wrong = raw.binance("GET", "/fapi/v1/openOrders", params, secret="wrong")
    assert (wrong.status_code, wrong.json()["code"]) == (401, -1022)
    assert raw.binance("GET", "/fapi/v1/openOrders", params, api_key="nobody").json()["code"] == -2015
    unsigned = raw.binance("GET", "/fapi/v1/openOrders", params, sign=False)
    assert unsigned.json()["code"] == -2014  # no X-MBX-APIKEY at all
    stale = raw.binance("GET", "/fapi/v1/openOrders", params, timestamp_ms=sandbox.server_time_ms() - 11_000)
    ahead = raw.binance("GET", "/fapi/v1/openOrders", params, timestamp_ms=sandbox.server_time_ms() + 2_000)
    assert stale.json()["code"] == ahead.json()["code"] == -1021


def test_past_the_request_weight_429_with_retry_after_then_it_frees(raw: RawClient, sandbox) -> None:
    sandbox.set_limit(EX, "weight", 3)
    answers = [raw.binance("GET", "/fapi/v1/openOrders", {"symbol": "BTCUSDT"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-MBX-USED-WEIGHT-1M"] for a in answers] == ["1", "2", "3", "3"]
    assert answers[-1].json()["code"] == -1003 and int(answers[-1].headers["Retry-After"]) >= 1
    assert "Date" in answers[-1].headers
    time.sleep(sandbox.rate_window_s + 0.05)
    assert raw.binance("GET", "/fapi/v1/openOrders", {"symbol": "BTCUSDT"}).status_code == 200


def test_ccxt_reads_a_429_as_ddos_protection(binance_client, sandbox) -> None:
    sandbox.inject("/fapi/v1/batchOrders", "rate_limit")
    with pytest.raises(ccxt.DDoSProtection, match="429"):
        binance_client.fapiPrivateDeleteBatchOrders({"symbol": "BTCUSDT", "orderidlist": ["1"]})
    assert sandbox.log[-1].status == 429


@pytest.mark.parametrize(("fault", "rows"), [("drop_item", 2), ("extra_item", 4)])
def test_batch_faults_drop_or_add_a_row(binance_client, sandbox, fault, rows) -> None:
    ids = place(binance_client, 3)
    sandbox.inject("/fapi/v1/batchOrders", fault)
    answer = binance_client.fapiPrivateDeleteBatchOrders({"symbol": "BTCUSDT", "orderidlist": ids})
    assert len(answer) == rows and sandbox.open_orders(EX) == []  # applied either way


def test_an_unknown_path_is_binances_404(raw: RawClient) -> None:
    answer = raw.binance("GET", "/fapi/v1/nothing", sign=False)
    assert answer.status_code == 404 and "code" in answer.json()
