"""Issue #11, cases 1-8 (hostile answers): end to end through real HTTP on the sandbox.

Cases 9-14 (the call's lifecycle: deadline, bad input, secrets, interruptions, fault mixes) are in
``test_truth_lifecycle.py``.

Each test feeds the engine a hostile answer (or a hostile situation) and judges the outcomes
against the sandbox's book with ``check_invariant``: nothing reported closed is open, nothing
filled is reported cancelled, nothing cancelled is reported rejected.
"""

from __future__ import annotations

import pytest

from batchcancel import CancelRequest, Settings, Status
from batchcancel.sandbox import Sandbox
from tests.helpers import FAST, check_invariant, run_cancel
from tests.reliability.truth_common import BATCH, EXCHANGES, SINGLE, requests_for

# -- 1. the ccxt single path trusts no answer that does not name the order --------------------

NON_ANSWERS = [
    "empty_body",
    "null_body",
    "empty_list_body",
    "empty_object_body",
    "html_200",
    "redirect",
    "garbled_not_applied",
    "malformed_json",
    "truncated_json",
    "ok_without_id",
]


@pytest.mark.parametrize("fault", NON_ANSWERS)
@pytest.mark.parametrize("exchange_id", EXCHANGES)
def test_ccxt_single_cancels_count_only_answers_that_name_the_order(sandbox, exchange_id, fault, mode):
    orders = sandbox.seed_orders(exchange_id, {"BTC/USDT": 2})
    sandbox.fill(exchange_id, [orders[1].order_id])  # a filled order must not come out CANCELED
    sandbox.inject(SINGLE[exchange_id], fault, times=2)
    requests = requests_for(orders)

    report = run_cancel(sandbox, exchange_id, mode, requests, Settings(**FAST, enabled=False))

    check_invariant(sandbox, exchange_id, requests, report)
    live, filled = report.outcomes
    # An applied fault's retry finds the order gone: ALREADY_CLOSED, saying an earlier attempt
    # may have done it. Never CANCELED from the non-answer itself (the invariant checks the book).
    assert live.status in (Status.CANCELED, Status.ALREADY_CLOSED) and live.via.startswith("ccxt")
    assert filled.status is Status.ALREADY_CLOSED
    assert sandbox.open_orders(exchange_id) == []


# -- 2. verify mode reads past ccxt's pagination -------------------------------------------------


@pytest.mark.parametrize(("exchange_id", "others"), [("bybit", 560), ("bitget", 130)])
def test_verify_reads_every_page_of_open_orders(sandbox, exchange_id, others, mode):
    # The orders to cancel are the oldest on their symbol; newer ones fill the first pages ccxt
    # reads (Bybit: 10 pages of 50; Bitget spot: one page of 100).
    targets = sandbox.seed_orders(exchange_id, {"BTC/USDT": 4})
    sandbox.seed_orders(exchange_id, {"BTC/USDT": others})
    sandbox.set_budget_scale(100)
    sandbox.inject(BATCH[exchange_id], "ack_not_applied", times=1)
    requests = requests_for(targets)

    report = run_cancel(sandbox, exchange_id, mode, requests, Settings(**FAST, verify=True))

    check_invariant(sandbox, exchange_id, requests, report)
    assert all(o.status is Status.CANCELED and o.verified for o in report.outcomes)
    assert {o.order_id for o in sandbox.open_orders(exchange_id)}.isdisjoint(r.order_id for r in requests)


# -- 3. verify mode never confirms a cancel under the wrong symbol --------------------------------

WRONG = [("BTC/USDT", "BTC/USDT:USDT"), ("BTC/USDT", "ETH/USDT"), ("BTC/USDT:USDT", "BTC/USDT")]


@pytest.mark.parametrize(("placed", "named"), WRONG)
@pytest.mark.parametrize("exchange_id", EXCHANGES)
def test_an_order_cancelled_under_the_wrong_symbol_is_rejected_naming_where_it_is(
    sandbox, exchange_id, placed, named, mode
):
    (order,) = sandbox.seed_orders(exchange_id, {placed: 1})
    requests = [CancelRequest(named, order_id=order.order_id)]

    report = run_cancel(sandbox, exchange_id, mode, requests, Settings(**FAST, verify=True))

    check_invariant(sandbox, exchange_id, requests, report)
    (outcome,) = report.outcomes
    assert outcome.status is Status.REJECTED and not outcome.verified
    # OKX's instrument id names the market outright; the others add the category.
    assert f"open on {order.native_symbol}{',' if exchange_id == 'okx' else ' ('}" in outcome.message
    assert sandbox.order(exchange_id, order.order_id).status == "open"  # never cancelled elsewhere


def test_without_verify_the_wrong_symbol_is_what_the_exchange_said(sandbox):
    (order,) = sandbox.seed_orders("bybit", {"BTC/USDT": 1})
    report = run_cancel(
        sandbox, "bybit", "sync", [CancelRequest("ETH/USDT", order_id=order.order_id)], Settings(**FAST)
    )
    # Documented: ALREADY_CLOSED means "no such open order in the market you named".
    assert report.outcomes[0].status is Status.ALREADY_CLOSED


