"""Workloads for the demo and the benchmark: seeding, the lower bound, and the audit.

Everything here reads the sandbox's own settings (its markets, its rate limits as scaled or
pinned, its rolling window), so the bound moves with ``budget_scale`` and ``set_limit``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.model import CancelRequest

BYBIT = "bybit"
BITGET = "bitget"
OKX = "okx"
BINANCEUSDM = "binanceusdm"
EXCHANGES = (BYBIT, BITGET, OKX, BINANCEUSDM)

CATEGORIES: dict[str, tuple[str, ...]] = {
    # Bybit categories the sandbox lists markets for (it lists no options).
    BYBIT: ("spot", "linear", "inverse"),
    # Bitget: spot, and the futures product types.
    BITGET: ("spot", "USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES"),
    # OKX: its instrument types (USDT and coin-margined perpetuals are both SWAP).
    OKX: ("SPOT", "SWAP"),
    # Binance USDⓈ-M: linear contracts only (USDT and USDC perpetuals).
    BINANCEUSDM: ("linear",),
}
DEFAULT_CATEGORIES: dict[str, tuple[str, ...]] = {
    BYBIT: ("spot", "linear"),
    BITGET: ("spot", "USDT-FUTURES"),
    OKX: ("SPOT", "SWAP"),
    BINANCEUSDM: ("linear",),
}
_ALIASES = {
    OKX: {"spot": "SPOT", "swap": "SWAP"},
    BITGET: {
        "futures": "USDT-FUTURES",
        "usdt-futures": "USDT-FUTURES",
        "coin-futures": "COIN-FUTURES",
        "usdc-futures": "USDC-FUTURES",
    },
}

# Statuses as the methods report them (batchcancel's Status values; ccxt answers mapped alike).
CANCELED = "canceled"
ALREADY_CLOSED = "already_closed"
REJECTED = "rejected"
FAILED = "failed"
NO_ANSWER = "no answer"  # the method returned nothing for this order (dropped silently)

# What each final state in the sandbox agrees with.
_AGREES: dict[str, frozenset[str]] = {
    "canceled": frozenset({CANCELED, ALREADY_CLOSED}),  # already_closed: a retry after a lost answer
    "filled": frozenset({ALREADY_CLOSED}),
    "open": frozenset({REJECTED, FAILED}),  # agreeing, but still counted: it was left open
}


def parse_categories(exchange: str, value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"spot,linear"`` (or a list) as the sandbox's category names; None: the defaults."""
    if value is None:
        return DEFAULT_CATEGORIES[exchange]
    names = [v.strip() for v in value.split(",")] if isinstance(value, str) else [str(v) for v in value]
    known = CATEGORIES[exchange]
    result: list[str] = []
    for name in filter(None, names):
        canonical = _ALIASES.get(exchange, {}).get(name.lower(), name)
        if canonical not in known:
            raise ValueError(f"{exchange} has no category {name!r}; choose from {', '.join(known)}")
        if canonical not in result:
            result.append(canonical)
    if not result:
        raise ValueError(f"no {exchange} category given")
    return tuple(result)


@attrs.frozen
class Workload:
    """What to seed: ``orders`` open orders spread evenly over ``symbols`` symbols."""

    exchange: str
    orders: int
    symbols: int
    categories: tuple[str, ...]
    filled: int = 0
    """How many of the orders are marked filled before cancelling (they must end ALREADY_CLOSED)."""
    seed: int = 0

    def __attrs_post_init__(self) -> None:
        if self.exchange not in EXCHANGES:
            raise ValueError(f"unknown exchange {self.exchange!r}; choose from {', '.join(EXCHANGES)}")
        if self.orders < 1 or self.symbols < 1:
            raise ValueError("orders and symbols must be at least 1")
        if not 0 <= self.filled <= self.orders:
            raise ValueError("filled must be between 0 and the number of orders")

    def describe(self) -> str:
        extra = f", {self.filled} already filled" if self.filled else ""
        return (
            f"{self.orders} orders over {min(self.symbols, self.orders)} symbols "
            f"({', '.join(self.categories)}){extra}"
        )


@attrs.frozen
class SeededOrder:
    order_id: str
    symbol: str
    category: str
    filled: bool


