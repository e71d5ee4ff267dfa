"""The cancel-all part of the Bybit and Bitget dialects, pure: which requests cover an account,
what they send, and which answers name orders (anything else is no answer)."""

from __future__ import annotations

from typing import Any

import pytest

from batchcancel.engine import Call, MalformedResponse
from batchcancel.engine.reading import CancelAllAnswer, OpenOrder
from batchcancel.exchanges.bitget import BitgetDialect
from batchcancel.exchanges.bitget_kill import MixCancelAll, SpotCancelSymbol
from batchcancel.exchanges.bybit import BybitDialect, CancelAllScope

SPOT = {"id": "BTCUSDT", "symbol": "BTC/USDT", "spot": True, "type": "spot"}
LINEAR = {
    "id": "BTCUSDT",
    "symbol": "BTC/USDT:USDT",
    "linear": True,
    "swap": True,
    "settle": "USDT",
    "settleId": "USDT",
}
INVERSE = {
    "id": "BTCUSD",
    "symbol": "BTC/USD:BTC",
    "inverse": True,
    "swap": True,
    "settle": "BTC",
    "settleId": "BTC",
}


def order(i: str, **params: str) -> OpenOrder:
    return OpenOrder(i, None, "?", params=tuple(params.items()))


def test_bybit_covers_the_whole_account_per_category_settle_coin_and_spot_kind():
    orders = [
        (order("1"), SPOT),
        (order("2", orderFilter="StopOrder"), SPOT),
        (order("3"), LINEAR),
        (order("4"), INVERSE),
    ]
    scopes = BybitDialect().cancel_all_scopes(orders, whole_account=True)
    assert scopes == [
        CancelAllScope("inverse", "settleCoin", "BTC"),
        CancelAllScope("linear", "settleCoin", "USDT"),
        CancelAllScope("spot", order_filter="Order"),
        CancelAllScope("spot", order_filter="StopOrder"),
    ]
    call = BybitDialect().build_cancel_all(scopes[3])
    assert (call.method, call.args) == (
        "privatePostV5OrderCancelAll",
        ({"category": "spot", "orderFilter": "StopOrder"},),
    )


def test_bybit_with_symbols_cancels_per_symbol():
    scopes = BybitDialect().cancel_all_scopes([(order("1"), LINEAR), (order("2"), SPOT)], whole_account=False)
    assert scopes == [
        CancelAllScope("linear", "symbol", "BTCUSDT"),
        CancelAllScope("spot", "symbol", "BTCUSDT", "Order"),
    ]


def bybit_answer(result: Any, code: Any = 0) -> dict[str, Any]:
    return {"retCode": code, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": 1}


def read_bybit(response: Any) -> CancelAllAnswer:
    return BybitDialect().read_cancel_all(CancelAllScope("spot"), Call("x", ()), response)


def test_bybit_answer_names_orders_by_id_or_link_id_and_string_codes_read():
    answer = read_bybit(
        bybit_answer(
            {
                "list": [{"orderId": "1", "orderLinkId": ""}, {"orderId": "", "orderLinkId": "c2"}],
                "success": "1",
            },
            "0",
        )
    )
    assert answer == CancelAllAnswer(frozenset({"1"}), frozenset({"c2"}))
    # UTA 1.0 inverse sends no "success"
    assert read_bybit(bybit_answer({"list": []})) == CancelAllAnswer()


@pytest.mark.parametrize(
    "response",
    [
        bybit_answer({"list": [{"orderId": "1"}], "success": "0"}),
        bybit_answer({"list": [{"orderId": "", "orderLinkId": ""}], "success": "1"}),
        bybit_answer({"list": ["1"], "success": "1"}),
        bybit_answer({"success": "1"}),
        bybit_answer([]),
        bybit_answer({"list": []}, 10001),
        None,
        "<html>",
    ],
)
def test_bybit_answers_that_name_nothing_are_no_answer(response):
    with pytest.raises(MalformedResponse):
        read_bybit(response)


def test_bitget_covers_futures_per_product_type_and_margin_coin_and_spot_per_symbol():
    dialect = BitgetDialect()
    big_spot = [(order(f"s{i}"), SPOT) for i in range(51)]  # more than a batch holds
    orders = [(order("2"), LINEAR), (order("3"), INVERSE), *big_spot]
    assert dialect.cancel_all_scopes(orders, whole_account=True) == [
        MixCancelAll("COIN-FUTURES", margin_coin="BTC"),
        MixCancelAll("USDT-FUTURES", margin_coin="USDT"),
        SpotCancelSymbol("BTCUSDT"),
    ]
    assert dialect.cancel_all_scopes(orders, whole_account=False) == [
        MixCancelAll("COIN-FUTURES", symbol="BTCUSD"),
        MixCancelAll("USDT-FUTURES", symbol="BTCUSDT"),
        SpotCancelSymbol("BTCUSDT"),
    ]
    by_symbol = dialect.build_cancel_all(MixCancelAll("USDT-FUTURES", symbol="BTCUSDT"))
    assert by_symbol.args == ({"symbol": "BTCUSDT", "productType": "USDT-FUTURES"},)  # no orderIdList
    # A UTA account's scopes are v3 categories (tests/exchanges/test_bitget_uta_kill_dialect.py).
    uta_scopes = BitgetDialect(lambda: True).cancel_all_scopes(orders, whole_account=True)
    assert uta_scopes and not any(isinstance(s, MixCancelAll) for s in uta_scopes)


@pytest.mark.parametrize(
    "data",
    [None, [], {"failureList": []}, {"successList": [{}]}, {"successList": ["1"]}, {"successList": None}],
)
def test_bitget_answers_that_name_nothing_are_no_answer(data):
    response = {"code": "00000", "msg": "success", "data": data}
    with pytest.raises(MalformedResponse):
        BitgetDialect().read_cancel_all(MixCancelAll("USDT-FUTURES"), Call("x", ()), response)


def test_bitget_answer_names_its_success_list_only():
    data = {
        "successList": [{"orderId": "1", "clientOid": "a"}, {"clientOid": "b"}],
        "failureList": [{"orderId": "3"}],
    }
    response = {"code": "00000", "msg": "success", "data": data}
    answer = BitgetDialect().read_cancel_all(MixCancelAll("USDT-FUTURES"), Call("x", ()), response)
    assert answer == CancelAllAnswer(frozenset({"1"}), frozenset({"b"}))
