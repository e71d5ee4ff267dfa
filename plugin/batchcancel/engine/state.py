"""Where each distinct order stands while a job runs, and which queue it waits in."""

from __future__ import annotations

from collections.abc import Hashable
from typing import NamedTuple

from batchcancel.engine.dialect import WorkItem
from batchcancel.model import CancelOutcome


class QueueKey(NamedTuple):
    """Which planner queue an order waits in.

    A NamedTuple rather than an attrs class: one is made and hashed for every order enqueued,
    and a tuple's hashing and comparison in C are about twice as fast (1,000-order calls)."""

    fallback: bool
    """Handed to the ccxt single-cancel fallback."""
    group: Hashable
    """What the dialect's ``group_of`` said (orders of one group may share a request)."""
    isolate: bool
    """Sent one per request, to find which order a refused batch stumbled on."""


class ItemState:
    """Where one distinct order stands while the job runs."""

    __slots__ = (
        "attempts",
        "fallback",
        "isolate",
        "item",
        "last_code",
        "last_message",
        "last_via",
        "maybe_applied",
        "previous",
        "read_errors",
        "rejection",
        "reopened",
        "verify_rounds",
        "verifying",
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
        self.last_via = ""
        self.previous: CancelOutcome | None = None  # the outcome before verify mode found it open
        self.verify_rounds = 0
        # An attempt's answer was lost (timeout, 5xx page, garbled body): it may have been applied,
        # so no later answer may be read as REJECTED without first reading the order's state.
        self.maybe_applied = False
        self.read_errors = 0  # failed reads of this order's state
        self.reopened = 0  # times a state read found it still open and granted another attempt
        self.verifying = False  # its state is read for verify mode, not before giving up
        self.rejection: CancelOutcome | None = None  # a rejection awaiting a state read
