"""The ``kill-switch`` workload: every open order of the account, across categories, flattened three ways.

* ``ccxt-cancel-all-orders``: ccxt's unified ``cancel_all_orders(symbol)`` for each symbol the
  bot knows it trades (ccxt's rate limiter on); an order counts as cancelled when the answer
  lists it, as a caller would read it.
* ``batchcancel-batches``: list the account (``batchcancel.kill_api.list_open_orders``), then
  ``cancel_orders`` on what is open: the batch engine.
* ``batchcancel-cancel-all``: ``cancel_all_orders``: the kill switch.

The bound comes from the cancel-all budgets: the kill switch lists every scope (pages one after
the other), sends its cancel-alls (a budget group with more of them than its budget allows in a
window waits a window more), and reads back once; Bitget spot: a symbol with more orders than a
batch holds gets ``cancel-symbol-order`` (on its own budget; it names no order, so the symbol's
order history is read, pages one after the other, the symbols side by side), the smaller ones are
pooled into batches of 50 on the batch budget.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from typing import Any

from batchcancel.bench.methods import RunResult, _close_sync, _from_report, _requests_since, _timed_ccxt
from batchcancel.bench.workload import BINANCEUSDM, BYBIT, CANCELED, FAILED, OKX, Seeded, window_s

CCXT_CANCEL_ALL = "ccxt-cancel-all-orders"
BATCHES = "batchcancel-batches"
CANCEL_ALL = "batchcancel-cancel-all"
KILL_METHODS = (CCXT_CANCEL_ALL, BATCHES, CANCEL_ALL)

ORDERS_WORKLOAD = "orders"
KILL_WORKLOAD = "kill-switch"
WORKLOADS = (ORDERS_WORKLOAD, KILL_WORKLOAD)

PAGE = {"bybit": 50, "bitget": 100, "okx": 100}
"""Open orders per listing page (Bybit ``limit`` 50, Bitget 100; Binance's listing is one page)."""
BITGET_BATCH_MAX = 50


def run_kill_method(sandbox: Any, method: str, seeded: Seeded, settings: Any = None) -> RunResult:
    """Flatten the account holding ``seeded`` with ``method``."""
    if method == CCXT_CANCEL_ALL:
        return _ccxt_cancel_all(sandbox, seeded)
    if method in (BATCHES, CANCEL_ALL):
        return _batchcancel(sandbox, method, seeded, settings)
    raise ValueError(f"unknown kill-switch method {method!r}; choose from {', '.join(KILL_METHODS)}")


def _ccxt_cancel_all(sandbox: Any, seeded: Seeded) -> RunResult:
    import ccxt

    by_symbol: dict[str, list[str]] = {}
    for order in seeded.orders:
        by_symbol.setdefault(order.symbol, []).append(order.order_id)

    def cancel(client: Any, reported: dict[str, str | None], errors: Counter[str]) -> None:
        for symbol, ids in sorted(by_symbol.items()):
            try:
                answer = client.cancel_all_orders(symbol)
            except ccxt.BaseError as error:
                errors[type(error).__name__] += 1
                reported.update((order_id, FAILED) for order_id in ids)
                continue
            named = {str(item.get("id")) for item in answer or () if item.get("id")}
            reported.update((order_id, CANCELED if order_id in named else None) for order_id in ids)

    return _timed_ccxt(sandbox, seeded, CCXT_CANCEL_ALL, cancel)


def _batchcancel(sandbox: Any, method: str, seeded: Seeded, settings: Any) -> RunResult:
    from batchcancel import cancel_all_orders, cancel_orders, get_plugin_manager
    from batchcancel.kill_api import list_open_orders

    client = sandbox.client(seeded.exchange, enableRateLimit=False)
    try:
        client.load_markets()
        get_plugin_manager()  # entry-point discovery: once per process, not part of cancelling
        mark = len(sandbox.log)
        started = time.perf_counter()
        if method == CANCEL_ALL:
            report = cancel_all_orders(client, settings=settings)
        else:
            report = cancel_orders(client, list_open_orders(client, settings=settings), settings)
        wall = time.perf_counter() - started
        return _from_report(method, seeded, report, _requests_since(sandbox, mark, seeded.exchange), wall)
    finally:
        _close_sync(client)


def _okx_kill_bound_s(sandbox: Any, live: list[Any], rtt_s: float) -> float:
    """OKX has no cancel-all: one listing (pages of 100, plus one page per algo type, in
    parallel), the batches (300 orders per instrument and two windows), one read-back."""
    from batchcancel.sandbox.okx import rules as okx

    pages = max(1, math.ceil(len(live) / PAGE[OKX]))
    per_window = max(1, sandbox.limit(OKX, okx.BATCH_CANCEL) // okx.BUDGET_WINDOWS)
    per_instrument = Counter(order.symbol for order in live)
    waits = [(math.ceil(n / per_window) - 1) * window_s(sandbox) for n in per_instrument.values()]
    return (pages + 2) * rtt_s + max(waits, default=0.0)


def _scope(exchange: str, order: Any, sandbox: Any) -> str:
    """The listing scope (and cancel-all scope) an order falls in."""
    if exchange == BYBIT and order.category in ("linear", "inverse"):
        return f"{order.category}:{sandbox.market(exchange, order.symbol).settle}"
    return str(order.category)


def kill_bound_s(sandbox: Any, seeded: Seeded, rtt_s: float) -> float:
    """The least wall time the sandbox's budgets and latency allow the kill switch.

    Round trips: the longest scope's listing pages (one after the other), one cancel-all, one
    read-back, and (Bitget spot) the longest symbol's order-history pages; plus, per budget group,
    a window for each window's worth of cancel requests past the first (cancel-alls on their own
    budget).
    """
    from batchcancel.sandbox.bitget import rules as bitget
    from batchcancel.sandbox.bybit import rules as bybit

    exchange = seeded.exchange
    live = [order for order in seeded.orders if not order.filled]
    if exchange == BINANCEUSDM:
        # Binance: the listing in one page, one cancel-all per symbol, then each order's state read
        # (the cancel-all answer names none): one more round trip, all on the IP's weight.
        from batchcancel.sandbox.binanceusdm import rules as binance

        weight = max(1, sandbox.limit(BINANCEUSDM, binance.WEIGHT))
        spent = len({order.symbol for order in live}) + len(live)
        return 4 * rtt_s + (math.ceil(spent / weight) - 1) * window_s(sandbox)
    if exchange == OKX:
        return _okx_kill_bound_s(sandbox, live, rtt_s)
    per_scope = Counter(_scope(exchange, order, sandbox) for order in live)
    pages = max((math.ceil(n / PAGE[exchange]) for n in per_scope.values()), default=1)
    requests: Counter[str] = Counter()  # per budget: (requests, per window)
    limits: dict[str, int] = {}
    for scope in per_scope:
        if exchange == BYBIT:
            group = bybit.group_of(scope.partition(":")[0])
            requests[group] += 1
            limits[group] = sandbox.limit(BYBIT, bybit.CANCEL_ALL, group=group)
        elif scope == "spot":
            continue  # per symbol, below
        else:
            requests["mix"] += 1
            limits["mix"] = sandbox.limit("bitget", bitget.MIX_CANCEL_ALL)
    spot = Counter(order.symbol for order in live if exchange != BYBIT and order.category == "spot")
    big = {symbol: n for symbol, n in spot.items() if n > BITGET_BATCH_MAX}
    small = sum(spot.values()) - sum(big.values())
    if big:
        requests["spot-symbol"] = len(big)
        limits["spot-symbol"] = sandbox.limit("bitget", bitget.SPOT_CANCEL_SYMBOL)
    if small:
        requests["spot-batch"] = math.ceil(small / BITGET_BATCH_MAX)
        limits["spot-batch"] = sandbox.limit("bitget", bitget.SPOT_BATCH)
    history = max((math.ceil(n / PAGE[exchange]) for n in big.values()), default=0)
    window = window_s(sandbox)
    waits = [(math.ceil(n / max(1, limits[key])) - 1) * window for key, n in requests.items()]
    return (pages + 2 + history) * rtt_s + max(waits, default=0.0)
