"""Dead-man's switch: the exchange cancels every open order unless we keep saying we are alive.

Arming sends the exchange's own cancel-all countdown (OKX ``cancel-all-after``, Binance
``countdownCancelAll``); a heartbeat re-arms it every third of the timeout from a background
thread (:class:`DeadMansSwitch`) or task (:class:`~batchcancel.deadman_async.AsyncDeadMansSwitch`);
``disarm()`` clears it. If the bot dies, hangs or loses the network, the heartbeats stop and the
exchange cancels the orders when the countdown runs out. A heartbeat that fails (or hangs past
its slot) is logged at ERROR and handed to ``on_failure`` right away, two thirds of the timeout
before the exchange acts, and is retried every sixth of the timeout until one succeeds.

What to send and how to read it is the exchange dialect's (``Dialect.countdown_*``,
``build_countdown``, ``read_countdown``); calls go through ccxt's implicit API like every cancel
(ccxt signs them), and every text we log or raise is redacted.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from batchcancel.engine.classify import describe
from batchcancel.engine.dialect import Call, Dialect
from batchcancel.engine.drivers import _call_sync, check_exchange
from batchcancel.engine.sent import Purpose, Sent
from batchcancel.errors import CountdownError, HeartbeatFailed, NotSupported
from batchcancel.redact import Redactor

log = logging.getLogger("batchcancel")

# The dialect that speaks each exchange's countdown: "module:class", made with no arguments.
COUNTDOWN_DIALECTS: dict[str, str] = {
    "okx": "batchcancel.exchanges.okx:OkxDialect",
    "binanceusdm": "batchcancel.exchanges.binanceusdm:BinanceUsdmDialect",
    "bybit": "batchcancel.exchanges.bybit:BybitDialect",
    "bitget": "batchcancel.exchanges.bitget:BitgetDialect",
}

HEARTBEAT_FRACTION = 1 / 3
"""A heartbeat every third of the timeout: two more chances before the exchange acts."""
RETRY_FRACTION = 1 / 6
"""After a failed heartbeat, try again every sixth of the timeout."""

OnFailure = Callable[[HeartbeatFailed], Any]


def dialect_for(exchange: Any) -> Dialect:
    """The built-in dialect of ``exchange`` (by ccxt id), or ``NotSupported``."""
    name = str(getattr(exchange, "id", "?"))
    where = COUNTDOWN_DIALECTS.get(name)
    if where is None:
        raise NotSupported(f"{name}: batchcancel knows no cancel-all countdown for this exchange")
    module, _, cls = where.partition(":")
    dialect: Dialect = getattr(importlib.import_module(module), cls)()
    return dialect


class Countdown:
    """What both switches share (sans-IO): the checked timeout, the calls, reading their answers."""

    def __init__(
        self,
        exchange: Any,
        timeout_s: float,
        symbols: Sequence[str] | None,
        on_failure: OnFailure | None,
        dialect: Dialect | None,
    ) -> None:
        self.exchange_id = str(getattr(exchange, "id", "?"))
        self.dialect = dialect if dialect is not None else dialect_for(exchange)
        allowed = self.dialect.countdown_range()
        if allowed is None:
            raise NotSupported(f"{self.exchange_id}: {self.dialect.countdown_unsupported_reason()}")
        self.timeout_s = check_timeout(timeout_s, allowed, self.exchange_id)
        if symbols is not None and (isinstance(symbols, str) or not all(isinstance(s, str) for s in symbols)):
            raise TypeError("symbols must be a sequence of ccxt symbols (strings) or None")
        self.symbols = None if symbols is None else list(symbols)
        if on_failure is not None and not callable(on_failure):
            raise TypeError("on_failure must be callable (it gets a HeartbeatFailed)")
        self.on_failure = on_failure
        self.redact = Redactor(
            getattr(exchange, name, "") for name in ("apiKey", "secret", "password", "uid")
        )
        self.scopes: list[str | None] = []
        self.last_armed: float | None = None  # monotonic time of the last confirmed arming

    @property
    def interval_s(self) -> float:
        return self.timeout_s * HEARTBEAT_FRACTION

    @property
    def retry_s(self) -> float:
        return self.timeout_s * RETRY_FRACTION

    def needs_markets(self) -> bool:
        return self.symbols is not None

    def set_scopes(self, markets: Any) -> None:
        scopes = list(self.dialect.countdown_scopes(markets or {}, self.symbols))
        if not scopes:
            raise ValueError(f"{self.exchange_id}: the countdown covers nothing (no symbols given?)")
        self.scopes = scopes

    def calls(self, arm: bool) -> list[Call]:
        return [self.dialect.build_countdown(scope, self.timeout_s if arm else None) for scope in self.scopes]

    def check(self, call: Call, response: Any, error: BaseException | None) -> None:
        """Raise ``CountdownError`` (redacted) unless the answer confirms the call."""
        if error is None:
            try:
                self.dialect.read_countdown(call, response)
                return
            except Exception as exc:
                error = exc
        raise CountdownError(self.redact(f"{self.exchange_id} {call.via or call.method}: {describe(error)}"))

    def seconds_left(self) -> float:
        if self.last_armed is None:
            return 0.0
        return max(0.0, self.last_armed + self.timeout_s - time.monotonic())

    def failed(self, error: BaseException) -> HeartbeatFailed:
        """Say loudly that a heartbeat failed (ERROR in the log); the failure for ``on_failure``."""
        left = self.seconds_left()
        message = self.redact(str(error) if isinstance(error, CountdownError) else describe(error))
        failure = HeartbeatFailed(
            f"{self.exchange_id} dead-man's switch heartbeat failed, the exchange cancels every order "
            f"in {left:.1f} s unless a retry succeeds: {message}",
            left,
        )
        log.error("batchcancel: %s", failure)
        return failure

    def callback(self, failure: HeartbeatFailed) -> Any:
        """Call ``on_failure`` (its exceptions are logged, never raised); returns what it returned."""
        if self.on_failure is None:
            return None
        try:
            return self.on_failure(failure)
        except Exception:
            log.exception("batchcancel: the dead-man's switch on_failure callback raised")
            return None


def check_timeout(timeout_s: Any, allowed: tuple[float, float], exchange_id: str) -> float:
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)):
        raise TypeError(f"timeout_s must be a number of seconds, got {type(timeout_s).__name__}")
    low, high = allowed
    if not math.isfinite(timeout_s) or not low <= timeout_s <= high:
        raise ValueError(
            f"{exchange_id}: timeout_s must lie between {low:g} and {high:g} s, got {timeout_s!r}"
        )
    return float(timeout_s)


def countdown_sent(call: Call) -> Sent:
    """The engine's record of a countdown call, for its drivers' call path."""
    return Sent(call, Purpose.COUNTDOWN, via=call.via or call.method)


def _call(
    exchange: Any, call: Call, wait_s: float, on_late: Callable[[], None] | None = None
) -> tuple[Any, BaseException | None]:
    """Make ``call`` in a daemon thread; a call that takes longer than ``wait_s`` is a failure.

    Such a call is still on its way and may reach the exchange later: ``on_late`` runs (in its
    thread) once it ends, so a countdown it sets after a disarm can be cleared again.
    """
    done = threading.Event()
    lock = threading.Lock()
    result: list[Any] = []
    late = [False]

    def work() -> None:
        outcome = _call_sync(exchange, countdown_sent(call))
        with lock:
            result.append(outcome)
            was_late = late[0]
        done.set()
        if was_late and on_late is not None:
            on_late()

    threading.Thread(target=work, name="batchcancel-countdown", daemon=True).start()
    done.wait(wait_s)
    with lock:
        if not result:
            late[0] = True
            return None, TimeoutError(f"no answer within {wait_s:.1f} s")
    response, error, _headers = result[0]
    return response, error


class DeadMansSwitch:
    """The exchange's cancel-all countdown, kept alive by a heartbeat thread (sync ccxt).

    >>> with DeadMansSwitch(exchange, timeout_s=60):  # doctest: +SKIP
    ...     run_the_bot()

    ``symbols`` names the markets the countdown covers where the exchange counts per symbol
    (Binance); OKX's countdown covers the whole account. ``on_failure`` gets a
    :class:`~batchcancel.errors.HeartbeatFailed` for each failed heartbeat (from the heartbeat
    thread). Raises :class:`~batchcancel.errors.NotSupported` for an exchange without a REST
    countdown (Bybit, Bitget classic), before any request.
    """

    def __init__(
        self,
        exchange: Any,
        timeout_s: float,
        symbols: Sequence[str] | None = None,
        on_failure: OnFailure | None = None,
        *,
        dialect: Dialect | None = None,
    ) -> None:
        check_exchange(exchange, want_async=False)
        self._exchange = exchange
        self._countdown = Countdown(exchange, timeout_s, symbols, on_failure, dialect)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._disarmed = threading.Event()  # set by a disarm: a late heartbeat must not re-arm

    @property
    def timeout_s(self) -> float:
        return self._countdown.timeout_s

    @property
    def armed(self) -> bool:
        """The heartbeat is running."""
        return self._thread is not None and self._thread.is_alive()

    def arm(self) -> DeadMansSwitch:
        """Send the countdown (raises ``CountdownError`` if the exchange does not confirm it), then
        start the heartbeat."""
        if self.armed:
            raise RuntimeError("the dead-man's switch is armed already")
        countdown = self._countdown
        if countdown.needs_markets():
            self._exchange.load_markets()
        countdown.set_scopes(self._exchange.markets)
        self._disarmed.clear()
        self._send(arm=True)
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name="batchcancel-heartbeat", daemon=True)
        self._thread.start()
        return self

    def stop(self, *, disarm: bool = True) -> None:
        """Stop the heartbeat; with ``disarm`` (the default) also clear the countdown. With
        ``disarm=False`` the countdown runs out and the exchange cancels everything."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self._countdown.interval_s + 1)
        if disarm and self._countdown.scopes:
            self._disarmed.set()
            self._send(arm=False)

    def disarm(self) -> None:
        """Stop the heartbeat and clear the countdown (raises ``CountdownError`` if not confirmed)."""
        self.stop(disarm=True)

    def __enter__(self) -> DeadMansSwitch:
        return self.arm()

    def __exit__(self, *exc: object) -> None:
        self.disarm()

    def __repr__(self) -> str:
        state = "armed" if self.armed else "idle"
        return f"DeadMansSwitch({self._countdown.exchange_id}, timeout_s={self.timeout_s:g}, {state})"

    def _send(self, arm: bool) -> None:
        countdown = self._countdown
        for call in countdown.calls(arm):
            on_late = self._late_heartbeat_ended if arm else None
            response, error = _call(self._exchange, call, countdown.interval_s, on_late)
            countdown.check(call, response, error)
        countdown.last_armed = time.monotonic() if arm else None

    def _late_heartbeat_ended(self) -> None:
        # A heartbeat given up on may have reached the exchange after the disarm and set the
        # countdown again: clear it once more, or the exchange cancels everything later.
        if not self._disarmed.is_set():
            return
        log.warning("batchcancel: a heartbeat ended after the disarm; clearing the countdown again")
        try:
            self._send(arm=False)
        except Exception as error:
            log.error("batchcancel: %s", self._countdown.failed(error))

    def _beat(self) -> None:
        countdown = self._countdown
        wait = countdown.interval_s
        while not self._stop.wait(wait):
            try:
                self._send(arm=True)
            except Exception as error:
                if self._stop.is_set():
                    return
                result = countdown.callback(countdown.failed(error))
                if inspect.isawaitable(result):
                    log.error(
                        "batchcancel: on_failure returned an awaitable; a sync switch does not await it"
                    )
                    getattr(result, "close", lambda: None)()
                wait = countdown.retry_s
            else:
                wait = countdown.interval_s
