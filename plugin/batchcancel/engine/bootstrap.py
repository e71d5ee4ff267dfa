"""What a call needs before (and between) its cancels: the markets, and ccxt's clock after a skew.

Both are housekeeping calls that go out alone: no cancel is planned while one is in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from batchcancel.engine.classify import ErrorClass, classify, describe
from batchcancel.engine.sent import Purpose, Sent
from batchcancel.model import Status


@attrs.frozen
class MarketsFailed:
    """The markets could not be loaded: every order ends with this status and message."""

    status: Status
    """``FAILED`` after retries of a transient error, ``REJECTED`` for a refusal."""
    message: str
    """What went wrong, for every order's outcome."""


class Bootstrap:
    """The markets to load first, and the clock resync a timestamp error asks for."""

    def __init__(self, markets: Mapping[str, Any] | None, now: float) -> None:
        self.markets: Mapping[str, Any] = markets or {}
        self.ready = bool(markets)
        """Markets are known (loaded before the call, or by it): orders may be admitted."""
        self.in_flight: Sent | None = None
        self.resync_wanted = False
        self._attempts = 0
        self._not_before = now

    @property
    def not_before(self) -> float:
        return self._not_before

    def next_call(self, now: float) -> Sent | None:
        """The housekeeping call to send now, if any (nothing else goes out beside it)."""
        if self.in_flight is not None:
            return None
        if not self.ready:
            if now < self._not_before:
                return None
            self.in_flight = Sent.housekeeping("load_markets", Purpose.MARKETS)
        elif self.resync_wanted:
            self.resync_wanted = False
            self.in_flight = Sent.housekeeping("load_time_difference", Purpose.RESYNC)
        return self.in_flight

    def on_markets(
        self,
        now: float,
        markets: Any,
        error: BaseException | None,
        max_retries: int,
        backoff: Callable[[int], float],
    ) -> dict[str, list[Any]] | MarketsFailed | None:
        """Markets by exchange id once loaded; a failure for every order; None to try again later."""
        self.in_flight = None
        if error is None and isinstance(markets, Mapping) and markets:
            self.markets, self.ready = markets, True
            by_id: dict[str, list[Any]] = {}
            for market in markets.values():
                by_id.setdefault(str(market.get("id")), []).append(market)
            return by_id
        self._attempts += 1
        message = describe(error) if error is not None else "the exchange returned no markets"
        kind = classify(error) if error is not None else ErrorClass.TRANSIENT
        retryable = kind in (ErrorClass.TRANSIENT, ErrorClass.RATE_LIMITED, ErrorClass.RESYNC)
        if retryable and self._attempts <= max_retries:
            self._not_before = now + backoff(self._attempts)
            return None
        # Nothing was sent for any order: a refusal here is the truth about every one of them.
        self.ready = True
        return MarketsFailed(
            Status.FAILED if retryable else Status.REJECTED, f"could not load markets: {message}"
        )
