"""The dead-man's switch for ``ccxt.async_support`` exchanges: the heartbeat is an asyncio task.

Same rules as :class:`batchcancel.deadman.DeadMansSwitch` (see that module); ``on_failure`` may be
a plain function or a coroutine function.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import Sequence
from typing import Any

from batchcancel.deadman import Countdown, OnFailure, countdown_sent, log
from batchcancel.engine.dialect import Dialect
from batchcancel.engine.drivers import _call_async, check_exchange
from batchcancel.errors import HeartbeatFailed


class AsyncDeadMansSwitch:
    """The exchange's cancel-all countdown, kept alive by a heartbeat task (async ccxt).

    >>> async with AsyncDeadMansSwitch(exchange, timeout_s=60):  # doctest: +SKIP
    ...     await run_the_bot()
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
        check_exchange(exchange, want_async=True)
        self._exchange = exchange
        self._countdown = Countdown(exchange, timeout_s, symbols, on_failure, dialect)
        self._task: asyncio.Task[None] | None = None
        self._disarmed = False  # set by a disarm: a late heartbeat must not re-arm
        self._late: set[asyncio.Future[Any]] = set()  # heartbeats given up on, still on their way

    @property
    def timeout_s(self) -> float:
        return self._countdown.timeout_s

    @property
    def armed(self) -> bool:
        """The heartbeat is running."""
        return self._task is not None and not self._task.done()

    async def arm(self) -> AsyncDeadMansSwitch:
        """Send the countdown (raises ``CountdownError`` if the exchange does not confirm it), then
        start the heartbeat task."""
        if self.armed:
            raise RuntimeError("the dead-man's switch is armed already")
        countdown = self._countdown
        if countdown.needs_markets():
            await self._exchange.load_markets()
        countdown.set_scopes(self._exchange.markets)
        self._disarmed = False
        await self._send(arm=True)
        self._task = asyncio.ensure_future(self._beat())
        return self

    async def stop(self, *, disarm: bool = True) -> None:
        """Stop the heartbeat; with ``disarm`` (the default) also clear the countdown."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if disarm and self._countdown.scopes:
            self._disarmed = True
            await self._send(arm=False)
            # A heartbeat given up on is still on its way: wait for it (ccxt's own timeout bounds
            # it) and for the clearing its end starts, so none is left pending with the loop.
            wait_s = float(getattr(self._exchange, "timeout", 10000)) / 1000 + 1
            while self._late:
                done, _ = await asyncio.wait(set(self._late), timeout=wait_s)
                if not done:
                    break

    async def disarm(self) -> None:
        """Stop the heartbeat and clear the countdown (raises ``CountdownError`` if not confirmed)."""
        await self.stop(disarm=True)

    async def __aenter__(self) -> AsyncDeadMansSwitch:
        return await self.arm()

    async def __aexit__(self, *exc: object) -> None:
        await self.disarm()

    def __repr__(self) -> str:
        state = "armed" if self.armed else "idle"
        return f"AsyncDeadMansSwitch({self._countdown.exchange_id}, timeout_s={self.timeout_s:g}, {state})"

    async def _send(self, arm: bool) -> None:
        countdown = self._countdown
        for call in countdown.calls(arm):
            request = asyncio.ensure_future(_call_async(self._exchange, countdown_sent(call)))
            try:
                # Shielded: a heartbeat given up on (timeout, or the task stopped) keeps going, and
                # is watched so a countdown it sets after a disarm is cleared again.
                response, error, _ = await asyncio.wait_for(asyncio.shield(request), countdown.interval_s)
            except (asyncio.TimeoutError, asyncio.CancelledError) as stopped:
                if arm:
                    self._watch_late(request)
                else:
                    request.cancel()
                if isinstance(stopped, asyncio.CancelledError):
                    raise
                response, error = None, TimeoutError(f"no answer within {countdown.interval_s:.1f} s")
            countdown.check(call, response, error)
        countdown.last_armed = time.monotonic() if arm else None

    def _watch_late(self, request: asyncio.Future[Any]) -> None:
        self._late.add(request)
        request.add_done_callback(self._late_heartbeat_ended)

    def _late_heartbeat_ended(self, request: asyncio.Future[Any]) -> None:
        self._late.discard(request)
        if not self._disarmed:
            return
        log.warning("batchcancel: a heartbeat ended after the disarm; clearing the countdown again")
        clear = asyncio.ensure_future(self._clear_again())
        self._late.add(clear)
        clear.add_done_callback(self._late.discard)

    async def _clear_again(self) -> None:
        try:
            await self._send(arm=False)
        except Exception as error:
            log.error("batchcancel: %s", self._countdown.failed(error))

    async def _beat(self) -> None:
        countdown = self._countdown
        wait = countdown.interval_s
        while True:
            await asyncio.sleep(wait)
            try:
                await self._send(arm=True)
            except Exception as error:
                await self._tell(countdown.failed(error))
                wait = countdown.retry_s
            else:
                wait = countdown.interval_s

    async def _tell(self, failure: HeartbeatFailed) -> None:
        result = self._countdown.callback(failure)
        if inspect.isawaitable(result):
            try:
                await result
            except Exception:
                log.exception("batchcancel: the dead-man's switch on_failure callback raised")
