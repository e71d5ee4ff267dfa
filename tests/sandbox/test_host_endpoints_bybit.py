"""Bybit v5 endpoints a trading host (freqtrade) reads besides orders, one test each, through real
ccxt where ccxt has a unified method, raw signed HTTP for the exact errors."""

from __future__ import annotations

from typing import Any

import ccxt
import pytest

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient

HOUR_MS = 3_600_000


def reference(sandbox: Sandbox, symbol: str) -> float:
    return float(sandbox.market("bybit", symbol).reference_price)


def place(client: Any, symbol: str, count: int) -> list[str]:
    price = float(client.market(symbol)["info"]["priceFilter"]["tickSize"]) * 1000
    return [client.create_order(symbol, "limit", "buy", 1, price)["id"] for _ in range(count)]


def test_orderbook_has_the_asked_depth_around_the_reference_price(bybit_client, sandbox: Sandbox) -> None:
    book = bybit_client.fetch_order_book("BTC/USDT", 5)
    assert len(book["bids"]) == len(book["asks"]) == 5
    assert book["bids"][0][0] < reference(sandbox, "BTC/USDT") < book["asks"][0][0]
    assert [b[0] for b in book["bids"]] == sorted((b[0] for b in book["bids"]), reverse=True)
    assert len(bybit_client.fetch_order_book("ETH/USDT:USDT")["bids"]) == 25  # contracts' default


def test_tickers_quote_the_reference_price(bybit_client, sandbox: Sandbox) -> None:
    spot = bybit_client.fetch_ticker("SOL/USDT")
    assert spot["last"] == reference(sandbox, "SOL/USDT")
    assert spot["bid"] < spot["last"] < spot["ask"]
    linear = bybit_client.fetch_tickers(["BTC/USDT:USDT", "ETH/USDT:USDT"])
    assert set(linear) == {"BTC/USDT:USDT", "ETH/USDT:USDT"}
    assert linear["BTC/USDT:USDT"]["markPrice"] == reference(sandbox, "BTC/USDT")


def test_kline_candles_are_aligned_flat_and_end_now(bybit_client, sandbox: Sandbox) -> None:
    candles = bybit_client.fetch_ohlcv("XRP/USDT", "5m", limit=3)
    assert len(candles) == 3
    opens = [c[0] for c in candles]
    assert opens == sorted(opens) and all(t % 300_000 == 0 for t in opens)
    assert opens[-1] <= sandbox.server_time_ms() < opens[-1] + 300_000
    assert {tuple(c[1:5]) for c in candles} == {(reference(sandbox, "XRP/USDT"),) * 4}


def test_mark_price_kline_serves_contracts(bybit_client, sandbox: Sandbox) -> None:
    candles = bybit_client.fetch_mark_ohlcv("BTC/USDT:USDT", "1h", limit=2)
    assert len(candles) == 2 and all(c[0] % HOUR_MS == 0 for c in candles)
    assert candles[-1][4] == reference(sandbox, "BTC/USDT")


def test_funding_history_every_eight_hours_since_the_start(bybit_client, sandbox: Sandbox) -> None:
    since = sandbox.server_time_ms() - 24 * HOUR_MS
    history = bybit_client.fetch_funding_rate_history("BTC/USDT:USDT", since)
    stamps = [h["timestamp"] for h in history]
    assert len(stamps) == 3 and all(t % (8 * HOUR_MS) == 0 and t >= since for t in stamps)
    assert {h["fundingRate"] for h in history} == {0.0001}


def test_risk_limit_tiers_cover_every_contract(bybit_client) -> None:
    tiers = bybit_client.fetch_leverage_tiers()  # ccxt pages through all of them
    linear = [m["symbol"] for m in bybit_client.markets.values() if m["linear"]]
    assert set(linear) <= set(tiers)
    assert [t["maxLeverage"] for t in tiers["BTC/USDT:USDT"]] == [100, 50, 25]
    assert tiers["BTC/USDT:USDT"][1]["minNotional"] == tiers["BTC/USDT:USDT"][0]["maxNotional"]


def test_position_list_is_empty_and_needs_a_scope(bybit_client, raw: RawClient) -> None:
    assert bybit_client.fetch_positions(["BTC/USDT:USDT"]) == []
    answer = raw.bybit("GET", "/v5/position/list", {"category": "linear"}).json()
    assert answer["retCode"] == 10001


def test_switch_mode_accepts_one_way_and_hedge_only(bybit_client, raw: RawClient) -> None:
    # str(): without orjson installed, ccxt quotes the numbers of a raw answer ("0")
    assert str(bybit_client.set_position_mode(False)["retCode"]) == "0"
    answer = raw.bybit("POST", "/v5/position/switch-mode", {"category": "linear", "coin": "USDT", "mode": 1})
    assert answer.json()["retCode"] == 10001


