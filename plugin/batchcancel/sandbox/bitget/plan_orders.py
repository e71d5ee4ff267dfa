"""Bitget v2 futures trigger (plan) and TP/SL orders: place, list, cancel.

An order of this kind rests in the sandbox book with ``order_filter`` set to its ``planType``
(``normal_plan`` for a trigger order, ``pos_profit`` / ``pos_loss`` / ``profit_plan`` /
``loss_plan`` / ``moving_plan`` for TP/SL, ``track_plan`` for a trailing stop); ordinary orders
have none. The ordinary endpoints (``orders-pending``, ``cancel-order``, ``batch-cancel-orders``,
``cancel-all-orders``) neither list nor cancel plan orders, as on Bitget, where plan orders live
apart until they trigger.

* ``POST /api/v2/mix/order/place-plan-order`` (``planType`` ``normal_plan`` or ``track_plan``,
  ``triggerPrice``...) and ``POST /api/v2/mix/order/place-tpsl-order`` (``planType``
  ``pos_profit`` / ``pos_loss`` / ``profit_plan`` / ``loss_plan`` / ``moving_plan``,
  ``triggerPrice``, ``holdSide``) answer ``{"orderId", "clientOid"}``.
* ``GET /api/v2/mix/order/orders-plan-pending``: ``productType`` and ``planType`` required;
  ``normal_plan``, ``track_plan``, or ``profit_loss`` (every TP/SL kind); ``symbol``,
  ``orderId`` / ``clientOid``, ``idLessThan`` and ``limit`` (≤ 100) narrow it. Answer
  ``{"entrustedList": [...], "endId": ...}``, newest first, ``planStatus`` ``live``.
* ``POST /api/v2/mix/order/cancel-plan-order``: ``productType`` required; ``orderIdList`` (which
  then needs ``symbol``), ``symbol``, ``marginCoin``, ``planType`` (default ``normal_plan``)
  narrow it. Without ``orderIdList`` every plan order of the scope and ``planType`` is cancelled.
  Answer ``successList`` / ``failureList`` as the batch cancel's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..book import DuplicateClientOrderId, OrderSpec, SandboxOrder
from ..markets import Market
from ..wire import RequestContext, int_param, is_positive_number
from .rules import (
    BATCH_MAX,
    MIX_CANCEL_PLAN,
    MIX_NOT_FOUND,
    MIX_PLACE_PLAN,
    MIX_PLACE_TPSL,
    MIX_PLAN_PENDING,
    PARAM_ERROR,
    BitgetError,
    item_codes,
    product_type_of,
)
from .venue import BitgetVenue

TRIGGER_PLANS = ("normal_plan", "track_plan")
TPSL_PLANS = ("profit_plan", "loss_plan", "moving_plan", "pos_profit", "pos_loss")
PROFIT_LOSS = "profit_loss"
"""The listing's name for every TP/SL kind at once."""
PLAN_TYPES = TRIGGER_PLANS + TPSL_PLANS


def is_plan(order: SandboxOrder) -> bool:
    """Whether ``order`` is a futures trigger / TP/SL order (its ``order_filter`` a planType)."""
    return order.order_filter in PLAN_TYPES


def seed_order_filter(order_filter: str | None, markets: Sequence[Market]) -> Callable[[Market], str | None]:
    """``Sandbox.seed_orders("bitget", ..., order_filter=planType)``: futures plan orders of that
    ``planType`` (``normal_plan``, ``pos_loss``...); spot has none (not modelled)."""
    if order_filter is not None:
        if order_filter not in PLAN_TYPES:
            raise ValueError(f"order_filter must be one of {PLAN_TYPES} (a Bitget futures planType)")
        if any(market.is_spot for market in markets):
            raise ValueError("order_filter applies to Bitget futures markets only")
    return lambda market: order_filter


def _place(bitget: BitgetVenue, call: RequestContext, plan_types: tuple[str, ...], default: str) -> Any:
    params = call.params
    product_type = product_type_of(params)
    market = bitget.market(product_type, params.get("symbol"))
    plan_type = str(params.get("planType") or default)
    if plan_type not in plan_types:
        raise BitgetError(PARAM_ERROR, f"Parameter verification failed: planType {plan_type!r} is invalid")
    trigger = str(params.get("triggerPrice") or "")
    size = str(params.get("size") or "")
    if not is_positive_number(trigger) or not is_positive_number(size):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: triggerPrice or size is invalid")
    side = str(params.get("side") or ("sell" if params.get("holdSide") in ("long", "buy") else "buy"))
    spec = OrderSpec(
        side if side in ("buy", "sell") else "buy",
        "limit" if params.get("executePrice") or params.get("price") else "market",
        trigger,
        size,
        client_order_id=str(params.get("clientOid") or ""),
        order_filter=plan_type,
    )
    try:
        order = bitget.book(call).place(market, spec, bitget.ctx.clock.now_ms())
    except DuplicateClientOrderId:
        raise BitgetError("40786", "Duplicate clientOid") from None
    return {"orderId": order.order_id, "clientOid": order.client_order_id}


def place_plan(bitget: BitgetVenue, call: RequestContext) -> Any:
    return _place(bitget, call, TRIGGER_PLANS, "normal_plan")


def place_tpsl(bitget: BitgetVenue, call: RequestContext) -> Any:
    return _place(bitget, call, TPSL_PLANS, "")


def _kinds(plan_type: str) -> tuple[str, ...]:
    return TPSL_PLANS if plan_type == PROFIT_LOSS else (plan_type,)


