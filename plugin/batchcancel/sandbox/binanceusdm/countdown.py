"""``countdownCancelAll``: per (account, symbol) countdowns that cancel the symbol's open orders
when they run out, checked by one background thread while any is armed (Binance checks about
every 10 ms)."""

from __future__ import annotations

import threading
import time

from ..wire import ExchangeContext
from .rules import CATEGORY, COUNTDOWN_TICK_S, EXCHANGE_ID


class Countdowns:
    def __init__(self, ctx: ExchangeContext) -> None:
        self._ctx = ctx
        self._lock = threading.Lock()
        self._deadlines: dict[tuple[str, str], float] = {}  # (uid, symbol) -> monotonic deadline
        self._thread: threading.Thread | None = None
        self.fired: list[tuple[str, str, int]] = []  # (uid, symbol, orders cancelled), for tests

    def arm(self, uid: str, symbol: str, millis: int) -> None:
        """(Re)start the countdown of ``symbol``; 0 stops it."""
        with self._lock:
            if millis == 0:
                self._deadlines.pop((uid, symbol), None)
                return
            self._deadlines[(uid, symbol)] = time.monotonic() + millis / 1000
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="binanceusdm-countdown", daemon=True)
                self._thread.start()

    def armed(self) -> dict[tuple[str, str], float]:
        """Seconds left per (uid, symbol)."""
        now = time.monotonic()
        with self._lock:
            return {key: deadline - now for key, deadline in self._deadlines.items()}

    def clear(self) -> None:
        with self._lock:
            self._deadlines.clear()
            self.fired.clear()

    def _run(self) -> None:
        while True:
            time.sleep(COUNTDOWN_TICK_S)
            now = time.monotonic()
            with self._lock:
                due = [key for key, deadline in self._deadlines.items() if deadline <= now]
                for key in due:
                    del self._deadlines[key]
                if not self._deadlines and not due:
                    self._thread = None
                    return
            for uid, symbol in due:
                self._cancel_all(uid, symbol)

    def _cancel_all(self, uid: str, symbol: str) -> None:
        book = self._ctx.books.book(EXCHANGE_ID, uid)
        now_ms = self._ctx.clock.now_ms()
        cancelled = 0
        for order in book.orders(lambda o: o.is_open and o.native_symbol == symbol):
            found = book.cancel(
                CATEGORY,
                symbol,
                order_id=order.order_id,
                client_order_id=None,
                order_filter=None,
                now_ms=now_ms,
            )
            cancelled += found.ok
        with self._lock:
            self.fired.append((uid, symbol, cancelled))
