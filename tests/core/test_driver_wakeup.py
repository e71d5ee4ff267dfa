"""The drivers ask a job when to wake at the instant it planned at.

A job's ``next_wakeup(now)`` lists times still ahead of ``now``. Asked at a later clock reading
than ``ready_calls``, a retry that fell due in between is in neither answer, and a driver with
nothing in flight slept until the deadline: on a loaded CI machine the Bitget kill switch sat idle
for its whole 30 s with one history page's retry never sent. The clock here is the drivers' own
(``time.time``), advanced by every reading, so the gap between two readings is always there.
"""

from __future__ import annotations

import asyncio
import time as real_time
from typing import Any

import pytest

from batchcancel.engine import drivers
from batchcancel.model import CancelReport


class SlowClock:
    """``time.time()`` that moves 10 ms more at every reading than real time does; ``sleep`` only
    moves it (an ``asyncio.sleep`` moves it by the real time it takes)."""

    def __init__(self) -> None:
        self._start = real_time.monotonic()
        self._ahead = 1_000_000.0

    @property
    def now(self) -> float:
        return self._ahead + real_time.monotonic() - self._start

    def time(self) -> float:
        self._ahead += 0.01
        return self.now

    def sleep(self, seconds: float) -> None:
        self._ahead += max(0.0, seconds)

    @staticmethod
    def monotonic() -> float:
        return real_time.monotonic()


class RetryDueBetweenReadings:
    """A job with one retry, due 1 ms after the instant of its first plan. Like the engine's jobs,
    ``next_wakeup`` names only what is still ahead of the ``now`` it is given."""

    def __init__(self, clock: SlowClock, deadline_s: float) -> None:
        self.deadline = clock.now + deadline_s
        self.retry_at: float | None = None
        self.sent_at: float | None = None

    @property
    def done(self) -> bool:
        return self.sent_at is not None

    def ready_calls(self, now: float, slots: int) -> list[Any]:
        if self.retry_at is None:
            self.retry_at = now + 0.001  # not due yet: a backoff of 1 ms
        elif now >= self.retry_at or now >= self.deadline:
            self.sent_at = now
        return []

    def next_wakeup(self, now: float) -> float:
        assert self.retry_at is not None
        return self.retry_at if self.retry_at > now else self.deadline

    def on_result(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - nothing is sent
        raise AssertionError("nothing was sent")

    def expire(self, now: float) -> None:  # pragma: no cover - nothing is in flight
        self.sent_at = now

    def report(self, elapsed_s: float) -> CancelReport:
        return CancelReport((), 0, elapsed_s)

    def summary(self) -> str:
        return ""


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SlowClock:
    clock = SlowClock()
    monkeypatch.setattr(drivers, "time", clock)
    return clock


def test_sync_a_retry_due_between_two_clock_readings_goes_at_once(clock: SlowClock, sandbox: Any) -> None:
    job = RetryDueBetweenReadings(clock, deadline_s=30.0)
    drivers.drive_sync(job, sandbox.client("bybit"), 8)
    assert job.sent_at is not None and job.retry_at is not None
    assert job.sent_at - job.retry_at < 0.1  # not at the deadline, 30 s later


def test_async_a_retry_due_between_two_clock_readings_goes_at_once(clock: SlowClock, sandbox: Any) -> None:
    job = RetryDueBetweenReadings(clock, deadline_s=2.0)  # asyncio.sleep is real: keep a miss short

    async def drive() -> None:
        exchange = sandbox.client("bybit", async_=True)
        try:
            await drivers.drive_async(job, exchange, 8)
        finally:
            await exchange.close()

    asyncio.run(drive())
    assert job.sent_at is not None and job.retry_at is not None
    assert job.sent_at - job.retry_at < 0.1
