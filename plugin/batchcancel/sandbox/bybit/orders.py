"""Bybit v5's order endpoints: create, open orders, cancel, batch cancel, cancel all."""

from __future__ import annotations

from typing import Any

from ..book import FILLED, OPEN, DuplicateClientOrderId, OrderSpec, SandboxOrder
from ..wire import RequestContext, int_param, is_positive_number
from . import shapes
from .rules import (
    BATCH_MAX,
    OK_MSG,
    PARAM_ERROR,
    RATE_LIMITED,
    SPOT_ORDER_FILTERS,
    BybitError,
    category_of,
    not_found,
    order_query,
)
from .venue import BybitVenue


def create(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    category = category_of(params)
    bybit.charge_order_endpoint(call, category)
    market = bybit.market(category, params.get("symbol"))
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
        order = bybit.book(call).place(market, spec, bybit.ctx.clock.now_ms())
    except DuplicateClientOrderId:
        raise (
            BybitError(170141, "Duplicate clientOrderId.")
            if market.is_spot
            else BybitError(110072, "OrderLinkedID is duplicate.")
        ) from None
    return {"orderId": order.order_id, "orderLinkId": order.client_order_id}, {}


def realtime(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    category = category_of(params)
    bybit.charge(call)
    if category in ("linear", "inverse") and not (
        params.get("symbol") or params.get("settleCoin") or params.get("baseCoin")
    ):
        raise BybitError(
            PARAM_ERROR,
            "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin",
        )
    wanted = order_query(params, ("symbol", "orderId", "orderLinkId", "orderFilter"))
    settle, base = params.get("settleCoin"), params.get("baseCoin")
    cursor = int(params["cursor"]) if str(params.get("cursor", "")).isdigit() else None
    catalog = bybit.ctx.catalog
    # open-order.mdx: open orders only by default, closed ones with openOnly=1; a query by
    # orderId / orderLinkId ignores openOnly and finds the order in any status.
    by_id = bool(params.get("orderId") or params.get("orderLinkId"))
    closed_only = str(params.get("openOnly") or "0") != "0"

    def matches(order: SandboxOrder) -> bool:
        if order.category != category or (not by_id and order.is_open == closed_only):
            return False
        if any(getattr(order, field) != value for field, value in wanted.items()):
            return False
        market = catalog.by_symbol(order.symbol)
        return (not settle or market.settle == settle) and (not base or market.base == base)

    orders = sorted(bybit.book(call).orders(matches), key=lambda o: int(o.order_id), reverse=True)
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


def cancel(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    call.items = 1
    category = category_of(params)
    bybit.charge_order_endpoint(call, category)
    order_id, link_id = str(params.get("orderId") or ""), str(params.get("orderLinkId") or "")
    if not params.get("symbol") or not (order_id or link_id):
        raise BybitError(PARAM_ERROR, "params error: symbol and orderId or orderLinkId are required")
    order_filter = None
    if category == "spot":
        # A conditional spot order is only found with its own filter (assumption, docs/sandbox.md).
        order_filter = params.get("orderFilter") or "Order"
        if order_filter not in SPOT_ORDER_FILTERS:
            raise BybitError(PARAM_ERROR, "params error: orderFilter invalid")
    outcome = bybit.book(call).cancel(
        category,
        str(params["symbol"]),
        order_id=order_id,
        client_order_id=link_id,
        order_filter=order_filter,
        now_ms=bybit.ctx.clock.now_ms(),
    )
    if not outcome.ok or outcome.order is None:
        call.item_codes = (str(not_found(category)[0]),)
        raise BybitError(*not_found(category))
    call.item_codes = ("0",)
    return {"orderId": outcome.order.order_id, "orderLinkId": outcome.order.client_order_id}, {}


def cancel_batch(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    items = params.get("request")
    call.items = len(items) if isinstance(items, list) else 0
    category = category_of(params)
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise BybitError(PARAM_ERROR, "params error: request must be a non-empty list of orders")
    if len(items) > BATCH_MAX[category]:
        raise BybitError(
            PARAM_ERROR,
            f"params error: request holds {len(items)} orders, the maximum "
            f"for {category} is {BATCH_MAX[category]}",
        )
    granted = bybit.charge_order_endpoint(call, category, len(items))
    book, now = bybit.book(call), bybit.ctx.clock.now_ms()
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


def cancel_all(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    category = category_of(params)
    bybit.charge_order_endpoint(call, category)
    symbol, base, settle = params.get("symbol"), params.get("baseCoin"), params.get("settleCoin")
    if category in ("linear", "inverse") and not (symbol or base or settle):
        raise BybitError(
            PARAM_ERROR,
            "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin",
        )
    # Spot without orderFilter cancels plain orders only, like a single cancel (assumption).
    order_filter = (params.get("orderFilter") or "Order") if category == "spot" else None
    catalog, book, now = bybit.ctx.catalog, bybit.book(call), bybit.ctx.clock.now_ms()

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
