"""The Bybit dialect on its own: payload shapes, reading answers and errors, planning (no I/O).

The reference shapes are the Bybit v5 documentation examples (seeds 000/001/002), copied into
tests/exchanges/data/ so the tests run from a fresh clone.
"""

from __future__ import annotations

import json

import pytest

from batchcancel import CancelRequest, Settings, Status
from batchcancel.engine import Kind, MalformedResponse
from batchcancel.exchanges.bybit import (
    BATCH_METHOD,
    SINGLE_METHOD,
    BybitDialect,
    Group,
)
from tests.exchanges.bybit_fixtures import DATA, all_ok, answer, batch_call, item, new_job

# -- the documentation's example ------------------------------------------------------------------


def test_the_documented_batch_example_reads_as_one_canceled_and_one_already_closed():
    example = json.loads((DATA / "bybit_cancel_batch_example.json").read_text())
    requests = [
        CancelRequest("BTC/USDT", order_id="1666800494330512128"),
        CancelRequest("ATOM/USDT", client_order_id="1666800494330512129"),
    ]
    job = new_job(requests)
    (call,) = job.ready_calls(0.0, 8)
    # What we send is the documented request, key for key.
    assert call.method == BATCH_METHOD
    assert call.args == (example["request"],)
    job.on_result(call, 0.1, response=example["response"])
    assert job.done
    canceled, closed = job.report(0.0).outcomes
    assert (canceled.status, canceled.code, canceled.via) == (Status.CANCELED, "0", "bybit:batch")
    assert (closed.status, closed.code, closed.message) == (
        Status.ALREADY_CLOSED,
        "170213",
        "Order does not exist.",
    )


def test_the_documented_single_cancel_example_reads_as_canceled():
    example = json.loads((DATA / "bybit_cancel_example.json").read_text())
    request = CancelRequest("BTC/USDT:USDT", order_id=example["request"]["orderId"])
    dialect = BybitDialect()
    work = item(request)
    group = dialect.group_of(work)
    single = dialect.routes(group)[1]
    call = dialect.build(single, group, [work])
    assert call.method == SINGLE_METHOD
    assert call.args == ({"category": "linear", "symbol": "BTCUSDT", "orderId": request.order_id},)
    (verdict,) = dialect.read(call, example["response"])
    assert verdict.kind is Kind.FINAL and verdict.status is Status.CANCELED


# -- grouping, routes and payloads ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol", "params", "category"),
    [
        ("BTC/USDT", {}, "spot"),
        ("BTC/USDT:USDT", {}, "linear"),
        ("BTC/USD:BTC", {}, "inverse"),
        ("BTC/USDT:USDT-260327-60000-C", {}, "option"),
        ("BTC/USDT:USDT", {"category": "Inverse"}, "inverse"),  # the request's own override wins
    ],
)
def test_category_comes_from_the_market_unless_the_request_overrides_it(symbol, params, category):
    group = BybitDialect().group_of(item(CancelRequest(symbol, order_id="1", params=params)))
    assert group == Group(category, batchable=True)


@pytest.mark.parametrize(
    ("category", "maximum"), [("spot", 10), ("linear", 20), ("inverse", 20), ("option", 20)]
)
def test_documented_maximum_per_batch(category, maximum):
    batch, single = BybitDialect().routes(Group(category, True))
    assert (batch.name, batch.max_items, single.name, single.max_items) == ("batch", maximum, "single", 1)


def test_one_batch_holds_one_category_with_symbols_mixed_and_ids_as_given():
    requests = [
        CancelRequest("BTC/USDT", order_id="1"),
        CancelRequest("ETH/USDT", client_order_id="link-2"),
        CancelRequest("BTC/USDT:USDT", order_id="3", client_order_id="ignored-when-id-given"),
        CancelRequest("ETH/USDT:USDT", client_order_id="link-4"),
        CancelRequest("BTC/USD:BTC", order_id="5"),
    ]
    job = new_job(requests)
    first = job.ready_calls(0.0, 8)
    # Linear and inverse share a budget: after linear's full-size first batch (2 orders), the
    # documented floor of 10 orders/s still has room for inverse's, so all three go at once.
    assert sorted(c.args[0]["category"] for c in first) == ["inverse", "linear", "spot"]
    for call in first:
        job.on_result(call, 0.1, response=all_ok(call))
    calls = [*first, *job.ready_calls(0.1, 8)]
    bodies = sorted((c.args[0] for c in calls), key=lambda body: body["category"])
    assert [c.method for c in calls] == [BATCH_METHOD] * 3
    assert bodies == [
        {"category": "inverse", "request": [{"symbol": "BTCUSD", "orderId": "5"}]},
        {
            "category": "linear",
            "request": [
                {"symbol": "BTCUSDT", "orderId": "3"},
                {"symbol": "ETHUSDT", "orderLinkId": "link-4"},
            ],
        },
        {
            "category": "spot",
            "request": [
                {"symbol": "BTCUSDT", "orderId": "1"},
                {"symbol": "ETHUSDT", "orderLinkId": "link-2"},
            ],
        },
    ]


