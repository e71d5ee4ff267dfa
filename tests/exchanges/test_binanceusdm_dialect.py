"""The Binance USDⓈ-M dialect on its own: request shapes, planning, and how answers become verdicts.

No I/O here; the exceptions come from ccxt's own binanceusdm error handler fed Binance bodies.
"""

from __future__ import annotations

import json
from typing import Any

import ccxt
import pytest

from batchcancel import CancelRequest
from batchcancel.engine import Call, Kind, MalformedResponse, WorkItem
from batchcancel.engine.reading import OpenOrder, OrderState
from batchcancel.exchanges.binanceusdm import BinanceUsdmDialect
from batchcancel.exchanges.binanceusdm_api import (
    BATCH_METHOD,
    BATCH_ROUTE,
    COUNTDOWN_METHOD,
    SINGLE_METHOD,
    SINGLE_ROUTE,
    WEIGHT_BUDGET,
)
from batchcancel.model import Status

DIALECT = BinanceUsdmDialect()
BTC = {"id": "BTCUSDT", "symbol": "BTC/USDT:USDT", "type": "swap", "linear": True, "contract": True}
ETH = {"id": "ETHUSDT", "symbol": "ETH/USDT:USDT", "type": "swap", "linear": True, "contract": True}
MARKETS = {"BTC/USDT:USDT": BTC, "ETH/USDT:USDT": ETH}


def item(
    key: int, order_id: str | None = None, client_id: str | None = None, market=BTC, **params
) -> WorkItem:
    request = CancelRequest(market["symbol"], order_id=order_id, client_order_id=client_id, params=params)
    return WorkItem(key, request, market)


def order(order_id: int, client_id: str = "", status: str = "CANCELED", symbol: str = "BTCUSDT") -> dict:
    return {"orderId": order_id, "clientOrderId": client_id, "symbol": symbol, "status": status}


UNKNOWN = {"code": -2011, "msg": "Unknown order sent."}


def batch(*items: WorkItem) -> Call:
    return DIALECT.build(BATCH_ROUTE, DIALECT.group_of(items[0]), items)


def ccxt_error(status: int, body: Any) -> Exception:
    """What ccxt's binanceusdm raises for an HTTP answer with this body."""
    exchange = ccxt.binanceusdm()
    text = json.dumps(body)
    try:
        exchange.handle_errors(status, "Reason", "http://127.0.0.1/fapi/v1/batchOrders", "DELETE", {}, text,
                               body, {}, None)  # fmt: skip
        exchange.handle_http_status_code(status, "Reason", "url", "DELETE", text)
    except ccxt.BaseError as error:
        return error
    raise AssertionError("ccxt raised nothing")


# -- planning and building ------------------------------------------------------------------------


def test_a_batch_names_one_symbol_and_one_kind_of_id():
    by_id, by_client = item(0, "101"), item(1, client_id="abc-1")
    assert DIALECT.group_of(by_id) != DIALECT.group_of(by_client)
    assert DIALECT.group_of(by_id) != DIALECT.group_of(item(2, "102", market=ETH))
    assert DIALECT.routes(DIALECT.group_of(by_id)) == (BATCH_ROUTE, SINGLE_ROUTE)
    assert BATCH_ROUTE.max_items == 10 and BATCH_ROUTE.cost(10) == BATCH_ROUTE.cost(1) == 1
    call = batch(by_id, item(3, "103"))
    assert (call.method, call.args) == (BATCH_METHOD, ({"symbol": "BTCUSDT", "orderidlist": ["101", "103"]},))
    call = batch(by_client, item(4, client_id="x:y/z.1"))
    assert call.args == ({"symbol": "BTCUSDT", "origClientOrderIdList": ["abc-1", "x:y/z.1"]},)


@pytest.mark.parametrize(
    "odd", [item(0, "12ab"), item(0, client_id='a"b'), item(0, client_id="a,b"), item(0, "7", reduce=True)]
)
def test_what_a_batch_list_cannot_carry_goes_alone_through_the_single_endpoint(odd):
    group = DIALECT.group_of(odd)
    assert DIALECT.routes(group) == (SINGLE_ROUTE,)
    call = DIALECT.build(SINGLE_ROUTE, group, [odd])
    field = "orderId" if odd.request.order_id else "origClientOrderId"
    assert call.method == SINGLE_METHOD and call.args[0]["symbol"] == "BTCUSDT"
    assert call.args[0][field] == (odd.request.order_id or odd.request.client_order_id)
    assert {k: v for k, v in call.args[0].items() if k not in ("symbol", field)} == odd.request.params


