"""The toy exchange's wire API: a market list and a batch cancel, JSON in and out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from batchcancel.sandbox.faults import MAINTENANCE, RATE_LIMIT
from batchcancel.sandbox.signing import same_signature
from batchcancel.sandbox.wire import ExchangeContext, HttpRequest, Reply, parse_json_object

from .rules import BATCH_MAX, CANCEL_BATCH, EXCHANGE_ID, MARKETS, REQUESTS_PER_WINDOW, signature


class ToyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ToyServer:
    name = EXCHANGE_ID
    redirect_path = MARKETS
    empty_success: dict = {}

    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx

    def handle(self, request: HttpRequest) -> Reply:
        try:
            if (request.method, request.path) == ("GET", MARKETS):
                return self._reply(200, {"markets": self._markets()})
            if (request.method, request.path) == ("POST", CANCEL_BATCH):
                return self._cancel_batch(request)
            raise ToyError(404, "no such path")
        except ToyError as error:
            return self._reply(error.status, {"error": str(error)}, request)

    def _markets(self) -> list[dict[str, Any]]:
        return [{"id": m.native_symbol, "base": m.base, "quote": m.quote} for m in self.ctx.catalog]

    def _cancel_batch(self, request: HttpRequest) -> Reply:
        uid = self._authenticate(request)
        limit = self.ctx.budgets.limit(EXCHANGE_ID, CANCEL_BATCH, None, REQUESTS_PER_WINDOW)
        if not self.ctx.limiter.take((EXCHANGE_ID, uid, CANCEL_BATCH), limit).granted:
            raise ToyError(429, "too many requests")
        orders = (parse_json_object(request.body) or {}).get("orders")
        if not isinstance(orders, list) or not 0 < len(orders) <= BATCH_MAX:
            raise ToyError(400, f"orders: 1 to {BATCH_MAX} items")
        book, now = self.ctx.books.book(EXCHANGE_ID, uid), self.ctx.clock.now_ms()
        results = []
        for order in orders:
            found = book.cancel(
                "spot",
                str(order.get("symbol")),
                order_id=str(order.get("orderId")),
                client_order_id=None,
                order_filter=None,
                now_ms=now,
            )
            results.append(
                {"orderId": order.get("orderId"), "result": "canceled" if found.ok else "not_found"}
            )
        reply = self._reply(200, {"results": results}, request, uid)
        reply.item_codes = tuple(r["result"] for r in results)
        return reply

    def _authenticate(self, request: HttpRequest) -> str:
        account = self.ctx.accounts.by_key(request.header("X-TOY-KEY"))
        timestamp = request.header("X-TOY-TS") or ""
        if account is None:
            raise ToyError(401, "unknown key")
        expected = signature(account.secret, timestamp, request.method, request.path, request.body)
        if not same_signature(expected, request.header("X-TOY-SIGN") or ""):
            raise ToyError(401, "bad signature")
        return account.uid

    def _reply(
        self, status: int, payload: Any, request: HttpRequest | None = None, uid: str | None = None
    ) -> Reply:
        return Reply(
            status,
            payload,
            {"Content-Type": "application/json"},
            account=uid or (self.account_of(request) if request else None),
            code=str(status),
            items=self.count_items(request) if request else 0,
        )

    # What the router asks of every exchange server.

    def fault_reply(self, kind: str, request: HttpRequest) -> Reply:
        status = {RATE_LIMIT: 429, MAINTENANCE: 503}.get(kind, 500)
        return self._reply(status, {"error": kind}, request)

    def internal_error(self, request: HttpRequest) -> Reply:
        return self._reply(500, {"error": "internal"}, request)

    def count_items(self, request: HttpRequest) -> int:
        if request.path != CANCEL_BATCH:
            return 0
        orders = (parse_json_object(request.body) or {}).get("orders")
        return len(orders) if isinstance(orders, list) else 0

    def account_of(self, request: HttpRequest) -> str | None:
        account = self.ctx.accounts.by_key(request.header("X-TOY-KEY"))
        return account.uid if account else None

    def is_batch(self, path: str) -> bool:
        return path == CANCEL_BATCH

    def mangle_batch(self, kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
        results = reply.payload.get("results") if isinstance(reply.payload, dict) else None
        if results and kind == "drop_item":
            del results[pick(len(results))]
