"""The Bitget plugin for a unified trading account (UTA) end to end: public API -> engine -> real
ccxt in UTA mode (sync and async) -> HTTP -> the sandbox in UTA mode (v3 only).

As in test_bitget_e2e.py, clients run with ``enableRateLimit=False`` and the sandbox's budgets
scaled up, so what the sandbox sees is what the plugin planned (its own pacing at v3's documented
5 batch requests/s per UID still applies).
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from batchcancel import CancelReport, CancelRequest, Settings, Status
from tests.helpers import needs_uta_probe, run_cancel

BATCH = "/api/v3/trade/cancel-batch"
SINGLE = "/api/v3/trade/cancel-order"
ORDER_INFO = "/api/v3/trade/order-info"


def run(sandbox, mode: str, requests: list[CancelRequest], settings: Settings | None = None,
        **config) -> CancelReport:  # fmt: skip
    """Cancel with a fresh ccxt bitget client in UTA mode, markets loaded, log cleared."""
    return run_cancel(sandbox, "bitget", mode, requests, settings, loaded=True, **config)


def served(sandbox) -> Counter[str]:
    """Every request the cancel sent, by path: v3 only, never a v2 path."""
    return Counter(entry.path for entry in sandbox.log)


def symbols(sandbox, category: str, count: int) -> list[str]:
    return [m.symbol for m in sandbox.markets("bitget") if m.category == category][:count]


def spread(names: list[str], n: int) -> dict[str, int]:
    counts = {s: n // len(names) + (1 if i < n % len(names) else 0) for i, s in enumerate(names)}
    return {symbol: count for symbol, count in counts.items() if count}


def by_order_id(orders) -> list[CancelRequest]:
    return [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]


@pytest.fixture
def sandbox(uta_sandbox):
    uta_sandbox.set_budget_scale(100)
    return uta_sandbox


@pytest.mark.parametrize("category", ["spot", "USDT-FUTURES"])
@pytest.mark.parametrize("n", [1, 20, 21])
def test_orders_of_one_category_over_many_symbols_go_in_the_fewest_batches(sandbox, mode, n, category):
    orders = sandbox.seed_orders("bitget", spread(symbols(sandbox, category, 7), n))
    report = run(sandbox, mode, by_order_id(orders))
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * n
    assert {o.via for o in report.outcomes} == {"bitget:batch"}
    assert sandbox.open_orders("bitget") == []
    # Up to 20 orders of one category per request, whatever their symbols: the minimum.
    assert served(sandbox) == {BATCH: math.ceil(n / 20)} and report.requests_sent == math.ceil(n / 20)
    assert sorted(e.items for e in sandbox.log) == sorted([20] * (n // 20) + ([n % 20] if n % 20 else []))


def test_spot_and_three_futures_categories_one_category_per_batch(sandbox, mode):
    orders = sandbox.seed_orders(
        "bitget",
        {**spread(symbols(sandbox, "spot", 5), 21), **spread(symbols(sandbox, "USDT-FUTURES", 3), 21),
         "BTC/USD:BTC": 2, "ETH/USD:ETH": 1, "BTC/USDC:USDC": 3},
    )  # fmt: skip
    report = run(sandbox, mode, by_order_id(orders))
    assert report.ok and len(report.canceled) == len(orders) == 48
    assert sandbox.open_orders("bitget") == []
    # spot 20 + 1, USDT-FUTURES 20 + 1, COIN-FUTURES 3, USDC-FUTURES 3: six batches, one more
    # than v3's 5 a second; the sixth group's 3 orders go as single cancels in this window
    # instead of waiting for the next (3 requests instead of 1, a second sooner).
    assert served(sandbox) == {BATCH: 5, SINGLE: 3}
    assert sorted(e.items for e in sandbox.log if e.path == BATCH) == [1, 1, 3, 20, 20]


def test_a_thousand_orders_over_spot_and_futures_go_in_full_batches(sandbox, mode):
    # 50 full batches at v3's 5 requests/s would take ten windows: the plugin paces by it.
    orders = sandbox.seed_orders(
        "bitget",
        {**spread(symbols(sandbox, "spot", 10), 600), **spread(symbols(sandbox, "USDT-FUTURES", 8), 400)},
    )
    report = run(sandbox, mode, by_order_id(orders))
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 1000
    assert sandbox.open_orders("bitget") == []
    # The minimum: 50 full batches. v3 has one batch budget for every category, and single cancels
    # beside it would not finish the call a window sooner (10/s beside 100 orders/s of batches).
    assert served(sandbox) == {BATCH: 50} and report.requests_sent == 50
    assert [e.items for e in sandbox.log] == [20] * 50


def test_ids_and_client_ids_may_share_a_batch(sandbox, mode):
    orders = sandbox.seed_orders("bitget", spread(symbols(sandbox, "spot", 4), 12))
    requests = [
        CancelRequest(o.symbol, client_order_id=o.client_order_id)
        if i % 2
        else CancelRequest(o.symbol, o.order_id)
        for i, o in enumerate(orders)
    ]
    report = run(sandbox, mode, requests)
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 12
    assert served(sandbox) == {BATCH: 1}  # v3's own example mixes the two kinds in one request


def test_filled_missing_and_unknown_symbol_get_their_true_outcomes(sandbox, mode):
    spot = sandbox.seed_orders("bitget", {"BTC/USDT": 4, "ETH/USDT": 2})
    futures = sandbox.seed_orders("bitget", {"BTC/USDT:USDT": 3})
    sandbox.fill("bitget", [spot[0].order_id, futures[1].order_id])
    requests = [
        *by_order_id(spot + futures),
        CancelRequest("BTC/USDT", "404"),
        CancelRequest("NOPE/USDT", "1"),
    ]
    report = run(sandbox, mode, requests)
    outcomes = {o.request.order_id: o for o in report.outcomes}
    for closed in (spot[0].order_id, futures[1].order_id, "404"):  # filled, filled, never existed
        outcome = outcomes.pop(closed)
        assert (outcome.status, outcome.code, outcome.via) == (Status.ALREADY_CLOSED, "25204", "bitget:batch")
    unknown = outcomes.pop("1")
    assert unknown.status is Status.REJECTED and "unknown symbol" in unknown.message
    assert all(o.status is Status.CANCELED for o in outcomes.values())
    assert sandbox.open_orders("bitget") == []
    assert served(sandbox) == {BATCH: 2}  # nothing was sent for the unknown symbol


def test_an_entry_missing_from_the_answer_is_sent_again_and_ends_true(sandbox, mode):
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 10, "ETH/USDT": 5})
    sandbox.inject(BATCH, "drop_item")  # applied to every order; one entry is missing
    report = run(sandbox, mode, by_order_id(orders), Settings(backoff_base_s=0.01))
    assert next((e.fault, e.items) for e in sandbox.log if e.path == BATCH) == ("drop_item", 15)
    (again,) = [o for o in report.outcomes if o.status is not Status.CANCELED]
    assert (again.status, again.code) == (Status.ALREADY_CLOSED, "25204")
    assert len(report.canceled) == 14 and sandbox.open_orders("bitget") == []


def test_with_the_budget_binding_429s_are_waited_out_not_stormed(sandbox, mode):
    # The exchange allows 2 batch requests a window here, fewer than the documented 5 the plugin
    # paces by: the third answer is a 429; its orders wait a window instead of hammering.
    sandbox.set_limit("bitget", BATCH, 2)
    orders = sandbox.seed_orders("bitget", spread(symbols(sandbox, "spot", 6), 100))
    report = run(sandbox, mode, by_order_id(orders), Settings(max_concurrency=1, max_retries=0))
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 100
    statuses = [e.status for e in sandbox.log if e.path == BATCH]
    assert statuses.count(200) == 5 and 1 <= statuses.count(429) <= 3
    assert sandbox.open_orders("bitget") == []


@needs_uta_probe
def test_ccxts_own_detection_of_a_uta_account_is_followed(sandbox, mode):
    # options['uta'] unset: ccxt probes /api/v3/account/settings while loading markets (the
    # sandbox in UTA mode answers it), and the plugin then speaks v3 only.
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 3, "ETH/USDT:USDT": 2})
    report = run(sandbox, mode, by_order_id(orders), options={"uta": None})
    assert report.ok and served(sandbox) == {BATCH: 2}
    assert sandbox.open_orders("bitget") == []


def test_trigger_params_are_left_to_ccxt_and_without_fallback_say_why(sandbox, mode, caplog):
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 2})
    requests = [CancelRequest(o.symbol, o.order_id, params={"trigger": True}) for o in orders]
    caplog.set_level("INFO", logger="batchcancel")
    report = run(sandbox, mode, requests, Settings(fallback=False))
    assert all(o.status is Status.REJECTED and "fallback" in o.message for o in report.outcomes)
    assert "UTA params ['trigger']" in caplog.text
    assert served(sandbox) == {} and report.requests_sent == 0


def test_a_classic_account_never_sends_v3(uta_sandbox, sandbox_server, mode):
    # The classic sandbox (the session's default one), ccxt told nothing: its probe fails there.
    sandbox_server.reset()
    orders = sandbox_server.seed_orders("bitget", {"BTC/USDT": 3, "BTC/USDT:USDT": 2})
    report = run_cancel(
        sandbox_server, "bitget", mode, by_order_id(orders), options={"uta": None}, loaded=True
    )
    assert report.ok and not any("/api/v3/trade/" in e.path for e in sandbox_server.log)
    # Natively through v2, also on a ccxt without the probe (which speaks v2 to every account).
    assert {o.via.split(":")[0] for o in report.outcomes} == {"bitget"}
    sandbox_server.reset()


@needs_uta_probe
def test_markets_loaded_before_the_keys_leave_the_choice_to_ccxt(sandbox, mode):
    # Without keys ccxt's load_markets cannot probe, and leaves options['uta'] unset; the plugin
    # then sends neither v2 nor v3 itself: ccxt's cancel_order probes and cancels through v3.
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 2})
    keys = {"apiKey": sandbox.api_key, "secret": sandbox.secret, "password": sandbox.password}

    def keys_after_markets(exchange):
        assert exchange.options["uta"] is None
        for name, value in keys.items():
            setattr(exchange, name, value)

    report = run_cancel(
        sandbox, "bitget", mode, by_order_id(orders), loaded=True, prepare=keys_after_markets,
        options={"uta": None}, apiKey=None, secret=None, password=None,
    )  # fmt: skip
    assert report.ok and {o.via for o in report.outcomes} == {"ccxt:single"}
    counts = served(sandbox)  # ccxt probes in each cancel_order in flight before the first answer
    assert set(counts) == {"/api/v3/account/settings", SINGLE} and counts[SINGLE] == 2


def test_verify_mode_reads_the_account_through_v3_unfilled_orders(sandbox, mode):
    orders = sandbox.seed_orders("bitget", {"BTC/USDT": 5, "BTC/USDT:USDT": 4})
    report = run(sandbox, mode, by_order_id(orders), Settings(verify=True))
    assert all(o.status is Status.CANCELED and o.verified for o in report.outcomes)
    counts = served(sandbox)  # one page per category the markets hold, after the batches
    assert counts[BATCH] == 2 and counts["/api/v3/trade/unfilled-orders"] == 4
    assert set(counts) == {BATCH, "/api/v3/trade/unfilled-orders"}


def test_verify_mode_rejects_a_cancel_under_the_wrong_symbol_naming_where_it_is(sandbox, mode):
    (order,) = sandbox.seed_orders("bitget", {"BTC/USDT": 1})
    report = run(sandbox, mode, [CancelRequest("ETH/USDT", order_id=order.order_id)], Settings(verify=True))
    (outcome,) = report.outcomes
    assert outcome.status is Status.REJECTED and "open on BTCUSDT (SPOT)" in outcome.message
    assert sandbox.order("bitget", order.order_id).status == "open"
