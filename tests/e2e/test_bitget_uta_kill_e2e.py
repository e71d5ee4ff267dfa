"""The kill switch on a Bitget unified trading account (UTA) end to end: ``cancel_all_orders``
(sync and async) -> real ccxt in UTA mode -> HTTP -> the sandbox in UTA mode (v3 only).

v3 lists open orders per category (``unfilled-orders``, 100 a page, ``cursor``) and cancels a
whole category (or one symbol of it) with ``cancel-symbol-order``, whose answer names each order;
the read-back, order-info state reads and v3 cancel-batch decide the rest. Never a v2 call.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from batchcancel import CancelReport, Settings, Status, cancel_all_orders, cancel_all_orders_async
from batchcancel.kill_api import list_open_orders
from tests.helpers import needs_uta_probe

BOOK = {"BTC/USDT": 120, "ETH/USDT": 60, "BTC/USDT:USDT": 150, "ETH/USDT:USDT": 40, "BTC/USD:BTC": 40}
LISTING = "/api/v3/trade/unfilled-orders"
STATE_READ = "/api/v3/trade/order-info"
CANCEL_ALL = "/api/v3/trade/cancel-symbol-order"
BATCH = "/api/v3/trade/cancel-batch"
PROBE = "/api/v3/account/settings"
CATEGORIES = 4  # SPOT, USDT-FUTURES, COIN-FUTURES, USDC-FUTURES: each listed, even when empty


def kill(sandbox: Any, mode: str, symbols: list[str] | None = None, *, load: bool = True,
         settings: Settings | None = None, **config: Any) -> CancelReport:  # fmt: skip
    """``cancel_all_orders`` with a fresh ccxt client (markets loaded first unless ``load`` is
    False), the log cleared just before."""
    config.setdefault("enableRateLimit", False)
    if mode == "sync":
        exchange = sandbox.client("bitget", **config)
        if load:
            exchange.load_markets()
        sandbox.clear_log()
        return cancel_all_orders(exchange, symbols, settings=settings)

    async def run() -> CancelReport:
        exchange = sandbox.client("bitget", async_=True, **config)
        try:
            if load:
                await exchange.load_markets()
            sandbox.clear_log()
            return await cancel_all_orders_async(exchange, symbols, settings=settings)
        finally:
            await exchange.close()

    return asyncio.run(run())


def served(sandbox: Any) -> Counter[str]:
    return Counter(entry.path for entry in sandbox.log)


def check_truth(sandbox: Any, report: CancelReport, expected_ids: set[str]) -> None:
    """One outcome per order, each what the sandbox's book says happened, nothing left open."""
    ids = [o.request.order_id for o in report.outcomes]
    assert len(ids) == len(set(ids)) and set(ids) == expected_ids
    for outcome in report.outcomes:
        booked = sandbox.order("bitget", outcome.request.order_id)
        assert outcome.request.symbol == booked.symbol
        if outcome.status is Status.CANCELED:
            assert booked.status == "canceled", outcome
        else:
            assert outcome.status is Status.ALREADY_CLOSED and booked.status == "filled", outcome
    assert sandbox.open_orders("bitget") == []
    assert all(outcome.verified for outcome in report.outcomes)


@pytest.fixture
def sandbox(uta_sandbox):
    uta_sandbox.set_budget_scale(1000)
    return uta_sandbox


def test_a_busy_book_ends_with_nothing_open_and_one_true_outcome_per_order(sandbox, mode):
    before = sandbox.seed_orders("bitget", BOOK)
    spot = [o for o in before if o.symbol == "ETH/USDT"]
    futures = [o for o in before if o.symbol == "ETH/USDT:USDT"]
    filled_meanwhile = [o.order_id for o in spot[:3] + futures[:3]]
    placed_meanwhile: list[Any] = []

    def during(entry: Any) -> None:
        # After the first cancel-all (COIN-FUTURES, the first category in order) was served:
        # listed orders of the other categories fill, and new coin-margined ones appear.
        if entry.path == CANCEL_ALL and not placed_meanwhile:
            sandbox.fill("bitget", filled_meanwhile)
            placed_meanwhile.extend(sandbox.seed_orders("bitget", {"BTC/USD:BTC": 5}))

    sandbox.on_request(during)
    report = kill(sandbox, mode, settings=Settings(max_concurrency=1))

    check_truth(sandbox, report, {o.order_id for o in before} | {o.order_id for o in placed_meanwhile})
    closed = {o.request.order_id for o in report.outcomes if o.status is Status.ALREADY_CLOSED}
    assert closed == set(filled_meanwhile)  # read by order-info: filled, not cancelled
    vias = Counter(o.via for o in report.outcomes)
    assert vias == {"bitget:cancel-all": len(before) - 6, "bitget:order-state": 6, "bitget:batch": 5}
    # One cancel-all per category with orders; three reads of the 4 categories: the first (spot
    # and USDT-FUTURES two pages of 100 each), after the cancel-alls, after the batch; one state
    # read per order gone unnamed; one v3 batch for the 5 orders placed meanwhile. v3 only.
    counts = served(sandbox)
    assert counts == {CANCEL_ALL: 3, LISTING: (CATEGORIES + 2) + 2 * CATEGORIES, STATE_READ: 6, BATCH: 1}
    assert report.requests_sent == sum(counts.values())