def test_linear_and_inverse_share_one_budget_per_endpoint_spot_and_option_have_their_own():
    dialect = BybitDialect()
    budget = {c: dialect.routes(Group(c, True))[0].budget for c in ("spot", "linear", "inverse")}
    assert budget["linear"] == budget["inverse"] != budget["spot"]
    batch, single = dialect.routes(Group("option", True))
    assert (batch.cost(20), single.cost(1)) == (1, 1)  # option batches count requests, not orders
    assert dialect.routes(Group("linear", True))[0].cost(20) == 20
    assert set(dialect.budgets(Settings())) >= {batch.budget, single.budget}


@pytest.mark.parametrize("order_filter", ["StopOrder", "tpslOrder"])
def test_spot_conditional_orders_go_through_the_single_endpoint_with_their_filter(order_filter):
    request = CancelRequest("BTC/USDT", client_order_id="tp-1", params={"orderFilter": order_filter})
    (call,) = new_job([request]).ready_calls(0.0, 8)
    assert (call.method, call.via) == (SINGLE_METHOD, "bybit:single")
    assert call.args == (
        {"category": "spot", "symbol": "BTCUSDT", "orderLinkId": "tp-1", "orderFilter": order_filter},
    )


def test_ccxt_trigger_flag_means_a_spot_stop_order_and_plain_order_filter_still_batches():
    dialect = BybitDialect()
    trigger = dialect.group_of(item(CancelRequest("BTC/USDT", order_id="1", params={"trigger": True})))
    plain = dialect.group_of(item(CancelRequest("BTC/USDT", order_id="1", params={"orderFilter": "Order"})))
    assert (trigger, plain) == (Group("spot", False), Group("spot", True))


def test_params_a_batch_item_cannot_carry_go_into_a_single_cancel_body():
    request = CancelRequest("BTC/USDT:USDT", order_id="7", params={"positionIdx": 1})
    (call,) = new_job([request]).ready_calls(0.0, 8)
    assert call.method == SINGLE_METHOD
    assert call.args[0] == {"category": "linear", "symbol": "BTCUSDT", "orderId": "7", "positionIdx": 1}


def test_an_unknown_category_override_is_sent_once_for_bybit_to_judge():
    request = CancelRequest("BTC/USDT", order_id="1", params={"category": "futures"})
    (call,) = new_job([request]).ready_calls(0.0, 8)
    assert (call.method, call.args[0]["category"], call.route.budget) == (SINGLE_METHOD, "futures", None)


@pytest.mark.parametrize(
    ("setting", "spot", "linear"), [(None, 10, 20), (5, 5, 5), (15, 10, 15), (50, 10, 20)]
)
def test_max_batch_size_lowers_but_never_raises_the_documented_maximum(setting, spot, linear):
    requests = [CancelRequest("BTC/USDT", order_id=str(i)) for i in range(30)]
    requests += [CancelRequest("BTC/USDT:USDT", order_id=str(i)) for i in range(30)]
    calls = new_job(requests, max_batch_size=setting).ready_calls(0.0, 8)
    sizes = {c.args[0]["category"]: len(c.items) for c in calls}  # the first (probe) batch per budget
    assert sizes == {"spot": spot, "linear": linear}


# -- reading batch answers -----------------------------------------------------------------------


