"""The Bybit dialect on its own: errors ccxt raises (single cancels, whole-batch refusals), budgets
read from headers, and which exchanges the plugin claims (no I/O)."""

from __future__ import annotations

import ccxt
import pytest

from batchcancel import CancelRequest, Settings, Status
from batchcancel.engine import Call, Kind
from batchcancel.exchanges.bybit import SINGLE_METHOD, BybitDialect, Group, cancel_orders, parse_error_body
from tests.exchanges.bybit_fixtures import batch_call, bybit_error, item, new_job

# -- errors raised by ccxt (single cancels, whole-batch refusals) --------------------------------


def single_call(request: CancelRequest) -> Call:
    dialect = BybitDialect()
    work = item(request)
    group = dialect.group_of(work)
    return dialect.build(dialect.routes(group)[-1], group, [work])


def test_a_single_cancel_of_a_closed_order_is_already_closed_with_bybits_code():
    call = single_call(CancelRequest("BTC/USDT:USDT", order_id="1"))
    error = bybit_error(ccxt.InvalidOrder, 110008, "The order has been completed or cancelled")
    verdict = BybitDialect().read_error(call, error)
    assert verdict is not None
    assert (verdict.status, verdict.code, verdict.message) == (
        Status.ALREADY_CLOSED,
        "110008",
        "The order has been completed or cancelled",
    )


def test_a_whole_batch_refused_as_not_open_is_split_up_to_find_out_per_order():
    call = batch_call(CancelRequest("BTC/USDT", order_id="1"), CancelRequest("BTC/USDT", order_id="2"))
    verdict = BybitDialect().read_error(
        call, bybit_error(ccxt.OrderNotFound, 170213, "Order does not exist.")
    )
    assert verdict is not None and verdict.kind is Kind.ISOLATE


def test_a_batch_refused_whole_goes_order_by_order_through_the_single_endpoint():
    # E.g. an account the batch endpoint is not offered to: the single endpoint still answers
    # for each order, with its own code.
    requests = [CancelRequest("BTC/USD:BTC", order_id="1"), CancelRequest("BTC/USD:BTC", order_id="2")]
    job = new_job(requests)
    (batch,) = job.ready_calls(0.0, 8)
    job.on_result(batch, 0.1, error=bybit_error(ccxt.BadRequest, 10001, "category not supported"))
    singles = []
    while not job.done:  # the single budget's first answer comes back before the next goes out
        for call in job.ready_calls(0.2, 8):
            singles.append(call)
            order_id = call.args[0]["orderId"]
            if order_id == "1":
                job.on_result(
                    call, 0.2, response={"retCode": 0, "result": {"orderId": "1", "orderLinkId": ""}}
                )
            else:
                error = bybit_error(ccxt.OrderNotFound, 110001, "Order does not exist.")
                job.on_result(call, 0.2, error=error)
    assert [c.method for c in singles] == [SINGLE_METHOD] * 2
    assert [(o.status, o.code, o.via) for o in job.report(0.0).outcomes] == [
        (Status.CANCELED, "0", "bybit:single"),
        (Status.ALREADY_CLOSED, "110001", "bybit:single"),
    ]


def test_retry_later_codes_are_transient_even_though_ccxt_calls_them_invalid_order():
    call = single_call(CancelRequest("BTC/USDT", order_id="1"))
    verdict = BybitDialect().read_error(call, bybit_error(ccxt.InvalidOrder, 170191, "try again later"))
    assert verdict is not None and (verdict.kind, verdict.code) == (Kind.RETRY, "170191")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (bybit_error(ccxt.AuthenticationError, 10003, "API key is invalid."), "10003"),
        (bybit_error(ccxt.BadRequest, 10001, "params error"), "10001"),
        (ccxt.RequestTimeout("bybit POST http://127.0.0.1/v5/order/cancel"), None),
    ],
)
def test_other_errors_are_left_to_the_engine_with_bybits_code_attached(error, code):
    call = single_call(CancelRequest("BTC/USDT", order_id="1"))
    dialect = BybitDialect()
    assert dialect.read_error(call, error) is None
    assert dialect.error_code(error) == code


def test_a_whole_request_rate_limited_waits_for_the_budget():
    call = single_call(CancelRequest("BTC/USDT", order_id="1"))
    verdict = BybitDialect().read_error(call, bybit_error(ccxt.RateLimitExceeded, 10006, "Too many visits!"))
    assert verdict is not None and (verdict.kind, verdict.code) == (Kind.WAIT_BUDGET, "10006")


def test_error_body_parsing_survives_a_truncated_body():
    error = ccxt.ExchangeError('bybit {"retCode":170150,"retMsg":"Cancel order failed","result":{')
    assert parse_error_body(error) == (170150, "Cancel order failed")


# -- budgets from headers ------------------------------------------------------------------------


def test_observe_reads_the_limit_headers_for_the_calls_budget():
    call = batch_call(CancelRequest("BTC/USDT:USDT", order_id="1"))
    call = Call(call.method, call.args, call.items, route=BybitDialect().routes(Group("linear", True))[0])
    headers = {
        "X-Bapi-Limit": "10",
        "X-Bapi-Limit-Status": "0",
        "X-Bapi-Limit-Reset-Timestamp": "1713434300047",
    }
    seen = BybitDialect().observe(call, headers)
    assert seen is not None
    assert (seen.key, seen.limit, seen.remaining, seen.reset_at) == (
        "batch:derivatives",
        10,
        0,
        1713434300.047,
    )
    assert BybitDialect().observe(call, {"Content-Type": "application/json"}) is None


def test_the_plugin_claims_bybit_only():
    assert cancel_orders(ccxt.bitget(), [CancelRequest("BTC/USDT", order_id="1")], Settings()) is None
