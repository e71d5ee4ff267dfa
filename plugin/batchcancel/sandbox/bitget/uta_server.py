"""Bitget for a unified trading account (UTA mode): v3 under ``/api/v3/``, v2 trading refused.

The envelope, signing, budgets' shape and fault answers are the classic server's (Bitget uses
one scheme for both APIs); what changes is the routes: ``/api/v3/account/settings`` answers a
success (so ccxt's default detection reads the account as UTA), the v3 endpoints ccxt calls in
UTA mode are served, and every private v2 endpoint answers an error, as a UTA account gets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..wire import ExchangeContext, HttpRequest, Reply, RequestContext
from . import uta_orders
from .rules import OK_CODE, PARAM_ERROR, BitgetError
from .server import BitgetServer
from .uta_rules import (
    CANCEL,
    CANCEL_BATCH,
    CANCEL_SYMBOL,
    CLASSIC_REFUSED,
    INSTRUMENTS,
    ORDER_INFO,
    PLACE,
    SETTINGS,
    UNFILLED,
    base_limit,
)
from .venue import BitgetVenue

NOT_OPEN_CODES = frozenset({uta_orders.NOT_FOUND[0]})


class BitgetUtaVenue(BitgetVenue):
    limit_of = staticmethod(base_limit)


def classic_refused(bitget: BitgetVenue, call: RequestContext) -> Any:
    raise BitgetError(*CLASSIC_REFUSED)


class BitgetUtaServer(BitgetServer):
    """The Bitget server of a sandbox whose accounts are all unified trading accounts."""

    venue_class = BitgetUtaVenue

    def __init__(self, ctx: ExchangeContext) -> None:
        super().__init__(ctx)
        for key, (_, private) in list(self._routes.items()):
            if private and key[1].startswith("/api/v2/"):
                self._routes[key] = (classic_refused, True)
        self._routes.update(
            {
                ("GET", INSTRUMENTS): (uta_orders.instruments, False),
                ("GET", SETTINGS): (uta_orders.settings, True),
                ("POST", PLACE): (uta_orders.place, True),
                ("GET", UNFILLED): (uta_orders.unfilled, True),
                ("GET", ORDER_INFO): (uta_orders.order_info, True),
                ("POST", CANCEL): (uta_orders.cancel, True),
                ("POST", CANCEL_BATCH): (uta_orders.cancel_batch, True),
                ("POST", CANCEL_SYMBOL): (uta_orders.cancel_symbol, True),
            }
        )

    def params_of(self, request: HttpRequest) -> dict[str, Any]:
        if request.path != CANCEL_BATCH:
            return super().params_of(request)
        orders = _json_list(request.body)
        if orders is None:
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: body is not a JSON array")
        return {"orders": orders}  # cancel-batch's body is a bare array

    def count_items(self, request: HttpRequest) -> int:
        if request.path == CANCEL:
            return 1
        if request.path == CANCEL_BATCH:
            orders = _json_list(request.body)
            return len(orders) if orders is not None else 0
        return 0

    def is_batch(self, path: str) -> bool:
        return path == CANCEL_BATCH

    def mangle_batch(self, kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
        payload = reply.payload
        if not isinstance(payload, dict) or payload.get("code") != OK_CODE:
            return
        entries = payload["data"]
        codes = uta_orders.entry_codes(entries)
        if kind == "drop_item" and entries:
            del entries[pick(len(entries))]
            codes = uta_orders.entry_codes(entries)
        elif kind == "extra_item":
            entries.append({"orderId": str(9_000_000_000_000_000_000 + pick(10**9)), "clientOid": ""})
            codes = uta_orders.entry_codes(entries)
        elif kind == "no_error_code":
            # Failures keep their message only; "does not exist" reads "notExisted", as the
            # cancel-all page's own example. The log keeps the codes as they were applied.
            for entry in entries:
                if entry.pop("code", None) in NOT_OPEN_CODES:
                    entry["msg"] = "notExisted"
        reply.item_codes = codes


def _json_list(body: bytes) -> list[Any] | None:
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, list) else None