@attrs.frozen
class Seeded:
    """The orders of one seeded workload, in the (shuffled) order a bot would cancel them."""

    workload: Workload
    orders: tuple[SeededOrder, ...]

    @property
    def exchange(self) -> str:
        return self.workload.exchange

    def requests(self) -> list[CancelRequest]:
        return [CancelRequest(o.symbol, order_id=o.order_id) for o in self.orders]

    def per_category(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for order in self.orders:
            counts[order.category] = counts.get(order.category, 0) + 1
        return counts


def choose_markets(sandbox: Any, workload: Workload) -> list[Any]:
    """``workload.symbols`` sandbox markets, taken round-robin over the categories."""
    pools = {
        c: [m for m in sandbox.markets(workload.exchange) if m.category == c] for c in workload.categories
    }
    chosen: list[Any] = []
    wanted = min(workload.symbols, workload.orders)
    index = 0
    while len(chosen) < wanted:
        progressed = False
        for category in workload.categories:
            pool = pools[category]
            if index < len(pool) and len(chosen) < wanted:
                chosen.append(pool[index])
                progressed = True
        if not progressed:
            have = sum(len(p) for p in pools.values())
            raise ValueError(
                f"the sandbox lists {have} {workload.exchange} markets in {', '.join(workload.categories)}; "
                f"{wanted} symbols asked"
            )
        index += 1
    return chosen


def seed(sandbox: Any, workload: Workload, account: Any = None) -> Seeded:
    """Open the workload's orders in the sandbox (server-side, in bulk) and fill some of them.

    ``account``: whose orders they are (a sandbox ``Account``); None for the default account."""
    markets = choose_markets(sandbox, workload)
    base, extra = divmod(workload.orders, len(markets))
    counts = {m.symbol: base + (1 if i < extra else 0) for i, m in enumerate(markets)}
    created = sandbox.seed_orders(workload.exchange, {s: n for s, n in counts.items() if n}, account=account)
    rng = random.Random(workload.seed)
    filled = {o.order_id for o in rng.sample(created, workload.filled)}
    if filled:
        sandbox.fill(workload.exchange, sorted(filled))
    orders = [SeededOrder(o.order_id, o.symbol, o.category, o.order_id in filled) for o in created]
    rng.shuffle(orders)
    return Seeded(workload, tuple(orders))


# -- the lower bound ---------------------------------------------------------------------------


@attrs.frozen
class BudgetGroup:
    """Endpoints whose budgets together cancel one set of orders, and how many orders per window."""

    name: str
    orders_per_window: int
    detail: str


def window_s(sandbox: Any) -> float:
    """The sandbox's rolling rate-limit window (1 s, as both exchanges document)."""
    return float(sandbox.rate_window_s)


def is_uta(sandbox: Any) -> bool:
    """Whether the sandbox's Bitget accounts are unified trading accounts (v3)."""
    return bool(getattr(sandbox, "bitget_uta", False))


UTA_GROUP = "uta"
"""A UTA account's one budget group: v3's batch and single budgets cover every category."""


def budget_group(exchange: str, category: str, uta: bool = False) -> str:
    if exchange == BITGET and uta:
        return UTA_GROUP
    if exchange == BYBIT:
        from batchcancel.sandbox.bybit.rules import group_of

        return group_of(category)
    if exchange == BINANCEUSDM:
        return "weight"  # one request weight per IP for every endpoint
    return "spot" if category == "spot" else "mix"


def group_capacity(sandbox: Any, exchange: str, group: str) -> BudgetGroup:
    """Orders per window the cancel endpoints of one budget group allow, from the sandbox's limits.

    Bybit: the batch budget counts orders and the single-cancel budget is separate, so both add
    up. Bitget: a batch request carries up to 50 orders and costs one request; the single-cancel
    endpoint has its own budget of requests. Bitget UTA (v3): a batch carries up to 20 orders of
    one category and its budget (5/s) is shared by every category, as is the single cancel's.
    Binance USDⓈ-M: one weight budget; a batch of 10 and a single cancel cost 1 each, so batches
    are the most it allows.
    """
    if exchange == OKX:
        from batchcancel.sandbox.okx import rules as okx

        # Per instrument and two windows (OKX counts over 2 s): batch orders plus single requests.
        batch, single = sandbox.limit(OKX, okx.BATCH_CANCEL), sandbox.limit(OKX, okx.CANCEL)
        per_window = max(1, (batch + single) // okx.BUDGET_WINDOWS)
        return BudgetGroup(group, per_window, f"(batch {batch} orders + single {single}) per 2 windows")
    if exchange == BINANCEUSDM:
        from batchcancel.sandbox.binanceusdm import rules as binance

        weight = sandbox.limit(BINANCEUSDM, binance.WEIGHT)
        return BudgetGroup(group, weight * binance.BATCH_MAX, f"{weight} weight x {binance.BATCH_MAX}")
    if exchange == BYBIT:
        from batchcancel.sandbox.bybit import rules as bybit

        batch = sandbox.limit(BYBIT, bybit.CANCEL_BATCH, group=group)
        single = sandbox.limit(BYBIT, bybit.CANCEL, group=group)
        return BudgetGroup(group, batch + single, f"batch {batch} orders + single {single}")
    from batchcancel.sandbox.bitget import rules as bitget
    from batchcancel.sandbox.bitget import uta_rules

    if group == UTA_GROUP:
        batch = sandbox.limit(BITGET, uta_rules.CANCEL_BATCH)
        single = sandbox.limit(BITGET, uta_rules.CANCEL)
        detail = f"{batch} batches x {uta_rules.BATCH_MAX} + single {single}"
        return BudgetGroup(group, batch * uta_rules.BATCH_MAX + single, detail)
    batch_path, single_path = (
        (bitget.SPOT_BATCH, bitget.SPOT_CANCEL) if group == "spot" else (bitget.MIX_BATCH, bitget.MIX_CANCEL)
    )
    # The sandbox's own answer: the documented limit times budget_scale, or a pinned set_limit.
    batch = sandbox.limit(BITGET, batch_path)
    single = sandbox.limit(BITGET, single_path)
    return BudgetGroup(
        group, batch * bitget.BATCH_MAX + single, f"{batch} batches x {bitget.BATCH_MAX} + single {single}"
    )


def bound_s(sandbox: Any, seeded: Seeded, rtt_s: float) -> float:
    """The least wall time the sandbox's budgets and latency allow for this workload.

    Per budget group: the orders that fit in the first window go at once, each further window's
    worth waits one more window; the bound is the slowest group's wait plus one round trip.
    """
    per_group: dict[str, int] = {}
    if seeded.exchange == OKX:  # OKX's cancel budgets are per instrument
        for order in seeded.orders:
            per_group[order.symbol] = per_group.get(order.symbol, 0) + 1
    for category, count in seeded.per_category().items() if seeded.exchange != OKX else ():
        name = budget_group(seeded.exchange, category, is_uta(sandbox))
        per_group[name] = per_group.get(name, 0) + count
    window = window_s(sandbox)
    waits = [
        (math.ceil(count / group_capacity(sandbox, seeded.exchange, name).orders_per_window) - 1) * window
        for name, count in per_group.items()
    ]
    return max(waits, default=0.0) + rtt_s


def minimum_requests(seeded: Seeded, uta: bool = False) -> int:
    """Fewest cancel requests the workload can take: each group chunked at the batch maximum.

    Bybit mixes symbols of one category in a batch (spot 10, others 20); Bitget spot mixes
    symbols (50), Bitget futures take one symbol per request (50); Bitget UTA (``uta``) mixes
    symbols of one category (20); OKX mixes everything (20); Binance USDⓈ-M takes one symbol per
    request (10).
    """
    from batchcancel.sandbox.binanceusdm import rules as binance
    from batchcancel.sandbox.bitget import rules as bitget
    from batchcancel.sandbox.bitget import uta_rules
    from batchcancel.sandbox.bybit import rules as bybit
    from batchcancel.sandbox.okx import rules as okx

    if seeded.exchange == OKX:  # one request may mix every instrument
        return math.ceil(len(seeded.orders) / okx.BATCH_MAX)
    if seeded.exchange == BITGET and uta:
        return sum(math.ceil(n / uta_rules.BATCH_MAX) for n in seeded.per_category().values())

    if seeded.exchange == BYBIT:
        return sum(math.ceil(n / bybit.BATCH_MAX[c]) for c, n in seeded.per_category().items())
    per_key: dict[str, int] = {}
    for order in seeded.orders:
        key = "spot" if order.category == "spot" else order.symbol
        per_key[key] = per_key.get(key, 0) + 1
    most = binance.BATCH_MAX if seeded.exchange == BINANCEUSDM else bitget.BATCH_MAX
    return sum(math.ceil(n / most) for n in per_key.values())


# -- the audit ---------------------------------------------------------------------------------


@attrs.frozen
class Audit:
    """Every seeded order checked against the sandbox after a run."""

    left_open: int
    """Still open in the sandbox."""
    disagree: int
    """No answer for it, or an answer the sandbox's final state contradicts."""
    unaccounted: int
    """Orders in either set (counted once)."""
    statuses: Mapping[str, int]
    """How many orders got each reported status (``no answer`` for none)."""


def audit(sandbox: Any, seeded: Seeded, reported: Mapping[str, str | None]) -> Audit:
    """Compare what a method reported per order id with the sandbox's final state of that order."""
    final = {o.order_id: o.status for o in sandbox.orders(seeded.exchange)}
    left_open = disagree = unaccounted = 0
    statuses: dict[str, int] = {}
    for order in seeded.orders:
        status = reported.get(order.order_id) or NO_ANSWER
        statuses[status] = statuses.get(status, 0) + 1
        state = final.get(order.order_id, "missing")
        is_open = state == "open"
        wrong = status not in _AGREES.get(state, frozenset())
        left_open += is_open
        disagree += wrong
        unaccounted += is_open or wrong
    return Audit(left_open, disagree, unaccounted, statuses)


def ordered_statuses(statuses: Mapping[str, int]) -> list[tuple[str, int]]:
    order: Sequence[str] = (CANCELED, ALREADY_CLOSED, REJECTED, FAILED, NO_ANSWER)
    return [(s, statuses.get(s, 0)) for s in order]