def test_every_item_is_read_by_its_id_even_when_the_rows_come_back_out_of_order():
    a, b, c = (CancelRequest("BTC/USDT:USDT", order_id=i) for i in ("1", "2", "3"))
    call = batch_call(a, b, c)
    rows = [{"symbol": "BTCUSDT", "orderId": i, "orderLinkId": ""} for i in ("3", "1", "2")]
    codes = [
        {"code": 110001, "msg": "Order does not exist."},
        {"code": 0, "msg": "OK"},
        {"code": 10006, "msg": "Too many visits!"},
    ]
    verdicts = BybitDialect().read(call, answer(rows, codes))
    assert [(v.kind, v.status, v.code) for v in verdicts] == [
        (Kind.FINAL, Status.CANCELED, "0"),
        (Kind.WAIT_BUDGET, None, "10006"),
        (Kind.FINAL, Status.ALREADY_CLOSED, "110001"),
    ]


def test_an_item_missing_from_the_answer_is_never_assumed_cancelled():
    a, b = CancelRequest("BTC/USDT", order_id="1"), CancelRequest("BTC/USDT", client_order_id="x")
    call = batch_call(a, b)
    only_a = answer([{"symbol": "BTCUSDT", "orderId": "1", "orderLinkId": "l"}], [{"code": 0, "msg": "OK"}])
    wrong_id = answer(
        [{"symbol": "BTCUSDT", "orderId": "1"}, {"symbol": "BTCUSDT", "orderLinkId": "y"}],
        [{"code": 0, "msg": "OK"}, {"code": 0, "msg": "OK"}],
    )
    no_code = answer(
        [{"symbol": "BTCUSDT", "orderId": "1"}, {"symbol": "BTCUSDT", "orderLinkId": "x"}],
        [{"code": 0}, {"msg": "no code"}],
    )
    for response in (only_a, wrong_id, no_code):
        first, second = BybitDialect().read(call, response)
        assert first.status is Status.CANCELED
        assert second.kind is Kind.RETRY and second.status is None and second.state_unknown


@pytest.mark.parametrize(
    "codes",
    [
        [{"code": 0, "msg": "OK"}],  # one code lost: which order does it answer?
        [{"code": 0, "msg": "OK"}, {"code": 170213, "msg": "gone"}, {"code": 10006, "msg": "busy"}],
    ],
)
def test_code_lists_out_of_step_with_the_rows_are_not_read_by_position(codes):
    call = batch_call(CancelRequest("BTC/USDT", order_id="1"), CancelRequest("BTC/USDT", order_id="2"))
    rows = [{"symbol": "BTCUSDT", "orderId": "1"}, {"symbol": "BTCUSDT", "orderId": "2"}]
    with pytest.raises(MalformedResponse, match="2 result rows but"):
        BybitDialect().read(call, answer(rows, codes))


def test_a_row_for_another_symbol_does_not_answer_for_ours():
    call = batch_call(CancelRequest("BTC/USDT", order_id="1"))
    (verdict,) = BybitDialect().read(call, answer([{"symbol": "ETHUSDT", "orderId": "1"}], [{"code": 0}]))
    assert verdict.kind is Kind.RETRY


@pytest.mark.parametrize(
    ("code", "kind", "status"),
    [
        (110008, Kind.FINAL, Status.ALREADY_CLOSED),
        (170142, Kind.FINAL, Status.ALREADY_CLOSED),
        (170139, Kind.FINAL, Status.ALREADY_CLOSED),
        (170222, Kind.WAIT_BUDGET, None),
        (30035, Kind.WAIT_BUDGET, None),
        (170191, Kind.RETRY, None),
        (10016, Kind.RETRY, None),
        (110019, Kind.FINAL, Status.REJECTED),
        ("10001", Kind.FINAL, Status.REJECTED),
    ],
)
def test_item_codes_map_to_outcomes(code, kind, status):
    call = batch_call(CancelRequest("BTC/USDT", order_id="1"))
    (verdict,) = BybitDialect().read(
        call, answer([{"symbol": "BTCUSDT", "orderId": "1"}], [{"code": code, "msg": "m"}])
    )
    assert (verdict.kind, verdict.status, verdict.code, verdict.message) == (kind, status, str(code), "m")


@pytest.mark.parametrize(
    "response",
    [
        None,
        [],
        {"retCode": 0, "result": {}},
        {"retCode": 0, "result": {"list": []}, "retExtInfo": {}},
        {"result": {}},
    ],
)
def test_an_unreadable_batch_answer_is_malformed(response):
    with pytest.raises(MalformedResponse):
        BybitDialect().read(batch_call(CancelRequest("BTC/USDT", order_id="1")), response)