def pending(bitget: BitgetVenue, call: RequestContext) -> Any:
    params = call.params
    product_type = product_type_of(params)
    plan_type = str(params.get("planType") or "")
    if plan_type not in (*TRIGGER_PLANS, PROFIT_LOSS):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: planType is invalid")
    symbol = str(params.get("symbol") or "")
    if symbol:
        bitget.market(product_type, symbol)
    kinds = _kinds(plan_type)
    order_id, client_id = str(params.get("orderId") or ""), str(params.get("clientOid") or "")
    before = int_param(params, "idLessThan", 0, 0, 10**30) or None

    def wanted(order: SandboxOrder) -> bool:
        return (
            order.is_open
            and order.category == product_type
            and order.order_filter in kinds
            and (not symbol or order.native_symbol == symbol)
            and (not order_id or order.order_id == order_id)
            and (order_id or not client_id or order.client_order_id == client_id)
            and (before is None or int(order.order_id) < before)
        )

    found = sorted(bitget.book(call).orders(wanted), key=lambda o: int(o.order_id), reverse=True)
    found = found[: int_param(params, "limit", 100, 1, 100)]
    catalog = bitget.ctx.catalog
    rows = [_row(o, catalog.by_symbol(o.symbol).settle) for o in found]
    return {"entrustedList": rows or None, "endId": found[-1].order_id if found else None}


def _row(order: SandboxOrder, margin_coin: str | None) -> dict[str, Any]:
    return {
        "planType": order.order_filter,
        "symbol": order.native_symbol,
        "size": order.qty,
        "orderId": order.order_id,
        "clientOid": order.client_order_id,
        "price": order.price if order.order_type == "limit" else "",
        "executePrice": order.price if order.order_type == "limit" else "0",
        "triggerPrice": order.price,
        "triggerType": "mark_price",
        "planStatus": "live",
        "side": order.side,
        "posSide": "net",
        "marginCoin": margin_coin,
        "marginMode": "crossed",
        "enterPointSource": "API",
        "tradeSide": "open",
        "posMode": "one_way_mode",
        "orderType": order.order_type,
        "cTime": str(order.created_ms),
        "uTime": str(order.updated_ms),
    }


def cancel(bitget: BitgetVenue, call: RequestContext) -> Any:
    params = call.params
    product_type = product_type_of(params)
    plan_type = str(params.get("planType") or "normal_plan")
    if plan_type not in PLAN_TYPES:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: planType is invalid")
    symbol = str(params.get("symbol") or "")
    margin_coin = str(params.get("marginCoin") or "").upper()
    items = params.get("orderIdList")
    if items is not None:
        if not symbol:
            raise BitgetError(PARAM_ERROR, "Parameter verification failed: symbol cannot be empty")
        return _cancel_listed(bitget, call, product_type, symbol, plan_type, items)
    if symbol:
        bitget.market(product_type, symbol)
    catalog = bitget.ctx.catalog

    def wanted(order: SandboxOrder) -> bool:
        return (
            order.is_open
            and order.category == product_type
            and order.order_filter == plan_type
            and (not symbol or order.native_symbol == symbol)
            and (not margin_coin or (catalog.by_symbol(order.symbol).settle or "").upper() == margin_coin)
        )

    book, now = bitget.book(call), bitget.ctx.clock.now_ms()
    cancelled = book.mark([o.order_id for o in book.orders(wanted)], "canceled", now)
    successes = [{"orderId": o.order_id, "clientOid": o.client_order_id} for o in cancelled]
    call.items = len(successes)
    call.item_codes = item_codes(successes, [])
    return {"successList": successes, "failureList": []}


def _cancel_listed(
    bitget: BitgetVenue, call: RequestContext, product_type: str, symbol: str, plan_type: str, items: Any
) -> Any:
    call.items = len(items) if isinstance(items, list) else 0
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: orderIdList is empty")
    if len(items) > BATCH_MAX:
        raise BitgetError(PARAM_ERROR, f"Parameter verification failed: at most {BATCH_MAX} orders")
    book, now = bitget.book(call), bitget.ctx.clock.now_ms()
    successes, failures = [], []
    for item in items:
        order_id, client_id = str(item.get("orderId") or ""), str(item.get("clientOid") or "")
        order = book.find(order_id, client_id)
        mine = order is not None and _matches(order, product_type, symbol, plan_type)
        changed = book.mark([order.order_id], "canceled", now) if mine and order else []
        if changed:
            successes.append({"orderId": changed[0].order_id, "clientOid": changed[0].client_order_id})
        else:
            failures.append(
                {
                    "orderId": order_id,
                    "clientOid": client_id,
                    "errorMsg": MIX_NOT_FOUND[1],
                    "errorCode": MIX_NOT_FOUND[0],
                }
            )
    call.item_codes = item_codes(successes, failures)
    return {"successList": successes, "failureList": failures}


def _matches(order: SandboxOrder, product_type: str, symbol: str, plan_type: str) -> bool:
    return (
        order.category == product_type and order.native_symbol == symbol and order.order_filter == plan_type
    )


ROUTES: dict[tuple[str, str], tuple[Callable[[BitgetVenue, RequestContext], Any], bool]] = {
    ("POST", MIX_PLACE_PLAN): (place_plan, True),
    ("POST", MIX_PLACE_TPSL): (place_tpsl, True),
    ("GET", MIX_PLAN_PENDING): (pending, True),
    ("POST", MIX_CANCEL_PLAN): (cancel, True),
}
