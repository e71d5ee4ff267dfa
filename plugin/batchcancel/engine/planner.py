"""The planner: which orders wait where, and which cancel requests may go now.

Orders wait in queues keyed by (fallback?, group, isolated?); a group's routes come from its
dialect, preferred first. A pass over the queues sends full requests on the preferred route while
its budget lasts, and spends a secondary route's budget only when that finishes the work of the
preferred route's budget (every group sharing it) sooner (:func:`batchcancel.engine.planning.secondary_pays`).
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Sequence

from batchcancel.engine.dialect import Dialect, Route
from batchcancel.engine.pacing import BudgetBook
from batchcancel.engine.planning import Demand, per_request, secondary_pays
from batchcancel.engine.sent import Sent
from batchcancel.engine.state import ItemState, QueueKey
from batchcancel.settings import Settings

# Starts one planned request (and spends its budget, so the next size sees what is left).
Start = Callable[[QueueKey, Route, list[ItemState]], Sent]


class Planner:
    """Queues of orders to cancel, a heap of orders waiting for a time, and the planning pass."""

    def __init__(
        self,
        dialect: Dialect,
        fallback: Dialect | None,
        settings: Settings,
        budgets: BudgetBook,
    ) -> None:
        self.dialect = dialect
        self.fallback = fallback
        self._settings = settings
        self._budgets = budgets
        self.queues: dict[QueueKey, deque[ItemState]] = {}
        self.waiting: list[tuple[float, int, ItemState]] = []
        self._seq = itertools.count()
        self._routes: dict[QueueKey, Sequence[Route]] = {}
        self.blocked_budgets: set[str] = set()
        """Budgets a pass found spent: their next change is a wake-up time."""

    @property
    def idle(self) -> bool:
        return not self.queues and not self.waiting

    def dialect_for(self, state: ItemState) -> Dialect:
        if state.fallback and self.fallback is not None:
            return self.fallback
        return self.dialect

    def enqueue(self, state: ItemState, not_before: float = 0.0) -> None:
        if not_before > 0:
            heapq.heappush(self.waiting, (not_before, next(self._seq), state))
            return
        dialect = self.dialect_for(state)
        key = QueueKey(state.fallback, dialect.group_of(state.item), state.isolate)
        queue = self.queues.get(key)
        if queue is None:  # not setdefault: that would make a deque per order enqueued
            queue = self.queues[key] = deque()
        queue.append(state)

    def release_waiting(self, now: float) -> None:
        while self.waiting and self.waiting[0][0] <= now:
            _, _, state = heapq.heappop(self.waiting)
            self.enqueue(state)

    def next_waiting(self) -> float | None:
        return self.waiting[0][0] if self.waiting else None

    def drain(self) -> list[ItemState]:
        """Every order still queued or waiting, taken out (the call is ending)."""
        states = [state for _, _, state in sorted(self.waiting)]
        self.waiting.clear()
        for queue in self.queues.values():
            states.extend(queue)
        self.queues.clear()
        return states

    def plan(
        self, now: float, slots: int, start: Start, unserved: Callable[[QueueKey, list[ItemState]], None]
    ) -> list[Sent]:
        """Start the requests that may go now, at most ``slots``; ``unserved`` takes a queue no
        route serves."""
        planned: list[Sent] = []
        self.blocked_budgets.clear()
        visited: set[QueueKey] = set()
        # Keys may appear while planning (orders handed to the fallback), hence the outer loop.
        while fresh := [key for key in self.queues if key not in visited]:
            for key in fresh:
                visited.add(key)
                queue = self.queues[key]
                routes = self._routes_for(key)
                if not routes:
                    states = list(queue)
                    queue.clear()
                    unserved(key, states)
                for index, route in enumerate(routes):
                    if index and queue and not self._secondary_pays(key, routes, index, now):
                        if route.budget is not None:
                            # It may pay once its own budget frees up, which can be before the
                            # preferred route's: wake up then and ask again.
                            self.blocked_budgets.add(route.budget)
                        continue
                    while queue and len(planned) < slots:
                        count = self._batch_size(route, key, len(queue), now)
                        if count <= 0:
                            if route.budget is not None:
                                self.blocked_budgets.add(route.budget)
                            break
                        planned.append(start(key, route, [queue.popleft() for _ in range(count)]))
                if not queue:
                    self.queues.pop(key, None)
        return planned

    def _routes_for(self, key: QueueKey) -> Sequence[Route]:
        routes = self._routes.get(key)
        if routes is None:
            dialect = self.fallback if key.fallback else self.dialect
            routes = tuple(dialect.routes(key.group)) if dialect is not None else ()
            if key.isolate:
                # After a whole batch was refused, the batch endpoint itself may be what was refused
                # (e.g. not offered to this account): a route made for one order goes first.
                routes = tuple(sorted(routes, key=lambda route: route.max_items != 1))
            self._routes[key] = routes
        return routes

    def _batch_size(self, route: Route, key: QueueKey, queued: int, now: float) -> int:
        size = min(per_request(route, key.isolate, self._settings.max_batch_size), queued)
        return self._budgets.take(route, size, now)

    def _secondary_pays(self, key: QueueKey, routes: Sequence[Route], index: int, now: float) -> bool:
        sizes = [per_request(route, key.isolate, self._settings.max_batch_size) for route in routes]
        demand = [Demand(routes[0], sizes[0], len(self.queues[key]))]
        for other, queue in self.queues.items():  # groups sharing the preferred route's budget
            preferred = self._routes_for(other)[:1] if other != key and queue else ()
            for first in preferred:
                if first.budget is not None and first.budget == routes[0].budget:
                    size = per_request(first, other.isolate, self._settings.max_batch_size)
                    demand.append(Demand(first, size, len(queue)))
        return secondary_pays(self._budgets, routes, index, sizes, demand, key.isolate, now)
