"""The Redis store's script against a real redis-server: atomic, rolling, corrected by reports."""

from __future__ import annotations

import multiprocessing
import threading
import time

from batchcancel.engine.dialect import Budget, Route
from batchcancel.engine.shared_budget import SharedBudgetBook, account_id
from batchcancel.redis_store import RedisBudgetStore

BUDGET = "bybit:acct:batch:spot"
ONE = {"per_call": 0.0, "per_item": 1.0}
LONG = {"window_s": 60.0, "hold_s": 60.0, "unheard": False}  # nothing ages out during the test


def reserve(store, token, items, limit, **kwargs):
    options = {**ONE, **LONG, **kwargs}
    return store.reserve(BUDGET, token, max_items=items, limit=limit, **options)


def test_grants_what_the_window_has_left_and_no_more(redis_url):
    store = RedisBudgetStore(redis_url)
    assert reserve(store, "a", 10, 20).items == 10
    assert reserve(store, "b", 10, 20).items == 10
    denied = reserve(store, "c", 10, 20)
    assert denied.items == 0 and denied.wait_s > 0
    # A budget counted in requests (Bitget): one unit per request, whatever its size.
    per_request = {"per_call": 1.0, "per_item": 0.0}
    granted = [reserve(store, f"r{n}", 50, 3, **per_request).items for n in range(5)]
    assert granted == [0, 0, 0, 0, 0]  # same budget key, already spent past 3
    other = RedisBudgetStore(redis_url)
    assert other.reserve("bitget:acct:mix", "x", max_items=50, limit=3, **per_request, **LONG).items == 50


def _take_units(url: str, count: int, results) -> None:
    store = RedisBudgetStore(url)
    results.put(sum(reserve(store, f"p{n}", 1, 30).items for n in range(count)))


def test_processes_never_both_take_the_last_unit(redis_url):
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_take_units, args=(redis_url, 25, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    taken = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert sum(taken) == 30  # 100 attempts on a budget of 30: exactly 30 granted


def test_threads_never_both_take_the_last_unit(redis_url):
    store = RedisBudgetStore(redis_url)  # one client, shared by the threads (its pool is thread-safe)
    taken: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        got = sum(reserve(store, f"{name}{n}", 3, 40).items for n in range(10))
        with lock:
            taken.append(got)

    threads = [threading.Thread(target=worker, args=(f"t{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(taken) == 40


def test_unanswered_reservation_expires_and_an_answer_settles_it(redis_url):
    store = RedisBudgetStore(redis_url)
    short = {"window_s": 0.3, "hold_s": 0.3, "unheard": False}
    first = reserve(store, "lost", 5, 5, **short)  # its request never goes out: nobody settles it
    assert first.items == 5
    assert reserve(store, "next", 5, 5, **short).items == 0
    time.sleep(0.7)  # hold + window: the unanswered reservation has aged out
    answered = reserve(store, "answered", 5, 5, **short)
    assert answered.items == 5
    store.settle(BUDGET, answered.ticket)  # answered now: counted one window from now, then free
    assert reserve(store, "soon", 5, 5, **short).items == 0
    time.sleep(0.4)
    assert reserve(store, "later", 5, 5, **short).items == 5


def test_a_recorded_request_counts_for_every_bot(redis_url):
    store = RedisBudgetStore(redis_url)
    ticket = store.record(BUDGET, "read", 15, hold_s=60.0)  # paced by one bot alone, told afterwards
    assert reserve(store, "a", 10, 20).items == 5
    store.settle(BUDGET, ticket)
    assert reserve(store, "b", 10, 20).items == 0


def test_first_request_goes_at_full_size_until_a_limit_is_heard(redis_url):
    store = RedisBudgetStore(redis_url)
    unheard = {**LONG, "unheard": True}
    # Nothing spent and no limit reported yet: the request may carry its route's full size.
    assert reserve(store, "first", 20, 10, **unheard).items == 20
    assert reserve(store, "second", 20, 10, **unheard).items == 0
    store.observe(
        BUDGET, "o", limit=50, remaining=30, reset_in_s=None, default_limit=10, window_s=LONG["window_s"]
    )
    grant = reserve(store, "third", 20, 10, **unheard)
    assert grant.heard and grant.limit == 50
    assert grant.items == 20  # 50 reported, 20 spent: 30 left


def test_reports_correct_the_shared_state(redis_url):
    store = RedisBudgetStore(redis_url)
    assert reserve(store, "a", 5, 20).items == 5
    # The exchange says 5 remain, the bots reserved 5 of 20: someone else spent 10 on the account.
    store.observe(BUDGET, "o", limit=20, remaining=5, reset_in_s=None, default_limit=20, window_s=60.0)
    assert reserve(store, "b", 20, 20).items == 5
    # An exhausted budget with its reset time blocks every bot until then (at most a window).
    store.observe(BUDGET, "o2", limit=None, remaining=0, reset_in_s=0.3, default_limit=20, window_s=60.0)
    blocked = reserve(store, "c", 1, 1000)
    assert blocked.items == 0 and 0 < blocked.wait_s <= 0.3
    other = "bitget:acct:spot-batch-cancel"
    store.block(other, 0.2, 1.0)  # a 429 without headers: the window
    assert store.reserve(other, "d", max_items=1, limit=10, per_call=1, per_item=0, **LONG).items == 0
    time.sleep(0.25)
    assert store.reserve(other, "e", max_items=1, limit=10, per_call=1, per_item=0, **LONG).items == 1


def test_account_is_a_hash_of_the_key_never_the_key():
    key = "sbxAPIKEY0123456789"
    name = account_id(key)
    assert key not in name and len(name) == 20
    assert name == account_id(key) and name != account_id(key + "x")


def test_a_bot_the_store_turned_away_asks_again_even_with_nothing_in_flight(redis_url):
    # Regression: a bot denied by the store with no request of its own in flight, whose denial
    # ran out while it planned, slept until the call's deadline (no answer was coming to wake it).
    budgets = {"b": Budget(1, 1.0)}
    route = Route("single", 1, "b", cost_per_call=1, cost_per_item=0)
    first = SharedBudgetBook(budgets, RedisBudgetStore(redis_url), "bybit:acct")
    second = SharedBudgetBook(budgets, RedisBudgetStore(redis_url), "bybit:acct")
    now = time.time()
    assert first.take(route, 1, now) == 1
    first.spend("b", 1)  # in flight on the first bot
    assert second.take(route, 1, now) == 0  # the second bot has nothing in flight at all
    assert second.capacity("b", now) == 0
    assert now < second.next_change("b", now) <= now + 1.0
    later = now + 5.0  # its denial ran out before it asked when to wake
    assert second.next_change("b", later) <= later
