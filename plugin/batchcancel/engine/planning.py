"""How many orders a route may carry now, and when a secondary route is worth its extra requests."""

from __future__ import annotations

from collections.abc import Sequence

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


def secondary_pays(
    budgets: BudgetBook,
    routes: Sequence[Route],
    index: int,
    sizes: Sequence[int],
    queued: int,
    isolate: bool,
    now: float,
) -> bool:
    """Whether to spend a secondary route's budget now, beside the preferred route.

    It is reached once the preferred route's budget is spent for this window. Sending some of
    the rest through the secondary route costs extra requests, so it is done only when it
    finishes the group in fewer budget windows (windows assumed of equal length). Bybit, whose
    batch budget counts orders, about doubles its pace with its single route; Bitget, whose batch
    budget counts requests of 50, would only add requests: the next window's batches carry the
    rest anyway.

    What the secondary route carries "now" is what its budget allows now, not capped by the
    free request slots: slots free up within a round trip, well inside the window.
    """
    primary, route = routes[0], routes[index]
    if budgets.unheard(primary.budget):
        return False  # the preferred route's real limit is about to be heard: don't guess
    if isolate:
        return True  # one order per request either way: no extra request
    now_items = carry(route, sizes[index], budgets.capacity(route.budget, now), queued)
    if now_items <= 0:
        return False
    rest = queued - now_items
    if rest <= 0:
        return True
    primary_rate = carry(primary, sizes[0], budgets.limit(primary.budget), queued)
    if primary_rate <= 0:
        return True
    both_rate = primary_rate + carry(route, sizes[index], budgets.limit(route.budget), rest)
    without = -(-queued // primary_rate)
    with_secondary = -(-rest // both_rate)
    return with_secondary < without
