"""OKX v5 as the sandbox speaks it.

Success: HTTP 200 ``{"code":"0","msg":"","data":[…]}``. Endpoints that answer per order (place,
cancel, batch cancel, cancel algos) say ``code`` "0" when every order succeeded, "2" when some
did and "1" ("All operations failed") when none did, with ``sCode``/``sMsg`` per order. Other
errors: ``{"code","msg","data":[]}``, HTTP 200 for business errors, 401 for authentication,
429 with code 50011 past a budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from ..accounts import Account
from ..faults import HTTP_500, MAINTENANCE, RATE_LIMIT
from ..signing import same_signature
from ..wire import ExchangeContext, HttpRequest, Reply, RequestContext
from . import orders, shapes
from .countdown import cancel_all_after
from .rules import (
    ALGO_PENDING,
    ALL_FAILED,
    ARRAY,
    BATCH_CANCEL,
    BATCH_FAILED_MSG,
    BATCH_PLACE,
    CANCEL,
    CANCEL_ALGOS,
    CANCEL_ALL_AFTER,
    EXCHANGE_ID,
    INSTRUMENTS,
    OK_CODE,
    ORDER,
    PARAM_ERROR,
    PARTIAL,
    PENDING,
    PLACE,
    PUBLIC_TIME,
    RATE_LIMITED,
    TIMESTAMP_TOLERANCE_MS,
    OkxError,
)
from .signing import okx_signature, parse_timestamp
from .venue import OkxVenue

_Handler = Callable[[OkxVenue, RequestContext], Any]
ITEMIZED = frozenset({PLACE, BATCH_PLACE, CANCEL, BATCH_CANCEL, CANCEL_ALGOS})
"""Paths whose answer carries one ``sCode`` per order (the top-level code sums them up)."""
BATCHES = frozenset({BATCH_CANCEL, CANCEL_ALGOS})


class OkxServer:
    """OKX v5's wire API: routing, authentication and the envelope."""

    name = EXCHANGE_ID
    redirect_path = PUBLIC_TIME  # where the redirect fault sends a client
    # The ok_without_id fault: a success envelope whose data is an empty object. (OKX's true "no
    # open orders" is data [], which no client can tell from a lie: the fault is not that.)
    empty_success: Mapping[str, Any] = {"code": "0", "msg": "", "data": {}}

    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self.venue = OkxVenue(ctx)
        self._routes: dict[tuple[str, str], tuple[_Handler, bool]] = {
            ("GET", PUBLIC_TIME): (public_time, False),
            ("GET", INSTRUMENTS): (instruments, False),
            ("POST", PLACE): (orders.place, True),
            ("POST", BATCH_PLACE): (orders.place, True),
            ("GET", ORDER): (orders.order_details, True),
            ("GET", PENDING): (orders.pending, True),
            ("GET", ALGO_PENDING): (orders.algo_pending, True),
            ("POST", CANCEL): (orders.cancel_one, True),
            ("POST", BATCH_CANCEL): (orders.cancel_batch, True),
            ("POST", CANCEL_ALGOS): (orders.cancel_algos, True),
            ("POST", CANCEL_ALL_AFTER): (cancel_all_after, True),
        }

    # ----------------------------------------------------------------- plumbing

    def handle(self, request: HttpRequest) -> Reply:
        route = self._routes.get((request.method, request.path))
        call = RequestContext(request, {})
        try:
            if route is None:
                raise OkxError("404", "Not Found", 404)
            handler, private = route
            if private:
                call.account = self._authenticate(request)
            else:
                self.venue.charge_public(call)
            call.params = _params(request)
            data = handler(self.venue, call)
        except OkxError as error:
            return self._reply(error.status, error.code, error.msg, [], call, request)
        if request.method != "POST" or request.path not in ITEMIZED:  # GET trade/order is a read
            return self._reply(200, OK_CODE, "", data, call, request)
        call.item_codes = tuple(str(entry.get("sCode")) for entry in data)
        failed = sum(code != OK_CODE for code in call.item_codes)
        code = OK_CODE if not failed else ALL_FAILED if failed == len(data) else PARTIAL
        return self._reply(200, code, BATCH_FAILED_MSG if code == ALL_FAILED else "", data, call, request)

    def _reply(
        self, status: int, code: str, msg: str, data: Any, call: RequestContext | None, request: HttpRequest
    ) -> Reply:
        now_us = str(self.ctx.clock.now_ms() * 1000)
        payload = {"code": code, "msg": msg, "data": data, "inTime": now_us, "outTime": now_us}
        return Reply(
            status=status,
            payload=payload,
            headers={"Content-Type": "application/json"},
            account=call.account.uid if call and call.account else self.account_of(request),
            code=code,
            items=call.items if call else self.count_items(request),
            item_codes=call.item_codes if call else (),
            budget_left=call.grant.remaining if call and call.grant else None,
        )

    def _authenticate(self, request: HttpRequest) -> Account:
        key = request.header("OK-ACCESS-KEY")
        sign = request.header("OK-ACCESS-SIGN")
        timestamp = request.header("OK-ACCESS-TIMESTAMP")
        passphrase = request.header("OK-ACCESS-PASSPHRASE")
        if not key:
            raise OkxError("50103", "Request header OK-ACCESS-KEY can not be empty", 401)
        if not passphrase:
            raise OkxError("50104", "Request header OK-ACCESS-PASSPHRASE can not be empty", 401)
        if not sign:
            raise OkxError("50106", "Request header OK-ACCESS-SIGN can not be empty", 401)
        if not timestamp:
            raise OkxError("50107", "Request header OK-ACCESS-TIMESTAMP can not be empty", 401)
        account = self.ctx.accounts.by_key(key)
        if account is None:
            raise OkxError("50111", "Invalid OK-ACCESS-KEY", 401)
        sent_ms = parse_timestamp(timestamp)
        if sent_ms is None:
            raise OkxError("50112", "Invalid OK-ACCESS-TIMESTAMP", 401)
        if abs(self.ctx.clock.now_ms() - sent_ms) > TIMESTAMP_TOLERANCE_MS:
            raise OkxError("50102", "Timestamp request expired", 401)
        body = request.body if request.method != "GET" else b""
        # OKX signs the query as sent (ccxt urlencodes it before signing): the raw query, not decoded.
        expected = okx_signature(
            account.secret, timestamp, request.method, request.path, request.raw_query, body
        )
        if not same_signature(expected, sign):
            raise OkxError("50113", "Invalid Sign", 401)
        if not same_signature(account.password, passphrase):
            raise OkxError("50105", "Request header OK-ACCESS-PASSPHRASE incorrect", 401)
        return account

    # ------------------------------------------------------------------ faults

    def fault_reply(self, kind: str, request: HttpRequest) -> Reply:
        if kind == RATE_LIMIT:
            code, msg, status = RATE_LIMITED
            return self._reply(status, code, msg, [], None, request)
        if kind == MAINTENANCE:
            return self._reply(
                503, "50001", "Service temporarily unavailable. Please try again later", [], None, request
            )
        assert kind == HTTP_500, kind
        return self.internal_error(request)

    def internal_error(self, request: HttpRequest) -> Reply:
        return self._reply(500, "50026", "System error. Try again later", [], None, request)

    def count_items(self, request: HttpRequest) -> int:
        if request.path == CANCEL:
            return 1
        if request.path in BATCHES:
            try:
                body = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                return 0
            return len(body) if isinstance(body, list) else 0
        return 0

    def account_of(self, request: HttpRequest) -> str | None:
        account = self.ctx.accounts.by_key(request.header("OK-ACCESS-KEY"))
        return account.uid if account else None

    def is_batch(self, path: str) -> bool:
        return path in BATCHES

    def mangle_batch(self, kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
        payload = reply.payload
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            return
        entries = payload["data"]
        if kind == "drop_item" and entries:
            del entries[pick(len(entries))]
        elif kind == "extra_item":
            entries.append(
                {
                    "ordId": str(9_000_000_000_000_000_000 + pick(10**9)),
                    "clOrdId": "",
                    "sCode": "0",
                    "sMsg": "",
                }
            )
        else:
            return  # the other batch faults are Bybit's and Bitget's answer shapes
        reply.item_codes = tuple(str(entry.get("sCode")) for entry in entries)


def _params(request: HttpRequest) -> dict[str, Any]:
    """The query of a GET; the JSON body of a POST (an array under ``ARRAY``)."""
    if request.method == "GET":
        return dict(parse_qsl(request.raw_query, keep_blank_values=True))
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise OkxError(PARAM_ERROR, "Parameter body is not JSON") from None
    if isinstance(body, list):
        return {ARRAY: body}
    if not isinstance(body, dict):
        raise OkxError(PARAM_ERROR, "Parameter body is not a JSON object or array")
    return body


# ------------------------------------------------------------------- public endpoints


def public_time(okx: OkxVenue, call: RequestContext) -> Any:
    return [{"ts": str(okx.ctx.clock.now_ms())}]


def instruments(okx: OkxVenue, call: RequestContext) -> Any:
    inst_type = str(call.params.get("instType") or "").upper()
    if inst_type not in ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"):
        raise OkxError(PARAM_ERROR, "Parameter instType can not be empty")
    wanted = call.params.get("instId")
    return [
        shapes.instrument(m)
        for m in okx.ctx.catalog.in_category(inst_type)
        if not wanted or m.native_symbol == wanted
    ]
