"""Verify mode in the sans-IO job: read the open orders back, cancel again what is still open."""

from __future__ import annotations

import ccxt

from batchcancel import CancelRequest, Status
from batchcancel.engine import Call, Verdict
from tests.helpers import FakeDialect, new_job, requests, typed


def verify_job(reqs, **settings):
    return new_job(reqs, typed(listing=True), verify=True, **settings)


def only_on(scope, orders):
    """An answer for the list call of ``scope`` (the others see nothing open)."""
    return lambda call: orders if call.args[0] == scope else []


def step(job, now, answer_cancel, open_orders):
    """Start what is ready and answer it: cancels by ``answer_cancel``, verifies by ``open_orders``."""
    calls = job.ready_calls(now, 100)
    for call in calls:
        if call.purpose == "verify":
            result = open_orders(call)
            if isinstance(result, BaseException):
                job.on_result(call, now, error=result)
            else:
                job.on_result(call, now, response=result)
        else:
            job.on_result(call, now, response={i.request.order_id: answer_cancel(i) for i in call.items})
    return calls


def run(job, answer_cancel, open_orders, max_steps=50):
    now, sent = 0.0, []
    for _ in range(max_steps):
        if job.done:
            return sent
        calls = step(job, now, answer_cancel, open_orders)
        sent += calls
        if not calls:
            now = max(now + 1e-3, job.next_wakeup(now))
    raise AssertionError("job did not finish")


def test_orders_absent_from_the_open_orders_are_marked_verified():
    job = verify_job(requests(4))
    sent = run(job, lambda item: Verdict.canceled(), lambda call: [])
    verify_calls = [c for c in sent if c.purpose == "verify"]
    # The whole account is read: one list per scope (market type), whatever the requests name.
    assert sorted(c.args[0] for c in verify_calls) == ["spot", "swap"]
    report = job.report(0.0)
    assert all(o.verified and o.status is Status.CANCELED for o in report.outcomes)
    assert report.requests_sent == 4  # two cancels (3 + 1) and two read-backs


def test_every_page_is_read_to_the_end_with_the_cursor():
    def pages(call):
        scope, cursor = call.args
        if scope != "spot":
            return []
        if cursor is None:
            return {"orders": [{"id": "x1"}], "next": "c1"}
        if cursor == "c1":
            return {"orders": [{"id": "x2"}], "next": "c2"}
        return {"orders": [{"id": "3"}], "next": None}  # the order asked about is on the third page

    job = verify_job(requests(4), max_retries=0)
    sent = run(job, lambda item: Verdict.canceled(), pages)
    spot_pages = [c.args[1] for c in sent if c.purpose == "verify" and c.args[0] == "spot"]
    assert spot_pages[:3] == [None, "c1", "c2"]
    outcomes = job.report(0.0).outcomes
    assert all(o.verified for o in outcomes[:3])
    assert outcomes[3].status is Status.FAILED and "still open" in outcomes[3].message


def test_a_cursor_that_comes_round_again_leaves_the_outcomes_unverified():
    job = verify_job(requests(2), max_retries=1)
    run(job, lambda item: Verdict.canceled(), lambda call: {"orders": [], "next": "same"})
    assert all(o.status is Status.CANCELED and not o.verified for o in job.report(0.0).outcomes)


def test_an_order_open_under_another_symbol_is_rejected_naming_it_and_not_cancelled_there():
    # The exchange said "no such order" for BTC/USDT; the order rests on ETH/USDT.
    job = verify_job([CancelRequest("BTC/USDT", order_id="7")])
    sent = run(
        job,
        lambda item: Verdict.already_closed("170213", "Order does not exist."),
        only_on("spot", [{"id": "7", "symbol": "ETH/USDT"}]),
    )
    (outcome,) = job.report(0.0).outcomes
    assert outcome.status is Status.REJECTED and not outcome.verified
    assert "open on ETH/USDT, not on BTC/USDT" in outcome.message
    assert len([c for c in sent if c.purpose == "cancel"]) == 1  # never sent under ETH/USDT