# -- 4. verify's reads are paced ---------------------------------------------------------------------


def test_verify_over_hundreds_of_symbols_reads_the_account_in_a_few_paced_requests(mode):
    with Sandbox(markets_per_type=300) as sandbox:
        counts = {m.symbol: 2 for m in sandbox.markets("bitget") if m.category == "spot"}
        orders = sandbox.seed_orders("bitget", counts)
        assert len(orders) == 600
        requests = requests_for(orders)

        report = run_cancel(sandbox, "bitget", mode, requests, Settings(**FAST, verify=True))

        check_invariant(sandbox, "bitget", requests, report)
        assert all(o.status is Status.CANCELED and o.verified for o in report.outcomes)
        assert [e for e in sandbox.log if e.status == 429] == []
        lists = [e for e in sandbox.log if e.path.endswith(("unfilled-orders", "orders-pending"))]
        assert len(lists) <= 8  # one per product type, not one per symbol


# -- 5. Bybit batch codes are never paired by position with a list of another length -------------


@pytest.mark.parametrize("fault", ["code_list_short", "code_list_long"])
def test_bybit_code_lists_out_of_step_decide_nothing(sandbox, fault, mode):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 3})
    sandbox.fill("bybit", [orders[0].order_id])
    sandbox.inject(BATCH["bybit"], fault)
    requests = requests_for(orders)

    report = run_cancel(sandbox, "bybit", mode, requests, Settings(**FAST))

    check_invariant(sandbox, "bybit", requests, report)
    assert report.outcomes[0].status is Status.ALREADY_CLOSED  # filled: never CANCELED
    assert report.ok and sandbox.open_orders("bybit") == []


def test_a_rate_limited_item_is_not_read_as_cancelled_when_the_code_list_is_short(sandbox):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 12})
    sandbox.set_limit("bybit", BATCH["bybit"], 8, group="spot")  # 10 sent, 8 fit: two get 10006
    sandbox.inject(BATCH["bybit"], "code_list_short")
    requests = requests_for(orders)

    report = run_cancel(sandbox, "bybit", "sync", requests, Settings(**FAST, max_batch_size=10))

    check_invariant(sandbox, "bybit", requests, report)
    assert sandbox.open_orders("bybit") == []


# -- 6. Cloudflare's 52x pages are unknowns, not rejections ------------------------------------------


@pytest.mark.parametrize("fault", ["cloudflare_520", "cloudflare_523", "cloudflare_524", "http_504_applied"])
@pytest.mark.parametrize("exchange_id", EXCHANGES)
def test_gateway_pages_are_retried_never_rejected(sandbox, exchange_id, fault, mode):
    orders = sandbox.seed_orders(exchange_id, {"BTC/USDT": 3})
    # The batch, and the single cancel a refused batch would be split into, each get one page.
    sandbox.inject("*cancel*", fault, times=2)
    requests = requests_for(orders)

    report = run_cancel(sandbox, exchange_id, mode, requests, Settings(**FAST))

    check_invariant(sandbox, exchange_id, requests, report)
    assert report.ok, [o.message for o in report.outcomes]
    assert sandbox.open_orders(exchange_id) == []


# -- 7. Bitget failures without errorCode -----------------------------------------------------------


@pytest.mark.parametrize("symbol", ["BTC/USDT", "BTC/USDT:USDT"])
def test_bitget_not_found_without_a_code_is_already_closed(sandbox, symbol, mode):
    orders = sandbox.seed_orders("bitget", {symbol: 3})
    sandbox.fill("bitget", [orders[0].order_id])
    sandbox.inject("/api/v2/*/batch-cancel-order*", "no_error_code")
    requests = requests_for(orders)

    report = run_cancel(sandbox, "bitget", mode, requests, Settings(**FAST))

    check_invariant(sandbox, "bitget", requests, report)
    first = report.outcomes[0]
    assert first.status is Status.ALREADY_CLOSED and first.message == "notExistend"
    assert [o.status for o in report.outcomes[1:]] == [Status.CANCELED] * 2


# -- 8. Bitget's single route must name the order ------------------------------------------------------


def test_bitget_single_success_without_an_id_cancels_nothing(sandbox, mode):
    (order,) = sandbox.seed_orders("bitget", {"BTC/USDT": 1})
    sandbox.set_limit("bitget", BATCH["bitget"], 0)  # the batch route refuses: the single one serves
    sandbox.inject(SINGLE["bitget"], "ok_without_id")
    requests = requests_for([order])

    report = run_cancel(sandbox, "bitget", mode, requests, Settings(**FAST))

    check_invariant(sandbox, "bitget", requests, report)
    assert report.outcomes[0].status is Status.CANCELED
    singles = [e for e in sandbox.log if e.path == SINGLE["bitget"]]
    assert [e.fault for e in singles] == ["ok_without_id", None]  # sent again, then done
