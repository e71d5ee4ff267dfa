"""The OKX dialect as a pure function: groups, routes, request shapes, and every answer read by id.

The same answers come through real HTTP in tests/e2e/test_okx_e2e.py and the fault matrix; here
each reading rule is pinned with the exact (and hostile) answers that exercise it.
"""

from __future__ import annotations

import json

import ccxt
import pytest

from batchcancel import CancelRequest, Status
from batchcancel.engine import Call, Kind, MalformedResponse, WorkItem
from batchcancel.engine.reading import OrderState
from batchcancel.exchanges.okx import ALGO_METHOD, BATCH_METHOD, SINGLE_METHOD, OkxDialect
from batchcancel.exchanges.okx_api import BATCH_ROUTE, SINGLE_ROUTE, Group, Unsupported

MARKETS = {
    "BTC/USDT": {"id": "BTC-USDT", "symbol": "BTC/USDT", "spot": True},
    "BTC/USDT:USDT": {"id": "BTC-USDT-SWAP", "symbol": "BTC/USDT:USDT", "swap": True},
}
DIALECT = OkxDialect()


def item(request: CancelRequest, key: int = 0) -> WorkItem:
    return WorkItem(key, request, MARKETS[request.symbol])


def batch_call(*requests: CancelRequest) -> Call:
    items = [item(r, i) for i, r in enumerate(requests)]
    group = DIALECT.group_of(items[0])
    route = DIALECT.routes(group)[0]
    return DIALECT.build(route, group, items)


def entry(order_id: str = "", client_id: str = "", code: str = "0", msg: str = "") -> dict:
    return {"ordId": order_id, "clOrdId": client_id, "sCode": code, "sMsg": msg, "ts": "1"}


def answer(code: str, *entries: dict) -> dict:
    return {"code": code, "msg": "", "data": list(entries)}


def test_plain_orders_of_every_instrument_share_one_batch_and_algo_orders_go_to_cancel_algos():
    spot, swap = CancelRequest("BTC/USDT", "1"), CancelRequest("BTC/USDT:USDT", client_order_id="c2")
    algo = CancelRequest("BTC/USDT:USDT", "3", params={"trigger": True})
    assert DIALECT.group_of(item(spot)) == DIALECT.group_of(item(swap)) == Group(algo=False)
    assert DIALECT.routes(Group(algo=False)) == (BATCH_ROUTE, SINGLE_ROUTE)
    call = batch_call(spot, swap)
    assert call.method == BATCH_METHOD
    assert call.args == (
        [{"instId": "BTC-USDT", "ordId": "1"}, {"instId": "BTC-USDT-SWAP", "clOrdId": "c2"}],
    )
    algo_call = batch_call(algo)
    assert algo_call.method == ALGO_METHOD and algo_call.args == (
        [{"instId": "BTC-USDT-SWAP", "algoId": "3"}],
    )
    single = DIALECT.build(SINGLE_ROUTE, Group(algo=False), [item(spot)])
    assert (single.method, single.args) == (SINGLE_METHOD, ({"instId": "BTC-USDT", "ordId": "1"},))
    odd = DIALECT.group_of(item(CancelRequest("BTC/USDT", "1", params={"tdMode": "cross"})))
    assert isinstance(odd, Unsupported) and DIALECT.routes(odd) == ()
    assert "tdMode" in DIALECT.unserved_reason(odd)


def test_entries_are_matched_by_the_id_sent_not_by_position():
    call = batch_call(CancelRequest("BTC/USDT", "1"), CancelRequest("BTC/USDT", client_order_id="c2"))
    reply = answer("2", entry(client_id="c2", code="51402", msg="completed"), entry("1", "x"))
    verdicts = DIALECT.read(call, reply)
    assert [(v.status, v.code) for v in verdicts] == [
        (Status.CANCELED, "0"),
        (Status.ALREADY_CLOSED, "51402"),
    ]


@pytest.mark.parametrize(
    ("code", "kind", "status"),
    [
        ("51400", Kind.FINAL, Status.ALREADY_CLOSED),
        ("51401", Kind.FINAL, Status.ALREADY_CLOSED),
        ("50011", Kind.WAIT_BUDGET, None),
        ("51410", Kind.RETRY, None),
        ("50026", Kind.RETRY, None),
        ("51008", Kind.FINAL, Status.REJECTED),
    ],
)
def test_each_scode_means_what_okx_says(code, kind, status):
    (verdict,) = DIALECT.read(batch_call(CancelRequest("BTC/USDT", "1")), answer("2", entry("1", code=code)))
    assert (verdict.kind, verdict.status) == (kind, status)
    assert verdict.state_unknown is (code == "50026")  # a service error may have been applied


@pytest.mark.parametrize(
    "reply",
    [
        answer("0"),  # "0" naming nobody
        answer("0", entry("2")),  # another order
        answer("0", {"ordId": "1", "sMsg": ""}),  # no sCode
        answer("0", entry("1", code="")),
    ],
)
def test_an_order_the_answer_does_not_decide_is_sent_again_never_assumed_cancelled(reply):
    (verdict,) = DIALECT.read(batch_call(CancelRequest("BTC/USDT", "1")), reply)
    assert verdict.kind is Kind.RETRY and verdict.state_unknown


@pytest.mark.parametrize(
    "reply",
    [None, [], "ok", {"code": "0"}, {"code": "0", "data": {}}, {"code": "1", "data": []}, {"data": []},
     {"code": "0", "data": ["1"]}],
)  # fmt: skip
def test_an_unreadable_answer_is_malformed(reply):
    with pytest.raises(MalformedResponse):
        DIALECT.read(batch_call(CancelRequest("BTC/USDT", "1")), reply)


