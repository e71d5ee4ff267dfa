"""pybit (Bybit's own SDK, unmodified) against the sandbox: its JSON bodies have spaces after
separators and its GET queries are sorted, and the signatures still verify."""

from __future__ import annotations

import pytest
from pybit.exceptions import InvalidRequestError

from batchcancel.sandbox import Sandbox


def test_pybit_place_cancel_and_batch_cancel(sandbox: Sandbox) -> None:
    session = sandbox.pybit_session()
    placed = session.place_order(
        category="spot",
        symbol="BTCUSDT",
        side="Buy",
        orderType="Limit",
        qty="0.01",
        price="50000",
        orderLinkId="pybit-1",
    )
    assert placed["retCode"] == 0
    order_id = placed["result"]["orderId"]
    assert sandbox.order("bybit", order_id).client_order_id == "pybit-1"
    listed = session.get_open_orders(category="spot", symbol="BTCUSDT")["result"]["list"]
    assert [o["orderId"] for o in listed] == [order_id]
    assert session.cancel_order(category="spot", symbol="BTCUSDT", orderLinkId="pybit-1")["retCode"] == 0
    assert sandbox.order("bybit", order_id).status == "canceled"
    with pytest.raises(InvalidRequestError) as error:
        session.cancel_order(category="spot", symbol="BTCUSDT", orderId=order_id)
    assert error.value.status_code == 170213

    seeded = sandbox.seed_orders("bybit", {"ETH/USDT:USDT": 3})
    reply = session.cancel_batch_order(
        category="linear",
        request=[
            {"symbol": "ETHUSDT", "orderId": seeded[0].order_id},
            {"symbol": "ETHUSDT", "orderLinkId": seeded[1].client_order_id},
            {"symbol": "ETHUSDT", "orderId": "1"},
        ],
    )
    assert [i["code"] for i in reply["retExtInfo"]["list"]] == [0, 0, 110001]
    assert [o.order_id for o in sandbox.open_orders("bybit")] == [seeded[2].order_id]
