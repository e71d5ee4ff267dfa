"""The kill-switch part of the Bitget dialect on a unified trading account (v3), pure: listing
pages, cancel-all scopes and what a cancel-symbol-order answer names (failed entries included,
which the sandbox never sends), and which API an undecided account gets (none)."""

from __future__ import annotations

from typing import Any

import pytest

from batchcancel.engine import MalformedResponse
from batchcancel.engine.reading import CancelAllAnswer, OpenOrder
from batchcancel.exchanges.bitget import BitgetDialect
from batchcancel.exchanges.bitget_kill import MixCancelAll
from batchcancel.exchanges.bitget_uta_api import UTA_CANCEL_ALL_ROUTE, UTA_CANCEL_SYMBOL, UTA_OPEN_ORDERS
from batchcancel.exchanges.bitget_uta_kill import UtaCancelAll, UtaListing
from tests.exchanges.test_bitget_uta_dialect import MARKETS

UTA, CLASSIC = BitgetDialect(lambda: True), BitgetDialect(lambda: False)
UNDECIDED = BitgetDialect(lambda: None)


def ok(data: Any) -> dict[str, Any]:
    return {"code": "00000", "msg": "success", "data": data}


def open_orders() -> list[tuple[OpenOrder, dict[str, Any]]]:
    return [
        (OpenOrder("1", None, "BTCUSDT (SPOT)", "BTCUSDT"), MARKETS["BTC/USDT"]),
        (OpenOrder("2", None, "ETHUSDT (SPOT)", "ETHUSDT"), MARKETS["ETH/USDT"]),
        (OpenOrder("3", None, "BTCUSDT (USDT-FUTURES)", "BTCUSDT"), MARKETS["BTC/USDT:USDT"]),
        (OpenOrder("4", None, "BTC-OPT (?)", "BTC-OPT"), MARKETS["BTC-OPT"]),
    ]


def test_list_scopes_are_the_v3_categories_for_uta_v2_for_classic_none_undecided():
    categories = ["COIN-FUTURES", "SPOT", "USDT-FUTURES"]  # the option has no v3 category
    assert UTA.list_scopes(MARKETS) == [UtaListing(c) for c in categories]
    assert "spot" in CLASSIC.list_scopes(MARKETS)
    assert UNDECIDED.list_scopes(MARKETS) == () and UNDECIDED.cancel_all_scopes(open_orders(), True) == ()


def test_a_page_is_read_with_its_cursor_and_places_match_the_dialects():
    call = UTA.build_list(UtaListing("SPOT"), None)
    assert (call.method, call.args) == (UTA_OPEN_ORDERS, ({"category": "SPOT", "limit": 100},))
    row = {"symbol": "BTCUSDT", "category": "SPOT"}
    rows = [{**row, "orderId": str(i), "clientOid": f"c{i}"} for i in range(100)]
    page = UTA.read_list(call, ok({"list": rows, "cursor": "77"}))
    assert page.next_cursor == "77" and page.orders[0] == OpenOrder("0", "c0", "BTCUSDT (SPOT)", "BTCUSDT")
    assert UTA.build_list(UtaListing("SPOT"), "77").args[0]["cursor"] == "77"
    # A short page is the last; a full one without a cursor goes on from its last id.
    assert UTA.read_list(call, ok({"list": rows[:3], "cursor": "2"})).next_cursor is None
    assert UTA.read_list(call, ok({"list": rows, "cursor": ""})).next_cursor == "99"
    # A margin row in the spot listing is placed under MARGIN: no market ccxt lists, reported.
    margin = UTA.read_list(call, ok({"list": [{**rows[0], "category": "MARGIN"}]}))
    assert margin.orders[0].place == "BTCUSDT (MARGIN)"


@pytest.mark.parametrize(
    "data",
    [None, [], {"list": {}}, {"list": [{"symbol": "BTCUSDT"}]}, {"list": [{"orderId": "1"}]}, {"list": [1]}],
)
def test_a_bad_page_is_malformed(data):
    with pytest.raises(MalformedResponse):
        UTA.read_list(UTA.build_list(UtaListing("SPOT"), None), ok(data))


def test_cancel_all_scopes_one_per_category_or_per_symbol_never_options():
    assert UTA.cancel_all_scopes(open_orders(), True) == [UtaCancelAll("SPOT"), UtaCancelAll("USDT-FUTURES")]
    per_symbol = [("SPOT", "BTCUSDT"), ("SPOT", "ETHUSDT"), ("USDT-FUTURES", "BTCUSDT")]
    assert UTA.cancel_all_scopes(open_orders(), False) == [UtaCancelAll(*s) for s in per_symbol]
    assert all(isinstance(s, MixCancelAll) for s in CLASSIC.cancel_all_scopes(open_orders(), True))
    scope = UtaCancelAll("SPOT", "BTCUSDT")
    assert UTA.cancel_all_route(scope) == UTA_CANCEL_ALL_ROUTE
    call = UTA.build_cancel_all(scope)
    assert (call.method, call.args, call.via) == (
        UTA_CANCEL_SYMBOL, ({"category": "SPOT", "symbol": "BTCUSDT"},), "bitget:cancel-symbol"
    )  # fmt: skip
    assert UTA.build_cancel_all(UtaCancelAll("SPOT")).via == "bitget:cancel-all"


def test_only_success_entries_name_an_order_as_cancelled():
    scope = UtaCancelAll("SPOT")
    call = UTA.build_cancel_all(scope)
    entries = [
        {"orderId": "1", "clientOid": "a"},
        {"orderId": "", "clientOid": "b", "code": "00000", "msg": "success"},
        {"orderId": "3", "clientOid": "c", "code": "24056", "msg": "notExisted"},  # the page's own example
        {"orderId": "4", "msg": "order is being filled"},  # a message, no code: says nothing sure
    ]
    assert UTA.read_cancel_all(scope, call, ok({"list": entries})) == CancelAllAnswer(
        frozenset({"1"}), frozenset({"b"})
    )
    assert UTA.read_cancel_all(scope, call, ok({"list": []})) == CancelAllAnswer()


@pytest.mark.parametrize(
    "response",
    [
        ok(None),
        ok([]),
        ok({"list": None}),
        ok({"list": ["1"]}),
        ok({"list": [{"clientOid": ""}]}),  # a success entry naming no order
        {"code": "40001", "data": {"list": []}},
        "<html>",
    ],
)
def test_a_bad_cancel_all_answer_is_malformed(response):
    scope = UtaCancelAll("SPOT")
    with pytest.raises(MalformedResponse):
        UTA.read_cancel_all(scope, UTA.build_cancel_all(scope), response)
