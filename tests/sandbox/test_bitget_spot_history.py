"""The sandbox's Bitget ``GET /api/v2/spot/trade/history-orders`` as documented: the account's
closed spot orders newest first, at most ``limit`` (≤ 100) a page, older pages with
``idLessThan``; ``symbol``, ``orderId`` and ``startTime`` / ``endTime`` narrow it. Raw HTTP and
through ccxt's implicit method (the one the kill switch calls)."""

from __future__ import annotations

from typing import Any

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient

HISTORY = "/api/v2/spot/trade/history-orders"
SPOT_SYMBOL = "/api/v2/spot/trade/cancel-symbol-order"


def ids(answer: dict[str, Any]) -> list[str]:
    assert answer["code"] == "00000", answer
    return [row["orderId"] for row in answer["data"]]


def test_closed_orders_only_newest_first_with_their_status(sandbox: Sandbox, raw: RawClient) -> None:
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 4, "ETH/USDT": 1, "BTC/USDT:USDT": 1})
    btc = [o.order_id for o in orders if o.symbol == "BTC/USDT"]
    sandbox.fill("bitget", btc[:1])
    assert ids(raw.bitget("GET", HISTORY, {"symbol": "BTCUSDT"}).json()) == [btc[0]]  # open ones: not here
    assert raw.bitget("POST", SPOT_SYMBOL, {"symbol": "BTCUSDT"}).json()["code"] == "00000"

    rows = raw.bitget("GET", HISTORY, {"symbol": "BTCUSDT"}).json()["data"]
    assert [row["orderId"] for row in rows] == sorted(btc, key=int, reverse=True)
    assert {row["orderId"]: row["status"] for row in rows} == {
        btc[0]: "filled",
        **{order_id: "cancelled" for order_id in btc[1:]},
    }
    assert {row["symbol"] for row in rows} == {"BTCUSDT"}
    everything = ids(raw.bitget("GET", HISTORY).json())  # no symbol: every spot symbol, never futures
    assert everything == sorted(btc, key=int, reverse=True)  # ETH/USDT's order is still open


def test_pages_with_id_less_than_and_a_limit_of_at_most_100(sandbox: Sandbox, raw: RawClient) -> None:
    orders = sandbox.seed_orders("bitget", {"ETH/USDT": 130})
    assert raw.bitget("POST", SPOT_SYMBOL, {"symbol": "ETHUSDT"}).json()["code"] == "00000"
    newest_first = sorted((o.order_id for o in orders), key=int, reverse=True)

    first = ids(raw.bitget("GET", HISTORY, {"symbol": "ETHUSDT"}).json())
    assert first == newest_first[:100]  # default and maximum: 100
    assert ids(raw.bitget("GET", HISTORY, {"symbol": "ETHUSDT", "limit": "500"}).json()) == first
    rest = ids(raw.bitget("GET", HISTORY, {"symbol": "ETHUSDT", "idLessThan": first[-1]}).json())
    assert rest == newest_first[100:]
    small = ids(raw.bitget("GET", HISTORY, {"symbol": "ETHUSDT", "limit": "7"}).json())
    assert small == newest_first[:7]
    one = ids(raw.bitget("GET", HISTORY, {"orderId": newest_first[42]}).json())
    assert one == [newest_first[42]]


def test_time_window_and_unknown_symbol(sandbox: Sandbox, raw: RawClient) -> None:
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 2})
    sandbox.fill("bitget", [o.order_id for o in orders])
    created = max(o.created_ms for o in orders)
    assert ids(raw.bitget("GET", HISTORY, {"startTime": str(created + 1)}).json()) == []
    assert len(ids(raw.bitget("GET", HISTORY, {"endTime": str(created)}).json())) == 2
    assert raw.bitget("GET", HISTORY, {"symbol": "NOPEUSDT"}).json()["code"] != "00000"


def test_ccxt_reaches_it_through_its_implicit_method(sandbox: Sandbox, bitget_client: Any) -> None:
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 3})
    sandbox.fill("bitget", [orders[1].order_id])
    bitget_client.privateSpotPostV2SpotTradeCancelSymbolOrder({"symbol": "BTCUSDT"})
    answer = bitget_client.privateSpotGetV2SpotTradeHistoryOrders({"symbol": "BTCUSDT", "limit": 100})
    assert answer["code"] == "00000"
    statuses = {row["orderId"]: row["status"] for row in answer["data"]}
    assert statuses == {
        orders[0].order_id: "cancelled",
        orders[1].order_id: "filled",
        orders[2].order_id: "cancelled",
    }
