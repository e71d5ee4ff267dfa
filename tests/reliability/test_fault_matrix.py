"""The fault matrix: every injected fault, every exchange (Bitget classic and UTA), sync and async,
and the invariant holds.

Invariant: exactly one outcome per request; nothing reported CANCELED or ALREADY_CLOSED is still
open on the exchange; FAILED only after the bounded retries, carrying the last error.
"""

from __future__ import annotations

import time

import pytest

from batchcancel import CancelRequest, Settings, Status, get_plugin_manager, hookimpl
from tests.helpers import FAST, check_invariant, run_cancel
from tests.reliability.conftest import exchange_cases

EXCHANGES = [*exchange_cases("bybit", "bitget"), "okx", "binanceusdm"]
WORKLOAD = {
    "bybit": {"BTC/USDT": 12, "ETH/USDT": 3, "BTC/USDT:USDT": 25},
    "bitget": {"BTC/USDT": 55, "ETH/USDT": 3, "BTC/USDT:USDT": 6},
    "okx": {"BTC/USDT": 22, "ETH/USDT": 3, "BTC/USDT:USDT": 15},
    "binanceusdm": {"BTC/USDT:USDT": 23, "ETH/USDT:USDT": 3, "BTC/USDC:USDC": 6},
}
# Where the cancels go: Bybit's and Bitget's paths say "cancel"; Binance's batch is batchOrders.
CANCEL_GLOB = {
    "bybit": "*cancel*",
    "bitget": "*cancel*",
    "okx": "*cancel*",
    "binanceusdm": "/fapi/v1/batchOrders",
}
SYMBOL = {"bybit": "BTC/USDT", "bitget": "BTC/USDT", "okx": "BTC/USDT", "binanceusdm": "BTC/USDT:USDT"}


def is_cancel(entry) -> bool:
    return "cancel" in entry.path or (entry.method == "DELETE" and entry.path.startswith("/fapi/"))


CLIENT_TIMEOUT_MS = 400
HOLD_S = 1.0  # past the client's timeout


def seed(sandbox, exchange_id: str) -> list[CancelRequest]:
    """Open orders over spot and perpetuals, two filled beforehand; ids and client ids mixed."""
    orders = sandbox.seed_orders(exchange_id, WORKLOAD[exchange_id])
    sandbox.fill(exchange_id, [orders[3].order_id, orders[-1].order_id])
    return [
        CancelRequest(o.symbol, client_order_id=o.client_order_id)
        if i % 3 == 0
        else CancelRequest(o.symbol, order_id=o.order_id)
        for i, o in enumerate(orders)
    ]


# fault, how many requests it hits; every one of them recovers within the bounded retries
TRANSIENT_FAULTS = [
    ("http_500", 2),
    ("http_502", 2),
    ("reset", 2),
    ("timeout_applied", 1),
    ("timeout_not_applied", 1),
    ("malformed_json", 1),
    ("truncated_json", 1),
    ("drop_item", 2),
    ("extra_item", 2),
    ("maintenance", 2),
    ("rate_limit", 3),
]


@pytest.mark.parametrize("exchange_id", EXCHANGES)
@pytest.mark.parametrize(("fault", "times"), TRANSIENT_FAULTS, ids=[f for f, _ in TRANSIENT_FAULTS])
def test_transient_faults_end_with_every_order_closed_and_truly_reported(
    sandbox, exchange_id, mode, fault, times
):
    sandbox.set_budget_scale(100)
    requests = seed(sandbox, exchange_id)
    sandbox.inject(CANCEL_GLOB[exchange_id], fault, times=times, hold_s=HOLD_S)
    report = run_cancel(sandbox, exchange_id, mode, requests, Settings(**FAST), timeout=CLIENT_TIMEOUT_MS)

    check_invariant(sandbox, exchange_id, requests, report)
    assert report.ok, report.counts()
    assert sandbox.open_orders(exchange_id) == []
    filled = [o for o in report.outcomes if o.request in (requests[3], requests[-1])]
    assert all(o.status is Status.ALREADY_CLOSED for o in filled)
    assert served(sandbox, fault), "the fault was never served"


