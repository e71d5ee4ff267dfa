"""The outcome ledger of one call: what has been decided, told to the caller as soon as it is final.

It keeps one outcome per distinct order, cleans every message of credentials before storing it,
hands each final outcome to the caller's ``on_outcome`` callback once (for every request given
that names the order), builds the report, and sums up what an interrupted call had decided.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar

import attrs

from batchcancel.engine.resolve import Distinct
from batchcancel.model import CancelOutcome, CancelReport, CancelRequest, Status
from batchcancel.redact import Redactor

log = logging.getLogger("batchcancel")

OnOutcome = Callable[[CancelOutcome], object]


class OutcomeSink:
    """Delivers outcomes to a caller's callback, once per request given, whoever decides them.

    The API makes one per call; the engine delivers as it decides, and the API delivers what is
    left when the report comes back (a third-party plugin's report, a refusal of the whole call).
    """

    def __init__(self, callback: OnOutcome | None, given: Sequence[CancelRequest]) -> None:
        self._callback = callback
        self._delivered: set[int] = set()
        self._complained = False
        self.expect(given)

    def expect(self, given: Sequence[CancelRequest]) -> None:
        """The requests of the call, as validated (outcomes are delivered per position)."""
        self._given = tuple(given)
        self._positions: dict[int, list[int]] = {}
        if self._callback is None:
            return  # nothing is delivered: no map to build (before the call's first request)
        for position, request in enumerate(self._given):
            self._positions.setdefault(id(request), []).append(position)

    @property
    def listening(self) -> bool:
        """Whether there is a callback to deliver to."""
        return self._callback is not None

    def deliver(self, request: CancelRequest, outcome: CancelOutcome) -> None:
        """Tell the callback about ``outcome`` for every not yet told position of ``request``."""
        if self._callback is None:
            return
        for position in self._positions.get(id(request), ()):
            if position in self._delivered:
                continue
            self._delivered.add(position)
            given = self._given[position]
            self._call(outcome if outcome.request is given else attrs.evolve(outcome, request=given))

    def deliver_rest(self, report: CancelReport) -> None:
        """Once the report is back: tell what the engine did not (outcomes are in given order)."""
        if self._callback is None:
            return
        for position, outcome in enumerate(report.outcomes):
            if position not in self._delivered and position < len(self._given):
                self._delivered.add(position)
                self._call(outcome)

    def _call(self, outcome: CancelOutcome) -> None:
        assert self._callback is not None
        try:
            self._callback(outcome)
        except Exception:
            # The caller's bug must not stop the cancels (or lose the other outcomes): say it once.
            if not self._complained:
                self._complained = True
                log.exception("batchcancel: the on_outcome callback raised; later outcomes are still passed")


current_sink: ContextVar[OutcomeSink | None] = ContextVar("batchcancel_outcome_sink", default=None)
"""Set by the API around the hook call: the engine a plugin starts takes its sink from here, so
plugins need no extra hook argument to report outcomes as they are decided."""


class Ledger:
    """Final outcomes by distinct order key, and the report built from them."""

    def __init__(
        self,
        given: Sequence[CancelRequest],
        distinct: Distinct,
        redact: Redactor,
        sink: OutcomeSink | None = None,
    ) -> None:
        self._given = tuple(given)
        self._distinct = distinct
        self.redact = redact
        # Without a callback there is nobody to tell: tell() then does nothing (and costs nothing
        # per order).
        self._sink = sink if sink is not None and sink.listening else None
        self._final: dict[int, CancelOutcome] = {}
        self._told: set[int] = set()
        # Duplicates of an order given as other request objects, by key: told with it. Built once
        # (a scan of every request per outcome made a 1,000-order call quadratic).
        self._twins: dict[int, list[CancelRequest]] = {}
        if self._sink is not None:
            for request, position in zip(self._given, distinct.positions, strict=True):
                if request is not distinct.requests[position]:
                    self._twins.setdefault(position, []).append(request)

    def __contains__(self, key: int) -> bool:
        return key in self._final

    def __getitem__(self, key: int) -> CancelOutcome:
        return self._final[key]

    def __len__(self) -> int:
        return len(self._final)

    def record(self, key: int, outcome: CancelOutcome) -> None:
        """Store an outcome (not yet told: verify mode may still change it)."""
        if outcome.message:
            clean = self.redact(outcome.message)
            if clean != outcome.message:
                outcome = attrs.evolve(outcome, message=clean)
        self._final[key] = outcome

    def reopen(self, key: int) -> CancelOutcome:
        """Take back an outcome that turned out not to be final (verify mode found it open)."""
        return self._final.pop(key)

    def tell(self, key: int) -> None:
        """The outcome of ``key`` is final: hand it to the caller's callback now."""
        if self._sink is None or key in self._told or key not in self._final:
            return
        self._told.add(key)
        self._sink.deliver(self._distinct.requests[key], self._final[key])
        for request in self._twins.get(key, ()):
            self._sink.deliver(request, self._final[key])

    def items(self) -> Iterator[tuple[int, CancelOutcome]]:
        return iter(self._final.items())

    def report(self, requests_sent: int, elapsed_s: float) -> CancelReport:
        outcomes = []
        for request, key in zip(self._given, self._distinct.positions, strict=True):
            outcome = self._final[key]
            outcomes.append(outcome if outcome.request is request else attrs.evolve(outcome, request=request))
        return CancelReport(tuple(outcomes), requests_sent=requests_sent, elapsed_s=elapsed_s)

    def summary(self, in_flight: int) -> str:
        """What an interrupted call had decided, in counts (no ids, no messages)."""
        total = len(self._distinct.requests)
        counts: dict[Status, int] = {}
        for outcome in self._final.values():
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        decided = ", ".join(f"{n} {status.value}" for status, n in counts.items() if n) or "none"
        rest = total - len(self._final)
        return (
            f"{len(self._final)} of {total} order(s) decided ({decided}); {in_flight} in flight with "
            f"their state unknown; {max(0, rest - in_flight)} not sent"
        )