def test_the_same_id_twice_in_one_batch_is_isolated():
    call = batch_call(CancelRequest("BTC/USDT", "1"), CancelRequest("BTC/USDT:USDT", "1"))
    verdicts = DIALECT.read(call, answer("0", entry("1"), entry("1")))
    assert [v.kind for v in verdicts] == [Kind.ISOLATE, Kind.ISOLATE]


def okx_error(cls: type[Exception], body: dict) -> Exception:
    return cls("okx " + json.dumps(body))


def test_code_1_raised_by_ccxt_is_read_order_by_order_from_the_exception():
    call = batch_call(CancelRequest("BTC/USDT", "1"), CancelRequest("BTC/USDT", "2"))
    error = okx_error(ccxt.OrderNotFound, answer("1", entry("2", code="51400"), entry("1", code="50011")))
    verdicts = DIALECT.read_error_items(call, error)
    assert verdicts is not None
    assert [(v.kind, v.code) for v in verdicts] == [(Kind.WAIT_BUDGET, "50011"), (Kind.FINAL, "51400")]


def test_a_whole_request_error_has_no_per_order_answer():
    call = batch_call(CancelRequest("BTC/USDT", "1"))
    limited = okx_error(ccxt.RateLimitExceeded, {"code": "50011", "msg": "Too Many Requests", "data": []})
    assert DIALECT.read_error_items(call, limited) is None
    verdict = DIALECT.read_error(call, limited)
    assert verdict is not None and verdict.kind is Kind.WAIT_BUDGET
    assert DIALECT.read_error_items(call, ccxt.NetworkError("reset")) is None
    assert DIALECT.read_error(call, ccxt.NetworkError("reset")) is None  # the engine classifies it
    garbled = ccxt.ExchangeError('okx {"code":"1","data":[{"ordId":')
    assert DIALECT.read_error_items(call, garbled) is None
    assert DIALECT.error_code(garbled) == "1"


def test_state_reads():
    request = CancelRequest("BTC/USDT:USDT", "9")
    call = DIALECT.build_state_read(item(request))
    assert call is not None and call.args == ({"instId": "BTC-USDT-SWAP", "ordId": "9"},)
    rows = {"live": OrderState.OPEN, "filled": OrderState.FILLED, "canceled": OrderState.CANCELED}
    for state, expected in rows.items():
        assert DIALECT.read_state(call, answer("0", {"ordId": "9", "state": state})) is expected
    for hostile in (answer("0"), answer("0", {"ordId": "8", "state": "live"}), answer("0", {"ordId": "9"})):
        with pytest.raises(MalformedResponse):
            DIALECT.read_state(call, hostile)
    missing = okx_error(ccxt.OrderNotFound, {"code": "51603", "msg": "Order does not exist", "data": []})
    assert DIALECT.read_state_error(call, missing) is OrderState.GONE
    algo = CancelRequest("BTC/USDT", "9", params={"stop": True})
    assert DIALECT.build_state_read(item(algo)) is None


def test_listing_pages_plain_and_algo_orders():
    scopes = DIALECT.list_scopes(MARKETS)
    assert scopes[0] == "orders" and "conditional,oco" in scopes and "chase" in scopes
    plain = DIALECT.build_list("orders", None)
    assert plain.args == ({"limit": "100"},)
    page = DIALECT.read_list(plain, answer("0", {"ordId": "5", "clOrdId": "c", "instId": "BTC-USDT"}))
    assert [(o.order_id, o.client_order_id, o.place, o.params) for o in page.orders] == [
        ("5", "c", "BTC-USDT", ())
    ]
    assert page.next_cursor is None
    full = answer("0", *({"ordId": str(i), "instId": "BTC-USDT"} for i in range(100, 0, -1)))
    assert DIALECT.read_list(plain, full).next_cursor == "1"
    algo = DIALECT.build_list("oco", "7")
    assert algo.args == ({"limit": "100", "after": "7", "ordType": "oco"},)
    listed = DIALECT.read_list(algo, answer("0", {"algoId": "3", "instId": "BTC-USDT-SWAP"}))
    (row,) = listed.orders
    assert (row.place, row.market_id, row.params) == (
        "BTC-USDT-SWAP",
        "BTC-USDT-SWAP",
        (("trigger", "true"),),
    )
    with pytest.raises(MalformedResponse):
        DIALECT.read_list(plain, answer("0", {"clOrdId": "c"}))


def test_the_countdown_is_account_wide_and_confirmed_by_trigger_time():
    assert DIALECT.countdown_range() == (10.0, 120.0)
    assert DIALECT.countdown_scopes(MARKETS, ["BTC/USDT"]) == [None]
    arm = DIALECT.build_countdown(None, 59.9)
    assert arm.args == ({"timeOut": "59"},)  # whole seconds, rounded down
    clear = DIALECT.build_countdown(None, None)
    assert clear.args == ({"timeOut": "0"},)
    DIALECT.read_countdown(arm, answer("0", {"triggerTime": "1700000059", "ts": "1700000000"}))
    DIALECT.read_countdown(clear, answer("0", {"triggerTime": "0", "ts": "1700000000"}))
    for call, hostile in (
        (arm, answer("0", {"triggerTime": "0"})),  # not armed
        (clear, answer("0", {"triggerTime": "1700000059"})),  # still armed
        (arm, answer("0")),
        (arm, answer("0", {"ts": "1"})),
        (arm, {"code": "0", "data": {}}),
        (arm, None),
    ):
        with pytest.raises(MalformedResponse):
            DIALECT.read_countdown(call, hostile)
