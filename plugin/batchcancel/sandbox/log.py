"""The record of every request the sandbox served."""

from __future__ import annotations

import threading

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


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[ServedRequest] = []

    def append(self, entry: ServedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def snapshot(self) -> list[ServedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def count(self, path: str | None = None, exchange: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for e in self._entries
                if (path is None or e.path == path) and (exchange is None or e.exchange == exchange)
            )