def served(sandbox, fault: str, within_s: float = 3.0) -> bool:
    """Whether the sandbox served ``fault``; a held response is logged only once its hold ends."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if any(entry.fault == fault for entry in sandbox.log):
            return True
        time.sleep(0.05)
    return False


STATE_READ_PATHS = (
    "/v5/order/realtime",
    "/api/v2/spot/trade/orderInfo",
    "/api/v3/trade/order-info",
    "/api/v5/trade/order",
    "/fapi/v1/order",
)


@pytest.mark.parametrize("exchange_id", EXCHANGES)
def test_a_persistent_fault_ends_failed_after_the_bounded_retries_with_the_last_error(
    sandbox, exchange_id, mode
):
    orders = sandbox.seed_orders(exchange_id, {SYMBOL[exchange_id]: 3})
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    sandbox.inject(CANCEL_GLOB[exchange_id], "http_500", times=None)
    settings = Settings(**{**FAST, "max_retries": 2})
    report = run_cancel(sandbox, exchange_id, mode, requests, settings)

    check_invariant(sandbox, exchange_id, requests, report)
    assert [o.status for o in report.outcomes] == [Status.FAILED] * 3
    # max_retries + 1 attempts, then a read of each order's state: still open, so one more attempt
    # and another read, twice (MAX_REOPEN): the outcome says it is open, with the last error.
    assert all(o.message.startswith("still open after 5 attempts; last error: ") for o in report.outcomes)
    prefix = len("still open after 5 attempts; last error: ")
    assert all(len(o.message) > prefix + 5 and o.code for o in report.outcomes)  # the last error, quoted
    cancels = [e for e in sandbox.log if is_cancel(e)]
    reads = [e for e in sandbox.log if e.path in STATE_READ_PATHS and e.method == "GET"]
    assert len(cancels) == 5  # one batch, sent 3 + 2 times: no more
    assert len(reads) == 3 * 3  # each order read after the 3rd, 4th and 5th attempt
    assert report.requests_sent == len(cancels) + len(reads)
    assert len(sandbox.open_orders(exchange_id)) == 3


@pytest.mark.parametrize("exchange_id", EXCHANGES)
def test_clock_skew_is_recovered_by_resyncing_ccxt(sandbox, exchange_id, mode):
    orders = sandbox.seed_orders(exchange_id, {SYMBOL[exchange_id]: 4})
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    sandbox.set_clock_skew(120_000)  # the server is two minutes ahead of us
    report = run_cancel(sandbox, exchange_id, mode, requests, Settings(**FAST))

    check_invariant(sandbox, exchange_id, requests, report)
    assert report.ok and sandbox.open_orders(exchange_id) == []
    codes = [entry.code for entry in sandbox.log if is_cancel(entry)]
    # first refused as stale, then resynced and accepted
    assert codes[0] in {"10002", "40008", "50102", "-1021"}


@pytest.mark.parametrize("exchange_id", EXCHANGES)
def test_bad_credentials_reject_everything_without_retries_or_fallback_storm(sandbox, exchange_id, mode):
    requests = seed(sandbox, exchange_id)
    sandbox.set_budget_scale(100)
    report = run_cancel(sandbox, exchange_id, mode, requests, Settings(**FAST), secret="wrong-secret-value")

    check_invariant(sandbox, exchange_id, requests, report)
    assert {o.status for o in report.outcomes} == {Status.REJECTED}
    assert all("AuthenticationError" in o.message for o in report.outcomes)
    cancels = [entry for entry in sandbox.log if is_cancel(entry)]
    assert 1 <= len(cancels) <= 8  # at most the first wave in flight; nothing after the refusal


class Exploding:
    """A third-party plugin with a bug: it claims every exchange and raises."""

    @hookimpl(tryfirst=True)
    def cancel_orders(self, exchange, requests, settings):
        raise RuntimeError("plugin bug")


@pytest.mark.parametrize("exchange_id", EXCHANGES)
def test_a_plugin_that_raises_does_not_lose_orders(sandbox, exchange_id, mode):
    orders = sandbox.seed_orders(exchange_id, {SYMBOL[exchange_id]: 3})
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    get_plugin_manager().register(Exploding(), name="exploding")
    report = run_cancel(sandbox, exchange_id, mode, requests, Settings(**FAST))

    check_invariant(sandbox, exchange_id, requests, report)
    assert report.ok and {o.via for o in report.outcomes} == {"ccxt:single"}
    assert sandbox.open_orders(exchange_id) == []


def test_a_plugin_that_raises_with_fallback_off_reports_failed(sandbox, mode):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    get_plugin_manager().register(Exploding(), name="exploding")
    report = run_cancel(sandbox, "bybit", mode, requests, Settings(**{**FAST, "fallback": False}))
    assert [o.status for o in report.outcomes] == [Status.FAILED] * 2
    assert "plugin error: RuntimeError: plugin bug" in report.outcomes[0].message


class ExplodingLater:
    """A plugin whose coroutine claims the call, then raises once awaited (a bug mid-run)."""

    @hookimpl(tryfirst=True)
    def cancel_orders(self, exchange, requests, settings):
        async def run():
            raise RuntimeError("plugin bug while running")

        return run()


def test_a_plugin_coroutine_that_raises_mid_run_does_not_lose_orders(sandbox):
    orders = sandbox.seed_orders("bitget", {"ETH/USDT": 3})
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    get_plugin_manager().register(ExplodingLater(), name="exploding-later")
    report = run_cancel(sandbox, "bitget", "async", requests, Settings(**FAST))

    check_invariant(sandbox, "bitget", requests, report)
    assert report.ok and {o.via for o in report.outcomes} == {"ccxt:single"}
    assert sandbox.open_orders("bitget") == []
