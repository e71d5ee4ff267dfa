"""Bitget spot's kill switch in the dialect, pure: ``cancel-symbol-order`` per symbol (an answer
naming no order), and the spot order history that tells what became of each order it took."""

from __future__ import annotations

from typing import Any

import pytest

from batchcancel import Settings
from batchcancel.engine import MalformedResponse
from batchcancel.engine.reading import CancelAllAnswer, HistoryPage, OpenOrder, OrderState
from batchcancel.exchanges.bitget import BitgetDialect
from batchcancel.exchanges.bitget_api import PAGE_LIMIT
from batchcancel.exchanges.bitget_kill import SPOT_CANCEL_SYMBOL, SPOT_HISTORY, SpotCancelSymbol

SPOT = {"id": "ETHUSDT", "symbol": "ETH/USDT", "spot": True, "type": "spot"}
LINEAR = {"id": "ETHUSDT", "symbol": "ETH/USDT:USDT", "swap": True, "settle": "USDT"}
SCOPE = SpotCancelSymbol("ETHUSDT")


def ok(data: Any) -> dict[str, Any]:
    return {"code": "00000", "msg": "success", "requestTime": 1, "data": data}


def test_cancel_symbol_order_is_one_request_per_symbol_on_its_own_budget():
    dialect = BitgetDialect()
    call = dialect.build_cancel_all(SCOPE)
    assert call.method == SPOT_CANCEL_SYMBOL
    assert call.args == ({"symbol": "ETHUSDT"},)
    assert call.via == "bitget:cancel-symbol"
    route = dialect.cancel_all_route(SCOPE)
    assert route.budget == "spot-cancel-symbol"
    assert dialect.budgets(Settings())[route.budget].limit == 5


def test_a_symbol_gets_cancel_symbol_order_once_it_has_more_orders_than_a_batch_holds():
    # 50 orders: one batch (pooled with other small symbols, answers naming each order) beats
    # cancel-symbol-order plus a history page; 51 and more: cancel-symbol-order.
    other = {"id": "BTCUSDT", "symbol": "BTC/USDT", "spot": True}
    orders = [(OpenOrder(str(i), None, "?"), SPOT) for i in range(51)]
    orders += [(OpenOrder(f"b{i}", None, "?"), other) for i in range(50)]
    assert BitgetDialect().cancel_all_scopes(orders, whole_account=True) == [SCOPE]
    assert BitgetDialect().cancel_all_scopes(orders[1:], whole_account=False) == []


def test_its_answer_names_no_order():
    answer = BitgetDialect().read_cancel_all(
        SCOPE, BitgetDialect().build_cancel_all(SCOPE), ok({"symbol": "ETHUSDT"})
    )
    assert answer == CancelAllAnswer()


@pytest.mark.parametrize(
    "response",
    [
        ok({"symbol": "BTCUSDT"}),  # another symbol's
        ok({}),
        ok(None),
        ok([]),
        {"code": "43001", "msg": "x", "data": {"symbol": "ETHUSDT"}},
        {"code": "00000"},
        "<html>",
        None,
    ],
)
def test_an_answer_not_naming_the_symbol_is_no_answer(response):
    with pytest.raises(MalformedResponse):
        BitgetDialect().read_cancel_all(SCOPE, BitgetDialect().build_cancel_all(SCOPE), response)


def test_history_is_read_per_spot_symbol_and_never_for_futures_or_uta():
    dialect = BitgetDialect()
    order = OpenOrder("1", None, "ETHUSDT (spot)", market_id="ETHUSDT")
    assert dialect.history_scope(order, SPOT) == SCOPE
    assert dialect.history_scope(order, LINEAR) is None
    assert BitgetDialect(lambda: True).history_scope(order, SPOT) is None
    first = dialect.build_history(SCOPE, None)
    assert first.method == SPOT_HISTORY
    assert first.args == ({"symbol": "ETHUSDT", "limit": PAGE_LIMIT},)
    assert first.route is not None and first.route.budget == "spot-history-orders"
    assert dialect.build_history(SCOPE, "77").args == (
        {"symbol": "ETHUSDT", "limit": PAGE_LIMIT, "idLessThan": "77"},
    )


def row(order_id: str, status: str, symbol: str = "ETHUSDT") -> dict[str, Any]:
    return {"orderId": order_id, "clientOid": f"c{order_id}", "symbol": symbol, "status": status}


def read(response: Any) -> HistoryPage:
    dialect = BitgetDialect()
    return dialect.read_history(dialect.build_history(SCOPE, None), response)


def test_a_history_page_gives_each_order_its_state_and_a_full_page_a_cursor():
    page = read(
        ok([row("9", "cancelled"), row("8", "filled"), row("7", "live"), row("6", "partially_filled")])
    )
    assert page.states == (
        ("9", OrderState.CANCELED),
        ("8", OrderState.FILLED),
        ("7", OrderState.OPEN),
        ("6", OrderState.OPEN),
    )
    assert page.next_cursor is None
    full = read(ok([row(str(1000 - i), "cancelled") for i in range(PAGE_LIMIT)]))
    assert full.next_cursor == str(1000 - PAGE_LIMIT + 1)
    assert read(ok([])) == HistoryPage((), None)


@pytest.mark.parametrize(
    "response",
    [
        ok({"orderList": []}),  # not a list
        ok(None),
        ok([None]),
        ok([{"status": "cancelled", "symbol": "ETHUSDT"}]),  # no orderId
        ok([row("1", "cancelled", symbol="BTCUSDT")]),  # another symbol's history
        ok([{"orderId": "1", "status": "cancelled"}]),  # no symbol
        ok([row("1", "gone-fishing")]),  # a status nobody documented
        ok([row("1", "")]),
        {"code": "40017", "msg": "Parameter verification failed", "data": []},
        "<html>",
    ],
)
def test_a_history_page_that_does_not_say_is_no_page(response):
    with pytest.raises(MalformedResponse):
        read(response)
