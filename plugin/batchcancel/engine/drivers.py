"""The two thin drivers that perform a :class:`CancelJob`'s calls: threads for sync ccxt, tasks for async.

Neither holds any cancel logic: each loop only starts what the job says is ready, waits for an
answer or the job's next wake-up time, and hands every answer back to the job.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import queue
import sys
import threading
import time
from collections.abc import Awaitable, Collection, Mapping, Sequence
from typing import Any, Protocol

from batchcancel.engine.ccxt_single import CcxtSingleCancel
from batchcancel.engine.dialect import Dialect
from batchcancel.engine.job import CancelJob
from batchcancel.engine.kill import KillJob
from batchcancel.engine.ledger import current_sink
from batchcancel.engine.sent import Sent
from batchcancel.engine.transport import fit_connection_pool, send
from batchcancel.errors import WrongExchangeKind
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")

Result = tuple[Any, BaseException | None, Mapping[str, str] | None]


class Job(Protocol):
    """What a driver performs: a :class:`CancelJob` or a :class:`KillJob` (both sans-IO)."""

    deadline: float

    @property
    def done(self) -> bool: ...

    def ready_calls(self, now: float, slots: int) -> list[Sent]: ...

    def next_wakeup(self, now: float) -> float:
        """When to plan again with no answer in between; asked with the ``now`` that the
        ``ready_calls`` just before was given."""
        ...

    def on_result(
        self,
        sent: Sent,
        now: float,
        response: Any = None,
        error: BaseException | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None: ...

    def expire(self, now: float) -> None: ...

    def report(self, elapsed_s: float) -> CancelReport: ...

    def summary(self) -> str: ...


def _async_base() -> Any:
    """ccxt's async ``Exchange`` class, if ``ccxt.async_support`` was imported (else None).

    An async exchange instance implies its module was imported, so a sync bot never pays for
    importing ``ccxt.async_support`` (about 0.2 s) on its first cancel.
    """
    module = sys.modules.get("ccxt.async_support.base.exchange")
    return getattr(module, "Exchange", None)


def is_async_exchange(exchange: Any) -> bool:
    """True for a ``ccxt.async_support`` exchange (its methods are coroutines)."""
    base = _async_base()
    return base is not None and isinstance(exchange, base)


def check_exchange(exchange: Any, *, want_async: bool) -> None:
    """Refuse what is not a ccxt exchange of the expected kind, naming the fix."""
    import ccxt

    base = _async_base()
    if not isinstance(exchange, ccxt.Exchange if base is None else (ccxt.Exchange, base)):
        raise TypeError(f"exchange must be a ccxt exchange instance, got {type(exchange).__name__}")
    if is_async_exchange(exchange) and not want_async:
        raise WrongExchangeKind(
            f"{exchange.id} is a ccxt.async_support exchange: use `await cancel_orders_async(...)`"
        )
    if want_async and not is_async_exchange(exchange):
        raise WrongExchangeKind(f"{exchange.id} is a sync ccxt exchange: use `cancel_orders(...)`")


def _parts(dialect: Dialect, exchange: Any, settings: Settings) -> dict[str, Any]:
    """What every job of ``exchange`` is made with: markets, fallback, secrets, budget book."""
    fallback = None if isinstance(dialect, CcxtSingleCancel) else CcxtSingleCancel.for_exchange(exchange.id)
    secrets = [getattr(exchange, name, "") or "" for name in ("apiKey", "secret", "password", "uid")]
    budgets = None
    if settings.budget_store:
        from batchcancel.engine.shared_budget import shared_book

        budgets = shared_book(dialect.budgets(settings), settings.budget_store, exchange)
    return {
        "now": time.time(),
        "markets": exchange.markets or None,
        "markets_by_id": getattr(exchange, "markets_by_id", None),
        "fallback": fallback,
        "secrets": [s for s in secrets if isinstance(s, str)],
        "budgets": budgets,
    }


def run_kill(
    dialect: Dialect,
    exchange: Any,
    symbols: Collection[str] | None,
    settings: Settings,
    job: KillJob | None = None,
) -> CancelReport | Awaitable[CancelReport]:
    """Cancel every open order in scope through ``dialect`` (the kill switch): a report for a
    sync exchange, a coroutine of it for an async one. ``job`` (from :func:`new_kill_job`) lets
    the caller read the job afterwards (a dry run's listing)."""
    if job is None:
        job = new_kill_job(dialect, exchange, symbols, settings)
    if is_async_exchange(exchange):
        return drive_async(job, exchange, settings.max_concurrency)
    return drive_sync(job, exchange, settings.max_concurrency)


def new_kill_job(
    dialect: Dialect,
    exchange: Any,
    symbols: Collection[str] | None,
    settings: Settings,
    *,
    list_only: bool = False,
) -> KillJob:
    return KillJob(dialect, symbols, settings, list_only=list_only, **_parts(dialect, exchange, settings))


def new_job(
    dialect: Dialect, exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelJob:
    parts = _parts(dialect, exchange, settings)
    return CancelJob(
        dialect,
        requests,
        settings,
        sink=current_sink.get(),
        **parts,
    )


def run(
    dialect: Dialect, exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport]:
    """Cancel through ``dialect``: a report for a sync exchange, a coroutine of it for an async one."""
    job = new_job(dialect, exchange, requests, settings)
    if is_async_exchange(exchange):
        return drive_async(job, exchange, settings.max_concurrency)
    return drive_sync(job, exchange, settings.max_concurrency)


def _headers(exchange: Any) -> Mapping[str, str] | None:
    # ccxt keeps the last answer's headers on the instance. Read right after our own call returns,
    # that is exact for async (no await in between).
    return getattr(exchange, "last_response_headers", None)


# Sync ccxt shares one exchange object between our threads, so its last_response_headers may be
# another thread's by the time we read it. A requests response hook runs in the thread that made
# the request: it hands each thread its own answer's headers.
_this_thread = threading.local()


def _remember_headers(response: Any, *args: Any, **kwargs: Any) -> None:
    _this_thread.headers = response.headers


def _capture_headers_per_thread(exchange: Any) -> None:
    session = getattr(exchange, "session", None)
    hooks = getattr(session, "hooks", None)
    if isinstance(hooks, dict):
        response_hooks = hooks.setdefault("response", [])
        if _remember_headers not in response_hooks:
            response_hooks.append(_remember_headers)


def _call_sync(exchange: Any, call: Sent) -> Result:
    _this_thread.headers = None
    try:
        response = send(exchange, call.call)
    except BaseException as exc:
        return None, exc, _this_thread.headers or _headers(exchange)
    return response, None, _this_thread.headers or _headers(exchange)


async def _call_async(exchange: Any, call: Sent) -> Result:
    try:
        response = send(exchange, call.call)
        if inspect.isawaitable(response):
            response = await response
    except asyncio.CancelledError:
        raise
    except BaseException as exc:
        return None, exc, _headers(exchange)
    return response, None, _headers(exchange)


class _Workers:
    """Daemon threads that perform sync calls, at most ``size`` at once.

    Daemon threads, not a ``ThreadPoolExecutor``: a call still in flight at the deadline (an
    answer trickling in byte by byte never trips ccxt's read timeout) is abandoned there, and must
    hold up neither the caller nor the interpreter's exit.
    """

    def __init__(self, exchange: Any, size: int) -> None:
        self._exchange = exchange
        self._size = size
        self._threads: list[threading.Thread] = []
        self._todo: queue.SimpleQueue[Sent | None] = queue.SimpleQueue()
        self.done: queue.SimpleQueue[tuple[Sent, Result]] = queue.SimpleQueue()
        self.busy = 0

    def submit(self, call: Sent) -> None:
        self.busy += 1
        if len(self._threads) < min(self._size, self.busy):
            thread = threading.Thread(target=self._work, name="batchcancel", daemon=True)
            thread.start()
            self._threads.append(thread)
        self._todo.put(call)

    def take(self, timeout: float) -> tuple[Sent, Result] | None:
        try:
            finished = self.done.get(timeout=timeout) if timeout > 0 else self.done.get_nowait()
        except queue.Empty:
            return None
        self.busy -= 1
        return finished

    def close(self) -> None:
        """Let each thread end after its current call; nothing waits for them."""
        for _ in self._threads:
            self._todo.put(None)

    def _work(self) -> None:
        while (call := self._todo.get()) is not None:
            self.done.put((call, _call_sync(self._exchange, call)))


# Both drivers ask the job when to wake at the instant it planned at ("planned"), not at a later
# clock reading. A job's next_wakeup(now) lists what waits for a time still ahead of `now` (a
# retry's not_before). Asked later, a retry that was not due when ready_calls looked but is due by
# then is in neither answer, and with nothing in flight the loop would sleep until the deadline
# with the retry never sent (seen: a kill switch idle for its whole 30 s on a loaded machine).
# Asked at the planning instant, the retry is in the answer and the pause is 0.


def drive_sync(job: Job, exchange: Any, concurrency: int) -> CancelReport:
    started = time.monotonic()
    _capture_headers_per_thread(exchange)
    fit_connection_pool(exchange, concurrency)
    workers = _Workers(exchange, concurrency)
    try:
        while not job.done:
            planned = time.time()
            for call in job.ready_calls(planned, concurrency - workers.busy):
                workers.submit(call)
            if job.done:
                break
            wake = job.next_wakeup(planned)  # at the planning instant (see above drive_sync)
            now = time.time()
            if now >= job.deadline and workers.busy:
                job.expire(now)  # what is still in flight ends FAILED, state unknown
                break
            pause = max(0.0, min(wake, job.deadline) - now)
            if workers.busy:
                finished = workers.take(pause)
                while finished is not None:
                    call, result = finished
                    job.on_result(call, time.time(), *result)
                    finished = workers.take(0)
            else:
                time.sleep(pause)
    except BaseException:
        _interrupted(job, exchange)
        raise
    finally:
        workers.close()
    return _finish(job, exchange, started)


async def drive_async(job: Job, exchange: Any, concurrency: int) -> CancelReport:
    started = time.monotonic()
    inflight: dict[asyncio.Task[Result], Sent] = {}
    try:
        while not job.done:
            planned = time.time()
            for call in job.ready_calls(planned, concurrency - len(inflight)):
                inflight[asyncio.ensure_future(_call_async(exchange, call))] = call
            if job.done:
                break
            wake = job.next_wakeup(planned)  # at the planning instant (see above drive_sync)
            now = time.time()
            if now >= job.deadline and inflight:
                job.expire(now)  # the tasks are cancelled below; their orders end FAILED, state unknown
                break
            pause = max(0.0, min(wake, job.deadline) - now)
            if inflight:
                finished, _ = await asyncio.wait(inflight, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    job.on_result(inflight.pop(task), time.time(), *task.result())
            else:
                await asyncio.sleep(pause)
    except BaseException:  # cancelled from outside (asyncio.wait_for, a host shutting down), or a bug
        _interrupted(job, exchange)
        raise
    finally:
        # Don't leave our tasks running.
        for task in inflight:
            task.cancel()
    return _finish(job, exchange, started)


def _interrupted(job: Job, exchange: Any) -> None:
    """The call is being abandoned: say what was decided (the on_outcome callback had each one)."""
    log.warning("batchcancel: %s call interrupted: %s", getattr(exchange, "id", "?"), job.summary())


def _finish(job: Job, exchange: Any, started: float) -> CancelReport:
    report = job.report(time.monotonic() - started)
    log.info(
        "batchcancel: %s %d order(s) -> %s in %d request(s), %.3f s",
        getattr(exchange, "id", "?"),
        len(report.outcomes),
        ", ".join(f"{count} {name}" for name, count in report.counts().items() if count),
        report.requests_sent,
        report.elapsed_s,
    )
    return report
