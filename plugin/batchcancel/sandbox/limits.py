"""Rate budgets: rolling-window counters per (UID, endpoint, category group), with a scale knob.

The limits themselves (which endpoint allows how much) are part of each exchange's wire
description in ``bybit.py`` / ``bitget.py``; this module only counts.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Hashable

import attrs

from .accounts import ServerClock


@attrs.frozen
class Grant:
    granted: int  # how many of the requested units fit in the budget
    limit: int
    remaining: int  # after this request
    reset_ms: int  # server time at which the budget frees up again (≈ now while not exhausted)


class _Window:
    __slots__ = ("entries", "used")

    def __init__(self) -> None:
        self.entries: deque[tuple[float, int]] = deque()
        self.used = 0

    def expire(self, now: float, window_s: float) -> None:
        while self.entries and self.entries[0][0] <= now - window_s:
            self.used -= self.entries.popleft()[1]


class RateLimiter:
    """Rolling-window budgets keyed by anything hashable; thread-safe."""

    def __init__(self, clock: ServerClock, window_s: float = 1.0) -> None:
        self._clock = clock
        self._window_s = window_s
        self._lock = threading.Lock()
        self._windows: dict[Hashable, _Window] = {}

    def take(
        self, key: Hashable, limit: int, units: int = 1, *, partial: bool = False, windows: float = 1.0
    ) -> Grant:
        """Consume ``units`` (or, with ``partial``, as many as fit) from the budget at ``key``.

        ``windows``: how many rate windows the budget is counted over (OKX counts over 2 s: 2)."""
        now = time.monotonic()
        span = self._window_s * windows
        with self._lock:
            window = self._windows.setdefault(key, _Window())
            window.expire(now, span)
            available = max(limit - window.used, 0)
            granted = min(units, available) if partial else (units if units <= available else 0)
            if granted:
                window.entries.append((now, granted))
                window.used += granted
            return self._grant(window, limit, granted, now, span)

    def peek(self, key: Hashable, limit: int, *, windows: float = 1.0) -> Grant:
        now = time.monotonic()
        span = self._window_s * windows
        with self._lock:
            window = self._windows.get(key) or _Window()
            window.expire(now, span)
            return self._grant(window, limit, 0, now, span)

    def _grant(self, window: _Window, limit: int, granted: int, now: float, span: float) -> Grant:
        remaining = max(limit - window.used, 0)
        now_ms = self._clock.now_ms()
        reset_ms = now_ms
        if remaining == 0 and window.entries:
            reset_ms = now_ms + int((window.entries[0][0] + span - now) * 1000) + 1
        return Grant(granted=granted, limit=limit, remaining=remaining, reset_ms=reset_ms)

    @property
    def window_s(self) -> float:
        return self._window_s

    def set_window(self, window_s: float) -> None:
        if not window_s > 0:
            raise ValueError("the rate window must be > 0 seconds")
        with self._lock:
            self._window_s = float(window_s)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


class BudgetTable:
    """Effective limits: the documented base times ``scale`` (at least 1), or an absolute override."""

    def __init__(self, scale: float = 1.0) -> None:
        self._lock = threading.Lock()
        self.scale = self._check_scale(scale)
        self._overrides: dict[tuple[str, str, str | None], int] = {}

    @staticmethod
    def _check_scale(scale: float) -> float:
        if not scale > 0:
            raise ValueError("budget_scale must be > 0")
        return float(scale)

    def set_scale(self, scale: float) -> None:
        self.scale = self._check_scale(scale)

    def set_limit(self, exchange: str, path: str, limit: int | None, group: str | None = None) -> None:
        """Pin one endpoint's limit (absolute, not scaled); ``limit=None`` removes the pin.

        ``group`` narrows it to one category group (Bybit: "spot", "derivatives", "option").
        """
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        with self._lock:
            if limit is None:
                self._overrides.pop((exchange, path, group), None)
            else:
                self._overrides[(exchange, path, group)] = int(limit)

    def limit(self, exchange: str, path: str, group: str | None, base: int) -> int:
        for key in ((exchange, path, group), (exchange, path, None)):
            if key in self._overrides:
                return self._overrides[key]
        return max(1, round(base * self.scale))

    def clear_overrides(self) -> None:
        with self._lock:
            self._overrides.clear()
