"""``batchcancel bench --bots N``: N processes cancel their own orders on one sandbox account at once.

Exchanges count rate budgets per account, so bots that each pace alone overdraw together. Each
measured run gets a fresh sandbox account (fresh budgets on the sandbox and in the store), seeds
every bot's own orders on it, starts the bots (one process each, markets loaded), releases them
together, and audits every order afterwards. One row per pacing: in-process (every bot alone)
and, with ``--budget-store``, the shared store.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import statistics
import time
from collections.abc import Sequence
from typing import Any

import attrs

from batchcancel.bench.report import Progress, format_table
from batchcancel.bench.workload import (
    BINANCEUSDM,
    BITGET,
    BYBIT,
    OKX,
    Seeded,
    Workload,
    audit,
    bound_s,
    group_capacity,
    minimum_requests,
    seed,
    window_s,
)

IN_PROCESS = "in-process"
SHARED = "shared store"
_RATE_LIMITED = {
    BYBIT: frozenset({"10006"}),
    BITGET: frozenset({"429"}),
    OKX: frozenset({"50011"}),
    BINANCEUSDM: frozenset({"-1003"}),
}
_START_TIMEOUT_S = 120.0


@attrs.frozen
class BotTask:
    """What one bot process gets: where the sandbox is, whose account, which orders, how to pace."""

    url: str
    exchange: str
    credentials: dict[str, str] = attrs.field(repr=False)
    orders: tuple[tuple[str, str], ...]
    """(order id, symbol) of this bot's own orders."""
    budget_store: str | None = attrs.field(repr=False)
    async_: bool = False


def remote_client(url: str, exchange: str, credentials: dict[str, str], async_: bool = False) -> Any:
    """A ccxt client for a sandbox served by another process (as ``Sandbox.client`` makes one)."""
    from batchcancel.sandbox import LEAN_OPTIONS, sandbox_urls

    if async_:
        import ccxt.async_support as module
    else:
        import ccxt as module
    config: dict[str, Any] = {
        **credentials,
        "enableRateLimit": False,
        "options": dict(LEAN_OPTIONS[exchange]),
    }
    client = getattr(module, exchange)(config)
    client.urls["api"] = sandbox_urls(client.urls["api"], url)
    client.has["fetchCurrencies"] = False
    return client


def _bot(task: BotTask, ready: Any, start: Any, results: Any) -> None:
    """One bot process: load markets, wait for the start, cancel its orders, report per order id."""
    import asyncio

    import ccxt

    from batchcancel import CancelRequest, Settings, cancel_orders, cancel_orders_async, get_plugin_manager

    settings = Settings(budget_store=task.budget_store)
    requests = [CancelRequest(symbol, order_id=order_id) for order_id, symbol in task.orders]
    get_plugin_manager()
    try:
        if task.async_:

            async def run() -> tuple[Any, float, float]:
                client = remote_client(task.url, task.exchange, task.credentials, async_=True)
                try:
                    for attempt in range(10):
                        try:
                            await client.load_markets()
                            break
                        except ccxt.DDoSProtection:
                            await asyncio.sleep(_market_pause(attempt))
                    ready.put(True)
                    start.wait(_START_TIMEOUT_S)
                    began = time.time()
                    report = await cancel_orders_async(client, requests, settings)
                    return report, began, time.time()
                finally:
                    await client.close()

            report, began, ended = asyncio.run(run())
        else:
            client = remote_client(task.url, task.exchange, task.credentials)
            for attempt in range(10):
                try:
                    client.load_markets()
                    break
                except ccxt.DDoSProtection:
                    time.sleep(_market_pause(attempt))
            ready.put(True)
            start.wait(_START_TIMEOUT_S)
            began = time.time()
            report = cancel_orders(client, requests, settings)
            ended = time.time()
        statuses = {str(o.request.order_id): o.status.value for o in report.outcomes}
        results.put(("ok", statuses, began, ended))
    except BaseException as error:  # the parent must hear of it, not wait for it
        results.put(("error", f"{type(error).__name__}: {error}", 0.0, 0.0))


def _market_pause(attempt: int) -> float:
    # The sandbox's public per-IP budget is shared by the bots loading markets at once (before the
    # clock starts): wait it out, a different time per process.
    return 1.0 + 0.1 * (os.getpid() % 7) + attempt * 0.2


