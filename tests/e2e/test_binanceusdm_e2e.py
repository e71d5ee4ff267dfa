"""The Binance USDⓈ-M plugin end to end: public API -> engine -> real ccxt (sync and async) -> HTTP
-> sandbox.

Clients run with ``enableRateLimit=False``, so ccxt's own throttle does not shape the request
counts: what the sandbox sees is what the plugin planned.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter

import pytest

from batchcancel import CancelReport, CancelRequest, Settings, Status
from batchcancel.engine import MalformedResponse
from batchcancel.exchanges.binanceusdm import BinanceUsdmDialect
from batchcancel.sandbox.binanceusdm import rules as sandbox_rules
from tests.helpers import FAST, check_invariant, run_cancel
from tests.sandbox.sandbox_http import wait_until

EX = "binanceusdm"
BATCH = "/fapi/v1/batchOrders"
ORDER = "/fapi/v1/order"


def run(sandbox, mode: str, requests: list[CancelRequest], settings: Settings | None = None) -> CancelReport:
    """Cancel through the public API with a fresh ccxt binanceusdm client, markets loaded, log cleared."""
    return run_cancel(sandbox, EX, mode, requests, settings, loaded=True)


def cancels(sandbox) -> Counter[tuple[str, str]]:
    return Counter((e.method, e.path) for e in sandbox.log if e.method == "DELETE")


def by_order_id(orders) -> list[CancelRequest]:
    return [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]


def perps(sandbox, count: int) -> list[str]:
    return [m.symbol for m in sandbox.markets(EX) if m.quote == "USDT"][:count]


@pytest.mark.parametrize("n", [1, 10, 11, 1000])
def test_one_symbols_orders_cancel_in_the_fewest_requests(sandbox, mode, n):
    orders = sandbox.seed_orders(EX, {"BTC/USDT:USDT": n})
    report = run(sandbox, mode, by_order_id(orders))
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * n
    assert {o.via for o in report.outcomes} == {"binanceusdm:batch"}
    assert sandbox.open_orders(EX) == []
    # One DELETE /fapi/v1/batchOrders per 10 orders: the minimum, and nothing else sent.
    assert cancels(sandbox) == {("DELETE", BATCH): math.ceil(n / 10)}
    assert report.requests_sent == math.ceil(n / 10)
    assert sorted(e.items for e in sandbox.log) == sorted([10] * (n // 10) + ([n % 10] if n % 10 else []))


def test_mixed_symbols_and_kinds_of_id_one_symbol_and_one_kind_per_request(sandbox, mode):
    orders = sandbox.seed_orders(EX, {"BTC/USDT:USDT": 23, "ETH/USDT:USDT": 4, "BTC/USDC:USDC": 3})
    requests = [
        CancelRequest(o.symbol, client_order_id=o.client_order_id)
        if o.native_symbol == "ETHUSDT" and i % 2
        else CancelRequest(o.symbol, order_id=o.order_id)
        for i, o in enumerate(orders)
    ]
    report = run(sandbox, mode, requests)
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * len(requests)
    assert sandbox.open_orders(EX) == []
    # BTCUSDT 10 + 10 + 3, ETHUSDT 2 by id + 2 by client id, BTCUSDC 3: six batches.
    assert cancels(sandbox) == {("DELETE", BATCH): 6}
    assert sorted(e.items for e in sandbox.log) == [2, 2, 3, 3, 10, 10]


def test_filled_cancelled_missing_and_unknown_symbol_orders_get_their_true_outcomes(sandbox, mode):
    orders = sandbox.seed_orders(EX, {"BTC/USDT:USDT": 8, "ETH/USDT:USDT": 3})
    sandbox.fill(EX, [orders[0].order_id, orders[9].order_id])
    client = sandbox.client(EX, enableRateLimit=False)
    client.cancel_order(orders[4].order_id, orders[4].symbol)  # cancelled before, through ccxt
    requests = [
        *by_order_id(orders),
        CancelRequest("BTC/USDT:USDT", "424242"),  # never existed
        CancelRequest("NOPE/USDT:USDT", "1"),  # not a market
    ]
    report = run(sandbox, mode, requests)
    check_invariant(sandbox, EX, requests, report)
    outcomes = {o.request.order_id: o for o in report.outcomes[:-1]}
    closed = {orders[0].order_id, orders[9].order_id, orders[4].order_id, "424242"}
    for order_id, outcome in outcomes.items():
        if order_id in closed:
            assert (outcome.status, outcome.code, outcome.via) == (
                Status.ALREADY_CLOSED, "-2011", "binanceusdm:batch"
            )  # fmt: skip
        else:
            assert outcome.status is Status.CANCELED
    unknown = report.outcomes[-1]
    assert unknown.status is Status.REJECTED and "unknown symbol" in unknown.message
    assert sandbox.open_orders(EX) == []
    assert cancels(sandbox) == {("DELETE", BATCH): 2}  # BTCUSDT 9, ETHUSDT 3: nothing for NOPE


def test_an_order_missing_from_the_answer_is_sent_again_and_ends_with_a_true_outcome(sandbox, mode):
    orders = sandbox.seed_orders(EX, {"BTC/USDT:USDT": 10})
    sandbox.inject(BATCH, "drop_item")  # applied; the answer lacks one row: no position is trusted
    report = run(sandbox, mode, by_order_id(orders), Settings(**FAST))
    (again,) = [o for o in report.outcomes if o.status is not Status.CANCELED]
    assert (again.status, again.code) == (Status.ALREADY_CLOSED, "-2011")
    assert [(e.fault, e.items) for e in sandbox.log if e.path == BATCH] == [("drop_item", 10), (None, 1)]
    assert sandbox.open_orders(EX) == []


def test_when_the_ips_weight_binds_429s_are_waited_out_by_retry_after_not_stormed(sandbox, mode):
    # Other processes on the IP have used most of its weight: 5 a window are left, fewer than the
    # 2,400 a minute the plugin paces by. Each 429 says Retry-After; the plugin waits for it.
    sandbox.set_limit(EX, "weight", 5)
    orders = sandbox.seed_orders(EX, {"BTC/USDT:USDT": 150})
    settings = Settings(max_concurrency=4, max_retries=0, deadline_s=30)
    report = run(sandbox, mode, by_order_id(orders), settings)
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 150
    statuses = [e.status for e in sandbox.log if e.path == BATCH]
    assert statuses.count(200) == 15
    # Each time the budget runs out, at most the requests then in flight are refused; the sandbox's
    # window rolls (its Retry-After says when the oldest weight frees), so a window may run out
    # twice. A storm, one refusal per retry without waiting, would be hundreds.
    windows = math.ceil(15 / 5)
    assert 1 <= statuses.count(429) <= 2 * settings.max_concurrency * windows
    assert sandbox.open_orders(EX) == []


def test_ids_a_batch_cannot_carry_and_own_params_go_through_the_single_endpoint(sandbox, mode):
    orders = sandbox.seed_orders(EX, {"BTC/USDT:USDT": 3})
    requests = [
        CancelRequest(orders[0].symbol, order_id=orders[0].order_id, params={"recvWindow": 5000}),
        CancelRequest(orders[1].symbol, client_order_id=orders[1].client_order_id),
        CancelRequest(orders[2].symbol, order_id="not-a-number"),
    ]
    report = run(sandbox, mode, requests, Settings(**FAST))
    assert [o.status for o in report.outcomes[:2]] == [Status.CANCELED] * 2
    assert report.outcomes[0].via == "binanceusdm:single"
    bad = report.outcomes[2]
    assert bad.status is Status.REJECTED and bad.code == "-1102"
    assert cancels(sandbox) == {("DELETE", ORDER): 2, ("DELETE", BATCH): 1}


def test_conditional_orders_are_left_to_ccxt_and_without_fallback_say_why(sandbox, mode):
    (order,) = sandbox.seed_orders(EX, {"BTC/USDT:USDT": 1})
    requests = [CancelRequest(order.symbol, order_id=order.order_id, params={"trigger": True})]
    report = run(sandbox, mode, requests, Settings(fallback=False))
    (outcome,) = report.outcomes
    assert outcome.status is Status.REJECTED and "algoOrder" in outcome.message
    assert cancels(sandbox) == {} and report.requests_sent == 0


@pytest.fixture
def short_countdowns(monkeypatch):
    monkeypatch.setattr(sandbox_rules, "COUNTDOWN_MIN_MS", 100)


def test_the_dialects_countdown_through_real_ccxt_arms_confirms_and_disarms(sandbox, mode, short_countdowns):
    # What DeadMansSwitch sends for Binance: one countdown per symbol, built and read by the dialect.
    dialect = BinanceUsdmDialect()
    btc = sandbox.seed_orders(EX, {"BTC/USDT:USDT": 3})
    eth = sandbox.seed_orders(EX, {"ETH/USDT:USDT": 2})

    async def send(client, call):
        answer = getattr(client, call.method)(*call.args)
        return await answer if mode == "async" else answer

    async def scenario():
        client = sandbox.client(EX, async_=mode == "async", enableRateLimit=False)
        try:
            markets = await client.load_markets() if mode == "async" else client.load_markets()
            scopes = dialect.countdown_scopes(markets, ["BTC/USDT:USDT", "ETH/USDT:USDT"])
            for scope in scopes:  # arm both
                call = dialect.build_countdown(scope, 0.3)
                dialect.read_countdown(call, await send(client, call))
            disarm = dialect.build_countdown("ETHUSDT", None)  # ETH is left alone
            dialect.read_countdown(disarm, await send(client, disarm))
        finally:
            if mode == "async":
                await client.close()

    asyncio.run(scenario())
    assert len(sandbox.open_orders(EX)) == 5  # not before it runs out
    wait_until(lambda: {o.order_id for o in sandbox.open_orders(EX)} == {o.order_id for o in eth}, 3)
    assert all(sandbox.order(EX, o.order_id).status == "canceled" for o in btc)


@pytest.mark.parametrize("fault", ["ok_without_id", "empty_object_body", "malformed_json", "redirect"])
def test_hostile_answers_to_a_single_cancel_are_never_read_as_a_cancel(sandbox, mode, fault):
    orders = sandbox.seed_orders(EX, {"BTC/USDT:USDT": 2})
    requests = [CancelRequest(o.symbol, order_id=o.order_id, params={"recvWindow": 5000}) for o in orders]
    sandbox.inject(ORDER, fault, times=2)  # DELETE and GET alike: the cancels and their read-backs
    report = run(sandbox, mode, requests, Settings(**FAST))
    check_invariant(sandbox, EX, requests, report)
    assert report.ok and sandbox.open_orders(EX) == []
    assert any(e.fault == fault for e in sandbox.log)


@pytest.mark.parametrize("fault", ["ok_without_id", "empty_object_body", "html_200", "truncated_json"])
def test_a_countdown_answer_that_does_not_echo_what_was_asked_is_not_a_confirmation(sandbox, fault):
    dialect = BinanceUsdmDialect()
    client = sandbox.client(EX, enableRateLimit=False)
    call = dialect.build_countdown("BTCUSDT", 5.0)
    sandbox.inject("/fapi/v1/countdownCancelAll", fault)
    answer = getattr(client, call.method)(*call.args)  # ccxt hands each of them back as it came
    with pytest.raises(MalformedResponse):
        dialect.read_countdown(call, answer)
