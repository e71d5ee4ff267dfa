"""Cancel-all countdowns (exchanges' dead-man's switches): one timer per (exchange, account, scope).

An exchange server arms a countdown when a client asks (OKX ``cancel-all-after``, Binance
``countdownCancelAll``); when it runs out, the server's ``fire`` callback cancels the orders it
covers. Re-arming replaces the timer, disarming stops it. Timers are daemon threads on real time;
``Sandbox.reset()`` and ``stop()`` stop them all.

The shortest countdown each exchange documents is long (OKX: 10 s); tests arm sub-second ones
after ``Sandbox.set_countdown_minimum(exchange, seconds)``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

CountdownKey = tuple[str, str, Hashable]
"""(exchange, account uid, scope): scope None is account-wide, else e.g. a symbol."""


class Countdowns:
    """The armed countdowns of a sandbox, and the per-exchange minimum tests may lower."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._timers: dict[CountdownKey, tuple[threading.Timer, float]] = {}
        self._minimum: dict[str, float] = {}

    def arm(self, key: CountdownKey, seconds: float, fire: Callable[[], None]) -> float:
        """(Re)start the countdown at ``key``; returns its deadline (epoch seconds)."""
        deadline = time.time() + seconds
        timer = threading.Timer(seconds, self._fire, (key, fire))
        timer.daemon = True
        timer.name = f"sandbox-countdown-{key[0]}"
        with self._lock:
            old = self._timers.pop(key, None)
            self._timers[key] = (timer, deadline)
        if old is not None:
            old[0].cancel()
        timer.start()
        return deadline

    def disarm(self, key: CountdownKey) -> bool:
        """Stop the countdown at ``key``; False when none was armed."""
        with self._lock:
            old = self._timers.pop(key, None)
        if old is None:
            return False
        old[0].cancel()
        return True

    def deadline(self, key: CountdownKey) -> float | None:
        """When the countdown at ``key`` runs out (epoch seconds), None when none is armed."""
        with self._lock:
            entry = self._timers.get(key)
        return entry[1] if entry else None

    def _fire(self, key: CountdownKey, fire: Callable[[], None]) -> None:
        with self._lock:
            entry = self._timers.get(key)
            if entry is None or entry[0] is not threading.current_thread():
                return  # re-armed or disarmed meanwhile
            del self._timers[key]
        fire()

    def set_minimum(self, exchange: str, seconds: float | None) -> None:
        if seconds is None:
            self._minimum.pop(exchange, None)
            return
        if not (isinstance(seconds, (int, float)) and 0 < seconds < float("inf")):
            raise ValueError(f"a countdown minimum must be a positive number of seconds, got {seconds!r}")
        self._minimum[exchange] = float(seconds)

    def minimum(self, exchange: str, documented: float) -> float:
        """The shortest countdown ``exchange`` accepts now: the documented one unless lowered."""
        return self._minimum.get(exchange, documented)

    def clear(self) -> None:
        """Stop every countdown and forget lowered minimums."""
        with self._lock:
            timers, self._timers = list(self._timers.values()), {}
            self._minimum.clear()
        for timer, _ in timers:
            timer.cancel()
