"""The OKX plugin end to end: public API -> engine -> real ccxt okx (sync and async) -> HTTP -> sandbox.

Clients run with ``enableRateLimit=False``; the sandbox's budgets are scaled up unless a test says
otherwise, so what the sandbox sees is what the plugin planned (its own pacing at OKX's documented
300 orders per 2 s still applies).
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from batchcancel import CancelReport, CancelRequest, Settings, Status
from tests.helpers import FAST, run_cancel

BATCH = "/api/v5/trade/cancel-batch-orders"
SINGLE = "/api/v5/trade/cancel-order"
ALGOS = "/api/v5/trade/cancel-algos"
CANCEL_PATHS = (BATCH, SINGLE, ALGOS)


def run(sandbox, mode: str, requests: list[CancelRequest], settings: Settings | None = None) -> CancelReport:
    """Cancel through the public API with a fresh ccxt okx client, markets loaded, log cleared."""
    return run_cancel(sandbox, "okx", mode, requests, settings, loaded=True)


def cancels(sandbox) -> Counter[str]:
    return Counter(entry.path for entry in sandbox.log if entry.path in CANCEL_PATHS)


def by_order_id(orders) -> list[CancelRequest]:
    return [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]


def spread(sandbox, n: int) -> dict[str, int]:
    """``n`` orders over spot pairs and USDT perpetuals alike (up to 40 markets)."""
    markets = [m.symbol for m in sandbox.markets("okx")]
    symbols = [s for s in markets if ":" not in s][:20] + [s for s in markets if s.endswith(":USDT")][:20]
    symbols = symbols[: max(1, min(n, len(symbols)))]
    return {s: n // len(symbols) + (1 if i < n % len(symbols) else 0) for i, s in enumerate(symbols)}


@pytest.fixture
def sandbox(sandbox):
    sandbox.set_budget_scale(100)
    return sandbox


@pytest.mark.parametrize("n", [1, 20, 21, pytest.param(1000, marks=pytest.mark.slow)])
def test_spot_and_swap_orders_cancel_in_the_fewest_requests(sandbox, mode, n):
    orders = sandbox.seed_orders("okx", spread(sandbox, n))
    assert len(orders) == n

    report = run(sandbox, mode, by_order_id(orders))

    assert [o.status for o in report.outcomes] == [Status.CANCELED] * n
    assert sandbox.open_orders("okx") == []
    # One request per 20 orders, whatever the instruments and their types: the minimum. Past the
    # batch budget (300 orders per 2 s: only the 1,000) the single endpoint's own budget carries
    # orders meanwhile, one per request.
    singles = sum(o.via == "okx:single" for o in report.outcomes)
    assert singles == 0 or n > 300
    assert cancels(sandbox) == Counter({BATCH: math.ceil((n - singles) / 20), SINGLE: singles})
    assert report.requests_sent == math.ceil((n - singles) / 20) + singles
    assert [e for e in sandbox.log if e.status != 200] == []


def test_filled_cancelled_missing_and_unknown_symbol_orders_get_their_true_outcomes(sandbox, mode):
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 3, "ETH/USDT:USDT": 3})
    sandbox.fill("okx", [orders[0].order_id])
    sandbox.fill("okx", [orders[3].order_id], qty="0.5")  # partly filled: still cancellable
    requests = [
        *by_order_id(orders),
        CancelRequest("BTC/USDT", order_id="1899999999999999999"),  # no such order
        CancelRequest("NOPE/USDT", order_id="1"),  # no such market: nothing is sent for it
        CancelRequest("ETH/USDT:USDT", client_order_id=orders[4].client_order_id),
    ]
    first = run(sandbox, mode, requests[:2])  # cancels orders[1] (and meets the filled orders[0])
    assert [(o.status, o.code) for o in first.outcomes] == [
        (Status.ALREADY_CLOSED, "51400"),
        (Status.CANCELED, "0"),
    ]

    report = run(sandbox, mode, requests[1:])

    outcomes = [(o.status, o.code) for o in report.outcomes]
    assert outcomes[0] == (Status.ALREADY_CLOSED, "51400")  # cancelled by the first call
    assert outcomes[1:5] == [(Status.CANCELED, "0")] * 4
    assert outcomes[5] == (Status.ALREADY_CLOSED, "51400")
    assert report.outcomes[6].status is Status.REJECTED and report.outcomes[6].via == "resolve"
    assert outcomes[7] == (Status.ALREADY_CLOSED, "51400")  # orders[4] again, by its client id
    assert sandbox.open_orders("okx") == []
    assert cancels(sandbox) == Counter({BATCH: 1})  # the log holds the second call only


def test_a_batch_where_every_order_fails_is_read_order_by_order_from_cckts_exception(sandbox, mode):
    # OKX answers code "1" when no order of a batch was cancelled, and ccxt raises on it: each
    # order's sCode is still read from the answer inside the exception, by id.
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 2, "SOL/USDT:USDT": 1})
    sandbox.fill("okx", [o.order_id for o in orders])
    report = run(sandbox, mode, [*by_order_id(orders), CancelRequest("BTC/USDT", order_id="7")])

    assert [(o.status, o.code) for o in report.outcomes] == [(Status.ALREADY_CLOSED, "51400")] * 3 + [
        (Status.ALREADY_CLOSED, "51400")
    ]
    assert cancels(sandbox) == Counter({BATCH: 1})
    assert [e.code for e in sandbox.log if e.path == BATCH] == ["1"]


def test_algo_orders_go_through_cancel_algos_ten_at_a_time(sandbox, mode):
    algos = sandbox.seed_orders("okx", {"BTC/USDT:USDT": 12}, order_filter="conditional")
    plain = sandbox.seed_orders("okx", {"BTC/USDT:USDT": 2})
    requests = [CancelRequest(o.symbol, order_id=o.order_id, params={"trigger": True}) for o in algos]

    report = run(sandbox, mode, requests + by_order_id(plain))

    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 14
    assert Counter(o.via for o in report.outcomes) == Counter({"okx:algo": 12, "okx:batch": 2})
    assert cancels(sandbox) == Counter({ALGOS: 2, BATCH: 1})
    assert sandbox.open_orders("okx") == []


def test_an_algo_id_sent_as_a_plain_order_is_not_found_and_stays_open(sandbox, mode):
    (algo,) = sandbox.seed_orders("okx", {"BTC/USDT": 1}, order_filter="trigger")
    report = run(sandbox, mode, by_order_id([algo]))
    assert (report.outcomes[0].status, report.outcomes[0].code) == (Status.ALREADY_CLOSED, "51400")
    assert [o.order_id for o in sandbox.open_orders("okx")] == [algo.order_id]


@pytest.mark.slow
def test_with_the_documented_budget_binding_no_storm_of_50011(sandbox, mode):
    # Budget scale 1: 300 orders per 2 s per instrument (the plugin counts all instruments
    # against one 300): 700 orders on one instrument take three windows and no refusal.
    sandbox.set_budget_scale(1)
    orders = sandbox.seed_orders("okx", {"BTC/USDT:USDT": 350, "BTC/USDT": 350})

    report = run(sandbox, mode, by_order_id(orders))

    assert report.ok and report.counts()["canceled"] == 700
    assert sandbox.open_orders("okx") == []
    assert [e for e in sandbox.log if e.status == 429] == []


def test_past_a_pinned_budget_50011_answers_are_waited_out_not_failed(sandbox, mode):
    sandbox.set_limit("okx", BATCH, 25)  # orders per instrument and 2 s: the second batch is refused
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 40})

    report = run(sandbox, mode, by_order_id(orders), Settings(**FAST))

    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 40
    statuses = [e.status for e in sandbox.log if e.path in CANCEL_PATHS]
    assert 429 in statuses and statuses.count(429) <= 2
    assert sandbox.open_orders("okx") == []


@pytest.mark.parametrize(
    ("fault", "statuses", "batches"),
    [
        # All five cancelled, one answered for nobody: asked again, it is not open (51400).
        ("drop_item", {Status.CANCELED: 4, Status.ALREADY_CLOSED: 1}, 2),
        # An entry for an order nobody asked for answers for nobody.
        ("extra_item", {Status.CANCELED: 5}, 1),
    ],
)
def test_batch_answers_are_read_by_id_not_by_position(sandbox, fault, statuses, batches):
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 3, "ETH/USDT:USDT": 2})
    sandbox.inject(BATCH, fault, times=1)

    report = run(sandbox, "sync", by_order_id(orders))

    assert Counter(o.status for o in report.outcomes) == statuses
    assert sandbox.count(BATCH) == batches
    assert sandbox.open_orders("okx") == []


def test_verify_mode_reads_the_account_back_through_orders_pending(sandbox, mode):
    orders = sandbox.seed_orders("okx", {"BTC/USDT": 3, "BTC/USDT:USDT": 2})
    algos = sandbox.seed_orders("okx", {"ETH/USDT:USDT": 1}, order_filter="oco")
    sandbox.inject(BATCH, "ack_not_applied", times=1)  # "0" for all, nothing done
    requests = [
        *by_order_id(orders),
        CancelRequest(algos[0].symbol, algos[0].order_id, params={"stop": True}),
    ]

    report = run(sandbox, mode, requests, Settings(verify=True, **FAST))

    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 6
    assert all(o.verified for o in report.outcomes)
    assert sandbox.open_orders("okx") == []
    assert sandbox.count("/api/v5/trade/orders-pending") >= 2
    assert sandbox.count("/api/v5/trade/orders-algo-pending") >= 6
