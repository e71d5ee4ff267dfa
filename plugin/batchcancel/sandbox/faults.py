"""Injected faults and latency, per endpoint, deterministic for a given seed."""

from __future__ import annotations

import fnmatch
import random
import threading

import attrs

HTTP_500 = "http_500"  # not applied; 500 with an exchange-shaped body
HTTP_502 = "http_502"  # not applied; a gateway's 502 page (HTML, not JSON)
RESET = "reset"  # not applied; the connection is reset without a response
TIMEOUT_APPLIED = "timeout_applied"  # applied; the response is held past the client's timeout
TIMEOUT_NOT_APPLIED = "timeout_not_applied"  # held, then the connection closes; nothing applied
MALFORMED_JSON = "malformed_json"  # applied; the body is not JSON
TRUNCATED_JSON = "truncated_json"  # applied; the body is cut short
DROP_ITEM = "drop_item"  # applied; a batch response lacks one item
EXTRA_ITEM = "extra_item"  # applied; a batch response carries an item nobody asked for
MAINTENANCE = "maintenance"  # not applied; the exchange's maintenance answer
RATE_LIMIT = "rate_limit"  # not applied; the exchange's rate-limit answer for the whole request
# Answered as done, but nothing applied: Bybit documents cancels as acknowledged asynchronously
# (seeds 000/001), so an "OK" order may still be open when the next request looks. Verify mode's test.
ACK_NOT_APPLIED = "ack_not_applied"

FAULT_KINDS = (
    HTTP_500,
    HTTP_502,
    RESET,
    TIMEOUT_APPLIED,
    TIMEOUT_NOT_APPLIED,
    MALFORMED_JSON,
    TRUNCATED_JSON,
    DROP_ITEM,
    EXTRA_ITEM,
    MAINTENANCE,
    RATE_LIMIT,
    ACK_NOT_APPLIED,
)
# Faults after which the request's effect (e.g. the cancel) has happened on the server.
APPLIED_FAULTS = frozenset({TIMEOUT_APPLIED, MALFORMED_JSON, TRUNCATED_JSON, DROP_ITEM, EXTRA_ITEM})
BATCH_ONLY_FAULTS = frozenset({DROP_ITEM, EXTRA_ITEM})
DEFAULT_HOLD_S = 3.0


@attrs.frozen
class Fault:
    kind: str
    hold_s: float  # for the timeout faults: how long the response is held


@attrs.define
class _Rule:
    pattern: str
    kind: str
    remaining: int | None  # None: unlimited
    rate: float | None  # None: every matching request
    hold_s: float


class FaultPlan:
    """Rules are tried in the order they were injected; the first one that fires wins."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._rng = random.Random(seed)

    def inject(
        self,
        pattern: str,
        kind: str,
        *,
        times: int | None = 1,
        rate: float | None = None,
        hold_s: float = DEFAULT_HOLD_S,
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 (or None for unlimited)")
        if rate is not None and not 0 < rate <= 1:
            raise ValueError("rate must be in (0, 1]")
        with self._lock:
            self._rules.append(_Rule(pattern, kind, times, rate, hold_s))

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if not fnmatch.fnmatchcase(path, rule.pattern):
                    continue
                if rule.rate is not None and self._rng.random() >= rule.rate:
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                return Fault(rule.kind, rule.hold_s)
        return None

    def pick(self, n: int) -> int:
        """A seeded index in range(n), for choosing which batch item to drop."""
        with self._lock:
            return self._rng.randrange(n)

    def pending(self) -> int:
        with self._lock:
            return len(self._rules)

    def reset(self) -> None:
        with self._lock:
            self._rules.clear()
            self._rng = random.Random(self._seed)


class LatencyPlan:
    """A fixed delay plus uniform jitter in [0, jitter], globally or per path pattern."""

    def __init__(self, latency_ms: float, jitter_ms: float, seed: int) -> None:
        self._initial = (float(latency_ms), float(jitter_ms))
        self._seed = seed
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._default = self._initial
            self._per_path: dict[str, tuple[float, float]] = {}
            self._rng = random.Random(self._seed ^ 0x5EED)

    def set(self, ms: float, jitter_ms: float = 0.0, path: str | None = None) -> None:
        if ms < 0 or jitter_ms < 0:
            raise ValueError("latency and jitter must be >= 0")
        with self._lock:
            if path is None:
                self._default = (float(ms), float(jitter_ms))
            else:
                self._per_path[path] = (float(ms), float(jitter_ms))

    def delay_s(self, path: str) -> float:
        with self._lock:
            fixed, jitter = self._default
            for pattern, setting in self._per_path.items():
                if fnmatch.fnmatchcase(path, pattern):
                    fixed, jitter = setting
            if fixed == 0 and jitter == 0:
                return 0.0
            return (fixed + (self._rng.uniform(0, jitter) if jitter else 0.0)) / 1000.0