def test_an_acknowledged_cancel_still_open_is_sent_again_and_keeps_its_canceled_status():
    applied: set[str] = set()

    def cancel(item):
        if item.request.order_id == "1" and "1" not in applied:
            applied.add("1")  # acknowledged, not applied yet (Bybit cancels asynchronously)
            return Verdict.canceled()
        if item.request.order_id == "1":
            return Verdict.already_closed("170213", "Order does not exist.")
        return Verdict.canceled()

    rounds = []

    def open_orders(call):
        if call.args[0] != "spot":
            return []
        rounds.append(len(rounds))
        return [{"id": "1", "clientOrderId": None}] if len(rounds) == 1 else []

    job = verify_job(requests(2))
    run(job, cancel, open_orders)
    first, second = job.report(0.0).outcomes
    assert second.status is Status.CANCELED and second.verified
    assert first.status is Status.CANCELED and first.verified
    assert len(rounds) == 2


def test_an_order_that_stays_open_ends_failed_after_the_bounded_rounds():
    job = verify_job(requests(1), max_retries=2)
    sent = run(job, lambda item: Verdict.canceled(), only_on("spot", [{"id": "0"}]))
    (outcome,) = job.report(0.0).outcomes
    assert (
        outcome.status is Status.FAILED and "still open after 3 verified cancel attempts" in outcome.message
    )
    assert len([c for c in sent if c.purpose == "cancel"]) == 3


def test_client_order_ids_are_matched_when_there_is_no_order_id():
    job = verify_job([CancelRequest("BTC/USDT", client_order_id="grid-1")], max_retries=0)
    run(
        job,
        lambda item: Verdict.canceled(),
        only_on("spot", [{"id": "999", "clientOrderId": "grid-1"}]),
    )
    assert job.report(0.0).outcomes[0].status is Status.FAILED


def test_a_read_back_that_keeps_failing_leaves_the_outcomes_unverified():
    job = verify_job(requests(2), max_retries=1)
    sent = run(job, lambda item: Verdict.canceled(), lambda call: ccxt.NetworkError("down"))
    report = job.report(0.0)
    assert all(o.status is Status.CANCELED and not o.verified for o in report.outcomes)
    assert len([c for c in sent if c.purpose == "verify"]) == 2  # one page, asked twice: then given up


def test_without_a_listing_or_a_state_read_verify_leaves_the_outcomes_unverified():
    job = new_job(requests(2), verify=True)
    sent = run(job, lambda item: Verdict.canceled(), lambda call: [])
    assert all(c.purpose == "cancel" for c in sent)
    assert all(o.status is Status.CANCELED and not o.verified for o in job.report(0.0).outcomes)


def test_without_verify_nothing_is_read_back():
    job = new_job(requests(2))
    sent = run(job, lambda item: Verdict.canceled(), lambda call: [])
    assert all(c.purpose == "cancel" for c in sent)
    assert not any(o.verified for o in job.report(0.0).outcomes)


def test_a_verify_read_cut_off_by_the_deadline_leaves_the_outcome_unverified_not_failed():
    # Verify mode without a listing reads each order's state (ccxt's fetch_order on the generic
    # path); a read still queued or in flight at the deadline must not turn CANCELED into FAILED.
    from batchcancel.engine.reading import OrderState

    class Reading(FakeDialect):
        def build_state_read(self, item):
            return Call("fetch_order", (item.request.order_id,), (item,))

        def read_state(self, call, response):
            return OrderState.CANCELED

    job = new_job(requests(3), Reading(), verify=True, deadline_s=10.0, max_concurrency=1)
    now = 0.0
    for call in job.ready_calls(now, 100):  # the cancels
        job.on_result(call, now, response={})
    reads = job.ready_calls(now, 1)  # one verify read goes out; the others wait
    assert [c.purpose for c in reads] == ["state"]
    job.expire(11.0)  # the deadline, with that read in flight and two queued
    assert job.done
    outcomes = job.report(0.0).outcomes
    assert [o.status for o in outcomes] == [Status.CANCELED] * 3
    assert not any(o.verified for o in outcomes)
