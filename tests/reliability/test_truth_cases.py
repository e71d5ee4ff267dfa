"""Issue #11: every case adversarial testing found, end to end through real HTTP on the sandbox.

Each test feeds the engine a hostile answer (or a hostile situation) and judges the outcomes
against the sandbox's book with ``check_invariant``: nothing reported closed is open, nothing
filled is reported cancelled, nothing cancelled is reported rejected.
"""

from __future__ import annotations

import _thread
import asyncio
import logging
import threading
import time

import ccxt
import ccxt.async_support
import pytest

from batchcancel import CancelRequest, Settings, Status, cancel_orders, cancel_orders_async
from batchcancel.sandbox import Sandbox
from tests.helpers import FAST, check_invariant, run_cancel

EXCHANGES = ["bybit", "bitget", "okx"]
SINGLE = {
    "bybit": "/v5/order/cancel",
    "bitget": "/api/v2/spot/trade/cancel-order",
    "okx": "/api/v5/trade/cancel-order",
}
BATCH = {
    "bybit": "/v5/order/cancel-batch",
    "bitget": "/api/v2/spot/trade/batch-cancel-order",
    "okx": "/api/v5/trade/cancel-batch-orders",
}


def requests_for(orders):
    return [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]


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


# -- 9. the deadline bounds calls already in flight ---------------------------------------------------


@pytest.mark.parametrize(("fault", "hold_s"), [("trickle", 0.15), ("timeout_not_applied", 20.0)])
def test_the_deadline_bounds_a_call_in_flight(fault, hold_s, mode):
    with Sandbox() as sandbox:
        orders = sandbox.seed_orders("bybit", {"BTC/USDT": 3})
        sandbox.inject(BATCH["bybit"], fault, hold_s=hold_s)
        requests = requests_for(orders)
        started = time.monotonic()

        report = run_cancel(sandbox, "bybit", mode, requests, Settings(**{**FAST, "deadline_s": 1.5}))

        elapsed = time.monotonic() - started
        check_invariant(sandbox, "bybit", requests, report)
        # A bound, not a speed claim: without it the call ran for the whole answer (57 s seen).
        assert elapsed < 1.5 + 3.0, elapsed
        assert all(o.status is Status.FAILED for o in report.outcomes)
        assert all(
            "state unknown" in o.message and "in flight at the deadline" in o.message for o in report.outcomes
        )


# -- 10. bad settings and params are refused before any request ----------------------------------------


def test_bad_params_are_refused_before_anything_is_sent(sandbox):
    (order,) = sandbox.seed_orders("bybit", {"BTC/USDT": 1})
    exchange = sandbox.client("bybit", enableRateLimit=False)
    with pytest.raises(TypeError, match="params keys must be non-empty strings, got 1"):
        cancel_orders(exchange, [CancelRequest("BTC/USDT", order_id=order.order_id, params={1: "x"})])
    with pytest.raises(ValueError, match="deadline_s must be a finite number"):
        cancel_orders(exchange, requests_for([order]), Settings(deadline_s=float("nan")))
    assert sandbox.count() == 0


# -- 11. no credentials in the library's own logs --------------------------------------------------------


def test_an_error_page_quoting_the_request_headers_leaks_no_credential(sandbox, caplog):
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 2})
    sandbox.inject(BATCH["bitget"], "echo_headers", times=None)
    sandbox.inject("/api/v2/spot/trade/orderInfo", "echo_headers", times=None)
    account = sandbox.default_account
    with caplog.at_level(logging.DEBUG, logger="batchcancel"):
        report = run_cancel(
            sandbox, "bitget", "sync", requests_for(orders), Settings(**{**FAST, "max_retries": 1})
        )
    # The library's own records (ccxt's DEBUG lines print headers by themselves: docs/reliability.md).
    ours = "\n".join(
        r.getMessage() + (r.exc_text or "") for r in caplog.records if r.name.startswith("batchcancel")
    )
    text = ours + repr(report) + " ".join(o.message for o in report.outcomes)
    assert "access-key" in ours.lower()  # the echo was logged...
    for secret in (account.api_key, account.secret, account.password):
        assert secret not in text  # ...without the key, the secret or the passphrase


# -- 12. an exchange closed mid-call: unknown, never rejected ------------------------------------------