def test_conditional_orders_are_left_to_ccxt_which_sends_them_to_the_algo_service():
    group = DIALECT.group_of(item(0, "5", trigger=True))
    assert DIALECT.routes(group) == ()
    assert "algoOrder" in DIALECT.unserved_reason(group)


def test_every_route_spends_the_ips_request_weight():
    assert set(DIALECT.budgets(None)) == {WEIGHT_BUDGET}  # type: ignore[arg-type]
    assert DIALECT.budgets(None)[WEIGHT_BUDGET].limit == 2400  # type: ignore[arg-type]
    assert DIALECT.budgets(None)[WEIGHT_BUDGET].window_s == 60  # type: ignore[arg-type]


# -- reading batch answers ------------------------------------------------------------------------


def kinds(verdicts) -> list[tuple[Kind, Status | None, str | None]]:
    return [(v.kind, v.status, v.code) for v in verdicts]


CANCELED = (Kind.FINAL, Status.CANCELED, None)
CLOSED = (Kind.FINAL, Status.ALREADY_CLOSED, "-2011")
MISSING = (Kind.RETRY, None, None)


def test_errors_without_ids_are_placed_by_position_when_every_order_sits_where_it_was_sent():
    call = batch(item(0, "1"), item(1, "2"), item(2, "3"))
    answer = [order(1), UNKNOWN, order(3)]
    assert kinds(DIALECT.read(call, answer)) == [CANCELED, CLOSED, CANCELED]


def test_a_displaced_order_makes_every_id_less_error_unattributable():
    call = batch(item(0, "1"), item(1, "2"), item(2, "3"))
    # Same length, but the successes are swapped: no position can be trusted for the error.
    verdicts = DIALECT.read(call, [order(3), UNKNOWN, order(1)])
    assert kinds(verdicts) == [CANCELED, MISSING, CANCELED]
    assert verdicts[1].state_unknown


def test_a_short_or_long_answer_counts_only_the_orders_it_names():
    call = batch(item(0, "1"), item(1, "2"), item(2, "3"))
    assert kinds(DIALECT.read(call, [order(1), UNKNOWN])) == [CANCELED, MISSING, MISSING]
    stranger = order(99)
    assert kinds(DIALECT.read(call, [order(1), UNKNOWN, order(3), stranger])) == [CANCELED, MISSING, CANCELED]


@pytest.mark.parametrize(
    "row",
    [
        {"orderId": 2, "symbol": "BTCUSDT"},  # no status: not a cancel
        {"orderId": 2, "symbol": "BTCUSDT", "status": "FILLED"},
        {"orderId": 2, "symbol": "BTCUSDT", "status": "NEW"},
        {"orderId": 2, "symbol": "ETHUSDT", "status": "CANCELED"},  # another market's order 2
        {"clientOrderId": "", "status": "CANCELED"},  # id-less success
        {"code": "oops"},
        "CANCELED",
        None,
    ],
)
def test_an_answer_that_does_not_name_the_order_and_say_canceled_is_not_a_cancel(row):
    call = batch(item(0, "1"), item(1, "2"))
    verdicts = DIALECT.read(call, [order(1), row])
    assert verdicts[0].status is Status.CANCELED
    assert verdicts[1].kind is Kind.RETRY and verdicts[1].state_unknown


def test_client_ids_are_matched_by_client_id():
    call = batch(item(0, client_id="a"), item(1, client_id="b"))
    assert kinds(DIALECT.read(call, [order(7, "a"), order(8, "c")])) == [CANCELED, MISSING]


@pytest.mark.parametrize("answer", [{}, {"code": 200, "msg": "success"}, None, "[]", 3])
def test_a_batch_answer_that_is_not_a_list_is_malformed(answer):
    with pytest.raises(MalformedResponse):
        DIALECT.read(batch(item(0, "1")), answer)


def test_per_item_codes_are_classified():
    call = batch(*(item(i, str(i + 1)) for i in range(5)))
    answer = [
        {"code": -2013, "msg": "Order does not exist."},
        {"code": -1003, "msg": "Too many requests"},
        {"code": -1008, "msg": "Server is currently overloaded"},
        {"code": -1007, "msg": "Timeout waiting for response from backend server."},
        {"code": -4001, "msg": "Price less than 0."},
    ]
    verdicts = DIALECT.read(call, answer)
    assert [v.kind for v in verdicts] == [Kind.FINAL, Kind.WAIT_BUDGET, Kind.RETRY, Kind.RETRY, Kind.FINAL]
    assert verdicts[0].status is Status.ALREADY_CLOSED and verdicts[4].status is Status.REJECTED
    assert not verdicts[2].state_unknown and verdicts[3].state_unknown  # -1007: execution unknown


