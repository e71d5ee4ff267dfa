"""Bitget's unified trading account (UTA): the v3 cancel API, as a pure dialect.

What v3 offers, and so what this dialect does (facts in :mod:`batchcancel.exchanges.bitget_uta_api`):

- **Batch** ``POST /api/v3/trade/cancel-batch``: a JSON *array* of up to 20 items, each with its
  own ``symbol``, its ``category`` (one category per request: "All orders must have the same
  category") and its ``orderId`` or ``clientOid``. So one request covers any symbols of one
  category: every spot pair together, every USDT-margined contract together, and so on. 5
  requests/s per UID, all categories together.
- The answer's ``data`` is a list of entries ``{orderId, clientOid}``, a failed one with ``code``
  and ``msg``. Entries are matched back to the requests by the id each was sent with, never by
  position; an order in no entry is sent again, never assumed cancelled.
- **Single** ``POST /api/v3/trade/cancel-order`` (10/s per UID): ``symbol`` and the id, as ccxt
  sends it; the second route, where one order finishes sooner than waiting for a batch slot.
- **Reading one order back** ``GET /api/v3/trade/order-info`` (20/s): by ``orderId`` or
  ``clientOid``, any category, before an order would end FAILED.

A request with ``params`` (trigger, strategy, margin...) is left to ccxt's own ``cancel_order``,
which knows ``cancel-strategy-order``; so are markets v3's order endpoints do not take.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from batchcancel.engine import Budget, Call, Dialect, MalformedResponse, Route, Verdict, WorkItem
from batchcancel.engine.classify import code_in_message, describe
from batchcancel.engine.reading import OrderState
from batchcancel.exchanges.bitget_api import (
    CANCELED,
    CLIENT_OID,
    OK_CODE,
    ORDER_ID,
    Unsupported,
    data_of,
    id_field,
    id_value,
    says_not_open,
    text_of,
)
from batchcancel.exchanges.bitget_uta_api import (
    CODES,
    OK_ENTRY_MESSAGES,
    ORDER_STATES,
    UTA_BATCH,
    UTA_BATCH_CANCEL,
    UTA_CANCEL,
    UTA_LIMITS,
    UTA_ORDER_INFO,
    UTA_SINGLE,
    UTA_STATE_ROUTE,
    UtaGroup,
    category_of,
)
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")

UtaGroupOrNot = UtaGroup | Unsupported
"""A category all of whose orders may share a batch, or why v3 cannot carry an order natively."""


class BitgetUtaDialect(Dialect[UtaGroupOrNot]):
    """Bitget v3 (UTA) cancels; pure. :class:`~batchcancel.exchanges.bitget.BitgetDialect` hands
    a UTA account's orders here."""

    name = "bitget"

    def budgets(self, settings: Settings) -> Mapping[str, Budget]:
        return {key: Budget(limit, 1.0) for key, limit in UTA_LIMITS.items()}

    def group_of(self, item: WorkItem) -> UtaGroupOrNot:
        if item.request.params:
            return Unsupported(f"UTA params {sorted(item.request.params)} need ccxt's cancel_order")
        category = category_of(item.market)
        if category is None:
            return Unsupported(f"{item.market.get('type')} markets have no v3 batch cancel")
        return UtaGroup(category)

    def unserved_reason(self, group: UtaGroupOrNot) -> str:
        return group.why if isinstance(group, Unsupported) else ""

    def routes(self, group: UtaGroupOrNot) -> Sequence[Route]:
        return (UTA_BATCH, UTA_SINGLE) if isinstance(group, UtaGroup) else ()

    def build(self, route: Route, group: UtaGroupOrNot, items: Sequence[WorkItem]) -> Call:
        if not isinstance(group, UtaGroup):
            raise ValueError(f"no Bitget v3 route for {group!r}")
        if route.name == UTA_BATCH.name:
            body = [{_field(i): _id(i), "category": group.category, "symbol": i.market_id} for i in items]
            return Call(UTA_BATCH_CANCEL, (body,), tuple(items))
        (item,) = items
        return Call(UTA_CANCEL, ({"symbol": item.market_id, _field(item): _id(item)},), tuple(items))

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        data = data_of(response)
        if call.method == UTA_CANCEL:
            (item,) = call.items
            if not isinstance(data, Mapping):
                raise MalformedResponse(f"'data' is {type(data).__name__}, not an object")
            if text_of(data.get(_field(item))) != _id(item):
                return [Verdict.missing()]  # "00000" with no id (or another one) cancels nothing we know
            return [CANCELED]
        if not isinstance(data, list) or not all(isinstance(entry, Mapping) for entry in data):
            raise MalformedResponse("cancel-batch 'data' is not a list of objects")
        by_field: dict[str, dict[str, Mapping[str, Any]]] = {ORDER_ID: {}, CLIENT_OID: {}}
        for entry in data:
            for field, entries in by_field.items():
                key = text_of(entry.get(field))
                if key is not None:
                    entries.setdefault(key, entry)
        sent = Counter((_field(item), _id(item)) for item in call.items)
        verdicts = []
        for item in call.items:
            field, value = _field(item), _id(item)
            entry = by_field[field].get(value)
            if sent[(field, value)] > 1:
                # One id twice in one request (e.g. under two symbols): no entry says which it answers.
                verdicts.append(Verdict.isolate(None, f"{field} {value} named twice in one batch"))
            elif entry is None:
                verdicts.append(Verdict.missing())
            else:
                verdicts.append(entry_verdict(text_of(entry.get("code")), str(entry.get("msg") or "")))
        return verdicts

    def read_error(self, call: Call, error: BaseException) -> Verdict | None:
        code = self.error_code(error)
        if code is None:
            return None
        return CODES.request_verdict(code, describe(error), len(call.items))

    def error_code(self, error: BaseException) -> str | None:
        return code_in_message(str(error))

    # -- reading orders back -------------------------------------------------------------------

    def build_state_read(self, item: WorkItem) -> Call | None:
        if not isinstance(self.group_of(item), UtaGroup):
            return None  # orders only ccxt can reach: ccxt's fetch_order reads them
        return Call(UTA_ORDER_INFO, ({_field(item): _id(item)},), (item,), route=UTA_STATE_ROUTE)

    def read_state(self, call: Call, response: Any) -> OrderState:
        data = data_of(response)
        (item,) = call.items
        if not isinstance(data, Mapping) or text_of(data.get(_field(item))) != _id(item):
            raise MalformedResponse(f"the order read does not name {_field(item)} {_id(item)}")
        status = text_of(data.get("orderStatus")) or ""
        if status not in ORDER_STATES:
            raise MalformedResponse(f"unknown order status {status!r}")
        return ORDER_STATES[status]

    def read_state_error(self, call: Call, error: BaseException) -> OrderState | None:
        code = self.error_code(error)
        return OrderState.GONE if code is not None and code in CODES.not_open else None

    def place_of(self, item: WorkItem) -> str:
        return f"{item.market_id} ({category_of(item.market)})"


def entry_verdict(code: str | None, message: str) -> Verdict:
    """What one cancel-batch entry that names its order means for it."""
    if code in (None, OK_CODE) and message.strip().lower() in OK_ENTRY_MESSAGES:
        return CANCELED
    if code is None or code == OK_CODE:
        # A message but no code: an order-missing message means not open; anything else says
        # nothing certain, so the order is sent again and read before it is given up.
        if says_not_open(message):
            return Verdict.already_closed(None, message)
        return Verdict.unknown(None, message)
    return CODES.item_verdict(code, message)


def _field(item: WorkItem) -> str:
    return id_field(item.request)


def _id(item: WorkItem) -> str:
    return id_value(item.request, id_field(item.request))