def test_closing_an_async_exchange_mid_call_gives_failed_never_rejected(sandbox):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 20})
    sandbox.set_latency(40)
    requests = requests_for(orders)

    async def run():
        exchange = sandbox.client("bybit", async_=True, enableRateLimit=False)
        await exchange.load_markets()
        task = asyncio.ensure_future(
            cancel_orders_async(exchange, requests, Settings(**FAST, max_batch_size=1, max_concurrency=4))
        )
        await asyncio.sleep(0.1)
        await exchange.close()
        return await task

    report = asyncio.run(run())
    check_invariant(sandbox, "bybit", requests, report)
    statuses = {o.status for o in report.outcomes}
    assert Status.REJECTED not in statuses
    if not hasattr(ccxt.async_support.Exchange, "closed_by_user"):
        # ccxt before 4.5.71 (still supported: tox -e ccxt-oldest) reopens its session for a
        # request made after close(), so the call simply completes, every order truly answered.
        return
    assert Status.FAILED in statuses
    assert any("closed during the call" in o.message for o in report.outcomes)


# -- 13. an interrupted call still leaves its record -------------------------------------------------------


def test_a_cancelled_async_call_has_told_every_decided_outcome(sandbox, caplog):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 60})
    sandbox.set_latency(60)
    requests = requests_for(orders)
    told = []

    async def run():
        exchange = sandbox.client("bybit", async_=True, enableRateLimit=False)
        try:
            await asyncio.wait_for(
                cancel_orders_async(
                    exchange,
                    requests,
                    Settings(**FAST, max_batch_size=2, max_concurrency=2),
                    on_outcome=told.append,
                ),
                0.5,
            )
        finally:
            await exchange.close()

    with caplog.at_level(logging.WARNING), pytest.raises((asyncio.TimeoutError, TimeoutError)):
        asyncio.run(run())
    assert 0 < len(told) < len(requests)
    assert len({id(o.request) for o in told}) == len(told)  # once each
    partial = _report_of(told)
    check_invariant(sandbox, "bybit", [o.request for o in told], partial)
    assert "call interrupted" in caplog.text and "decided" in caplog.text


def test_ctrl_c_in_a_sync_call_still_leaves_the_record(sandbox, caplog):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 60})
    sandbox.set_latency(60)
    requests = requests_for(orders)
    told = []
    timer = threading.Timer(0.5, _thread.interrupt_main)
    exchange = sandbox.client("bybit", enableRateLimit=False)
    exchange.load_markets()
    timer.start()
    try:
        with caplog.at_level(logging.WARNING), pytest.raises(KeyboardInterrupt):
            cancel_orders(
                exchange,
                requests,
                Settings(**FAST, max_batch_size=2, max_concurrency=2),
                on_outcome=told.append,
            )
    finally:
        timer.cancel()
    assert 0 < len(told) < len(requests)
    check_invariant(sandbox, "bybit", [o.request for o in told], _report_of(told))
    assert "call interrupted" in caplog.text


SLOW_STEPS = Settings(**FAST, max_batch_size=2, max_concurrency=2)


def _report_of(outcomes):
    from batchcancel import CancelReport

    return CancelReport(tuple(outcomes))


# -- 14. under moderate faults, read the state instead of answering FAILED --------------------------------


@pytest.mark.parametrize("max_retries", [1, 3])
@pytest.mark.parametrize("exchange_id", EXCHANGES)
def test_under_a_moderate_fault_mix_almost_nothing_fails_and_nothing_is_untrue(
    sandbox, exchange_id, max_retries, mode
):
    """With one retry, the code before the fix left about 15% of the orders FAILED here (each of
    them cancelled, or open and cancellable); with three it was already under 5%."""
    counts = {"BTC/USDT": 40, "ETH/USDT": 40, "BTC/USDT:USDT": 40}
    orders = sandbox.seed_orders(exchange_id, counts)
    sandbox.set_budget_scale(100)
    # 15% 502 (not applied), 15% applied-then-lost 504, 10% held past the client's timeout
    # (applied): each rule is tried after the ones before it missed, hence the conditional rates.
    sandbox.inject("*cancel*", "http_502", times=None, rate=0.15)
    sandbox.inject("*cancel*", "http_504_applied", times=None, rate=0.15 / 0.85)
    sandbox.inject("*cancel*", "timeout_applied", times=None, rate=0.10 / 0.70, hold_s=0.6)
    requests = requests_for(orders)

    # Batches of 5: two dozen requests, so the mix's odds show, not one lucky draw.
    settings = Settings(**{**FAST, "max_retries": max_retries, "max_batch_size": 5})
    report = run_cancel(sandbox, exchange_id, mode, requests, settings, timeout=300)

    check_invariant(sandbox, exchange_id, requests, report)
    failed = len(report.failed)
    assert failed <= 0.05 * len(requests), report.counts()
    assert not report.rejected
