"""Bots sharing one account's budget through a real Redis, judged by the sandbox's own budgets.

Real ccxt over real HTTP against the loopback sandbox, which enforces the documented per-UID
budgets: a rate-limit answer in its log is a bot overdrawing. Assertions are on content (the
log, the audit, the store's keys), never on timings.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from batchcancel import CancelRequest, Settings, Status, cancel_orders, cancel_orders_async
from batchcancel.bench.bots import IN_PROCESS, SHARED, run_bots_once
from batchcancel.bench.workload import Workload
from batchcancel.engine.shared_budget import account_id
from batchcancel.redis_store import KEY_PREFIX

RATE_LIMITED = {"bybit": {"10006"}, "bitget": {"429"}}
FAST = {"backoff_base_s": 0.02, "backoff_max_s": 0.2, "deadline_s": 60.0}


def rate_limit_answers(sandbox, exchange: str) -> int:
    codes = RATE_LIMITED[exchange]
    served = [e for e in sandbox.log if e.exchange == exchange]
    return sum((e.code in codes) + sum(c in codes for c in e.item_codes) for e in served)


def bot_orders(sandbox, exchange: str, counts: dict[str, int], bots: int) -> list[list[CancelRequest]]:
    return [
        [CancelRequest(o.symbol, order_id=o.order_id) for o in sandbox.seed_orders(exchange, counts)]
        for _ in range(bots)
    ]


def run_bots(sandbox, exchange: str, mode: str, sets, settings: Settings):
    """Each bot its own ccxt client and call, all at once: threads (sync) or tasks (async)."""
    if mode == "sync":
        reports: list = [None] * len(sets)

        def bot(index: int) -> None:
            client = sandbox.client(exchange, enableRateLimit=False)
            reports[index] = cancel_orders(client, sets[index], settings)

        threads = [threading.Thread(target=bot, args=(n,)) for n in range(len(sets))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return reports

    async def bots():
        async def bot(requests):
            client = sandbox.client(exchange, async_=True, enableRateLimit=False)
            try:
                return await cancel_orders_async(client, requests, settings)
            finally:
                await client.close()

        return await asyncio.gather(*(bot(requests) for requests in sets))

    return asyncio.run(bots())


def assert_all_closed_and_true(sandbox, exchange: str, sets, reports) -> None:
    for requests, report in zip(sets, reports, strict=True):
        assert [o.request for o in report.outcomes] == requests
        for outcome in report.outcomes:
            assert outcome.status is Status.CANCELED, outcome
            assert sandbox.order(exchange, outcome.request.order_id).status == "canceled"
    assert not sandbox.open_orders(exchange)


def test_bots_in_one_process_share_the_account_budget(sandbox, redis_url, redis_server, mode):
    # 3 bots x 20 spot orders: 60 orders against 20 + 20 per second. Each bot alone would send
    # its 20 at once; sharing, they take turns and the exchange never says "too many".
    sets = bot_orders(sandbox, "bybit", {"BTC/USDT": 10, "ETH/USDT": 10}, bots=3)
    reports = run_bots(sandbox, "bybit", mode, sets, Settings(budget_store=redis_url, **FAST))
    assert_all_closed_and_true(sandbox, "bybit", sets, reports)
    assert rate_limit_answers(sandbox, "bybit") == 0
    assert redis_server.client().dbsize() > 0  # they did pace through the store


def test_the_same_bots_alone_overdraw(sandbox, mode):
    sets = bot_orders(sandbox, "bybit", {"BTC/USDT": 10, "ETH/USDT": 10}, bots=3)
    reports = run_bots(sandbox, "bybit", mode, sets, Settings(**FAST))
    assert_all_closed_and_true(sandbox, "bybit", sets, reports)  # true, but at the price of:
    assert rate_limit_answers(sandbox, "bybit") > 0


@pytest.mark.slow
def test_bot_processes_overdraw_alone_and_not_when_sharing(sandbox, redis_url):
    # 3 processes, each with 40 futures orders over 10 symbols (Bitget: one symbol per batch):
    # 30 batch requests against 10 per second on one account.
    workload = Workload("bitget", 40, 10, ("USDT-FUTURES",))
    alone = run_bots_once(sandbox, workload, 3, None, rtt_s=0.0, async_=False)
    shared = run_bots_once(sandbox, workload, 3, redis_url, rtt_s=0.0, async_=True)
    assert alone.unaccounted == shared.unaccounted == 0, (IN_PROCESS, SHARED)
    assert alone.rate_limited > 0  # the storm the shared store exists to prevent
    assert shared.rate_limited == 0


def test_reported_limits_are_shared_and_no_secret_is_stored(sandbox, redis_url, redis_server):
    sandbox.set_budget_scale(2)  # the exchange now reports 40 per second for spot batches
    sets = bot_orders(sandbox, "bybit", {"BTC/USDT": 5}, bots=1)
    client = sandbox.client("bybit", enableRateLimit=False)
    report = cancel_orders(client, sets[0], Settings(budget_store=redis_url))
    assert report.counts()["canceled"] == 5
    store = redis_server.client()
    facts = f"{KEY_PREFIX}:{{bybit:{account_id(sandbox.api_key)}:batch:spot}}:facts"
    assert float(store.hget(facts, "limit")) == 40
    everything = b""
    for key in store.scan_iter("*"):
        everything += key
        if store.type(key) == b"zset":
            everything += b"".join(store.zrange(key, 0, -1))
        else:
            everything += b"".join(k + v for k, v in store.hgetall(key).items())
    for secret in (sandbox.api_key, sandbox.secret, sandbox.password):
        assert secret.encode() not in everything
