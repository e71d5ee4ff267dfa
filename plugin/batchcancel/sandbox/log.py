"""The record of every request the sandbox served."""

from __future__ import annotations

import threading
from collections.abc import Callable

import attrs


@attrs.frozen
class ServedRequest:
    exchange: str  # "bybit" / "bitget"
    method: str
    path: str
    account: str | None  # uid, when the request named a known API key
    status: int  # HTTP status; 0 when the connection was reset or closed without a response
    code: str | None  # top-level code (Bybit retCode, Bitget code); None without a response
    items: int  # orders named by a cancel request (1 for a single cancel), 0 for other requests
    item_codes: tuple[str, ...]  # per-item codes as served: Bybit retExtInfo.list order,
    #                              Bitget successList ("00000" each) then failureList
    started: float  # epoch seconds, when the request was read
    finished: float  # epoch seconds, when the response was written (or the connection dropped)
    fault: str | None = None  # the injected fault, if one fired
    budget_left: int | None = None  # what the rate budget this request drew on has left after it


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[ServedRequest] = []
        self._listeners: list[Callable[[ServedRequest], None]] = []
        self._generation = 0  # how many times the log was cleared

    @property
    def generation(self) -> int:
        """Taken when a request arrives and handed back to :meth:`append` with its entry."""
        return self._generation

    def subscribe(self, listener: Callable[[ServedRequest], None]) -> None:
        """Call ``listener`` with every entry as it is appended (on the serving thread)."""
        with self._lock:
            self._listeners.append(listener)

    def append(self, entry: ServedRequest, generation: int | None = None) -> None:
        """Record ``entry``, unless the log was cleared since its request arrived (``generation``
        taken then): a request held past a ``reset()`` or ``clear_log()`` (latency, a timeout
        fault) belongs to what came before, not to the test or run that cleared the log."""
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            self._entries.append(entry)
            listeners = list(self._listeners)
        for listener in listeners:  # outside the lock: a slow listener must not stall other threads
            listener(entry)

    def snapshot(self) -> list[ServedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def count(self, path: str | None = None, exchange: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for e in self._entries
                if (path is None or e.path == path) and (exchange is None or e.exchange == exchange)
            )
