"""Issue #11, cases 9-14 (the call's lifecycle): end to end through real HTTP on the sandbox.

Each test feeds the engine a hostile answer (or a hostile situation) and judges the outcomes
against the sandbox's book with ``check_invariant``: nothing reported closed is open, nothing
filled is reported cancelled, nothing cancelled is reported rejected.
"""

from __future__ import annotations

import _thread
import asyncio
import logging
import time

import ccxt
import ccxt.async_support
import pytest

from batchcancel import CancelRequest, Settings, Status, cancel_orders, cancel_orders_async
from batchcancel.sandbox import Sandbox
from tests.helpers import FAST, check_invariant, run_cancel
from tests.reliability.truth_common import BATCH, EXCHANGES, requests_for

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
    requests = requests_for(orders)
    told = []

    async def run():
        exchange = sandbox.client("bybit", async_=True, enableRateLimit=False)
        await exchange.load_markets()
        sandbox.set_latency(60)  # 30 batches of 2, two at a time: about a second in all
        call = asyncio.ensure_future(
            cancel_orders_async(
                exchange,
                requests,
                Settings(**FAST, max_batch_size=2, max_concurrency=2),
                on_outcome=told.append,
            )
        )
        try:
            # Cancelled once something was decided (a fixed timeout would decide nothing on a
            # machine slow enough), the way asyncio.wait_for or a host's shutdown cancels it.
            while not told and not call.done():
                await asyncio.sleep(0.005)
            call.cancel()
            await call
        finally:
            await exchange.close()

    with caplog.at_level(logging.WARNING), pytest.raises(asyncio.CancelledError):
        asyncio.run(run())
    assert 0 < len(told) < len(requests)
    assert len({id(o.request) for o in told}) == len(told)  # once each
    partial = _report_of(told)
    check_invariant(sandbox, "bybit", [o.request for o in told], partial)
    assert "call interrupted" in caplog.text and "decided" in caplog.text


def test_ctrl_c_in_a_sync_call_still_leaves_the_record(sandbox, caplog):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 60})
    requests = requests_for(orders)
    told = []

    def tell(outcome):
        # Ctrl-C once something was decided (a timer could fire before anything was, on a slow
        # machine): the interrupt lands in the main thread, where the driver runs.
        told.append(outcome)
        if len(told) == 1:
            _thread.interrupt_main()

    exchange = sandbox.client("bybit", enableRateLimit=False)
    exchange.load_markets()
    sandbox.set_latency(60)
    with caplog.at_level(logging.WARNING), pytest.raises(KeyboardInterrupt):
        cancel_orders(
            exchange,
            requests,
            Settings(**FAST, max_batch_size=2, max_concurrency=2),
            on_outcome=tell,
        )
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
