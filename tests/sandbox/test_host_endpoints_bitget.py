"""Bitget v2 endpoints a trading host (freqtrade) reads besides orders, one test each, through real
ccxt where ccxt has a unified method, raw signed HTTP for the exact errors."""

from __future__ import annotations

import itertools
from typing import Any

import ccxt
import pytest

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient

HOUR_MS = 3_600_000
PERP = "BTC/USDT:USDT"


def reference(sandbox: Sandbox, symbol: str) -> float:
    return float(sandbox.market("bitget", symbol).reference_price)


def place(client: Any, symbol: str, count: int) -> list[str]:
    price = float(client.market(symbol)["precision"]["price"]) * 1000
    return [client.create_order(symbol, "limit", "buy", 1, price)["id"] for _ in range(count)]


def test_spot_orderbook_around_the_reference_price(bitget_client, sandbox: Sandbox) -> None:
    book = bitget_client.fetch_order_book("BTC/USDT", 5)
    assert len(book["bids"]) == len(book["asks"]) == 5
    assert book["bids"][0][0] < reference(sandbox, "BTC/USDT") < book["asks"][0][0]


def test_mix_merge_depth_around_the_reference_price(bitget_client, sandbox: Sandbox) -> None:
    book = bitget_client.fetch_order_book(PERP, 3)
    assert len(book["bids"]) == 3
    assert book["bids"][0][0] < reference(sandbox, PERP) < book["asks"][0][0]


def test_spot_tickers_one_or_all(bitget_client, sandbox: Sandbox) -> None:
    assert bitget_client.fetch_ticker("ETH/USDT")["last"] == reference(sandbox, "ETH/USDT")
    everything = bitget_client.fetch_tickers(None, {"type": "spot"})
    assert len([s for s in everything if "/" in s and ":" not in s]) == 60


def test_mix_ticker_has_mark_and_funding(bitget_client, sandbox: Sandbox) -> None:
    ticker = bitget_client.fetch_ticker(PERP)
    assert ticker["last"] == ticker["markPrice"] == reference(sandbox, PERP)
    assert ticker["info"]["fundingRate"] == "0.0001"


def test_mix_tickers_list_a_product_type(bitget_client) -> None:
    tickers = bitget_client.fetch_tickers(None, {"type": "swap", "productType": "COIN-FUTURES"})
    assert set(tickers) == {"BTC/USD:BTC", "ETH/USD:ETH"}


def test_spot_candles_oldest_first_and_aligned(bitget_client, sandbox: Sandbox) -> None:
    candles = bitget_client.fetch_ohlcv("SOL/USDT", "15m", limit=4)
    opens = [c[0] for c in candles]
    assert len(opens) == 4 and opens == sorted(opens) and all(t % 900_000 == 0 for t in opens)
    assert opens[-1] <= sandbox.server_time_ms() < opens[-1] + 900_000
    assert candles[0][4] == reference(sandbox, "SOL/USDT")


def test_mix_candles_recent_and_history(bitget_client, sandbox: Sandbox) -> None:
    recent = bitget_client.fetch_ohlcv(PERP, "1h", limit=2)
    assert len(recent) == 2 and recent[-1][4] == reference(sandbox, PERP)
    history = {"useHistoryEndpoint": True, "until": sandbox.server_time_ms()}
    old = bitget_client.fetch_ohlcv(PERP, "1d", None, 3, history)
    assert len(old) == 3 and all(c[0] % 86_400_000 == 0 for c in old)
    assert "/api/v2/mix/market/history-candles" in [r.path for r in sandbox.log]


def test_mix_history_mark_candles(bitget_client, sandbox: Sandbox) -> None:
    history = {"useHistoryEndpoint": True, "until": sandbox.server_time_ms()}
    marks = bitget_client.fetch_mark_ohlcv(PERP, "4h", None, 2, history)
    assert len(marks) == 2 and marks[0][1] == reference(sandbox, PERP)
    assert "/api/v2/mix/market/history-mark-candles" in [r.path for r in sandbox.log]


def test_funding_history_newest_first_every_eight_hours(bitget_client, raw: RawClient) -> None:
    history = bitget_client.fetch_funding_rate_history(PERP, limit=3)
    stamps = [h["timestamp"] for h in history]
    assert len(stamps) == 3 and all(t % (8 * HOUR_MS) == 0 for t in stamps)
    page_two = raw.bitget(
        "GET",
        "/api/v2/mix/market/history-fund-rate",
        {"symbol": "BTCUSDT", "productType": "USDT-FUTURES", "pageSize": 2, "pageNo": 2},
    ).json()["data"]
    assert [int(p["fundingTime"]) for p in page_two] == [max(stamps) - k * 8 * HOUR_MS for k in (2, 3)]