def test_symbols_scope_the_kill_switch_to_one_cancel_per_symbol(sandbox, mode):
    before = sandbox.seed_orders("bitget", BOOK)
    scope = ["BTC/USDT:USDT", "ETH/USDT"]

    report = kill(sandbox, mode, scope)

    in_scope = {o.order_id for o in before if o.symbol in scope}
    assert {o.request.order_id for o in report.outcomes} == in_scope
    assert {(o.status, o.via) for o in report.outcomes} == {(Status.CANCELED, "bitget:cancel-symbol")}
    assert {o.order_id for o in sandbox.open_orders("bitget")} == {o.order_id for o in before} - in_scope
    cancels = [e for e in sandbox.log if e.path == CANCEL_ALL]
    assert len(cancels) == 2 and set(served(sandbox)) == {CANCEL_ALL, LISTING}


@needs_uta_probe
def test_an_account_ccxt_has_not_probed_is_probed_by_loading_the_markets(sandbox, mode):
    # options['uta'] unset and markets not loaded: the call loads them, ccxt's probe says UTA.
    before = sandbox.seed_orders("bitget", {"BTC/USDT": 3, "BTC/USDT:USDT": 2})
    report = kill(sandbox, mode, load=False, options={"uta": None})
    check_truth(sandbox, report, {o.order_id for o in before})
    assert not any(e.path.startswith("/api/v2/") and "/public/" not in e.path for e in sandbox.log)
    assert served(sandbox)[CANCEL_ALL] == 2


@needs_uta_probe
def test_markets_loaded_before_the_keys_let_ccxt_probe_first(sandbox, mode):
    # Without keys ccxt's load_markets cannot probe; the kill switch lets ccxt probe once, then
    # speaks v3, instead of guessing (or sending v2 to a UTA account).
    before = sandbox.seed_orders("bitget", {"ETH/USDT": 2, "ETH/USDT:USDT": 2})
    keys = {"apiKey": sandbox.api_key, "secret": sandbox.secret, "password": sandbox.password}
    given = Settings()

    async def run_async() -> CancelReport:
        exchange = sandbox.client("bitget", async_=True, enableRateLimit=False, options={"uta": None},
                                  apiKey=None, secret=None, password=None)  # fmt: skip
        try:
            await exchange.load_markets()
            assert exchange.options["uta"] is None
            for name, value in keys.items():
                setattr(exchange, name, value)
            sandbox.clear_log()
            return await cancel_all_orders_async(exchange, settings=given)
        finally:
            await exchange.close()

    if mode == "sync":
        exchange = sandbox.client("bitget", enableRateLimit=False, options={"uta": None},
                                  apiKey=None, secret=None, password=None)  # fmt: skip
        exchange.load_markets()
        assert exchange.options["uta"] is None
        for name, value in keys.items():
            setattr(exchange, name, value)
        sandbox.clear_log()
        report = cancel_all_orders(exchange, settings=given)
    else:
        report = asyncio.run(run_async())
    check_truth(sandbox, report, {o.order_id for o in before})
    assert sandbox.log[0].path == PROBE and served(sandbox)[PROBE] == 1
    assert all(e.path.startswith("/api/v3/") for e in sandbox.log)


def test_the_dry_run_lists_through_v3(sandbox):
    before = sandbox.seed_orders("bitget", {"BTC/USDT": 3, "BTC/USD:BTC": 2})
    exchange = sandbox.client("bitget", enableRateLimit=False)
    exchange.load_markets()
    sandbox.clear_log()
    listed = list_open_orders(exchange)
    assert {r.order_id for r in listed} == {o.order_id for o in before}
    assert served(sandbox) == {LISTING: CATEGORIES}


def test_a_classic_account_ccxt_has_not_probed_never_sees_v3_trading(sandbox_server, mode):
    sandbox_server.reset()
    sandbox_server.set_budget_scale(1000)
    before = sandbox_server.seed_orders("bitget", {"BTC/USDT": 3, "BTC/USDT:USDT": 2})
    report = kill(sandbox_server, mode, load=False, options={"uta": None})
    check_truth(sandbox_server, report, {o.order_id for o in before})
    assert not any(e.path.startswith("/api/v3/trade/") for e in sandbox_server.log)
    sandbox_server.reset()


def test_ccxt_told_uta_on_a_classic_account_sends_v3_only_and_says_it_could_not_read(sandbox_server):
    # The classic sandbox refuses v3: the listing fails, nothing is cancelled, never a v2 call.
    sandbox_server.reset()
    sandbox_server.seed_orders("bitget", {"BTC/USDT": 2})
    exchange = sandbox_server.client("bitget", enableRateLimit=False)
    exchange.load_markets()
    exchange.options["uta"] = True
    sandbox_server.clear_log()

    report = cancel_all_orders(exchange, ["BTC/USDT"], settings=Settings(max_retries=0, backoff_base_s=0.01))

    assert report.outcomes == ()
    assert {e.path for e in sandbox_server.log} == {LISTING}
    assert len(sandbox_server.open_orders("bitget")) == 2
    sandbox_server.reset()
