"""Bitget v2 (classic account) as the sandbox speaks it.

Success: HTTP 200 ``{"code":"00000","msg":"success","requestTime":…,"data":…}``. Business and
auth errors: HTTP 400 with the code and ``data: null``. Past a budget: HTTP 429 with code "429".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import attrs

from . import bitget_shapes as shapes
from .accounts import Account
from .book import FILLED, OPEN, DuplicateClientOrderId, OrderBook, OrderSpec, SandboxOrder
from .faults import HTTP_500, MAINTENANCE, RATE_LIMIT
from .markets import BITGET, BITGET_DEMO_PRODUCT_TYPES, BITGET_PRODUCT_TYPES, Market
from .signing import bitget_signature, same_signature, signed_query
from .wire import ExchangeContext, HttpRequest, Reply, int_param, is_positive_number, parse_json_object

OK_CODE = "00000"
BATCH_MAX = 50
TIMESTAMP_TOLERANCE_MS = 30_000  # assumption: Bitget does not document it; ±30 s is the usual claim

SPOT_PLACE, SPOT_UNFILLED, SPOT_CANCEL, SPOT_BATCH = (
    "/api/v2/spot/trade/place-order",
    "/api/v2/spot/trade/unfilled-orders",
    "/api/v2/spot/trade/cancel-order",
    "/api/v2/spot/trade/batch-cancel-order",
)
MIX_PLACE, MIX_PENDING, MIX_CANCEL, MIX_BATCH = (
    "/api/v2/mix/order/place-order",
    "/api/v2/mix/order/orders-pending",
    "/api/v2/mix/order/cancel-order",
    "/api/v2/mix/order/batch-cancel-orders",
)
UTA_PROBE = "/api/v3/account/settings"

# Requests per UID and second, per endpoint (Bitget documents 10/s for the cancel endpoints).
PRIVATE_LIMITS = {
    SPOT_PLACE: 10,
    SPOT_UNFILLED: 20,
    SPOT_CANCEL: 10,
    SPOT_BATCH: 10,
    MIX_PLACE: 10,
    MIX_PENDING: 20,
    MIX_CANCEL: 10,
    MIX_BATCH: 10,
    UTA_PROBE: 10,
}
PUBLIC_LIMIT = 20  # per IP and second, per endpoint


def base_limit(path: str) -> int:
    """The documented budget per UID and second of ``path`` ("public": per IP), before scaling."""
    if path == "public":
        return PUBLIC_LIMIT
    try:
        return PRIVATE_LIMITS[path]
    except KeyError:
        raise ValueError(f"no Bitget budget for {path!r}") from None


SPOT_NOT_FOUND = ("43001", "The order does not exist")
MIX_NOT_FOUND = ("40768", "Order does not exist")
PARAM_ERROR = "40017"


class BitgetError(Exception):
    def __init__(self, code: str, msg: str, status: int = 400) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status


RATE_LIMITED = BitgetError("429", "Too Many Requests", 429)


@attrs.define
class _Call:
    request: HttpRequest
    params: dict[str, Any]
    account: Account | None = None
    items: int = 0
    item_codes: tuple[str, ...] = ()


_Handler = Callable[["BitgetDialect", _Call], Any]


class BitgetDialect:
    name = BITGET

    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx
        self._routes: dict[tuple[str, str], tuple[_Handler, bool]] = {
            ("GET", "/api/v2/public/time"): (BitgetDialect._time, False),
            ("GET", "/api/v2/spot/public/coins"): (BitgetDialect._empty_list, False),
            ("GET", "/api/v2/spot/public/symbols"): (BitgetDialect._symbols, False),
            ("GET", "/api/v2/margin/currencies"): (BitgetDialect._empty_list, False),
            ("GET", "/api/v2/mix/market/contracts"): (BitgetDialect._contracts, False),
            ("GET", UTA_PROBE): (BitgetDialect._uta_probe, True),
            ("POST", SPOT_PLACE): (BitgetDialect._spot_place, True),
            ("GET", SPOT_UNFILLED): (BitgetDialect._spot_unfilled, True),
            ("POST", SPOT_CANCEL): (BitgetDialect._spot_cancel, True),
            ("POST", SPOT_BATCH): (BitgetDialect._spot_batch, True),
            ("POST", MIX_PLACE): (BitgetDialect._mix_place, True),
            ("GET", MIX_PENDING): (BitgetDialect._mix_pending, True),
            ("POST", MIX_CANCEL): (BitgetDialect._mix_cancel, True),
            ("POST", MIX_BATCH): (BitgetDialect._mix_batch, True),
        }

    # ----------------------------------------------------------------- plumbing

    def handle(self, request: HttpRequest) -> Reply:
        route = self._routes.get((request.method, request.path))
        call = _Call(request, {})
        try:
            if route is None:
                raise BitgetError("40404", "Request URL NOT FOUND", 404)
            handler, private = route
            if private:
                call.account = self._authenticate(request)
            self._charge(call, private)
            params = (
                dict(parse_qsl(request.raw_query, keep_blank_values=True))
                if request.method == "GET"
                else parse_json_object(request.body)
            )
            if params is None:
                raise BitgetError(PARAM_ERROR, "Parameter verification failed: body is not a JSON object")
            call.params = params
            data = handler(self, call)
            return self._reply(200, OK_CODE, "success", data, call, request)
        except BitgetError as error:
            return self._reply(error.status, error.code, error.msg, None, call, request)

    def _reply(
        self, status: int, code: str, msg: str, data: Any, call: _Call | None, request: HttpRequest
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

    def _charge(self, call: _Call, private: bool) -> None:
        path = call.request.path
        if private:
            assert call.account is not None
            key: tuple[str, ...] = (BITGET, call.account.uid, path)
            limit = self.ctx.budgets.limit(BITGET, path, None, base_limit(path))
        else:
            key = (BITGET, "ip", path)
            limit = self.ctx.budgets.limit(BITGET, "public", None, base_limit("public"))
        if not self.ctx.limiter.take(key, limit).granted:
            raise RATE_LIMITED

    def _book(self, call: _Call) -> OrderBook:
        assert call.account is not None
        return self.ctx.books.book(BITGET, call.account.uid)

    @staticmethod
    def _product_type(params: dict[str, Any]) -> str:
        product_type = str(params.get("productType") or "").upper()
        if product_type not in BITGET_PRODUCT_TYPES + BITGET_DEMO_PRODUCT_TYPES:
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: productType is invalid")
        return product_type

    def _market(self, category: str, symbol: Any) -> Market:
        market = self.ctx.catalog.native(category, str(symbol or ""))
        if market is None:
            raise BitgetError("40034", "Parameter symbol does not exist")
        return market

    # --------------------------------------------------------- public handlers

    def _time(self, call: _Call) -> Any:
        return {"serverTime": str(self.ctx.clock.now_ms())}

    def _empty_list(self, call: _Call) -> Any:
        return []

    def _symbols(self, call: _Call) -> Any:
        wanted = call.params.get("symbol")
        return [
            shapes.spot_symbol(m)
            for m in self.ctx.catalog.in_category("spot")
            if not wanted or m.native_symbol == wanted
        ]

    def _contracts(self, call: _Call) -> Any:
        product_type = self._product_type(call.params)
        wanted = call.params.get("symbol")
        return [
            shapes.contract(m)
            for m in self.ctx.catalog.in_category(product_type)
            if not wanted or m.native_symbol == wanted
        ]

    def _uta_probe(self, call: _Call) -> Any:
        # A classic account: ccxt reads any error here as "not UTA" and stays on the v2 API.
        raise BitgetError(
            "40084",
            "You are in Classic Account mode, and the Unified Account API is not supported at this time",
        )

    # ------------------------------------------------------------ spot trading

    def _place(self, call: _Call, market: Market) -> Any:
        params = call.params
        side, order_type = params.get("side"), params.get("orderType")
        size, price = str(params.get("size") or ""), str(params.get("price") or "")
        if side not in ("buy", "sell") or order_type not in ("limit", "market"):
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: side or orderType is invalid")
        if not is_positive_number(size) or (order_type == "limit" and not is_positive_number(price)):
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: size or price is invalid")
        try:
            spec = OrderSpec(
                side,
                order_type,
                price,
                size,
                client_order_id=str(params.get("clientOid") or ""),
                status=FILLED if order_type == "market" else OPEN,
            )
            order = self._book(call).place(market, spec, self.ctx.clock.now_ms())
        except DuplicateClientOrderId:
            raise BitgetError("40786", "Duplicate clientOid") from None
        return {"orderId": order.order_id, "clientOid": order.client_order_id}

    def _spot_place(self, call: _Call) -> Any:
        return self._place(call, self._market("spot", call.params.get("symbol")))

    def _open_orders(self, call: _Call, category: str, symbol: Any) -> list[SandboxOrder]:
        """Open orders newest first, after the ``idLessThan`` cursor, at most ``limit`` (≤ 100)."""
        params = call.params
        before = int_param(params, "idLessThan", 0, 0, 10**30) or None

        def matches(order: SandboxOrder) -> bool:
            return (
                order.is_open
                and order.category == category
                and (not symbol or order.native_symbol == symbol)
                and (before is None or int(order.order_id) < before)
            )

        orders = sorted(self._book(call).orders(matches), key=lambda o: int(o.order_id), reverse=True)
        return orders[: int_param(params, "limit", 100, 1, 100)]

    def _spot_unfilled(self, call: _Call) -> Any:
        symbol = call.params.get("symbol")
        if symbol:
            self._market("spot", symbol)
        return [shapes.spot_order(o) for o in self._open_orders(call, "spot", symbol)]

    def _cancel_one(self, call: _Call, category: str, not_found: tuple[str, str]) -> Any:
        params = call.params
        call.items = 1
        order_id, client_id = str(params.get("orderId") or ""), str(params.get("clientOid") or "")
        if not params.get("symbol") or not (order_id or client_id):
            raise BitgetError(
                PARAM_ERROR, "Parameter verification failed: symbol and orderId or clientOid are required"
            )
        outcome = self._book(call).cancel(
            category,
            str(params["symbol"]),
            order_id=order_id,
            client_order_id=client_id,
            order_filter=None,
            now_ms=self.ctx.clock.now_ms(),
        )
        if not outcome.ok or outcome.order is None:
            call.item_codes = (not_found[0],)
            raise BitgetError(*not_found)
        call.item_codes = (OK_CODE,)
        return {"orderId": outcome.order.order_id, "clientOid": outcome.order.client_order_id}

    def _spot_cancel(self, call: _Call) -> Any:
        return self._cancel_one(call, "spot", SPOT_NOT_FOUND)

    def _cancel_many(
        self,
        call: _Call,
        category: str,
        items: Any,
        symbol_of: Callable[[dict], str],
        not_found: tuple[str, str],
    ) -> Any:
        call.items = len(items) if isinstance(items, list) else 0
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: the order list is empty")
        if len(items) > BATCH_MAX:
            raise BitgetError(
                PARAM_ERROR, f"Parameter verification failed: {len(items)} orders, the maximum is {BATCH_MAX}"
            )
        if any(i.get("orderId") for i in items) and any(
            i.get("clientOid") and not i.get("orderId") for i in items
        ):
            raise BitgetError(
                PARAM_ERROR,
                "Parameter verification failed: orderId and clientOid cannot be mixed in one batch",
            )
        book, now = self._book(call), self.ctx.clock.now_ms()
        successes, failures = [], []
        for item in items:
            order_id, client_id = str(item.get("orderId") or ""), str(item.get("clientOid") or "")
            outcome = book.cancel(
                category,
                symbol_of(item),
                order_id=order_id,
                client_order_id=client_id,
                order_filter=None,
                now_ms=now,
            )
            if outcome.ok and outcome.order is not None:
                successes.append(
                    {"orderId": outcome.order.order_id, "clientOid": outcome.order.client_order_id}
                )
            else:
                failures.append(
                    {
                        "orderId": order_id,
                        "clientOid": client_id,
                        "errorMsg": not_found[1],
                        "errorCode": not_found[0],
                    }
                )
        call.item_codes = _item_codes(successes, failures)
        return {"successList": successes, "failureList": failures}

    def _spot_batch(self, call: _Call) -> Any:
        params = call.params
        multiple = params.get("batchMode") == "multiple"
        top_symbol = str(params.get("symbol") or "")
        if not multiple and not top_symbol:
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: symbol cannot be empty")
        return self._cancel_many(
            call,
            "spot",
            params.get("orderList"),
            (lambda item: str(item.get("symbol") or "")) if multiple else (lambda item: top_symbol),
            SPOT_NOT_FOUND,
        )

    # ------------------------------------------------------------- mix trading

    def _mix_place(self, call: _Call) -> Any:
        product_type = self._product_type(call.params)
        return self._place(call, self._market(product_type, call.params.get("symbol")))

    def _mix_pending(self, call: _Call) -> Any:
        product_type = self._product_type(call.params)
        symbol = call.params.get("symbol")
        if symbol:
            self._market(product_type, symbol)
        catalog = self.ctx.catalog
        orders = self._open_orders(call, product_type, symbol)
        entrusted = [shapes.mix_order(o, catalog.by_symbol(o.symbol).settle) for o in orders]
        return {"entrustedList": entrusted or None, "endId": orders[-1].order_id if orders else None}

    def _mix_cancel(self, call: _Call) -> Any:
        return self._cancel_one(call, self._product_type(call.params), MIX_NOT_FOUND)

    def _mix_batch(self, call: _Call) -> Any:
        params = call.params
        product_type = self._product_type(params)
        symbol = str(params.get("symbol") or "")
        if not symbol:
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: symbol cannot be empty")
        return self._cancel_many(
            call, product_type, params.get("orderIdList"), lambda item: symbol, MIX_NOT_FOUND
        )

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
        reply.item_codes = _item_codes(successes, failures)


def _item_codes(successes: list[dict[str, Any]], failures: list[dict[str, Any]]) -> tuple[str, ...]:
    return (OK_CODE,) * len(successes) + tuple(str(f["errorCode"]) for f in failures)
