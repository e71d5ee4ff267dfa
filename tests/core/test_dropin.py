"""``batchcancel.wrap(exchange)``: a bot's own ccxt cancel calls, served by batchcancel, through real
ccxt and HTTP against the sandbox. One ccxt order dict per order asked about, never dropped, and
never ``canceled`` unless the exchange said so."""

from __future__ import annotations

import asyncio

import ccxt
import pytest

import batchcancel
from batchcancel import Settings


@pytest.fixture
def bybit(sandbox):
    ex = sandbox.client("bybit")
    ex.load_markets()
    return ex


def statuses(orders):
    return {order["id"] or order["clientOrderId"]: order["status"] for order in orders}


def test_cancel_orders_answers_every_id_with_its_own_status_through_the_batch_endpoint(sandbox, bybit):
    seeded = sandbox.seed_orders("bybit", {"BTC/USDT": 12})
    sandbox.fill("bybit", [seeded[0].order_id])
    ids = [o.order_id for o in seeded] + ["1999999999999999999"]  # one the exchange never had
    assert batchcancel.wrap(bybit) is bybit

    orders = bybit.cancel_orders(ids, "BTC/USDT")

    assert [o["id"] for o in orders] == ids  # one per id asked about, in order
    assert statuses(orders) == {
        **{o.order_id: "canceled" for o in seeded[1:]},
        seeded[0].order_id: "closed",
        "1999999999999999999": "closed",
    }
    closed = orders[0]
    assert (closed["symbol"], closed["clientOrderId"]) == ("BTC/USDT", None)  # asked by id only
    assert closed["info"]["code"] == "170213" and closed["info"]["batchcancel_status"] == "already_closed"
    assert {"timestamp", "side", "price", "amount", "filled"} <= set(closed)  # ccxt's order keys
    assert sandbox.open_orders("bybit") == []
    assert sandbox.count("/v5/order/cancel-batch") >= 1


def test_a_rejected_or_failed_order_is_never_reported_canceled_nor_dropped(sandbox):
    seeded = sandbox.seed_orders("bybit", {"BTC/USDT": 3, "ETH/USDT": 2})
    wrong = sandbox.client("bybit", secret="not-the-secret")
    wrong.load_markets()  # public: the wrong secret shows on the first signed request
    batchcancel.wrap(wrong)
    rejected = wrong.cancel_orders([o.order_id for o in seeded[:3]], "BTC/USDT")
    assert [o["status"] for o in rejected] == ["rejected"] * 3
    assert {o["info"]["code"] for o in rejected} == {"10004"}  # Bybit: wrong signature

    good = sandbox.client("bybit")
    good.load_markets()
    batchcancel.wrap(good, Settings(max_retries=0))
    sandbox.inject("/v5/order/*", "http_500", times=None)
    failed = good.cancel_orders_for_symbols([{"id": o.order_id, "symbol": o.symbol} for o in seeded[3:]])
    assert [o["status"] for o in failed] == ["failed", "failed"]
    assert [o["id"] for o in failed] == [o.order_id for o in seeded[3:]]
    assert len(sandbox.open_orders("bybit")) == 5  # nothing was cancelled, and nothing says so


def test_cancel_orders_for_symbols_and_cancel_all_orders_page_through_everything(sandbox, bybit):
    spot = sandbox.seed_orders("bybit", {"BTC/USDT": 4, "ETH/USDT": 3})
    linear = sandbox.seed_orders("bybit", {"BTC/USDT:USDT": 45})  # Bybit pages open orders by 20
    batchcancel.wrap(bybit)

    mixed = bybit.cancelOrdersForSymbols(  # the camelCase alias too
        [{"id": o.order_id, "symbol": o.symbol} for o in spot[:5]]
        + [{"clientOrderId": spot[5].client_order_id, "symbol": spot[5].symbol}]
    )
    assert [o["status"] for o in mixed] == ["canceled"] * 6
    assert mixed[-1]["clientOrderId"] == spot[5].client_order_id and mixed[-1]["id"] is None

    everything = bybit.cancel_all_orders("BTC/USDT:USDT")
    assert sorted(o["id"] for o in everything) == sorted(o.order_id for o in linear)
    assert {o["status"] for o in everything} == {"canceled"}
    assert [o.order_id for o in sandbox.open_orders("bybit")] == [spot[6].order_id]
    assert sandbox.count("/v5/order/cancel-all") == 0  # listed, then cancelled order by order


def test_only_that_instance_changes_and_unwrap_restores_ccxt(sandbox, bybit):
    other = sandbox.client("bybit")
    batchcancel.wrap(bybit)
    batchcancel.wrap(bybit)  # twice is once
    assert other.cancel_orders.__func__ is ccxt.bybit.cancel_orders
    assert ccxt.bybit.cancel_orders.__module__ == "ccxt.bybit"
    assert batchcancel.unwrap(bybit) is bybit
    for name in ("cancel_orders", "cancelOrders", "cancel_all_orders", "cancelAllOrders",
                 "cancel_orders_for_symbols", "cancelOrdersForSymbols"):  # fmt: skip
        assert getattr(bybit, name).__func__ is getattr(ccxt.bybit, name), name
    batchcancel.unwrap(bybit)  # unwrapping what is not wrapped changes nothing

    seeded = sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    sandbox.clear_log()
    bybit.cancel_orders([o.order_id for o in seeded], "BTC/USDT")  # ccxt's own again
    assert sandbox.open_orders("bybit") == []


def test_bad_arguments_raise_before_any_request(sandbox, bybit):
    batchcancel.wrap(bybit)
    sandbox.clear_log()
    with pytest.raises(ccxt.ArgumentsRequired, match="requires a symbol"):
        bybit.cancel_orders(["1"])
    with pytest.raises(TypeError, match="list of ids"):
        bybit.cancel_orders("123", "BTC/USDT")
    with pytest.raises(ValueError, match=r"requests\[0\]"):
        bybit.cancel_orders_for_symbols([{"id": "1"}])  # no symbol
    with pytest.raises(TypeError, match="must be a ccxt exchange"):
        batchcancel.wrap(object())
    assert sandbox.log == []


def test_async_exchange_with_client_order_ids(sandbox):
    seeded = sandbox.seed_orders("bitget", {"BTC/USDT": 30, "ETH/USDT:USDT": 5})

    async def main():
        ex = sandbox.client("bitget", async_=True)
        try:
            await ex.load_markets()
            batchcancel.wrap(ex)
            spot = [o for o in seeded if o.symbol == "BTC/USDT"]
            by_client = await ex.cancel_orders([], "BTC/USDT", {"clientOrderIds": [spot[0].client_order_id]})
            by_id = await ex.cancel_orders([o.order_id for o in spot[1:]], "BTC/USDT")
            rest = await ex.cancelAllOrders("ETH/USDT:USDT")
            return by_client, by_id, rest
        finally:
            await ex.close()

    by_client, by_id, rest = asyncio.run(main())
    assert [o["status"] for o in by_client] == ["canceled"]
    assert len(by_id) == 29 and {o["status"] for o in by_id} == {"canceled"}
    assert len(rest) == 5 and {o["status"] for o in rest} == {"canceled"}
    assert sandbox.open_orders("bitget") == []
    assert sandbox.count("/api/v2/spot/trade/batch-cancel-order") >= 1
