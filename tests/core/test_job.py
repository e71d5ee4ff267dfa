"""The sans-IO engine, driven step by step with scripted exchange answers (no I/O, no clock)."""

from __future__ import annotations

import ccxt
import pytest

from batchcancel import CancelRequest, Settings, Status
from batchcancel.engine import BudgetObservation, Call, CancelJob, Verdict
from batchcancel.engine.ccxt_single import CcxtSingleCancel
from tests.helpers import MARKETS, new_job, requests, typed


def answer_all(job: CancelJob, calls, now: float, verdict_for) -> None:
    for call in calls:
        if call.method == "cancel_order":
            outcome = verdict_for(call.items[0])
            if isinstance(outcome, BaseException):
                job.on_result(call, now, error=outcome)
            else:
                job.on_result(call, now, response={"id": call.items[0].request.order_id})
            continue
        job.on_result(call, now, response={item.request.order_id: verdict_for(item) for item in call.items})


def run_to_end(job: CancelJob, verdict_for, slots: int = 100, max_steps: int = 1000) -> list[Call]:
    """Drive the job like a driver would, but with a virtual clock and instant answers."""
    now, sent = 0.0, []
    for _ in range(max_steps):
        if job.done:
            return sent
        calls = job.ready_calls(now, slots)
        sent.extend(calls)
        answer_all(job, calls, now, verdict_for)
        if not calls:
            now = max(now + 1e-6, job.next_wakeup(now))
    raise AssertionError("job did not finish")


def test_chunks_to_the_route_maximum_and_answers_every_request_in_order():
    job = new_job(requests(7))
    sent = run_to_end(job, lambda item: Verdict.canceled())
    assert [len(c.items) for c in sent] == [3, 3, 1]
    report = job.report(0.0)
    assert [o.request.order_id for o in report.outcomes] == [str(i) for i in range(7)]
    assert all(o.status is Status.CANCELED and o.via == "toy:batch" for o in report.outcomes)
    assert report.requests_sent == 3


def test_groups_never_share_a_request():
    reqs = [*requests(2, "BTC/USDT"), CancelRequest("BTC/USDT:USDT", order_id="9")]
    sent = run_to_end(new_job(reqs), lambda item: Verdict.canceled())
    assert sorted(len(c.items) for c in sent) == [1, 2]
    assert {c.items[0].market["type"] for c in sent} == {"spot", "swap"}


def test_duplicates_are_sent_once_and_each_gets_the_outcome():
    reqs = [
        CancelRequest("BTC/USDT", order_id="1"),
        CancelRequest("BTC/USDT", order_id=1),
        {"symbol": "BTC/USDT", "id": "2"},
    ]
    reqs[2] = CancelRequest.from_ccxt(reqs[2])
    job = new_job(reqs)
    sent = run_to_end(job, lambda item: Verdict.canceled())
    assert sum(len(c.items) for c in sent) == 2
    report = job.report(0.0)
    assert len(report.outcomes) == 3 and report.outcomes[1].request is reqs[1]


def test_unknown_and_ambiguous_symbols_are_rejected_without_a_request():
    reqs = [
        CancelRequest("NOPE/USDT", order_id="1"),
        CancelRequest("BTCUSDT", order_id="2"),
        CancelRequest("ETHUSDT", order_id="3"),
    ]
    job = new_job(reqs)
    sent = run_to_end(job, lambda item: Verdict.canceled())
    unknown, ambiguous, native = job.report(0.0).outcomes
    assert unknown.status is Status.REJECTED and "unknown symbol" in unknown.message
    assert ambiguous.status is Status.REJECTED and "ambiguous" in ambiguous.message
    assert native.status is Status.CANCELED
    assert [item.request.order_id for call in sent for item in call.items] == ["3"]


def test_budget_limits_the_batch_and_spends_the_single_route_alongside():
    job = new_job(requests(10), typed(batch_limit=4, single_limit=2))
    first = job.ready_calls(0.0, 100)
    assert [(c.route.name, len(c.items)) for c in first] == [
        ("batch", 3),
        ("batch", 1),
        ("single", 1),
        ("single", 1),
    ]
    answer_all(job, first, 0.1, lambda item: Verdict.canceled())
    assert job.ready_calls(0.2, 100) == []  # budget spent for this window
    assert job.next_wakeup(0.2) == pytest.approx(1.1)  # window counted from the answers' arrival
    sent = run_to_end(job, lambda item: Verdict.canceled())
    assert sum(len(c.items) for c in sent) == 4
    assert job.report(0.0).ok


