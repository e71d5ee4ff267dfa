"""Verify mode: after the cancels, read the open orders back and find what is still open.

Bybit acknowledges a cancel before it happens (seeds 000/001: "this request is asynchronous"),
so "the exchange accepted it" is not "the order is gone". A kill switch wants the second.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from batchcancel.engine.classify import describe
from batchcancel.engine.dialect import Call, MalformedResponse, WorkItem
from batchcancel.engine.state import ItemState

log = logging.getLogger("batchcancel")

VERIFY = "verify"


def plan_verification(items: Iterable[WorkItem]) -> list[Call]:
    """One ``fetch_open_orders`` per symbol (and per distinct request params, e.g. Bybit's
    ``orderFilter`` for conditional orders, which the exchange lists separately)."""
    groups: dict[tuple[str, tuple[tuple[str, Any], ...]], list[WorkItem]] = {}
    for item in items:
        params = tuple(sorted((k, v) for k, v in item.request.params.items() if _plain(v)))
        groups.setdefault((str(item.market["symbol"]), params), []).append(item)
    return [
        Call(
            "fetch_open_orders",
            (symbol, None, None, {**dict(params), "paginate": True}),
            tuple(members),
            purpose=VERIFY,
            via="verify",
        )
        for (symbol, params), members in groups.items()
    ]


def still_open(call: Call, response: Any) -> set[int]:
    """Keys of the call's items that the open orders still list."""
    if not isinstance(response, list):
        raise MalformedResponse(f"fetch_open_orders returned {type(response).__name__}, not a list")
    ids, client_ids = set(), set()
    for order in response:
        if isinstance(order, Mapping):
            if order.get("id") is not None:
                ids.add(str(order["id"]))
            if order.get("clientOrderId"):
                client_ids.add(str(order["clientOrderId"]))
    found = set()
    for item in call.items:
        request = item.request
        if request.order_id is not None:
            if request.order_id in ids:
                found.add(item.key)
        elif request.client_order_id in client_ids:
            found.add(item.key)
    return found


def _plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


class Verifier:
    """The orders awaiting verification, and the reading of what the exchange lists as open."""

    def __init__(self, max_retries: int, backoff: Callable[[int], float]) -> None:
        self.pending: dict[int, ItemState] = {}
        self.not_before = 0.0
        self._max_retries = max_retries
        self._backoff = backoff

    def calls(self, now: float, slots: int) -> list[tuple[Call, list[ItemState]]]:
        if now < self.not_before:
            return []
        planned = []
        for call in plan_verification(state.item for state in self.pending.values())[:slots]:
            planned.append((call, [self.pending.pop(item.key) for item in call.items]))
        return planned

    def read(
        self, call: Call, states: list[ItemState], now: float, response: Any, error: BaseException | None
    ) -> Iterator[tuple[ItemState, bool]]:
        """Yield ``(state, still_open)``; a failed read is retried, then leaves outcomes unverified."""
        try:
            if error is not None:
                raise error
            open_keys = still_open(call, response)
        except Exception as exc:
            for state in states:
                state.verify_errors += 1
                if state.verify_errors <= self._max_retries:
                    self.pending[state.item.key] = state
                else:
                    log.warning(
                        "batchcancel: could not verify %s: %s", state.item.request.describe(), describe(exc)
                    )
            self.not_before = now + self._backoff(max(state.verify_errors for state in states))
            return
        for state in states:
            is_open = state.item.key in open_keys
            if is_open:
                state.verify_rounds += 1
            yield state, is_open
