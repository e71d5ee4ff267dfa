"""``planning.carry`` in constant time agrees with sending request after request."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from batchcancel.engine.dialect import Route
from batchcancel.engine.planning import carry


def carry_by_loop(route: Route, size: int, capacity: float, queued: int, max_calls: float) -> int:
    """The reference: one request at a time, as a planner sending them would."""
    carried = calls = 0
    while carried < queued and calls < max_calls:
        count = min(size, queued - carried, route.items_within(capacity))
        if count <= 0:
            break
        cost = route.cost(count)
        if cost <= 0:
            return queued
        capacity -= cost
        carried += count
        calls += 1
    return carried


halves = st.integers(0, 4000).map(lambda n: n / 2)


@settings(max_examples=3000, deadline=None)
@given(
    max_items=st.integers(1, 50),
    data=st.data(),
    cost_per_call=st.sampled_from([0.0, 0.5, 1.0, 2.5]),
    cost_per_item=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    capacity=st.one_of(halves, st.just(math.inf)),
    queued=st.integers(0, 3000),
    max_calls=st.one_of(st.just(math.inf), st.integers(0, 60)),
)
def test_carry_matches_the_request_by_request_loop(
    max_items, data, cost_per_call, cost_per_item, capacity, queued, max_calls
):
    size = data.draw(st.integers(1, max_items))
    route = Route("r", max_items, "b", cost_per_call=cost_per_call, cost_per_item=cost_per_item)
    expected = carry_by_loop(route, size, capacity, queued, max_calls)
    assert carry(route, size, capacity, queued, max_calls) == expected


def test_a_huge_budget_is_answered_without_looping():
    route = Route("single", 1, "b", cost_per_call=1, cost_per_item=0)
    assert carry(route, 1, 1e12, 10**9) == 10**9
