"""Bitget v2 (classic account) as the sandbox speaks it.

Success: HTTP 200 ``{"code":"00000","msg":"success","requestTime":…,"data":…}``. Business and
auth errors: HTTP 400 with the code and ``data: null``. Past a budget: HTTP 429 with code "429".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from ..accounts import Account
from ..faults import HTTP_500, MAINTENANCE, RATE_LIMIT
from ..signing import same_signature, signed_query
from ..wire import ExchangeContext, HttpRequest, Reply, RequestContext, parse_json_array, parse_json_object
from . import host, orders, plan_orders, shapes, uta_orders
from .rules import (
    EXCHANGE_ID,
    MIX_BATCH,
    MIX_CANCEL,
    MIX_CANCEL_ALL,
    MIX_NOT_FOUND,
    MIX_PENDING,
    MIX_PLACE,
    OK_CODE,
    PARAM_ERROR,
    RATE_LIMITED,
    SPOT_BATCH,
    SPOT_CANCEL,
    SPOT_CANCEL_SYMBOL,
    SPOT_HISTORY,
    SPOT_NOT_FOUND,
    SPOT_PLACE,
    SPOT_UNFILLED,
    TIMESTAMP_TOLERANCE_MS,
    UTA_PROBE,
    BitgetError,
    item_codes,
    product_type_of,
)
from .signing import bitget_signature
from .uta_rules import CANCEL_BATCH
from .venue import BitgetUtaVenue, BitgetVenue

# What the sandbox answers for an order that is not open (spot, futures): Bitget's codes.
NOT_FOUND_CODES = frozenset({SPOT_NOT_FOUND[0], MIX_NOT_FOUND[0]})

PUBLIC_TIME = "/api/v2/public/time"

_Handler = Callable[[BitgetVenue, RequestContext], Any]


class BitgetServer:
    """Bitget v2's wire API: routing, authentication and the envelope."""

    name = EXCHANGE_ID
    redirect_path = PUBLIC_TIME  # where the redirect fault sends a client
    empty_success: Mapping[str, Any] = {"code": "00000", "msg": "success", "requestTime": 0, "data": {}}
    venue_class = BitgetVenue

    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self.venue = self.venue_class(ctx)
        self._routes: dict[tuple[str, str], tuple[_Handler, bool]] = {
            ("GET", PUBLIC_TIME): (public_time, False),
            ("GET", "/api/v2/spot/public/coins"): (empty_list, False),
            ("GET", "/api/v2/spot/public/symbols"): (symbols, False),
            ("GET", "/api/v2/margin/currencies"): (empty_list, False),
            ("GET", "/api/v2/mix/market/contracts"): (contracts, False),
            ("GET", UTA_PROBE): (uta_probe, True),
            ("POST", SPOT_PLACE): (orders.spot_place, True),
            ("GET", SPOT_UNFILLED): (orders.spot_unfilled, True),
            ("POST", SPOT_CANCEL): (orders.spot_cancel, True),
            ("POST", SPOT_BATCH): (orders.spot_batch, True),
            ("POST", MIX_PLACE): (orders.mix_place, True),
            ("GET", MIX_PENDING): (orders.mix_pending, True),
            ("POST", MIX_CANCEL): (orders.mix_cancel, True),
            ("POST", MIX_BATCH): (orders.mix_batch, True),
            ("POST", MIX_CANCEL_ALL): (orders.mix_cancel_all, True),
            ("POST", SPOT_CANCEL_SYMBOL): (orders.spot_cancel_symbol, True),
            ("GET", SPOT_HISTORY): (orders.spot_history, True),
            **plan_orders.ROUTES,  # futures trigger and TP/SL orders
            **host.ROUTES,  # what a trading host reads besides orders: market data, positions, fills
        }

    # ----------------------------------------------------------------- plumbing

    def handle(self, request: HttpRequest) -> Reply:
        route = self._routes.get((request.method, request.path))
        call = RequestContext(request, {})
        try:
            if route is None:
                raise BitgetError("40404", "Request URL NOT FOUND", 404)
            handler, private = route
            if private:
                call.account = self._authenticate(request)
            self.venue.charge(call, private)
            call.params = self.params_of(request)
            data = handler(self.venue, call)
            return self._reply(200, OK_CODE, "success", data, call, request)
        except BitgetError as error:
            return self._reply(error.status, error.code, error.msg, None, call, request)

    def params_of(self, request: HttpRequest) -> dict[str, Any]:
        """The query of a GET, the JSON object body of a POST (anything else: Bitget's 40017)."""
        params = (
            dict(parse_qsl(request.raw_query, keep_blank_values=True))
            if request.method == "GET"
            else parse_json_object(request.body)
        )
        if params is None:
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: body is not a JSON object")
        return params

    def _reply(
        self, status: int, code: str, msg: str, data: Any, call: RequestContext | None, request: HttpRequest
    ) -> Reply:
        payload = {"code": code, "msg": msg, "requestTime": self.ctx.clock.now_ms(), "data": data}
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
        key = request.header("ACCESS-KEY")
        sign = request.header("ACCESS-SIGN")
        timestamp = request.header("ACCESS-TIMESTAMP")
        passphrase = request.header("ACCESS-PASSPHRASE")
        if not key:
            raise BitgetError("40001", "ACCESS_KEY cannot be empty")
        if not sign:
            raise BitgetError("40002", "ACCESS_SIGN cannot be empty")
        if not timestamp:
            raise BitgetError("40003", "ACCESS_TIMESTAMP cannot be empty")
        if not passphrase:
            raise BitgetError("40011", "ACCESS_PASSPHRASE cannot be empty")
        account = self.ctx.accounts.by_key(key)
        if account is None:
            raise BitgetError("40006", "Invalid ACCESS_KEY")
        if not timestamp.isdigit():
            raise BitgetError("40005", "Invalid ACCESS_TIMESTAMP")
        if abs(self.ctx.clock.now_ms() - int(timestamp)) > TIMESTAMP_TOLERANCE_MS:
            raise BitgetError("40008", "Request timestamp expired")
        body = request.body if request.method == "POST" else b""
        expected = bitget_signature(
            account.secret, timestamp, request.method, request.path, signed_query(request.raw_query), body
        )
        if not same_signature(expected, sign):
            raise BitgetError("40009", "sign signature error")
        if not same_signature(account.password, passphrase):
            raise BitgetError("40012", "apikey/password is incorrect")
        return account

    # ------------------------------------------------------------------ faults

    def fault_reply(self, kind: str, request: HttpRequest) -> Reply:
        if kind == RATE_LIMIT:
            return self._reply(429, RATE_LIMITED.code, RATE_LIMITED.msg, None, None, request)
        if kind == MAINTENANCE:
            return self._reply(503, "40200", "Server upgrade, please try again later", None, None, request)
        assert kind == HTTP_500, kind
        return self.internal_error(request)

    def internal_error(self, request: HttpRequest) -> Reply:
        return self._reply(500, "500", "System busy", None, None, request)

    def count_items(self, request: HttpRequest) -> int:
        if request.path in (SPOT_CANCEL, MIX_CANCEL):
            return 1
        if request.path in (SPOT_BATCH, MIX_BATCH):
            body = parse_json_object(request.body) or {}
            items = body.get("orderList" if request.path == SPOT_BATCH else "orderIdList")
            return len(items) if isinstance(items, list) else 0
        return 0

    def account_of(self, request: HttpRequest) -> str | None:
        account = self.ctx.accounts.by_key(request.header("ACCESS-KEY"))
        return account.uid if account else None

    def is_batch(self, path: str) -> bool:
        return path in (SPOT_BATCH, MIX_BATCH)

    def mangle_batch(self, kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
        payload = reply.payload
        if not isinstance(payload, dict) or payload.get("code") != OK_CODE:
            return
        successes, failures = payload["data"]["successList"], payload["data"]["failureList"]
        total = len(successes) + len(failures)
        if kind == "drop_item" and total:
            index = pick(total)
            if index < len(successes):
                del successes[index]
            else:
                del failures[index - len(successes)]
        elif kind == "extra_item":
            successes.append({"orderId": str(9_000_000_000_000_000_000 + pick(10**9)), "clientOid": ""})
        elif kind == "no_error_code":
            # The docs' own examples: errorMsg only; "does not exist" reads "notExistend" there.
            codes = item_codes(successes, failures)
            for failure in failures:
                if failure.pop("errorCode", None) in NOT_FOUND_CODES:
                    failure["errorMsg"] = "notExistend"
            reply.item_codes = codes
            return
        reply.item_codes = item_codes(successes, failures)


# ------------------------------------------------- public endpoints and the probe ccxt starts with


def public_time(bitget: BitgetVenue, call: RequestContext) -> Any:
    return {"serverTime": str(bitget.ctx.clock.now_ms())}


def empty_list(bitget: BitgetVenue, call: RequestContext) -> Any:
    return []


def symbols(bitget: BitgetVenue, call: RequestContext) -> Any:
    wanted = call.params.get("symbol")
    return [
        shapes.spot_symbol(m)
        for m in bitget.ctx.catalog.in_category("spot")
        if not wanted or m.native_symbol == wanted
    ]


def contracts(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    wanted = call.params.get("symbol")
    return [
        shapes.contract(m)
        for m in bitget.ctx.catalog.in_category(product_type)
        if not wanted or m.native_symbol == wanted
    ]


def uta_probe(bitget: BitgetVenue, call: RequestContext) -> Any:
    # A classic account: ccxt reads any error here as "not UTA" and stays on the v2 API.
    raise BitgetError(
        "40084",
        "You are in Classic Account mode, and the Unified Account API is not supported at this time",
    )


class BitgetUtaServer(BitgetServer):
    """Bitget for unified trading accounts (``Sandbox(bitget_uta=True)``): v3 under ``/api/v3/``.

    The envelope, signing and fault answers are the classic server's (Bitget uses one scheme for
    both APIs). What changes is the routes: ``/api/v3/account/settings`` answers a success (so
    ccxt's default detection reads the account as UTA), the v3 endpoints ccxt calls in UTA mode
    are served (``uta_orders.py``), and every private v2 endpoint answers an error, as a UTA
    account gets.
    """

    venue_class = BitgetUtaVenue

    def __init__(self, ctx: ExchangeContext) -> None:
        super().__init__(ctx)
        for key, (_, private) in list(self._routes.items()):
            if private and key[1].startswith("/api/v2/"):
                self._routes[key] = (uta_orders.classic_refused, True)
        self._routes.update(uta_orders.ROUTES)

    def params_of(self, request: HttpRequest) -> dict[str, Any]:
        if request.path != CANCEL_BATCH:
            return super().params_of(request)
        orders = parse_json_array(request.body)
        if orders is None:
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: body is not a JSON array")
        return {"orders": orders}  # cancel-batch's body is a bare array

    def count_items(self, request: HttpRequest) -> int:
        return uta_orders.count_items(request)

    def is_batch(self, path: str) -> bool:
        return path == CANCEL_BATCH

    def mangle_batch(self, kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
        uta_orders.mangle_batch(kind, reply, pick)