@attrs.frozen
class BotsRun:
    """One measured run of N bots on one account."""

    wall_s: float
    requests: int
    rate_limited: int
    """Rate-limit answers the sandbox served: requests refused (Bybit 10006, Bitget 429) plus
    orders refused inside batch answers (Bybit's per-item 10006)."""
    unaccounted: int
    bound_s: float


def account_bound_s(sandbox: Any, seeded: Sequence[Seeded], rtt_s: float) -> float:
    """The least wall time the account's budgets allow for every bot's orders together.

    Bybit's batch budget counts orders, and so do OKX's (per instrument): the single-bot bound
    over all orders holds. Binance's
    weight counts requests of up to 10 orders of one symbol, each bot's own. Bitget's
    counts requests, and a bot batches only its own orders (futures: one symbol per request), so
    count batch requests: with ``k`` windows, ``k * L_single`` single cancels may take out the
    smallest batches first, and the other batches must fit in ``k * L_batch``.
    """
    everything = tuple(order for one in seeded for order in one.orders)
    workload = attrs.evolve(seeded[0].workload, orders=len(everything))
    if seeded[0].exchange in (BYBIT, OKX):
        return bound_s(sandbox, Seeded(workload, everything), rtt_s)
    if seeded[0].exchange == BINANCEUSDM:
        # One weight per request of at most 10 orders of one symbol, each bot its own orders.
        from batchcancel.sandbox.binanceusdm import rules as binance

        requests = sum(minimum_requests(one) for one in seeded)
        weight = sandbox.limit(BINANCEUSDM, binance.WEIGHT)
        return (math.ceil(requests / weight) - 1) * window_s(sandbox) + rtt_s
    from batchcancel.sandbox.bitget import rules as bitget

    chunks: dict[str, list[int]] = {}
    for one in seeded:
        per_key: dict[tuple[str, str], int] = {}
        for order in one.orders:
            group = "spot" if order.category == "spot" else "mix"
            key = (group, "spot" if group == "spot" else order.symbol)
            per_key[key] = per_key.get(key, 0) + 1
        for (group, _), count in per_key.items():
            full, rest = divmod(count, bitget.BATCH_MAX)
            chunks.setdefault(group, []).extend([bitget.BATCH_MAX] * full + ([rest] if rest else []))
    windows = []
    for group, sizes in chunks.items():
        capacity = group_capacity(sandbox, BITGET, group)
        singles_per_window = (
            capacity.orders_per_window - (capacity.orders_per_window // bitget.BATCH_MAX) * bitget.BATCH_MAX
        )
        batches_per_window = capacity.orders_per_window // bitget.BATCH_MAX
        windows.append(_windows_needed(sorted(sizes), batches_per_window, singles_per_window))
    return (max(windows, default=1) - 1) * float(sandbox.rate_window_s) + rtt_s


def _windows_needed(sizes: list[int], batches: int, singles: int) -> int:
    for k in range(1, len(sizes) + 1):
        left, removed = k * singles, 0
        for size in sizes:  # smallest first: each single cancel saves the most batches there
            if size > left:
                break
            left -= size
            removed += 1
        if len(sizes) - removed <= k * max(batches, 0):
            return k
    return max(1, len(sizes))


def run_bots_once(
    sandbox: Any, workload: Workload, bots: int, budget_store: str | None, *, rtt_s: float, async_: bool
) -> BotsRun:
    """Seed ``bots`` sets of ``workload`` on a fresh account, cancel them at once, audit them."""
    account = sandbox.add_account()
    credentials = {"apiKey": account.api_key, "secret": account.secret}
    if workload.exchange in (BITGET, OKX):  # their keys come with a passphrase
        credentials["password"] = account.password
    seeded = [_seed_for(sandbox, workload, account, n) for n in range(bots)]
    context = multiprocessing.get_context("spawn")
    ready, start, results = context.Queue(), context.Event(), context.Queue()
    tasks = [
        BotTask(sandbox.url, workload.exchange, credentials, _ids(one), budget_store, async_)
        for one in seeded
    ]
    processes = [
        context.Process(target=_bot, args=(task, ready, start, results), daemon=True) for task in tasks
    ]
    for process in processes:
        process.start()
    # The clock measures cancelling, not process start-up: every bot has its markets first.
    _wait_ready(processes, ready, results)
    mark = len(sandbox.log)
    start.set()
    answers = [results.get(timeout=_START_TIMEOUT_S + 300) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    failed = [message for kind, message, _, _ in answers if kind != "ok"]
    if failed:
        raise RuntimeError(f"a bot process failed: {failed[0]}")
    reported: dict[str, str | None] = {}
    for _, statuses, _, _ in answers:
        reported.update(statuses)
    wall = max(a[3] for a in answers) - min(a[2] for a in answers)
    served = [e for e in sandbox.log[mark:] if e.exchange == workload.exchange and e.account == account.uid]
    codes = _RATE_LIMITED[workload.exchange]
    limited = sum((e.code in codes) + sum(code in codes for code in e.item_codes) for e in served)
    unaccounted = sum(audit(sandbox, one, reported).unaccounted for one in seeded)
    return BotsRun(wall, len(served), limited, unaccounted, account_bound_s(sandbox, seeded, rtt_s))


def _ids(seeded: Seeded) -> tuple[tuple[str, str], ...]:
    return tuple((order.order_id, order.symbol) for order in seeded.orders)


def _wait_ready(processes: Sequence[Any], ready: Any, results: Any) -> None:
    import queue

    deadline, waiting = time.monotonic() + _START_TIMEOUT_S, len(processes)
    while waiting:
        try:
            ready.get(timeout=0.5)
            waiting -= 1
        except queue.Empty:
            dead = [p.exitcode for p in processes if p.exitcode is not None]
            if dead or time.monotonic() > deadline:
                for process in processes:
                    process.kill()
                told = results.get(timeout=1) if dead else ("", "timed out", 0, 0)
                raise RuntimeError(f"a bot process did not start: {told[1]}") from None


def _seed_for(sandbox: Any, workload: Workload, account: Any, bot: int) -> Seeded:
    """One bot's own orders on the shared account (the same symbols, a seed of its own)."""
    return seed(sandbox, attrs.evolve(workload, seed=workload.seed + bot), account=account)


@attrs.frozen
class BotsRow:
    pacing: str
    exchange: str
    bots: int
    orders: int
    requests: int
    rate_limited: int
    wall_s: float
    bound_s: float
    efficiency: float
    unaccounted: int

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def run_bots_bench(
    sandbox: Any,
    workloads: Sequence[Workload],
    bots: int,
    budget_store: str | None,
    *,
    repeats: int,
    rtt_s: float,
    async_: bool = False,
    progress: Progress | None = None,
) -> list[BotsRow]:
    """Rows per exchange: every bot pacing alone, then (with a store) sharing the account's budget."""
    progress = progress or Progress(quiet=True)
    pacings = [(IN_PROCESS, None)] + ([(SHARED, budget_store)] if budget_store else [])
    rows = []
    for workload in workloads:
        for pacing, store in pacings:
            runs = []
            for repeat in range(repeats):
                one = run_bots_once(sandbox, workload, bots, store, rtt_s=rtt_s, async_=async_)
                runs.append(one)
                progress.line(
                    f"  {workload.exchange}, {bots} bots, {pacing}, run {repeat + 1}/{repeats}: "
                    f"{one.wall_s:.3f} s, {one.requests} requests, {one.rate_limited} rate-limited, "
                    f"{one.unaccounted} unaccounted"
                )
            wall = statistics.median(r.wall_s for r in runs)
            bound = runs[0].bound_s
            rows.append(
                BotsRow(
                    pacing, workload.exchange, bots, workload.orders * bots,
                    round(statistics.median(r.requests for r in runs)),
                    round(statistics.median(r.rate_limited for r in runs)),
                    round(wall, 4), round(bound, 4), round(bound / wall, 3) if wall > 0 else 0.0,
                    max(r.unaccounted for r in runs),
                )
            )  # fmt: skip
    return rows


def bots_table(rows: Sequence[BotsRow]) -> str:
    header = ("pacing", "exchange", "bots", "orders", "requests", "rate_limited", "wall_s", "bound_s",
              "efficiency", "unaccounted")  # fmt: skip
    body = [
        (r.pacing, r.exchange, r.bots, r.orders, r.requests, r.rate_limited, f"{r.wall_s:.3f}",
         f"{r.bound_s:.3f}", f"{r.efficiency:.2f}", r.unaccounted)
        for r in rows
    ]  # fmt: skip
    return format_table(header, body, (False, False, *([True] * 8)))