def test_a_single_cancel_counts_only_when_it_names_the_order():
    one = item(0, "5")
    call = DIALECT.build(SINGLE_ROUTE, DIALECT.group_of(one), [one])
    assert kinds(DIALECT.read(call, order(5))) == [CANCELED]
    assert kinds(DIALECT.read(call, order(6))) == [MISSING]
    assert kinds(DIALECT.read(call, {"code": 200, "msg": "success"})) == [MISSING]
    with pytest.raises(MalformedResponse):
        DIALECT.read(call, [order(5)])


# -- errors and headers ---------------------------------------------------------------------------


def test_whole_request_errors_are_read_from_ccxts_exception():
    call = batch(item(0, "1"))
    gone = DIALECT.read_error(call, ccxt_error(200, [UNKNOWN]))  # ccxt raises for a one-item batch
    assert gone is not None and (gone.status, gone.code) == (Status.ALREADY_CLOSED, "-2011")
    limited = DIALECT.read_error(call, ccxt_error(429, {"code": -1003, "msg": "Too many requests"}))
    assert limited is not None and (limited.kind, limited.code) == (Kind.WAIT_BUDGET, "-1003")
    banned = DIALECT.read_error(call, ccxt_error(418, "banned"))
    assert banned is not None and (banned.kind, banned.code) == (Kind.WAIT_BUDGET, "418")
    unknown = DIALECT.read_error(call, ccxt_error(400, {"code": -1007, "msg": "Timeout"}))
    assert unknown is not None and unknown.state_unknown
    assert DIALECT.read_error(call, ccxt_error(401, {"code": -1022, "msg": "Signature"})) is None
    assert DIALECT.error_code(ccxt_error(401, {"code": -1022, "msg": "Signature"})) == "-1022"
    two = batch(item(0, "1"), item(1, "2"))
    assert DIALECT.read_error(two, ccxt_error(400, {"code": -2011, "msg": "x"})).kind is Kind.ISOLATE


DATE = "Sun, 29 Nov 2026 18:15:42 GMT"
AT = 1795976142.0


def test_the_used_weight_header_becomes_an_observation_of_the_weight_budget():
    call = batch(item(0, "1"))
    seen = DIALECT.observe(call, {"X-MBX-USED-WEIGHT-1M": "2390", "Date": DATE})
    assert seen is not None and (seen.key, seen.remaining, seen.reset_at) == (WEIGHT_BUDGET, 10, None)
    spent = DIALECT.observe(call, {"x-mbx-used-weight-1m": "2400", "date": DATE})
    assert spent is not None and spent.remaining == 0 and spent.reset_at == AT - 42 + 60  # next minute
    waited = DIALECT.observe(call, {"X-MBX-USED-WEIGHT-1M": "12", "Retry-After": "3", "Date": DATE})
    assert waited is not None and (waited.remaining, waited.reset_at) == (0, AT + 1 + 3)
    assert DIALECT.observe(call, {"Content-Type": "application/json"}) is None
    assert DIALECT.observe(call, {"X-MBX-USED-WEIGHT-1M": "nan"}) is None
    assert DIALECT.observe(call, None) is None


# -- reading orders back --------------------------------------------------------------------------


def test_state_reads_name_the_order_and_map_binances_statuses():
    call = DIALECT.build_state_read(item(0, "5"))
    assert call is not None and call.args == ({"symbol": "BTCUSDT", "orderId": "5"},)
    assert DIALECT.read_state(call, order(5, status="NEW")) is OrderState.OPEN
    assert DIALECT.read_state(call, order(5, status="EXPIRED")) is OrderState.CANCELED
    assert DIALECT.read_state(call, order(5, status="FILLED")) is OrderState.FILLED
    for bad in (order(6, status="NEW"), order(5, status="WEIRD"), {}, [order(5)]):
        with pytest.raises(MalformedResponse):
            DIALECT.read_state(call, bad)
    gone = ccxt_error(400, {"code": -2013, "msg": "Order does not exist."})
    assert DIALECT.read_state_error(call, gone) is OrderState.GONE