def test_position_tiers_are_contiguous(bitget_client) -> None:
    tiers = bitget_client.fetch_market_leverage_tiers(PERP)
    assert [t["maxLeverage"] for t in tiers] == [125, 100, 50]
    assert all(a["maxNotional"] == b["minNotional"] for a, b in itertools.pairwise(tiers))


def test_spot_assets_hold_every_coin(bitget_client) -> None:
    balance = bitget_client.fetch_balance({"type": "spot"})
    assert balance["USDT"]["free"] == balance["SOL"]["free"] == 1_000_000


def test_mix_accounts_one_per_margin_coin(bitget_client) -> None:
    usdt = bitget_client.fetch_balance({"type": "swap", "productType": "USDT-FUTURES"})
    assert usdt["USDT"]["free"] == 1_000_000
    coins = bitget_client.fetch_balance({"type": "swap", "productType": "COIN-FUTURES"})
    assert {"BTC", "ETH"} <= set(coins["free"])


def test_all_position_is_empty(bitget_client, raw: RawClient) -> None:
    assert bitget_client.fetch_positions(None, {"productType": "USDT-FUTURES"}) == []
    answer = raw.bitget("GET", "/api/v2/mix/position/all-position", {"productType": "NOPE"})
    assert (answer.status_code, answer.json()["code"]) == (400, "40017")


def test_bill_lists_no_funding_fees(bitget_client) -> None:
    assert bitget_client.fetch_funding_history(PERP) == []


def test_set_position_mode(bitget_client, raw: RawClient) -> None:
    assert bitget_client.set_position_mode(False, PERP)["data"] == {"posMode": "one_way_mode"}
    answer = raw.bitget(
        "POST", "/api/v2/mix/account/set-position-mode", {"productType": "USDT-FUTURES", "posMode": "x"}
    )
    assert answer.json()["code"] == "40017"


def test_set_margin_mode_checks_the_margin_coin(bitget_client, raw: RawClient) -> None:
    assert bitget_client.set_margin_mode("isolated", PERP)["data"]["marginMode"] == "isolated"
    answer = raw.bitget(
        "POST",
        "/api/v2/mix/account/set-margin-mode",
        {"symbol": "BTCUSDT", "productType": "USDT-FUTURES", "marginCoin": "BTC", "marginMode": "isolated"},
    )
    assert answer.json()["code"] == "40017"


def test_set_leverage_up_to_the_first_tier(bitget_client) -> None:
    assert bitget_client.set_leverage(20, PERP)["data"]["longLeverage"] == "20"
    with pytest.raises(ccxt.ExchangeError):
        bitget_client.set_leverage(200, PERP)


def test_spot_order_info_any_status(bitget_client, sandbox: Sandbox) -> None:
    filled, cancelled = place(bitget_client, "BTC/USDT", 2)
    sandbox.fill("bitget", [filled])
    bitget_client.cancel_order(cancelled, "BTC/USDT")
    assert bitget_client.fetch_order(filled, "BTC/USDT")["status"] == "closed"
    assert bitget_client.fetch_order(cancelled, "BTC/USDT")["status"] == "canceled"
    with pytest.raises(ccxt.OrderNotFound):
        bitget_client.fetch_order("1234", "BTC/USDT")


def test_mix_order_detail_any_status(bitget_client, sandbox: Sandbox) -> None:
    (order_id,) = place(bitget_client, PERP, 1)
    sandbox.fill("bitget", [order_id], qty="0.5")
    order = bitget_client.fetch_order(order_id, PERP)
    assert (order["status"], order["filled"]) == ("open", 0.5)
    assert order["info"]["state"] == "partially_filled"
    with pytest.raises(ccxt.OrderNotFound):
        bitget_client.fetch_order(order_id, "ETH/USDT:USDT")  # another symbol's order


def test_spot_fills_one_per_executed_order(bitget_client, sandbox: Sandbox) -> None:
    filled, partial, _resting = place(bitget_client, "XRP/USDT", 3)
    sandbox.fill("bitget", [filled])
    sandbox.fill("bitget", [partial], qty="0.3")
    trades = {t["order"]: t["amount"] for t in bitget_client.fetch_my_trades("XRP/USDT")}
    assert trades == {filled: 1, partial: 0.3}


def test_mix_fills_one_per_executed_order(bitget_client, sandbox: Sandbox) -> None:
    filled, _resting = place(bitget_client, PERP, 2)
    sandbox.fill("bitget", [filled])
    trades = bitget_client.fetch_my_trades(PERP)
    assert [(t["order"], t["amount"], t["fee"]["cost"]) for t in trades] == [(filled, 1, 0)]