def test_observation_raises_the_budget(monkeypatch):
    dialect = typed(batch_limit=3, single_limit=0.0001)
    monkeypatch.setattr(
        dialect, "observe", lambda call, headers: BudgetObservation("batch", limit=9, remaining=6)
    )
    job = new_job(requests(9), dialect)
    first = job.ready_calls(0.0, 100)
    assert [len(c.items) for c in first] == [3]
    job.on_result(
        first[0],
        0.1,
        response={i.request.order_id: Verdict.canceled() for i in first[0].items},
        headers={"x": "1"},
    )
    assert [len(c.items) for c in job.ready_calls(0.2, 100)] == [3, 3]


def test_missing_items_are_sent_again_never_assumed_cancelled():
    attempts: dict[str, int] = {}

    def verdict(item):
        attempts[item.request.order_id] = attempts.get(item.request.order_id, 0) + 1
        if item.request.order_id == "1" and attempts["1"] == 1:
            return Verdict.missing()
        return Verdict.canceled()

    job = new_job(requests(3))
    run_to_end(job, verdict)
    assert attempts == {"0": 1, "1": 2, "2": 1}
    assert job.report(0.0).ok


def test_transient_errors_end_failed_after_bounded_retries_with_the_last_error():
    job = new_job(requests(2), max_retries=2)

    def verdict(item):
        return Verdict.transient("10016", "server restarting")

    sent = run_to_end(job, verdict)
    assert len(sent) == 3  # first try + 2 retries
    outcomes = job.report(0.0).outcomes
    assert all(
        o.status is Status.FAILED and o.code == "10016" and "server restarting" in o.message for o in outcomes
    )


def test_network_error_on_the_call_is_retried_then_succeeds():
    job = new_job(requests(3))
    first = job.ready_calls(0.0, 10)
    job.on_result(first[0], 0.0, error=ccxt.RequestTimeout("toy timed out"))
    assert not job.done
    sent = run_to_end(job, lambda item: Verdict.canceled())
    assert len(sent) == 1 and job.report(0.0).ok


def test_a_refused_batch_is_isolated_to_find_the_bad_order():
    job = new_job(requests(3))
    (first,) = job.ready_calls(0.0, 10)
    job.on_result(first, 0.0, error=ccxt.BadRequest('toy {"code":10001,"msg":"params error"}'))
    singles = job.ready_calls(0.0, 10)
    assert [len(c.items) for c in singles] == [1, 1, 1]
    for call in singles:
        if call.items[0].request.order_id == "1":
            job.on_result(call, 0.0, error=ccxt.BadRequest("toy bad id"))
        else:
            job.on_result(call, 0.0, response={call.items[0].request.order_id: Verdict.canceled()})
    statuses = [o.status for o in job.report(0.0).outcomes]
    assert statuses == [Status.CANCELED, Status.REJECTED, Status.CANCELED]


def test_auth_failure_rejects_everything_and_sends_nothing_more():
    job = new_job(requests(9), typed(batch_limit=3, single_limit=0.0001))
    (first,) = job.ready_calls(0.0, 10)
    job.on_result(
        first, 0.0, error=ccxt.AuthenticationError('toy {"retCode":10003,"retMsg":"API key is invalid."}')
    )
    assert job.ready_calls(5.0, 10) == []
    assert job.done
    outcomes = job.report(0.0).outcomes
    assert all(o.status is Status.REJECTED and "API key is invalid" in o.message for o in outcomes)


def test_order_not_found_on_a_single_cancel_means_already_closed():
    job = new_job(requests(1), typed(no_route_for="spot"))
    sent = run_to_end(job, lambda item: ccxt.OrderNotFound("toy order does not exist"))
    assert [c.method for c in sent] == ["cancel_order"]
    (outcome,) = job.report(0.0).outcomes
    assert outcome.status is Status.ALREADY_CLOSED and outcome.via == "ccxt:single"


