"""Exceptions batchcancel raises itself (exchange errors become outcomes, not exceptions).

A leaf module: it imports nothing from the package. What ``CancelFailures`` reads of an outcome is
spelled out as a protocol here, and ``model.CancelOutcome`` satisfies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar


class _DescribedRequest(Protocol):
    def describe(self) -> str: ...


class _NamedStatus(Protocol):
    @property
    def value(self) -> str: ...


class FailedOutcome(Protocol):
    """What :class:`CancelFailures` reads of each outcome it lists."""

    @property
    def request(self) -> _DescribedRequest: ...

    @property
    def status(self) -> _NamedStatus: ...

    @property
    def code(self) -> str | None: ...

    @property
    def message(self) -> str: ...


OutcomeT = TypeVar("OutcomeT", bound=FailedOutcome)


class BatchCancelError(Exception):
    """Base class of batchcancel's own exceptions."""


class ConfigError(BatchCancelError, ValueError):
    """A ``batch_cancel`` setting is unknown or of the wrong type; the message names the key."""


class WrongExchangeKind(BatchCancelError, TypeError):
    """A sync ccxt exchange was given to the async API or the other way round."""


class NotSupported(BatchCancelError, NotImplementedError):
    """The exchange (or this version of batchcancel) cannot do what was asked; the message says why."""


class CountdownError(BatchCancelError):
    """Arming, re-arming or disarming an exchange's cancel-all countdown failed (message redacted)."""


class HeartbeatFailed(CountdownError):
    """A dead-man's switch heartbeat did not re-arm the countdown; it runs out in ``seconds_left``."""

    def __init__(self, message: str, seconds_left: float) -> None:
        super().__init__(message)
        self.seconds_left = seconds_left
        """Seconds until the countdown armed last runs out (and the exchange cancels everything)."""


class CancelFailures(BatchCancelError, Generic[OutcomeT]):
    """Raised by ``CancelReport.raise_for_failures()`` when something was rejected or failed."""

    def __init__(self, outcomes: Sequence[OutcomeT]) -> None:
        self.outcomes: list[OutcomeT] = list(outcomes)
        lines = [
            f"{o.request.describe()}: {o.status.value}"
            + (f" (code {o.code})" if o.code else "")
            + (f": {o.message}" if o.message else "")
            for o in self.outcomes[:20]
        ]
        more = len(self.outcomes) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__(f"{len(self.outcomes)} cancel(s) not done:\n  " + "\n  ".join(lines))
