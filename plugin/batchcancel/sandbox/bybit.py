"""Bybit v5 as the sandbox speaks it.

Every answer is HTTP 200 with ``{"retCode","retMsg","result","retExtInfo","time"}``; business
errors live in ``retCode``. Every answer carries ``X-Bapi-Limit``, ``X-Bapi-Limit-Status`` and
``X-Bapi-Limit-Reset-Timestamp`` for the budget the endpoint draws on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import attrs

from . import bybit_shapes as shapes
from .accounts import Account
from .book import FILLED, OPEN, DuplicateClientOrderId, OrderBook, OrderSpec, SandboxOrder
from .faults import HTTP_500, MAINTENANCE, RATE_LIMIT
from .limits import Grant
from .markets import BYBIT, Market
from .signing import DEFAULT_RECV_WINDOW, bybit_signature, same_signature, signed_query
from .wire import ExchangeContext, HttpRequest, Reply, int_param, is_positive_number, parse_json_object

CATEGORIES = ("spot", "linear", "inverse", "option")
SPOT_ORDER_FILTERS = ("Order", "StopOrder", "tpslOrder")
BATCH_MAX = {"spot": 10, "linear": 20, "inverse": 20, "option": 20}
OK_MSG = "OK"

CREATE, REALTIME, CANCEL, CANCEL_BATCH, CANCEL_ALL = (
    "/v5/order/create",
    "/v5/order/realtime",
    "/v5/order/cancel",
    "/v5/order/cancel-batch",
    "/v5/order/cancel-all",
)

# Per UID and second (facts §1.6). Linear and inverse share one budget per endpoint
# ("derivatives"): the table lists them in one column, and sharing is the conservative reading.
ORDER_LIMITS: dict[str, dict[str, int]] = {
    CREATE: {"spot": 20, "derivatives": 10, "option": 10},
    CANCEL: {"spot": 20, "derivatives": 10, "option": 10},
    CANCEL_BATCH: {"spot": 20, "derivatives": 10, "option": 10},
    CANCEL_ALL: {"spot": 20, "derivatives": 10, "option": 1},
}
REALTIME_LIMIT = 50  # all categories together
OTHER_PRIVATE_LIMIT = 50  # assumption: account/info, query-api, wallet-balance, coin info
PUBLIC_LIMIT = 120  # per IP and second (Bybit documents 600 per 5 s); past it: HTTP 403


def base_limit(path: str, group: str | None = None) -> int:
    """The documented budget per UID and second of ``path`` ("public": per IP), before scaling."""
    if path == "public":
        return PUBLIC_LIMIT
    if path in ORDER_LIMITS:
        if group not in ORDER_LIMITS[path]:
            raise ValueError(f"{path} budgets are per group: one of {sorted(ORDER_LIMITS[path])}")
        return ORDER_LIMITS[path][group]
    return REALTIME_LIMIT if path == REALTIME else OTHER_PRIVATE_LIMIT


NOT_FOUND_SPOT = (170213, "Order does not exist.")
NOT_FOUND_DERIVATIVES = (110001, "Order does not exist.")
RATE_LIMITED = (10006, "Too many visits!")
PARAM_ERROR = 10001


class BybitError(Exception):
    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg


def group_of(category: str) -> str:
    return "derivatives" if category in ("linear", "inverse") else category


def not_found(category: str) -> tuple[int, str]:
    return NOT_FOUND_SPOT if category == "spot" else NOT_FOUND_DERIVATIVES


@attrs.define
class _Call:
    request: HttpRequest
    params: dict[str, Any]
    account: Account | None = None
    grant: Grant | None = None
    items: int = 0
    item_codes: tuple[str, ...] = ()
    time_override: int | None = None


_Handler = Callable[["BybitDialect", _Call], "tuple[Any, Any]"]


class BybitDialect:
    name = BYBIT

    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self._routes: dict[tuple[str, str], tuple[_Handler, bool]] = {
            ("GET", "/v5/market/time"): (BybitDialect._time, False),
            ("GET", "/v5/market/instruments-info"): (BybitDialect._instruments, False),
            ("GET", "/v5/asset/coin/query-info"): (BybitDialect._coin_info, True),
            ("GET", "/v5/user/query-api"): (BybitDialect._query_api, True),
            ("GET", "/v5/account/info"): (BybitDialect._account_info, True),
            ("GET", "/v5/account/wallet-balance"): (BybitDialect._wallet_balance, True),
            ("POST", CREATE): (BybitDialect._create, True),
            ("GET", REALTIME): (BybitDialect._realtime, True),
            ("POST", CANCEL): (BybitDialect._cancel, True),
            ("POST", CANCEL_BATCH): (BybitDialect._cancel_batch, True),
            ("POST", CANCEL_ALL): (BybitDialect._cancel_all, True),
        }

    # ----------------------------------------------------------------- plumbing

    def handle(self, request: HttpRequest) -> Reply:
        route = self._routes.get((request.method, request.path))
        if route is None:
            return self._envelope(404, 404, "Not Found", {}, {}, None, request)
        handler, private = route
        call = _Call(request, {})
        try:
            if private:
                call.account = self._authenticate(request)
            else:
                self._charge_public(call)
            params = self._params(request)
            if params is None:
                raise BybitError(PARAM_ERROR, "params error: request body is not a JSON object")
            call.params = params
            result, ext = handler(self, call)
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
        call: _Call | None,
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

    def _limit_headers(self, call: _Call | None, request: HttpRequest) -> dict[str, str]:
        grant = call.grant if call else None
        if grant is None:
            # Nothing was charged (an early error): report the public budget's state.
            grant = self.ctx.limiter.peek(self._public_key(), self._public_limit())
        return {
            "Content-Type": "application/json; charset=utf-8",
            "X-Bapi-Limit": str(grant.limit),
            "X-Bapi-Limit-Status": str(grant.remaining),
            "X-Bapi-Limit-Reset-Timestamp": str(grant.reset_ms),
        }

    def _ip_limited(self, call: _Call, request: HttpRequest) -> Reply:
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

    # ------------------------------------------------------------------ budgets

    @staticmethod
    def _public_key() -> tuple[str, ...]:
        return (BYBIT, "ip", "public")

    def _public_limit(self) -> int:
        return self.ctx.budgets.limit(BYBIT, "public", None, base_limit("public"))

    def _charge_public(self, call: _Call) -> None:
        call.grant = self.ctx.limiter.take(self._public_key(), self._public_limit())
        if not call.grant.granted:
            raise BybitError(403, "access too frequent")

    def _charge(self, call: _Call, group: str | None = None, units: int = 1) -> int:
        """Draw ``units`` from the caller's budget; returns how many fit (a batch may get fewer)."""
        assert call.account is not None
        path = call.request.path
        limit = self.ctx.budgets.limit(BYBIT, path, group, base_limit(path, group))
        key = (BYBIT, call.account.uid, path, group)
        call.grant = self.ctx.limiter.take(key, limit, units, partial=True)
        if not call.grant.granted:
            raise BybitError(*RATE_LIMITED)
        return call.grant.granted

    def _charge_order_endpoint(self, call: _Call, category: str, units: int = 1) -> int:
        return self._charge(call, group_of(category), units)

    # -------------------------------------------------------------- validation

    @staticmethod
    def _category(params: dict[str, Any]) -> str:
        category = params.get("category")
        if category not in CATEGORIES:
            raise BybitError(PARAM_ERROR, "params error: category is invalid")
        return str(category)

    def _market(self, category: str, symbol: Any) -> Market:
        market = self.ctx.catalog.native(category, str(symbol or ""))
        if market is None:
            raise BybitError(PARAM_ERROR, "params error: symbol invalid")
        return market

    def _book(self, call: _Call) -> OrderBook:
        assert call.account is not None
        return self.ctx.books.book(BYBIT, call.account.uid)

    # ---------------------------------------------------------------- handlers

    def _time(self, call: _Call) -> tuple[Any, Any]:
        now = self.ctx.clock.now_ms()
        call.time_override = now
        return {"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}, {}

    def _instruments(self, call: _Call) -> tuple[Any, Any]:
        params = call.params
        category = self._category(params)
        markets = [] if params.get("status") == "PreLaunch" else self.ctx.catalog.in_category(category)
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

    def _coin_info(self, call: _Call) -> tuple[Any, Any]:
        self._charge(call)
        return {"rows": []}, {}

    def _query_api(self, call: _Call) -> tuple[Any, Any]:
        self._charge(call)
        assert call.account is not None
        return shapes.api_key_info(call.account), {}

    def _account_info(self, call: _Call) -> tuple[Any, Any]:
        self._charge(call)
        return shapes.account_info(self.ctx.clock.now_ms()), {}

    def _wallet_balance(self, call: _Call) -> tuple[Any, Any]:
        self._charge(call)
        if call.params.get("accountType") not in ("UNIFIED", "CONTRACT", "SPOT"):
            raise BybitError(PARAM_ERROR, "params error: accountType invalid")
        return shapes.wallet_balance(), {}

    def _create(self, call: _Call) -> tuple[Any, Any]:
        params = call.params
        category = self._category(params)
        self._charge_order_endpoint(call, category)
        market = self._market(category, params.get("symbol"))
        side, order_type = params.get("side"), params.get("orderType")
        if side not in ("Buy", "Sell") or order_type not in ("Limit", "Market"):
            raise BybitError(PARAM_ERROR, "params error: side or orderType invalid")
        qty, price = str(params.get("qty") or ""), str(params.get("price") or "")
        if not is_positive_number(qty) or (order_type == "Limit" and not is_positive_number(price)):
            raise BybitError(PARAM_ERROR, "params error: qty or price invalid")
        order_filter = None
        if market.is_spot:
            conditional = bool(params.get("triggerPrice"))
            order_filter = params.get("orderFilter") or ("StopOrder" if conditional else "Order")
            if order_filter not in SPOT_ORDER_FILTERS:
                raise BybitError(PARAM_ERROR, "params error: orderFilter invalid")
        try:
            spec = OrderSpec(
                side.lower(),
                order_type.lower(),
                price,
                qty,
                client_order_id=str(params.get("orderLinkId") or ""),
                order_filter=order_filter,
                status=FILLED if order_type == "Market" else OPEN,
            )
            order = self._book(call).place(market, spec, self.ctx.clock.now_ms())
        except DuplicateClientOrderId:
            raise (
                BybitError(170141, "Duplicate clientOrderId.")
                if market.is_spot
                else BybitError(110072, "OrderLinkedID is duplicate.")
            ) from None
        return {"orderId": order.order_id, "orderLinkId": order.client_order_id}, {}

    def _realtime(self, call: _Call) -> tuple[Any, Any]:
        params = call.params
        category = self._category(params)
        self._charge(call)
        if category in ("linear", "inverse") and not (
            params.get("symbol") or params.get("settleCoin") or params.get("baseCoin")
        ):
            raise BybitError(
                PARAM_ERROR,
                "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin",
            )
        wanted = {
            field: params[key]
            for key, field in (
                ("symbol", "native_symbol"),
                ("orderId", "order_id"),
                ("orderLinkId", "client_order_id"),
                ("orderFilter", "order_filter"),
            )
            if params.get(key)
        }
        settle, base = params.get("settleCoin"), params.get("baseCoin")
        cursor = int(params["cursor"]) if str(params.get("cursor", "")).isdigit() else None
        catalog = self.ctx.catalog

        def matches(order: SandboxOrder) -> bool:
            if not order.is_open or order.category != category:
                return False
            if any(getattr(order, field) != value for field, value in wanted.items()):
                return False
            market = catalog.by_symbol(order.symbol)
            return (not settle or market.settle == settle) and (not base or market.base == base)

        orders = sorted(self._book(call).orders(matches), key=lambda o: int(o.order_id), reverse=True)
        if cursor is not None:  # the cursor is the last id served: stable while orders get cancelled
            orders = [o for o in orders if int(o.order_id) < cursor]
        limit = int_param(params, "limit", 20, 1, 50)
        page = orders[:limit]
        next_cursor = page[-1].order_id if len(orders) > limit else ""
        return {
            "category": category,
            "list": [shapes.order_record(o) for o in page],
            "nextPageCursor": next_cursor,
        }, {}

    def _cancel(self, call: _Call) -> tuple[Any, Any]:
        params = call.params
        call.items = 1
        category = self._category(params)
        self._charge_order_endpoint(call, category)
        order_id, link_id = str(params.get("orderId") or ""), str(params.get("orderLinkId") or "")
        if not params.get("symbol") or not (order_id or link_id):
            raise BybitError(PARAM_ERROR, "params error: symbol and orderId or orderLinkId are required")
        order_filter = None
        if category == "spot":
            # A conditional spot order is only found with its own filter (assumption, docs/sandbox.md).
            order_filter = params.get("orderFilter") or "Order"
            if order_filter not in SPOT_ORDER_FILTERS:
                raise BybitError(PARAM_ERROR, "params error: orderFilter invalid")
        outcome = self._book(call).cancel(
            category,
            str(params["symbol"]),
            order_id=order_id,
            client_order_id=link_id,
            order_filter=order_filter,
            now_ms=self.ctx.clock.now_ms(),
        )
        if not outcome.ok or outcome.order is None:
            call.item_codes = (str(not_found(category)[0]),)
            raise BybitError(*not_found(category))
        call.item_codes = ("0",)
        return {"orderId": outcome.order.order_id, "orderLinkId": outcome.order.client_order_id}, {}

    def _cancel_batch(self, call: _Call) -> tuple[Any, Any]:
        params = call.params
        items = params.get("request")
        call.items = len(items) if isinstance(items, list) else 0
        category = self._category(params)
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise BybitError(PARAM_ERROR, "params error: request must be a non-empty list of orders")
        if len(items) > BATCH_MAX[category]:
            raise BybitError(
                PARAM_ERROR,
                f"params error: request holds {len(items)} orders, the maximum "
                f"for {category} is {BATCH_MAX[category]}",
            )
        granted = self._charge_order_endpoint(call, category, len(items))
        book, now = self._book(call), self.ctx.clock.now_ms()
        results, codes = [], []
        for index, item in enumerate(items):
            symbol = str(item.get("symbol") or "")
            order_id, link_id = str(item.get("orderId") or ""), str(item.get("orderLinkId") or "")
            row = {"category": category, "symbol": symbol, "orderId": order_id, "orderLinkId": link_id}
            if index >= granted:  # past the remaining budget: this item fails on its own
                code, msg = RATE_LIMITED
            elif not symbol or not (order_id or link_id):
                code, msg = PARAM_ERROR, "params error: symbol and orderId or orderLinkId are required"
            else:
                # The batch endpoint only reaches plain spot orders ("Order"), never conditional ones.
                outcome = book.cancel(
                    category,
                    symbol,
                    order_id=order_id,
                    client_order_id=link_id,
                    order_filter="Order" if category == "spot" else None,
                    now_ms=now,
                )
                if outcome.ok and outcome.order is not None:
                    code, msg = 0, OK_MSG
                    row["orderId"], row["orderLinkId"] = outcome.order.order_id, outcome.order.client_order_id
                else:
                    code, msg = not_found(category)
            results.append(row)
            codes.append({"code": code, "msg": msg})
        call.item_codes = tuple(str(c["code"]) for c in codes)
        return {"list": results}, {"list": codes}

    def _cancel_all(self, call: _Call) -> tuple[Any, Any]:
        params = call.params
        category = self._category(params)
        self._charge_order_endpoint(call, category)
        symbol, base, settle = params.get("symbol"), params.get("baseCoin"), params.get("settleCoin")
        if category in ("linear", "inverse") and not (symbol or base or settle):
            raise BybitError(
                PARAM_ERROR,
                "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin",
            )
        # Spot without orderFilter cancels plain orders only, like a single cancel (assumption).
        order_filter = (params.get("orderFilter") or "Order") if category == "spot" else None
        catalog, book, now = self.ctx.catalog, self._book(call), self.ctx.clock.now_ms()

        def matches(order: SandboxOrder) -> bool:
            market = catalog.by_symbol(order.symbol)
            return (
                order.is_open
                and order.category == category
                and (not symbol or order.native_symbol == symbol)
                and (not base or market.base == base)
                and (not settle or market.settle == settle)
                and (order_filter is None or order.order_filter == order_filter)
            )

        cancelled = book.mark([o.order_id for o in book.orders(matches)], "canceled", now)
        return {
            "list": [{"orderId": o.order_id, "orderLinkId": o.client_order_id} for o in cancelled],
            "success": "1",
        }, {}

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
        reply.item_codes = tuple(str(c["code"]) for c in codes)
