"""Rolling-window rate budgets, kept locally and corrected by what the exchange says."""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs

from batchcancel.engine.dialect import Budget, BudgetObservation, Route

INFINITY = math.inf


class _Spend:
    __slots__ = ("at", "cost", "key")

    def __init__(self, key: str, cost: float) -> None:
        self.key = key
        self.cost = cost
        # In flight: counted until settled. Settling at the answer's arrival (not at sending) is
        # deliberately late: the exchange's window started when it received the request, which
        # is no later than when we saw the answer, so we never count a request out too early.
        self.at = INFINITY


class BudgetBook:
    """Capacity per budget key; unknown keys (or None) are unlimited."""

    def __init__(self, budgets: Mapping[str, Budget]) -> None:
        self._budgets = dict(budgets)
        self._spent: dict[str, list[_Spend]] = {key: [] for key in budgets}
        self._blocked_until: dict[str, float] = {}
        # Reported budgets not heard of yet: the first request goes at full size, then the documented
        # limit (every account tier's floor) until an answer reports the real one (Budget.reported).
        self._unheard = {key for key, budget in budgets.items() if budget.reported}

    def capacity(self, key: str | None, now: float) -> float:
        if key is None or key not in self._budgets:
            return INFINITY
        if self._blocked_until.get(key, 0.0) > now:
            return 0.0
        if key in self._unheard and not self._spent[key]:
            return INFINITY
        budget = self._budgets[key]
        horizon = now - budget.window_s
        spends = [s for s in self._spent[key] if s.at > horizon]
        self._spent[key] = spends
        return max(0.0, budget.limit - sum(s.cost for s in spends))

    def take(self, route: Route, items: int, now: float) -> int:
        """How many of ``items`` orders one request on ``route`` may carry now.

        The request is then started with :meth:`spend`. A shared book (engine/shared_budget.py)
        reserves the units in its store here, before the request is built.
        """
        return min(items, route.items_within(self.capacity(route.budget, now)))

    def spend(self, key: str | None, cost: float) -> _Spend | None:
        if key is None or key not in self._budgets:
            return None
        spend = _Spend(key, cost)
        self._spent[key].append(spend)
        return spend

    def settle(self, spend: _Spend | None, now: float) -> None:
        if spend is not None:
            spend.at = now
            self._unheard.discard(spend.key)  # answered: from now on, the report or the documented limit

    def unheard(self, key: str | None) -> bool:
        """A reported budget whose real limit no answer has told yet."""
        return key in self._unheard

    def block(self, key: str | None, until: float, now: float | None = None) -> bool:
        """No capacity on ``key`` until then; False when ``key`` is not a budget kept here.

        ``now`` is when the exchange said so (a shared book tells the other bots)."""
        if key is None or key not in self._budgets:
            return False
        self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), until)
        return True

    def blocked_until(self, key: str | None, now: float) -> float | None:
        """When a block on ``key`` set by the exchange's own report ends; None when not blocked."""
        until = self._blocked_until.get(key or "")
        return until if until is not None and until > now else None

    def frees_at(self, key: str | None, now: float) -> float:
        """When a budget that just refused a request frees: when the exchange's own headers said
        (``observe`` blocked it until then, e.g. Binance's ``Retry-After``), else a window from now."""
        return self.blocked_until(key, now) or now + self.window(key)

    def window(self, key: str | None) -> float:
        budget = self._budgets.get(key or "")
        return budget.window_s if budget else 1.0

    def observe(self, seen: BudgetObservation, now: float) -> None:
        """Learn the real limit (PRO tiers, sandbox scaling) and respect an exhausted budget."""
        if seen.key not in self._budgets:
            return
        if seen.limit is not None and seen.limit > 0:
            old = self._budgets[seen.key]
            if old.limit != seen.limit:
                self._budgets[seen.key] = attrs.evolve(old, limit=seen.limit)
        if seen.remaining is not None and seen.remaining <= 0 and seen.reset_at and seen.reset_at > now:
            # A rolling window frees up within one window; a later reset means the clocks differ.
            self.block(seen.key, min(seen.reset_at, now + self._budgets[seen.key].window_s))

    def next_change(self, key: str | None, now: float) -> float:
        """The earliest time capacity of ``key`` may grow (INFINITY when only an answer can free it)."""
        if key is None or key not in self._budgets:
            return now
        blocked = self._blocked_until.get(key, 0.0)
        if blocked > now:
            return blocked
        window = self._budgets[key].window_s
        settled = [s.at + window for s in self._spent[key] if s.at != INFINITY]
        return min(settled) if settled else INFINITY

    def schedule(self, key: str | None, now: float) -> list[float]:
        """When each unit of ``key``'s limit is next free, earliest first: now for what is free now,
        a spent unit one window after its answer (one window from now while in flight), the end of
        a block for a blocked budget. Empty for a budget not kept here (unlimited)."""
        limit = self.limit(key)
        if key is None or limit == INFINITY:
            return []
        units, window = max(1, int(limit + 1e-9)), self.window(key)  # a limit below 1: one a window
        blocked = self._blocked_until.get(key, 0.0)
        free = min(units, int(min(self.capacity(key, now), units) + 1e-9))
        later = sorted(
            (now if s.at == INFINITY else s.at) + window
            for s in self._spent.get(key, [])
            if s.at == INFINITY or s.at > now - window
            for _ in range(math.ceil(s.cost - 1e-9))
        )
        # Units spent by other bots (a shared book) are not listed here: free a window from now.
        times = [now] * free + later[: units - free]
        times += [now + window] * (units - len(times))
        if blocked <= now:
            return times  # every time is now or later: no block to raise them to (one per unit)
        return [max(t, blocked) for t in times]

    def limit(self, key: str | None) -> float:
        budget = self._budgets.get(key or "")
        return budget.limit if budget else INFINITY
