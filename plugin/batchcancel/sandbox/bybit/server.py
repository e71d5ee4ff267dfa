"""Bybit v5 as the sandbox speaks it.

Every answer is HTTP 200 with ``{"retCode","retMsg","result","retExtInfo","time"}``; business
errors live in ``retCode``. Every answer carries ``X-Bapi-Limit``, ``X-Bapi-Limit-Status`` and
``X-Bapi-Limit-Reset-Timestamp`` for the budget the endpoint draws on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from .. import marketdata
from ..accounts import Account
from ..faults import HTTP_500, MAINTENANCE, RATE_LIMIT
from ..signing import same_signature, signed_query
from ..wire import ExchangeContext, HttpRequest, Reply, RequestContext, int_param, parse_json_object
from . import host, orders, shapes
from .rules import (
    CANCEL,
    CANCEL_ALL,
    CANCEL_BATCH,
    CREATE,
    EXCHANGE_ID,
    OK_MSG,
    PARAM_ERROR,
    RATE_LIMITED,
    REALTIME,
    BybitError,
    category_of,
)
from .signing import DEFAULT_RECV_WINDOW, bybit_signature
from .venue import BybitVenue

MARKET_TIME = "/v5/market/time"

_Handler = Callable[[BybitVenue, RequestContext], "tuple[Any, Any]"]


class BybitServer:
    """Bybit v5's wire API: routing, authentication, the envelope and its rate-limit headers."""

    name = EXCHANGE_ID
    redirect_path = MARKET_TIME  # where the redirect fault sends a client
    empty_success: Mapping[str, Any] = {
        "retCode": 0,
        "retMsg": "OK",
        "result": {},
        "retExtInfo": {},
        "time": 0,
    }

    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self.venue = BybitVenue(ctx)
        self._routes: dict[tuple[str, str], tuple[_Handler, bool]] = {
            ("GET", MARKET_TIME): (market_time, False),
            ("GET", "/v5/market/instruments-info"): (instruments, False),
            ("GET", "/v5/asset/coin/query-info"): (coin_info, True),
            ("GET", "/v5/user/query-api"): (query_api, True),
            ("GET", "/v5/account/info"): (account_info, True),
            ("GET", "/v5/account/wallet-balance"): (wallet_balance, True),
            ("POST", CREATE): (orders.create, True),
            ("GET", REALTIME): (orders.realtime, True),
            ("POST", CANCEL): (orders.cancel, True),
            ("POST", CANCEL_BATCH): (orders.cancel_batch, True),
            ("POST", CANCEL_ALL): (orders.cancel_all, True),
            **host.ROUTES,  # what a trading host reads besides orders: market data, positions, fills
        }

    # ----------------------------------------------------------------- plumbing

    def handle(self, request: HttpRequest) -> Reply:
        route = self._routes.get((request.method, request.path))
        if route is None:
            return self._envelope(404, 404, "Not Found", {}, {}, None, request)
        handler, private = route
        call = RequestContext(request, {})
        try:
            if private:
                call.account = self._authenticate(request)
            else:
                self.venue.charge_public(call)
            params = self._params(request)
            if params is None:
                raise BybitError(PARAM_ERROR, "params error: request body is not a JSON object")
            call.params = params
            result, ext = handler(self.venue, call)
            return self._envelope(200, 0, OK_MSG, result, ext, call, request)
        except BybitError as error:
            if error.code == 403:  # the IP limit answers in HTTP, not in retCode
                return self._ip_limited(call, request)
            return self._envelope(200, error.code, error.msg, {}, {}, call, request)

    @staticmethod
    def _params(request: HttpRequest) -> dict[str, Any] | None:
        if request.method == "GET":
            return dict(parse_qsl(request.raw_query, keep_blank_values=True))
        return parse_json_object(request.body)

    def _envelope(
        self,
        status: int,
        code: int,
        msg: str,
        result: Any,
        ext: Any,
        call: RequestContext | None,
        request: HttpRequest,
    ) -> Reply:
        now = self.ctx.clock.now_ms()
        payload = {
            "retCode": code,
            "retMsg": msg,
            "result": result,
            "retExtInfo": ext,
            "time": call.time_override if call and call.time_override else now,
        }
        return Reply(
            status=status,
            payload=payload,
            headers=self._limit_headers(call, request),
            account=call.account.uid if call and call.account else self.account_of(request),
            code=str(code),
            items=call.items if call else self.count_items(request),
            item_codes=call.item_codes if call else (),
        )

    def _limit_headers(self, call: RequestContext | None, request: HttpRequest) -> dict[str, str]:
        grant = call.grant if call else None
        if grant is None:
            # Nothing was charged (an early error): report the public budget's state.
            grant = self.ctx.limiter.peek(self.venue.public_key(), self.venue.public_limit())
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-Bapi-Limit": str(grant.limit),
            "X-Bapi-Limit-Status": str(grant.remaining),
            "X-Bapi-Limit-Reset-Timestamp": str(grant.reset_ms),
        }

    def _ip_limited(self, call: RequestContext, request: HttpRequest) -> Reply:
        reply = self._envelope(403, 403, "access too frequent", {}, {}, call, request)
        reply.payload = "access too frequent"  # Bybit's IP ban page is not JSON
        reply.headers["Content-Type"] = "text/plain"
        return reply

    def _authenticate(self, request: HttpRequest) -> Account:
        account = self.ctx.accounts.by_key(request.header("X-BAPI-API-KEY"))
        if account is None:
            raise BybitError(10003, "API key is invalid.")
        timestamp = request.header("X-BAPI-TIMESTAMP") or ""
        recv_window = request.header("X-BAPI-RECV-WINDOW") or DEFAULT_RECV_WINDOW
        if not timestamp.isdigit() or not recv_window.isdigit():
            raise BybitError(10002, "invalid request, please check your timestamp and recv_window")
        server_time = self.ctx.clock.now_ms()
        if not server_time - int(recv_window) <= int(timestamp) < server_time + 1000:
            raise BybitError(
                10002,
                "invalid request, please check your server timestamp or recv_window "
                f"param. req_timestamp[{timestamp}],server_timestamp[{server_time}],"
                f"recv_window[{recv_window}]",
            )
        payload = request.body if request.method == "POST" else signed_query(request.raw_query).encode()
        expected = bybit_signature(account.secret, timestamp, account.api_key, recv_window, payload)
        if not same_signature(expected, request.header("X-BAPI-SIGN") or ""):
            raise BybitError(10004, "error sign! please check your signature generation algorithm.")
        return account

    # ------------------------------------------------------------------ faults

    def fault_reply(self, kind: str, request: HttpRequest) -> Reply:
        if kind == RATE_LIMIT:
            reply = self._envelope(200, *RATE_LIMITED, {}, {}, None, request)
            reply.headers["X-Bapi-Limit-Status"] = "0"
            return reply
        if kind == MAINTENANCE:
            return self._envelope(
                200, 10016, "Service is under maintenance, please try again later.", {}, {}, None, request
            )
        assert kind == HTTP_500, kind
        return self.internal_error(request)

    def internal_error(self, request: HttpRequest) -> Reply:
        return self._envelope(500, 10016, "Internal server error.", {}, {}, None, request)

    def count_items(self, request: HttpRequest) -> int:
        if request.path == CANCEL:
            return 1
        if request.path == CANCEL_BATCH:
            items = (parse_json_object(request.body) or {}).get("request")
            return len(items) if isinstance(items, list) else 0
        return 0

    def account_of(self, request: HttpRequest) -> str | None:
        account = self.ctx.accounts.by_key(request.header("X-BAPI-API-KEY"))
        return account.uid if account else None

    def is_batch(self, path: str) -> bool:
        return path == CANCEL_BATCH

    def mangle_batch(self, kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
        payload = reply.payload
        if not isinstance(payload, dict) or payload.get("retCode") != 0:
            return
        rows, codes = payload["result"]["list"], payload["retExtInfo"]["list"]
        if kind == "drop_item" and rows:
            index = pick(len(rows))
            del rows[index], codes[index]
        elif kind == "extra_item" and rows:
            stray = dict(
                rows[pick(len(rows))], orderId=str(9_000_000_000_000_000_000 + pick(10**9)), orderLinkId=""
            )
            rows.append(stray)
            codes.append({"code": 0, "msg": OK_MSG})
        elif kind == "code_list_short" and codes:
            del codes[0]
        elif kind == "code_list_long":
            codes.insert(0, {"code": 0, "msg": OK_MSG})
        reply.item_codes = tuple(str(c["code"]) for c in codes)


# ------------------------------------------------- public and account endpoints ccxt starts with


def market_time(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    now = bybit.ctx.clock.now_ms()
    call.time_override = now
    return {"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}, {}


def instruments(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    category = category_of(params)
    markets = [] if params.get("status") == "PreLaunch" else bybit.ctx.catalog.in_category(category)
    if params.get("symbol"):
        markets = [m for m in markets if m.native_symbol == params["symbol"]]
    if params.get("baseCoin"):
        markets = [m for m in markets if m.base == params["baseCoin"]]
    start = int_param(params, "cursor", 0, 0, len(markets))
    limit = int_param(params, "limit", 500, 1, 1000)
    page = markets[start : start + limit]
    cursor = str(start + limit) if start + limit < len(markets) else ""
    return {
        "category": category,
        "list": [shapes.instrument(m) for m in page],
        "nextPageCursor": cursor,
    }, {}


def coin_info(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    bybit.charge(call)
    return {"rows": []}, {}


def query_api(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    bybit.charge(call)
    assert call.account is not None
    return shapes.api_key_info(call.account), {}


def account_info(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    bybit.charge(call)
    return shapes.account_info(bybit.ctx.clock.now_ms()), {}


def wallet_balance(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    bybit.charge(call)
    if call.params.get("accountType") not in ("UNIFIED", "CONTRACT", "SPOT"):
        raise BybitError(PARAM_ERROR, "params error: accountType invalid")
    return shapes.wallet_balance(marketdata.coins(bybit.ctx.catalog)), {}
