"""Binance USDⓈ-M's trading endpoints: place, query, open orders, cancel one, batch, all, countdown."""

from __future__ import annotations

import json
from typing import Any

from .. import book as sandbox_book
from ..book import DuplicateClientOrderId, OrderSpec, SandboxOrder
from ..wire import RequestContext, is_positive_number
from . import rules, shapes
from .rules import (
    BATCH_MAX,
    CATEGORY,
    BinanceError,
    invalid,
    mandatory,
    no_such_order,
    unknown_order,
)
from .venue import BinanceVenue


def place(venue: BinanceVenue, call: RequestContext) -> Any:
    params = call.params
    market = venue.linear(params.get("symbol"))
    side, kind = str(params.get("side") or "").lower(), str(params.get("type") or "").lower()
    qty, price = str(params.get("quantity") or ""), str(params.get("price") or "")
    if side not in ("buy", "sell"):
        raise invalid("side")
    if kind not in ("limit", "market"):
        raise invalid("type")
    if not is_positive_number(qty):
        raise mandatory("quantity")
    if kind == "limit" and not is_positive_number(price):
        raise mandatory("price")
    spec = OrderSpec(
        side,
        kind,
        price if kind == "limit" else "0",
        qty,
        client_order_id=str(params.get("newClientOrderId") or ""),
        status=sandbox_book.FILLED if kind == "market" else sandbox_book.OPEN,
    )
    try:
        order = venue.book(call).place(market, spec, venue.ctx.clock.now_ms())
    except DuplicateClientOrderId:
        raise BinanceError(-4116, "ClientOrderId is duplicated.") from None
    return shapes.order(order)


def _find(venue: BinanceVenue, call: RequestContext) -> SandboxOrder | None:
    """The order named by ``orderId`` (which wins) or ``origClientOrderId`` on ``symbol``."""
    params = call.params
    market = venue.linear(params.get("symbol"))
    order_id, client_id = str(params.get("orderId") or ""), str(params.get("origClientOrderId") or "")
    if not order_id and not client_id:
        raise mandatory("orderId")
    if order_id and not order_id.isdigit():
        raise mandatory("orderId")
    book = venue.book(call)
    if order_id:
        order = book.get(order_id)
    else:
        matches = book.orders(lambda o: o.client_order_id == client_id)
        order = matches[0] if matches else None
    return order if order is not None and order.native_symbol == market.native_symbol else None


def query(venue: BinanceVenue, call: RequestContext) -> Any:
    order = _find(venue, call)
    if order is None:
        raise no_such_order()
    return shapes.order(order)


def open_orders(venue: BinanceVenue, call: RequestContext) -> Any:
    symbol = call.params.get("symbol")
    if symbol:
        venue.linear(symbol)
    found = venue.book(call).orders(lambda o: o.is_open and (not symbol or o.native_symbol == symbol))
    return [shapes.order(o) for o in sorted(found, key=lambda o: int(o.order_id))]


def open_algo_orders(venue: BinanceVenue, call: RequestContext) -> Any:
    """Open conditional orders (the Algo Service's): the sandbox books none, so none are open."""
    symbol = call.params.get("symbol")
    if symbol:
        venue.linear(symbol)
    return []


def _cancel(venue: BinanceVenue, call: RequestContext, order: SandboxOrder | None) -> dict[str, Any]:
    if order is None:
        raise unknown_order()
    found = venue.book(call).cancel(
        CATEGORY,
        order.native_symbol,
        order_id=order.order_id,
        client_order_id=None,
        order_filter=None,
        now_ms=venue.ctx.clock.now_ms(),
    )
    if not found.ok or found.order is None:
        raise unknown_order()
    return shapes.order(found.order)


def cancel(venue: BinanceVenue, call: RequestContext) -> Any:
    call.items = 1
    try:
        result = _cancel(venue, call, _find(venue, call))
    except BinanceError as error:
        call.item_codes = (str(error.code),)
        raise
    call.item_codes = ("CANCELED",)
    return result


def _id_list(params: dict[str, Any]) -> tuple[str, list[str]]:
    """The batch's ids: ``orderIdList`` or ``origClientOrderIdList`` (any case, as ccxt sends them)."""
    lists = {key.lower(): value for key, value in params.items() if key.lower().endswith("idlist")}
    ids_raw, client_raw = lists.get("orderidlist"), lists.get("origclientorderidlist")
    if (ids_raw is None) == (client_raw is None):
        raise BinanceError(-1102, "Send orderIdList or origClientOrderIdList, but not both.")
    kind, raw = ("orderId", ids_raw) if ids_raw is not None else ("origClientOrderId", client_raw)
    try:
        values = json.loads(str(raw))
    except ValueError:
        raise invalid(kind + "List") from None
    if not isinstance(values, list) or not values:
        raise invalid(kind + "List")
    if len(values) > BATCH_MAX:
        raise BinanceError(-4025, f"Batch order size is {len(values)}, the maximum is {BATCH_MAX}.")
    if kind == "orderId" and not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise invalid("orderIdList")
    if kind == "origClientOrderId" and not all(isinstance(v, str) for v in values):
        raise invalid("origClientOrderIdList")
    return kind, [str(v) for v in values]


def batch_cancel(venue: BinanceVenue, call: RequestContext) -> Any:
    market = venue.linear(call.params.get("symbol"))
    kind, ids = _id_list(call.params)
    call.items = len(ids)
    results: list[dict[str, Any]] = []
    for value in ids:
        one = RequestContext(call.request, {"symbol": market.native_symbol, kind: value}, call.account)
        try:
            results.append(_cancel(venue, call, _find(venue, one)))
        except BinanceError as error:  # per item: the code and message, without the id
            results.append({"code": error.code, "msg": error.msg})
    call.item_codes = tuple(str(r.get("code", "CANCELED")) for r in results)
    return results


def cancel_all(venue: BinanceVenue, call: RequestContext) -> Any:
    market = venue.linear(call.params.get("symbol"))
    book, now = venue.book(call), venue.ctx.clock.now_ms()
    for order in book.orders(lambda o: o.is_open and o.native_symbol == market.native_symbol):
        book.cancel(CATEGORY, market.native_symbol, order_id=order.order_id, client_order_id=None,
                    order_filter=None, now_ms=now)  # fmt: skip
    return {"code": 200, "msg": "The operation of cancel all open order is done."}


def countdown(venue: BinanceVenue, call: RequestContext) -> Any:
    market = venue.linear(call.params.get("symbol"))
    raw = str(call.params.get("countdownTime", ""))
    if not raw.isdigit():
        raise mandatory("countdownTime")
    millis = int(raw)
    if 0 < millis < rules.COUNTDOWN_MIN_MS:
        raise invalid("countdownTime")
    assert call.account is not None
    venue.countdowns.arm(call.account.uid, market.native_symbol, millis)
    return {"symbol": market.native_symbol, "countdownTime": str(millis)}
