"""Binance USDⓈ-M as the sandbox speaks it: every path under ``/fapi/``.

Success: HTTP 200 with the bare result (an object or a list, no envelope). Errors: HTTP 400 (401
for a bad key or signature, 429 past the request weight) with ``{"code": -NNNN, "msg": "..."}``.
Every answer says the IP's weight used in ``X-MBX-USED-WEIGHT-1M`` and carries a ``Date``; a 429
carries ``Retry-After`` (seconds).
"""

from __future__ import annotations

import email.utils
import json
import math
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from ..accounts import Account
from ..faults import DROP_ITEM, EXTRA_ITEM, HTTP_500, MAINTENANCE, RATE_LIMIT
from ..signing import same_signature
from ..wire import ExchangeContext, HttpRequest, Reply, RequestContext
from . import orders, shapes
from .rules import (
    ALL_OPEN_ORDERS,
    BATCH_ORDERS,
    COUNTDOWN,
    EXCHANGE_ID,
    EXCHANGE_INFO,
    OPEN_ALGO_ORDERS,
    OPEN_ORDERS,
    OPEN_ORDERS_WEIGHT,
    ORDER,
    PING,
    TIME,
    WEIGHTS,
    BinanceError,
    too_many_requests,
)
from .signing import binance_signature, split_signature
from .venue import BinanceVenue

RECV_WINDOW_DEFAULT_MS = 5000
FUTURE_TOLERANCE_MS = 1000  # "timestamp < serverTime + 1000"

_Handler = Callable[[BinanceVenue, RequestContext], Any]


