"""How many orders a route may carry now, and when a secondary route is worth its extra requests."""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from batchcancel.engine.dialect import Route
from batchcancel.engine.pacing import INFINITY, BudgetBook


def per_request(route: Route, isolate: bool, max_batch_size: int | None) -> int:
    """Orders one request on ``route`` may carry (one when isolating a refused batch)."""
    if isolate:
        return 1
    if route.max_items > 1 and max_batch_size:
        return min(route.max_items, max_batch_size)
    return route.max_items


def carry(route: Route, size: int, capacity: float, queued: int, max_calls: float = INFINITY) -> int:
    """How many of ``queued`` orders ``route`` can carry, ``size`` per request, within ``capacity``.

    Full requests while the capacity lasts, then at most one smaller request: computed in
    constant time (the planner asks this on every pass, and a large budget, e.g. a PRO tier,
    would otherwise mean a loop of thousands of requests per question).
    """
    if queued <= 0 or max_calls < 1:
        return 0
    first = min(size, queued, route.items_within(capacity))
    if first <= 0:
        return 0
    if route.cost(first) <= 0:
        return queued  # a request that costs nothing: the route carries everything
    full_cost = route.cost(size)
    full = min(queued // size, max_calls)
    if capacity != INFINITY:
        full = min(full, int((capacity + 1e-9) // full_cost))
    full = int(full)
    carried = full * size
    if carried < queued and full < max_calls:
        carried += max(0, min(size, queued - carried, route.items_within(capacity - full * full_cost)))
    return carried


WORTH_A_REQUEST = 0.25
"""The least gain, in windows of the preferred route's budget, that extra secondary requests must
buy. Finishing times are estimated from when answers arrived, which spread over a round trip and
more on a busy host; a smaller gain is within that spread (a phase of the rolling window, not a
window saved), while a real one is close to a whole window (a few orders that would otherwise wait
for the next window) or several (Bybit's per-order batch budget)."""


@attrs.frozen
class Demand:
    """Orders queued for one group whose preferred route spends the budget in question."""

    route: Route
    """The group's preferred route."""
    size: int
    """Orders per full request on it."""
    queued: int
    """Orders the group has queued."""

    def units(self, orders: int | None = None) -> float:
        """Budget units the route spends to carry ``orders`` (default: all queued) in full requests
        and at most one smaller one."""
        orders = self.queued if orders is None else orders
        full, rest = divmod(max(0, orders), self.size)
        return full * self.route.cost(self.size) + (self.route.cost(rest) if rest else 0.0)


def done_at(schedule: Sequence[float], window: float, units: float, now: float) -> float:
    """When ``units`` units of a budget are spent at the earliest: ``schedule`` says when each unit
    of its limit is next free (:meth:`BudgetBook.schedule`), and a unit spent is free again a
    window later."""
    needed = math.ceil(units - 1e-9)
    if needed <= 0 or not schedule:
        return now
    cycles, index = divmod(needed - 1, len(schedule))
    return schedule[index] + window * cycles


def secondary_pays(
    budgets: BudgetBook,
    routes: Sequence[Route],
    index: int,
    sizes: Sequence[int],
    demand: Sequence[Demand],
    isolate: bool,
    now: float,
) -> bool:
    """Whether to spend a secondary route's budget now, beside the preferred route.

    It is asked once the preferred route can carry no more of the group now. Sending some of
    the rest through the secondary route costs extra requests, so it is done only when that
    finishes the whole of the preferred budget's work sooner, by :data:`WORTH_A_REQUEST` of a
    window at least. ``demand`` is every group whose preferred route spends that budget, this
    group first: one budget shared by several groups (Bitget v3's one batch budget for every
    category) carries all of them, not this group alone. Finishing times come from when each
    unit of both budgets is next free (rolling windows: a unit is free again one window after it
    was spent), so a phase within the window is not mistaken for a window saved. Bybit, whose
    batch budget counts orders, about doubles its pace with its single route; a budget counting
    requests of 20 or 50 orders gains from single cancels only where they take a whole window's
    batches off the end (a few orders that would otherwise wait a window).

    What the secondary route carries "now" is what its budget allows now, not capped by the
    free request slots: slots free up within a round trip, well inside the window.
    """
    primary, route = routes[0], routes[index]
    if budgets.unheard(primary.budget):
        return False  # the preferred route's real limit is about to be heard: don't guess
    if isolate:
        return True  # one order per request either way: no extra request
    own = demand[0]
    if carry(route, sizes[index], budgets.capacity(route.budget, now), own.queued) <= 0:
        return False
    first, second = budgets.schedule(primary.budget, now), budgets.schedule(route.budget, now)
    if not first:
        return carry(route, sizes[index], budgets.capacity(route.budget, now), own.queued) >= own.queued
    window, units = budgets.window(primary.budget), sum(d.units() for d in demand)
    without = done_at(first, window, units, now)
    single_cost = route.cost(sizes[index])

    def finished(moved: int) -> tuple[float, float]:
        """When the preferred and the secondary route are done if the latter carries ``moved``."""
        batches = done_at(first, window, units - own.units() + own.units(own.queued - moved), now)
        requests = -(-moved // sizes[index])
        singles = done_at(second, budgets.window(route.budget), requests * single_cost, now)
        return batches, singles

    low, high = 1, own.queued  # the fewest moved orders whose singles end no sooner than the batches
    while low < high:
        mid = (low + high) // 2
        batches, singles = finished(mid)
        if singles >= batches:
            high = mid
        else:
            low = mid + 1
    best = min(max(finished(moved)) for moved in {low, max(1, low - 1)})
    return best + window * WORTH_A_REQUEST < without
