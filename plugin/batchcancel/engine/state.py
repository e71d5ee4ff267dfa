"""Where each distinct order stands while a job runs, and which queue it waits in."""

from __future__ import annotations

from collections.abc import Hashable

import attrs

from batchcancel.engine.dialect import WorkItem
from batchcancel.model import CancelOutcome


@attrs.frozen
class QueueKey:
    fallback: bool
    group: Hashable
    isolate: bool


class ItemState:
    """Where one distinct order stands while the job runs."""

    __slots__ = (
        "attempts",
        "fallback",
        "isolate",
        "item",
        "last_code",
        "last_message",
        "previous",
        "verify_errors",
        "verify_rounds",
        "waits",
    )

    def __init__(self, item: WorkItem) -> None:
        self.item = item
        self.attempts = 0
        self.waits = 0
        self.isolate = False
        self.fallback = False
        self.last_code: str | None = None
        self.last_message = ""
        self.previous: CancelOutcome | None = None  # the outcome before verify mode found it open
        self.verify_rounds = 0
        self.verify_errors = 0
