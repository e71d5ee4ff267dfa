"""Rolling-window rate budgets, kept locally and corrected by what the exchange says."""

from __future__ import annotations

import math
from collections.abc import Mapping

from batchcancel.engine.dialect import Budget, BudgetObservation

INFINITY = math.inf


class _Spend:
    __slots__ = ("at", "cost")

    def __init__(self, cost: float) -> None:
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

    def capacity(self, key: str | None, now: float) -> float:
        if key is None or key not in self._budgets:
            return INFINITY
        if self._blocked_until.get(key, 0.0) > now:
            return 0.0
        budget = self._budgets[key]
        horizon = now - budget.window_s
        spends = [s for s in self._spent[key] if s.at > horizon]
        self._spent[key] = spends
        return max(0.0, budget.limit - sum(s.cost for s in spends))

    def spend(self, key: str | None, cost: float) -> _Spend | None:
        if key is None or key not in self._budgets:
            return None
        spend = _Spend(cost)
        self._spent[key].append(spend)
        return spend

    @staticmethod
    def settle(spend: _Spend | None, now: float) -> None:
        if spend is not None:
            spend.at = now

    def block(self, key: str | None, until: float) -> None:
        if key is not None and key in self._budgets:
            self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), until)

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
                self._budgets[seen.key] = Budget(seen.limit, old.window_s)
        if seen.remaining is not None and seen.remaining <= 0 and seen.reset_at and seen.reset_at > now:
            self.block(seen.key, seen.reset_at)

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

    def limit(self, key: str | None) -> float:
        budget = self._budgets.get(key or "")
        return budget.limit if budget else INFINITY
