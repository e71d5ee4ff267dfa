"""The sandbox's cancel-everything endpoints, each as documented, raw HTTP and through ccxt:
Bybit ``/v5/order/cancel-all`` (``orderFilter`` per category), Bitget futures
``cancel-all-orders`` and ``batch-cancel-orders`` by symbol with no id list, Bitget spot
``cancel-symbol-order``."""

from __future__ import annotations

from typing import Any

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient

BYBIT_ALL = "/v5/order/cancel-all"
MIX_ALL = "/api/v2/mix/order/cancel-all-orders"
MIX_BATCH = "/api/v2/mix/order/batch-cancel-orders"
SPOT_SYMBOL = "/api/v2/spot/trade/cancel-symbol-order"


def open_symbols(sandbox: Sandbox, exchange: str) -> list[str]:
    return sorted(o.symbol for o in sandbox.open_orders(exchange))


# -- Bybit ----------------------------------------------------------------------------------------


def test_bybit_spot_cancel_all_reaches_one_order_filter_at_a_time(sandbox: Sandbox, raw: RawClient) -> None:
    plain = sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    stops = sandbox.seed_orders("bybit", {"BTC/USDT": 1}, order_filter="StopOrder")
    tpsl = sandbox.seed_orders("bybit", {"ETH/USDT": 1}, order_filter="tpslOrder")

    answer = raw.bybit("POST", BYBIT_ALL, {"category": "spot"}).json()  # default: Order
    assert answer["retCode"] == 0 and answer["result"]["success"] == "1"
    assert {row["orderId"] for row in answer["result"]["list"]} == {o.order_id for o in plain}
    for order_filter, orders in (("StopOrder", stops), ("tpslOrder", tpsl)):
        answer = raw.bybit("POST", BYBIT_ALL, {"category": "spot", "orderFilter": order_filter}).json()
        assert {row["orderId"] for row in answer["result"]["list"]} == {o.order_id for o in orders}
    assert sandbox.open_orders("bybit") == []


def test_bybit_linear_cancel_all_needs_a_narrowing_and_cancels_every_kind(
    sandbox: Sandbox, raw: RawClient
) -> None:
    sandbox.seed_orders("bybit", {"BTC/USDT:USDT": 2, "ETH/USDT:USDT": 1, "BTC/USD:BTC": 1})
    refused = raw.bybit("POST", BYBIT_ALL, {"category": "linear"}).json()
    assert refused["retCode"] == 10001
    by_symbol = raw.bybit("POST", BYBIT_ALL, {"category": "linear", "symbol": "ETHUSDT"}).json()
    assert len(by_symbol["result"]["list"]) == 1
    by_coin = raw.bybit("POST", BYBIT_ALL, {"category": "linear", "settleCoin": "USDT"}).json()
    assert len(by_coin["result"]["list"]) == 2
    assert open_symbols(sandbox, "bybit") == ["BTC/USD:BTC"]


def test_bybit_cancel_all_through_ccxt_per_symbol(sandbox: Sandbox, bybit_client: Any) -> None:
    sandbox.seed_orders("bybit", {"BTC/USDT": 3, "ETH/USDT": 1})
    cancelled = bybit_client.cancel_all_orders("BTC/USDT")
    assert len(cancelled) == 3 and all(order["id"] for order in cancelled)
    assert open_symbols(sandbox, "bybit") == ["ETH/USDT"]


# -- Bitget ---------------------------------------------------------------------------------------


def test_bitget_cancel_all_orders_by_product_type_and_margin_coin(sandbox: Sandbox, raw: RawClient) -> None:
    usdt = sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 2, "ETH/USDT:USDT": 1})
    sandbox.seed_orders("bitget", {"BTC/USD:BTC": 1, "BTC/USDT": 1})
    answer = raw.bitget("POST", MIX_ALL, {"productType": "USDT-FUTURES", "marginCoin": "USDT"}).json()
    assert answer["code"] == "00000" and answer["data"]["failureList"] == []
    assert {e["orderId"] for e in answer["data"]["successList"]} == {o.order_id for o in usdt}
    assert open_symbols(sandbox, "bitget") == ["BTC/USD:BTC", "BTC/USDT"]
    assert raw.bitget("POST", MIX_ALL, {"productType": "NOPE"}).json()["code"] == "40017"


def test_bitget_batch_cancel_by_symbol_with_no_id_list(sandbox: Sandbox, raw: RawClient) -> None:
    btc = sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 3})
    sandbox.seed_orders("bitget", {"ETH/USDT:USDT": 1})
    answer = raw.bitget("POST", MIX_BATCH, {"symbol": "BTCUSDT", "productType": "USDT-FUTURES"}).json()
    assert {e["orderId"] for e in answer["data"]["successList"]} == {o.order_id for o in btc}
    assert open_symbols(sandbox, "bitget") == ["ETH/USDT:USDT"]


def test_bitget_futures_cancel_all_through_ccxt_sends_the_batch_endpoint_by_symbol(
    sandbox: Sandbox, bitget_client: Any
) -> None:
    sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 2, "ETH/USDT:USDT": 1})
    cancelled = bitget_client.cancel_all_orders("BTC/USDT:USDT")
    assert len(cancelled) == 2
    assert sandbox.log[-1].path == MIX_BATCH
    assert open_symbols(sandbox, "bitget") == ["ETH/USDT:USDT"]


def test_bitget_spot_cancel_symbol_order_names_the_symbol_only(
    sandbox: Sandbox, raw: RawClient, bitget_client: Any
) -> None:
    sandbox.seed_orders("bitget", {"BTC/USDT": 2, "ETH/USDT": 2})
    answer = raw.bitget("POST", SPOT_SYMBOL, {"symbol": "BTCUSDT"}).json()
    assert answer["code"] == "00000" and answer["data"] == {"symbol": "BTCUSDT"}
    assert open_symbols(sandbox, "bitget") == ["ETH/USDT", "ETH/USDT"]
    shells = bitget_client.cancel_all_orders("ETH/USDT")  # ccxt: one shell without an id
    assert [order["id"] for order in shells] == [None]
    assert sandbox.open_orders("bitget") == []
    assert raw.bitget("POST", SPOT_SYMBOL, {}).json()["code"] == "40017"
