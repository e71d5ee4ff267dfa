"""The sandbox in Bitget UTA mode (``Sandbox(bitget_uta=True)``): each v3 endpoint it serves, its
budgets and faults, through raw signed HTTP and through real ccxt in UTA mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import ccxt
import pytest

from batchcancel.sandbox import Sandbox
from tests.helpers import needs_uta_probe
from tests.sandbox.sandbox_http import RawClient

BATCH = "/api/v3/trade/cancel-batch"
CANCEL = "/api/v3/trade/cancel-order"
CANCEL_ALL = "/api/v3/trade/cancel-symbol-order"
INFO = "/api/v3/trade/order-info"
UNFILLED = "/api/v3/trade/unfilled-orders"


@pytest.fixture
def raw(uta_sandbox: Sandbox) -> Iterator[RawClient]:
    client = RawClient(uta_sandbox, timeout=5.0)
    yield client
    client.close()


@pytest.fixture(scope="session")
def _uta_client(uta_sandbox_server: Sandbox) -> Any:
    client = uta_sandbox_server.client("bitget", enableRateLimit=False)
    client.load_markets()
    return client


@pytest.fixture
def client(uta_sandbox: Sandbox, _uta_client: Any) -> Any:
    """A sync ccxt bitget in UTA mode (markets loaded, throttle off) on the reset UTA sandbox."""
    return _uta_client


def batch(raw: RawClient, items: list[dict[str, Any]]) -> Any:
    return raw.bitget("POST", BATCH, body=json.dumps(items, separators=(",", ":"))).json()


def test_the_settings_probe_follows_the_mode(raw, sandbox_server):
    assert raw.bitget("GET", "/api/v3/account/settings").json()["code"] == "00000"
    classic = RawClient(sandbox_server, timeout=5.0)
    try:
        assert classic.bitget("GET", "/api/v3/account/settings").json()["code"] == "40084"
    finally:
        classic.close()


@needs_uta_probe
def test_ccxt_loads_the_v3_instruments_of_every_category(uta_sandbox):
    ex = uta_sandbox.client("bitget", enableRateLimit=False, options={"uta": None})  # ccxt's own probe
    ex.load_markets()
    assert ex.options["uta"] is True
    assert {m.symbol for m in uta_sandbox.markets("bitget")} == set(ex.markets)
    assert ex.markets["BTC/USD:BTC"]["inverse"] and ex.markets["BTC/USDC:USDC"]["id"] == "BTCPERP"
    instruments = [e.path for e in uta_sandbox.log if e.path == "/api/v3/market/instruments"]
    assert len(instruments) == 4  # SPOT, USDT-FUTURES, COIN-FUTURES, USDC-FUTURES
    assert not any(e.path.startswith("/api/v2/") and e.path != "/api/v2/public/time" for e in uta_sandbox.log)


def test_place_list_and_read_orders_through_ccxt(uta_sandbox, client):
    placed = client.create_order("ETH/USDT:USDT", "limit", "buy", 1, 100, {"clientOrderId": "mine"})
    assert uta_sandbox.order("bitget", placed["id"]).category == "USDT-FUTURES"
    (listed,) = client.fetch_open_orders("ETH/USDT:USDT")
    assert (listed["id"], listed["clientOrderId"], listed["status"]) == (placed["id"], "mine", "open")
    uta_sandbox.fill("bitget", [placed["id"]])
    assert client.fetch_order(placed["id"], "ETH/USDT:USDT")["status"] == "closed"
    assert [e.path for e in uta_sandbox.log][:2] == ["/api/v3/trade/place-order", UNFILLED]


def test_open_orders_page_newest_first_by_cursor(uta_sandbox, raw):
    orders = uta_sandbox.seed_orders("bitget", {"BTC/USDT": 5, "BTC/USDT:USDT": 2})
    first = raw.bitget("GET", UNFILLED, {"category": "SPOT", "limit": "3"}).json()["data"]
    assert [o["orderId"] for o in first["list"]] == [o.order_id for o in reversed(orders[2:5])]
    rest = raw.bitget("GET", UNFILLED, {"category": "SPOT", "cursor": first["cursor"]}).json()["data"]
    assert [o["orderId"] for o in rest["list"]] == [orders[1].order_id, orders[0].order_id]
    everything = raw.bitget("GET", UNFILLED).json()["data"]["list"]
    assert len(everything) == 7 and {o["category"] for o in everything} == {"SPOT", "USDT-FUTURES"}


def test_order_info_finds_any_status_and_answers_25204_for_an_unknown_id(uta_sandbox, raw):
    (order,) = uta_sandbox.seed_orders("bitget", {"SOL/USDT": 1})
    found = raw.bitget("GET", INFO, {"clientOid": order.client_order_id}).json()["data"]
    assert (found["orderId"], found["orderStatus"], found["category"]) == (order.order_id, "live", "SPOT")
    unknown = raw.bitget("GET", INFO, {"orderId": "404"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "25204")


def test_single_cancel_by_id_or_client_id_and_25204_when_not_open(uta_sandbox, client):
    a, b = uta_sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 2})
    assert client.cancel_order(a.order_id, "BTC/USDT:USDT")["id"] == a.order_id
    done = client.cancel_order(None, "BTC/USDT:USDT", {"clientOrderId": b.client_order_id})
    assert done["id"] == b.order_id and uta_sandbox.open_orders("bitget") == []
    with pytest.raises(ccxt.ExchangeError, match="25204"):  # ccxt 4.5.90 does not map 25204
        client.cancel_order(a.order_id, "BTC/USDT:USDT")
    assert [e.item_codes for e in uta_sandbox.log] == [("00000",), ("00000",), ("25204",)]


def test_batch_cancel_answers_per_order_across_symbols_of_one_category(uta_sandbox, raw):
    orders = uta_sandbox.seed_orders("bitget", {"BTC/USDT": 2, "ETH/USDT": 1})
    uta_sandbox.fill("bitget", [orders[1].order_id])
    items = [
        {"orderId": orders[0].order_id, "category": "SPOT", "symbol": "BTCUSDT"},
        {"orderId": orders[1].order_id, "category": "SPOT", "symbol": "BTCUSDT"},
        {"clientOid": orders[2].client_order_id, "category": "spot", "symbol": "ETHUSDT"},
        {"orderId": "404", "category": "SPOT", "symbol": "NOPEUSDT"},
    ]
    answer = batch(raw, items)
    assert answer["code"] == "00000"
    assert answer["data"] == [
        {"orderId": orders[0].order_id, "clientOid": orders[0].client_order_id},
        {"orderId": orders[1].order_id, "clientOid": "", "code": "25204", "msg": "Order does not exist"},
        {"orderId": orders[2].order_id, "clientOid": orders[2].client_order_id},
        {"orderId": "404", "clientOid": "", "code": "40034", "msg": "Parameter symbol does not exist"},
    ]
    (entry,) = uta_sandbox.log
    assert (entry.items, entry.item_codes) == (4, ("00000", "25204", "00000", "40034"))


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ([{"orderId": "1", "category": "SPOT", "symbol": "BTCUSDT"}] * 21, "maximum is 20"),
        ([{"orderId": "1", "category": "SPOT", "symbol": "BTCUSDT"},
          {"orderId": "2", "category": "USDT-FUTURES", "symbol": "BTCUSDT"}], "one category"),
        ([{"orderId": "1", "symbol": "BTCUSDT"}], "category is invalid"),
        ([{"orderId": "1", "category": "SPOT"}], "symbol cannot be empty"),
        ({"orderId": "1", "category": "SPOT", "symbol": "BTCUSDT"}, "not a JSON array"),
    ],
)  # fmt: skip
def test_batch_cancel_refuses_what_v3_refuses_whole(raw, body, why):
    answer = raw.bitget("POST", BATCH, body=json.dumps(body))
    assert answer.status_code == 400 and answer.json()["code"] == "40017" and why in answer.json()["msg"]


def test_cancel_all_of_a_category_or_one_symbol_through_ccxt(uta_sandbox, client, raw):
    spot = uta_sandbox.seed_orders("bitget", {"BTC/USDT": 2, "ETH/USDT": 2})
    futures = uta_sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 2})
    cancelled = client.cancel_all_orders("BTC/USDT")  # ccxt sends {symbol, category: SPOT}
    assert sorted(o["id"] for o in cancelled) == sorted(o.order_id for o in spot[:2])
    answer = raw.bitget("POST", CANCEL_ALL, {"category": "SPOT"}).json()
    assert [e["orderId"] for e in answer["data"]["list"]] == [o.order_id for o in spot[2:]]
    assert {o.order_id for o in uta_sandbox.open_orders("bitget")} == {o.order_id for o in futures}
    assert [e.items for e in uta_sandbox.log if e.path == CANCEL_ALL] == [2, 2]


def test_v2_trading_is_refused_for_a_uta_account(raw):
    for method, path in (
        ("POST", "/api/v2/spot/trade/cancel-order"),
        ("GET", "/api/v2/mix/order/orders-pending"),
    ):
        answer = raw.bitget(method, path, {"symbol": "BTCUSDT", "orderId": "1"})
        assert answer.status_code == 400 and answer.json()["code"] == "40084"
    assert raw.bitget("GET", "/api/v2/public/time").json()["code"] == "00000"  # public v2 stays


def test_budgets_are_v3s_per_uid_and_endpoint(uta_sandbox, raw):
    assert uta_sandbox.limit("bitget", BATCH) == 5 and uta_sandbox.limit("bitget", CANCEL) == 10
    assert uta_sandbox.limit("bitget", CANCEL_ALL) == 5 and uta_sandbox.limit("bitget", INFO) == 20
    uta_sandbox.set_rate_window(60)
    item = [{"orderId": "1", "category": "SPOT", "symbol": "BTCUSDT"}]
    codes = [raw.bitget("POST", BATCH, body=json.dumps(item)).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert raw.bitget("POST", CANCEL, {"orderId": "1"}).json()["code"] == "25204"  # its own budget


def test_signing_is_bitgets_for_v3_too(raw):
    bad = raw.bitget("POST", BATCH, body="[]", secret="not-the-secret")
    assert bad.json()["code"] == "40009"


@pytest.mark.parametrize("fault", ["drop_item", "extra_item", "no_error_code"])
def test_batch_faults_mangle_the_v3_entry_list(uta_sandbox, raw, fault):
    orders = uta_sandbox.seed_orders("bitget", {"BTC/USDT": 2})
    uta_sandbox.fill("bitget", [orders[0].order_id])
    uta_sandbox.inject(BATCH, fault)
    items = [{"orderId": o.order_id, "category": "SPOT", "symbol": "BTCUSDT"} for o in orders]
    entries = batch(raw, items)["data"]
    (entry,) = uta_sandbox.log
    assert entry.fault == fault and uta_sandbox.open_orders("bitget") == []  # applied either way
    if fault == "drop_item":
        assert len(entries) == 1
    elif fault == "extra_item":
        assert len(entries) == 3 and entries[-1]["orderId"] not in {o.order_id for o in orders}
    else:
        assert entries[0] == {"orderId": orders[0].order_id, "clientOid": "", "msg": "notExisted"}
        assert entry.item_codes == ("25204", "00000")  # the log keeps what was applied


def test_bitget_uta_is_checked_and_needs_bitget():
    with pytest.raises(TypeError, match="bitget_uta must be a bool"):
        Sandbox(bitget_uta="yes")  # type: ignore[arg-type]
    from batchcancel.sandbox.bybit import EXCHANGE as BYBIT

    with pytest.raises(ValueError, match="needs bitget"):
        Sandbox(bitget_uta=True, exchanges=[BYBIT])