def test_two_unpaged_listings_cover_the_account_plain_and_conditional_orders():
    scopes = DIALECT.list_scopes(MARKETS)
    plain, algo = (DIALECT.build_list(scope, None) for scope in scopes)
    assert (plain.method, algo.method) == ("fapiPrivateGetOpenOrders", "fapiPrivateGetOpenAlgoOrders")
    assert plain.args == algo.args == ({},)
    page = DIALECT.read_list(plain, [order(5, "a", "NEW"), order(6, "", "NEW", "ETHUSDT")])
    assert [(o.order_id, o.client_order_id, o.place) for o in page.orders] == [
        ("5", "a", "BTCUSDT"),
        ("6", None, "ETHUSDT"),
    ]
    assert page.next_cursor is None and DIALECT.place_of(item(0, "5")) == "BTCUSDT"
    stops = DIALECT.read_list(algo, [{"algoId": 77, "clientAlgoId": "s-1", "symbol": "BTCUSDT"}])
    assert [(o.order_id, o.client_order_id) for o in stops.orders] == [("77", "s-1")]
    for bad in ({}, [{"symbol": "BTCUSDT"}], [{"orderId": 5}]):
        with pytest.raises(MalformedResponse):
            DIALECT.read_list(plain, bad)
    with pytest.raises(MalformedResponse):
        DIALECT.read_list(algo, [order(5)])  # a plain order's row has no algoId


def test_a_conditional_order_is_not_read_by_the_plain_order_endpoint():
    assert DIALECT.build_state_read(item(0, "5", trigger=True)) is None


# -- the dead-man's switch ------------------------------------------------------------------------


def test_the_countdown_is_per_symbol_and_confirmed_by_its_echo():
    assert DIALECT.countdown_range() == (1.0, 86400.0)
    assert DIALECT.countdown_scopes(MARKETS, ["BTC/USDT:USDT", "ETH/USDT:USDT", "BTC/USDT:USDT"]) == [
        "BTCUSDT",
        "ETHUSDT",
    ]
    with pytest.raises(ValueError, match="per symbol"):
        DIALECT.countdown_scopes(MARKETS, None)
    with pytest.raises(ValueError, match="not a binanceusdm market"):
        DIALECT.countdown_scopes(MARKETS, ["DOGE/USDT:USDT"])
    arm = DIALECT.build_countdown("BTCUSDT", 2.5)
    assert (arm.method, arm.args) == (COUNTDOWN_METHOD, ({"symbol": "BTCUSDT", "countdownTime": 2500},))
    assert DIALECT.build_countdown("BTCUSDT", None).args == ({"symbol": "BTCUSDT", "countdownTime": 0},)
    DIALECT.read_countdown(arm, {"symbol": "BTCUSDT", "countdownTime": "2500"})
    DIALECT.read_countdown(arm, {"symbol": "BTCUSDT", "countdownTime": 2500})
    for bad in ({"symbol": "ETHUSDT", "countdownTime": "2500"}, {"symbol": "BTCUSDT", "countdownTime": "0"},
                {"symbol": "BTCUSDT"}, {"code": 200, "msg": "success"}, [], None):  # fmt: skip
        with pytest.raises(MalformedResponse):
            DIALECT.read_countdown(arm, bad)


# -- the kill switch ------------------------------------------------------------------------------


def test_cancel_all_is_one_request_per_symbol_and_its_answer_names_no_order():
    listed = [
        (OpenOrder("1", None, "BTCUSDT", market_id="BTCUSDT"), BTC),
        (OpenOrder("2", None, "BTCUSDT", market_id="BTCUSDT"), BTC),
        (OpenOrder("3", "c", "ETHUSDT", market_id="ETHUSDT"), ETH),
    ]
    for whole_account in (True, False):  # Binance has no wider cancel-all than a symbol
        assert DIALECT.cancel_all_scopes(listed, whole_account) == ["BTCUSDT", "ETHUSDT"]
    call = DIALECT.build_cancel_all("BTCUSDT")
    assert (call.method, call.args, call.items) == (
        "fapiPrivateDeleteAllOpenOrders",
        ({"symbol": "BTCUSDT"},),
        (),
    )
    assert DIALECT.cancel_all_route("BTCUSDT").cost(0) == 1
    answer = DIALECT.read_cancel_all("BTCUSDT", call, {"code": "200", "msg": "done"})
    assert answer.order_ids == answer.client_order_ids == frozenset()  # the read-back decides
    for bad in ({"code": -1003, "msg": "x"}, {}, [], None, "ok"):
        with pytest.raises(MalformedResponse):
            DIALECT.read_cancel_all("BTCUSDT", call, bad)


def test_listed_orders_carry_their_market_id_and_conditional_ones_the_trigger_param():
    plain, algo = (DIALECT.build_list(scope, None) for scope in DIALECT.list_scopes(MARKETS))
    (row,) = DIALECT.read_list(plain, [order(5, "a", "NEW")]).orders
    assert (row.market_id, row.params) == ("BTCUSDT", ())
    (stop,) = DIALECT.read_list(algo, [{"algoId": 9, "clientAlgoId": "", "symbol": "ETHUSDT"}]).orders
    assert (stop.market_id, stop.params) == ("ETHUSDT", (("trigger", True),))
