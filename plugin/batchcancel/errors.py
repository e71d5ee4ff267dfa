"""Exceptions batchcancel raises itself (exchange errors become outcomes, not exceptions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from batchcancel.model import CancelOutcome


class BatchCancelError(Exception):
    """Base class of batchcancel's own exceptions."""


class ConfigError(BatchCancelError, ValueError):
    """A ``batch_cancel`` setting is unknown or of the wrong type; the message names the key."""


class WrongExchangeKind(BatchCancelError, TypeError):
    """A sync ccxt exchange was given to the async API or the other way round."""


class CancelFailures(BatchCancelError):
    """Raised by ``CancelReport.raise_for_failures()`` when something was rejected or failed."""

    def __init__(self, outcomes: Sequence[CancelOutcome]) -> None:
        self.outcomes = list(outcomes)
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