def test_without_fallback_unserved_orders_are_rejected_and_say_why():
    job = new_job(requests(2), typed(no_route_for="spot"), fallback=False)
    sent = run_to_end(job, lambda item: Verdict.canceled())
    assert sent == []
    assert all("fallback" in o.message and o.status is Status.REJECTED for o in job.report(0.0).outcomes)


def rate_limited_twice():
    hits = {"n": 0}

    def verdict(item):
        hits["n"] += 1
        if hits["n"] <= 2:
            return Verdict.rate_limited("10006", "Too many visits", retry_at=5.0)
        return Verdict.canceled()

    return verdict


def test_rate_limited_items_wait_for_the_reset_and_do_not_spend_retries():
    # A single cancel budget already spent: the batch route's reset is the only way on.
    job = new_job(requests(2), typed(single_limit=0.0001), max_retries=0)
    verdict = rate_limited_twice()
    (first,) = job.ready_calls(0.0, 10)
    answer_all(job, [first], 0.1, verdict)
    assert job.ready_calls(1.0, 10) == []
    assert job.next_wakeup(1.0) == pytest.approx(5.0)
    sent = run_to_end(job, verdict)
    assert job.report(0.0).ok and len(sent) == 1
    assert all(call.route.name == "batch" for call in sent)


def test_rate_limited_items_take_another_route_with_budget_left_at_once():
    # Bybit's case: the batch budget is spent, its separate single-cancel budget is not.
    job = new_job(requests(2), max_retries=0)
    verdict = rate_limited_twice()
    (first,) = job.ready_calls(0.0, 10)
    answer_all(job, [first], 0.1, verdict)
    singles = job.ready_calls(0.2, 10)
    assert [(call.route.name, len(call.items)) for call in singles] == [("single", 1), ("single", 1)]
    answer_all(job, singles, 0.3, verdict)
    assert job.done and job.report(0.0).ok


def test_deadline_turns_waiting_orders_into_failed():
    job = new_job(requests(2), deadline_s=3.0)
    (first,) = job.ready_calls(0.0, 10)
    answer_all(
        job, [first], 0.1, lambda item: Verdict.rate_limited("10006", "Too many visits", retry_at=60.0)
    )
    assert job.next_wakeup(0.2) == pytest.approx(3.0)
    assert job.ready_calls(3.0, 10) == []
    assert job.done
    assert all(o.status is Status.FAILED and "deadline" in o.message for o in job.report(0.0).outcomes)


def test_invalid_nonce_resyncs_the_clock_before_sending_again():
    job = new_job(requests(1))
    (first,) = job.ready_calls(0.0, 10)
    job.on_result(first, 0.0, error=ccxt.InvalidNonce("toy timestamp outside recv window"))
    (resync,) = job.ready_calls(1.0, 10)
    assert resync.method == "load_time_difference"
    assert job.ready_calls(1.0, 10) == []  # nothing goes out while the clock resyncs
    job.on_result(resync, 1.0, response=0)
    (again,) = job.ready_calls(1.0, 10)
    job.on_result(again, 1.0, response={"0": Verdict.canceled()})
    assert job.report(0.0).ok


def test_markets_are_loaded_first_when_the_exchange_has_none():
    job = CancelJob(typed(), requests(1), Settings(), now=0.0, fallback=CcxtSingleCancel())
    (load,) = job.ready_calls(0.0, 10)
    assert load.method == "load_markets"
    job.on_result(load, 0.0, error=ccxt.NetworkError("toy down"))
    assert job.ready_calls(0.0, 10) == []
    later = job.ready_calls(job.next_wakeup(0.0), 10)
    assert [c.method for c in later] == ["load_markets"]
    job.on_result(later[0], 1.0, response=MARKETS)
    (cancel,) = job.ready_calls(1.0, 10)
    assert cancel.items[0].market["id"] == "BTCUSDT"


def test_secrets_never_reach_an_outcome_message():
    job = CancelJob(
        typed(), requests(1), Settings(max_retries=0), now=0.0, markets=MARKETS, secrets=["s3cr3t-value"]
    )
    (call,) = job.ready_calls(0.0, 10)
    job.on_result(call, 0.0, error=ccxt.NetworkError("echo s3cr3t-value from a broken proxy"))
    (outcome,) = job.report(0.0).outcomes
    assert "s3cr3t-value" not in outcome.message and "***" in outcome.message