def test_set_leverage_checks_the_range(bybit_client) -> None:
    assert str(bybit_client.set_leverage(5, "BTC/USDT:USDT")["retCode"]) == "0"  # quoted without orjson
    with pytest.raises(ccxt.BadRequest):
        bybit_client.set_leverage(500, "BTC/USDT:USDT")


def test_set_margin_mode_takes_the_account_modes(bybit_client, raw: RawClient) -> None:
    client = bybit_client
    client.options["enableUnifiedAccount"] = True  # the account-level mode (unified account)
    assert client.set_margin_mode("isolated", "BTC/USDT:USDT")["result"] == {"reasons": []}
    answer = raw.bybit("POST", "/v5/account/set-margin-mode", {"setMarginMode": "SOMETIMES"})
    assert answer.json()["retCode"] == 10001


def test_execution_list_has_one_fill_per_executed_order(bybit_client, sandbox: Sandbox) -> None:
    filled, partial, _resting = place(bybit_client, "ETH/USDT", 3)
    sandbox.fill("bybit", [filled])
    sandbox.fill("bybit", [partial], qty="0.4")
    trades = {t["order"]: t for t in bybit_client.fetch_my_trades("ETH/USDT")}
    assert set(trades) == {filled, partial}
    assert trades[filled]["amount"] == 1 and trades[partial]["amount"] == 0.4
    assert trades[filled]["fee"]["cost"] == 0


def test_order_history_lists_closed_orders_by_status(bybit_client, sandbox: Sandbox) -> None:
    filled, cancelled, resting = place(bybit_client, "ADA/USDT", 3)
    sandbox.fill("bybit", [filled])
    bybit_client.cancel_order(cancelled, "ADA/USDT")
    closed = {o["id"]: o["status"] for o in bybit_client.fetch_canceled_and_closed_orders("ADA/USDT")}
    assert closed == {filled: "closed", cancelled: "canceled", resting: "open"}  # all statuses
    assert [o["id"] for o in bybit_client.fetch_closed_orders("ADA/USDT")] == [filled]


def test_realtime_by_id_finds_closed_orders_too(bybit_client, sandbox: Sandbox) -> None:
    cancelled, resting = place(bybit_client, "BTC/USDT:USDT", 2)
    bybit_client.cancel_order(cancelled, "BTC/USDT:USDT")
    order = bybit_client.fetch_order(cancelled, "BTC/USDT:USDT", {"acknowledged": True})
    assert (order["status"], order["remaining"], order["filled"]) == ("canceled", 0, 0)
    # Without an id: open orders only, or closed ones with openOnly=1.
    assert [o["id"] for o in bybit_client.fetch_open_orders("BTC/USDT:USDT")] == [resting]
    closed = bybit_client.fetch_open_orders("BTC/USDT:USDT", params={"openOnly": 1})
    assert [o["id"] for o in closed] == [cancelled]


def test_partially_filled_orders_stay_open_with_their_fill(bybit_client, sandbox: Sandbox) -> None:
    (order_id,) = place(bybit_client, "DOGE/USDT", 1)
    sandbox.fill("bybit", [order_id], qty="0.25")
    order = bybit_client.fetch_open_order(order_id, "DOGE/USDT")
    assert (order["status"], order["filled"], order["remaining"]) == ("open", 0.25, 0.75)
    assert order["info"]["orderStatus"] == "PartiallyFilled"
    with pytest.raises(ValueError, match="between"):
        sandbox.fill("bybit", [order_id], qty="0.1")  # a fill never shrinks
    bybit_client.cancel_order(order_id, "DOGE/USDT")  # the rest is still cancellable
    assert sandbox.order("bybit", order_id).status == "canceled"


def test_spot_orders_listed_without_a_symbol_parse_as_spot(bybit_client) -> None:
    (order_id,) = place(bybit_client, "BTC/USDT", 1)
    listed = bybit_client.fetch_open_orders(None, None, 50, {"type": "spot"})
    assert [(o["id"], o["symbol"]) for o in listed] == [(order_id, "BTC/USDT")]  # no "tpslMode"


def test_wallet_balance_holds_every_tradable_coin(bybit_client) -> None:
    balance = bybit_client.fetch_balance()
    assert balance["USDT"]["total"] == balance["BTC"]["total"] == 1_000_000
    assert "C012" in balance  # the last synthetic coin of a 60-market catalog is listed too