class BinanceUsdmServer:
    """Binance USDⓈ-M's wire API: routing, weights, authentication and the answers' headers."""

    name = EXCHANGE_ID
    redirect_path = TIME
    empty_success: Mapping[str, Any] = {"code": 200, "msg": "success"}

    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self.venue = BinanceVenue(ctx)
        self._routes: dict[tuple[str, str], tuple[_Handler, bool]] = {
            ("GET", PING): (lambda venue, call: {}, False),
            ("GET", TIME): (lambda venue, call: {"serverTime": venue.ctx.clock.now_ms()}, False),
            ("GET", EXCHANGE_INFO): (exchange_info, False),
            ("POST", ORDER): (orders.place, True),
            ("GET", ORDER): (orders.query, True),
            ("DELETE", ORDER): (orders.cancel, True),
            ("GET", OPEN_ORDERS): (orders.open_orders, True),
            ("GET", OPEN_ALGO_ORDERS): (orders.open_algo_orders, True),
            ("DELETE", BATCH_ORDERS): (orders.batch_cancel, True),
            ("DELETE", ALL_OPEN_ORDERS): (orders.cancel_all, True),
            ("POST", COUNTDOWN): (orders.countdown, True),
        }

    def reset(self) -> None:
        """Forget armed countdowns (``Sandbox.reset``)."""
        self.venue.countdowns.clear()

    def handle(self, request: HttpRequest) -> Reply:
        route = self._routes.get((request.method, request.path))
        call = RequestContext(request, _params(request))
        try:
            if route is None:
                raise BinanceError(-1000, "Path not found", 404)
            handler, private = route
            self.venue.charge(call, _weight(request, call.params))
            if private:
                call.account = self._authenticate(request, call.params)
            return self._reply(200, handler(self.venue, call), call, request)
        except BinanceError as error:
            return self._reply(error.status, {"code": error.code, "msg": error.msg}, call, request)

    def _reply(self, status: int, payload: Any, call: RequestContext | None, request: HttpRequest) -> Reply:
        headers = {
            "Content-Type": "application/json",
            "Date": email.utils.formatdate(usegmt=True),
            "X-MBX-USED-WEIGHT-1M": str(self.venue.used_weight()),
        }
        if status == 429:
            grant = self.ctx.limiter.peek((EXCHANGE_ID, "ip", "weight"), self.venue.weight_limit())
            wait_ms = max(grant.reset_ms - self.ctx.clock.now_ms(), 0)
            headers["Retry-After"] = str(max(1, math.ceil(wait_ms / 1000)))
        code = str(payload.get("code")) if isinstance(payload, dict) and "code" in payload else str(status)
        return Reply(
            status=status,
            payload=payload,
            headers=headers,
            account=call.account.uid if call and call.account else self.account_of(request),
            code=code,
            items=call.items if call and call.items else self.count_items(request),
            item_codes=call.item_codes if call else (),
            budget_left=call.grant.remaining if call and call.grant else None,
        )

    def _authenticate(self, request: HttpRequest, params: dict[str, Any]) -> Account:
        key = request.header("X-MBX-APIKEY")
        if not key:
            raise BinanceError(-2014, "API-key format invalid.", 401)
        account = self.ctx.accounts.by_key(key)
        if account is None:
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        signed, signature = split_signature(request.raw_query, request.body.decode("utf-8", "replace"))
        if not signature:
            raise BinanceError(
                -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."
            )
        if not same_signature(binance_signature(account.secret, signed), signature):
            raise BinanceError(-1022, "Signature for this request is not valid.", 401)
        timestamp, window = str(params.get("timestamp", "")), str(params.get("recvWindow", ""))
        if not timestamp.isdigit():
            raise BinanceError(
                -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."
            )
        recv_window = int(window) if window.isdigit() else RECV_WINDOW_DEFAULT_MS
        now = self.ctx.clock.now_ms()
        if not (int(timestamp) < now + FUTURE_TOLERANCE_MS and now - int(timestamp) <= recv_window):
            raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")
        return account

    # -- what the router asks of every exchange server ------------------------------------------

    def fault_reply(self, kind: str, request: HttpRequest) -> Reply:
        if kind == RATE_LIMIT:
            error = too_many_requests()
            reply = self._reply(429, {"code": error.code, "msg": error.msg}, None, request)
            reply.headers["Retry-After"] = "1"
            return reply
        if kind == MAINTENANCE:
            return self._reply(
                503, {"code": -1016, "msg": "This service is no longer available."}, None, request
            )
        assert kind == HTTP_500, kind
        return self.internal_error(request)

    def internal_error(self, request: HttpRequest) -> Reply:
        return self._reply(500, {"code": -1001, "msg": "Internal error; unable to process your request."},
                           None, request)  # fmt: skip

    def count_items(self, request: HttpRequest) -> int:
        if (request.method, request.path) == ("DELETE", ORDER):
            return 1
        if (request.method, request.path) == ("DELETE", BATCH_ORDERS):
            for key, value in _params(request).items():
                if key.lower().endswith("idlist"):
                    try:
                        values = json.loads(value)
                    except ValueError:
                        return 0
                    return len(values) if isinstance(values, list) else 0
        return 0

    def account_of(self, request: HttpRequest) -> str | None:
        account = self.ctx.accounts.by_key(request.header("X-MBX-APIKEY"))
        return account.uid if account else None

    def is_batch(self, path: str) -> bool:
        return path == BATCH_ORDERS

    def mangle_batch(self, kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
        results = reply.payload
        if reply.status != 200 or not isinstance(results, list):
            return
        if kind == DROP_ITEM and results:
            del results[pick(len(results))]
        elif kind == EXTRA_ITEM:
            stranger = dict(results[0]) if results and "orderId" in results[0] else {"symbol": "BTCUSDT"}
            stranger.update(orderId=9_000_000_000_000_000 + pick(10**9), clientOrderId="", status="CANCELED")
            results.append(stranger)
        else:
            return  # the other batch faults describe Bybit's and Bitget's answers
        reply.item_codes = tuple(str(r.get("code", "CANCELED")) for r in results)


def _params(request: HttpRequest) -> dict[str, Any]:
    """Query and form body together, decoded (Binance reads them as one parameter set)."""
    body = request.body.decode("utf-8", "replace") if request.method in ("POST", "PUT") else ""
    params: dict[str, Any] = {}
    for part in (request.raw_query, body):
        params.update(parse_qsl(part, keep_blank_values=True))
    return params


def _weight(request: HttpRequest, params: Mapping[str, Any]) -> int:
    if request.method == "GET" and request.path in (OPEN_ORDERS, OPEN_ALGO_ORDERS):
        with_symbol, without = OPEN_ORDERS_WEIGHT
        return with_symbol if params.get("symbol") else without
    return WEIGHTS.get((request.method, request.path), 1)


def exchange_info(venue: BinanceVenue, call: RequestContext) -> Any:
    return shapes.exchange_info(list(venue.ctx.catalog), venue.ctx.clock.now_ms())
