"""Bitget v2's trading endpoints: spot and mix (futures) place, open orders, cancel, batch cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..book import FILLED, OPEN, BookCancel, DuplicateClientOrderId, Miss, OrderBook, OrderSpec, SandboxOrder
from ..markets import Market
from ..wire import RequestContext, int_param, is_positive_number
from . import shapes
from .plan_orders import is_plan
from .rules import (
    BATCH_MAX,
    MIX_NOT_FOUND,
    OK_CODE,
    PARAM_ERROR,
    SPOT_NOT_FOUND,
    BitgetError,
    item_codes,
    product_type_of,
)
from .venue import BitgetVenue


def _place(bitget: BitgetVenue, call: RequestContext, market: Market) -> Any:
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
        order = bitget.book(call).place(market, spec, bitget.ctx.clock.now_ms())
    except DuplicateClientOrderId:
        raise BitgetError("40786", "Duplicate clientOid") from None
    return {"orderId": order.order_id, "clientOid": order.client_order_id}


def spot_place(bitget: BitgetVenue, call: RequestContext) -> Any:
    return _place(bitget, call, bitget.market("spot", call.params.get("symbol")))


def _open_orders(bitget: BitgetVenue, call: RequestContext, category: str, symbol: Any) -> list[SandboxOrder]:
    """Open orders newest first, after the ``idLessThan`` cursor, at most ``limit`` (≤ 100)."""
    wanted = lambda o: o.is_open and o.category == category and not is_plan(o)  # noqa: E731
    return _newest_first(bitget, call, wanted, symbol)


def _newest_first(
    bitget: BitgetVenue, call: RequestContext, wanted: Callable[[SandboxOrder], bool], symbol: Any
) -> list[SandboxOrder]:
    """Orders ``wanted`` newest first (by id), after ``idLessThan``, at most ``limit`` (≤ 100)."""
    params = call.params
    before = int_param(params, "idLessThan", 0, 0, 10**30) or None

    def matches(order: SandboxOrder) -> bool:
        return (
            wanted(order)
            and (not symbol or order.native_symbol == symbol)
            and (before is None or int(order.order_id) < before)
        )

    orders = sorted(bitget.book(call).orders(matches), key=lambda o: int(o.order_id), reverse=True)
    return orders[: int_param(params, "limit", 100, 1, 100)]


def spot_unfilled(bitget: BitgetVenue, call: RequestContext) -> Any:
    symbol = call.params.get("symbol")
    if symbol:
        bitget.market("spot", symbol)
    return [shapes.spot_order(o) for o in _open_orders(bitget, call, "spot", symbol)]


def spot_history(bitget: BitgetVenue, call: RequestContext) -> Any:
    """``GET /api/v2/spot/trade/history-orders``: the account's closed spot orders (filled or
    cancelled), newest first, paged with ``idLessThan``, at most ``limit`` (≤ 100); ``symbol``,
    ``orderId`` and ``startTime`` / ``endTime`` (creation time, ms) narrow it. Bitget points here
    for the result of ``cancel-symbol-order``."""
    params = call.params
    symbol, order_id = params.get("symbol"), str(params.get("orderId") or "")
    if symbol:
        bitget.market("spot", symbol)
    start = int_param(params, "startTime", 0, 0, 10**15)
    end = int_param(params, "endTime", 10**15, 0, 10**15)

    def closed(order: SandboxOrder) -> bool:
        return (
            not order.is_open
            and order.category == "spot"
            and (not order_id or order.order_id == order_id)
            and start <= order.created_ms <= end
        )

    return [shapes.spot_order(o) for o in _newest_first(bitget, call, closed, symbol)]


def _cancel_one(bitget: BitgetVenue, call: RequestContext, category: str, not_found: tuple[str, str]) -> Any:
    params = call.params
    call.items = 1
    order_id, client_id = str(params.get("orderId") or ""), str(params.get("clientOid") or "")
    if not params.get("symbol") or not (order_id or client_id):
        raise BitgetError(
            PARAM_ERROR, "Parameter verification failed: symbol and orderId or clientOid are required"
        )
    if _plan_order(bitget, call, order_id, client_id):
        call.item_codes = (not_found[0],)
        raise BitgetError(*not_found)
    outcome = bitget.book(call).cancel(
        category,
        str(params["symbol"]),
        order_id=order_id,
        client_order_id=client_id,
        order_filter=None,
        now_ms=bitget.ctx.clock.now_ms(),
    )
    if not outcome.ok or outcome.order is None:
        call.item_codes = (not_found[0],)
        raise BitgetError(*not_found)
    call.item_codes = (OK_CODE,)
    return {"orderId": outcome.order.order_id, "clientOid": outcome.order.client_order_id}


def _plan_order(bitget: BitgetVenue, call: RequestContext, order_id: str, client_id: str) -> bool:
    """A trigger / TP/SL order named to an ordinary cancel: Bitget's ordinary endpoints do not
    know it (it is not an order until it triggers), so they answer "does not exist"."""
    order = bitget.book(call).find(order_id, client_id)
    return order is not None and is_plan(order)


def _plain_cancel(
    book: OrderBook, category: str, symbol: str, *, order_id: str, client_order_id: str, now_ms: int
) -> BookCancel:
    order = book.find(order_id, client_order_id)
    if order is not None and is_plan(order):
        return BookCancel(None, Miss.UNKNOWN)
    return book.cancel(
        category, symbol, order_id=order_id, client_order_id=client_order_id, order_filter=None, now_ms=now_ms
    )


def spot_cancel(bitget: BitgetVenue, call: RequestContext) -> Any:
    return _cancel_one(bitget, call, "spot", SPOT_NOT_FOUND)


def _cancel_many(
    bitget: BitgetVenue,
    call: RequestContext,
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
    book, now = bitget.book(call), bitget.ctx.clock.now_ms()
    successes, failures = [], []
    for item in items:
        order_id, client_id = str(item.get("orderId") or ""), str(item.get("clientOid") or "")
        outcome = _plain_cancel(
            book,
            category,
            symbol_of(item),
            order_id=order_id,
            client_order_id=client_id,
            now_ms=now,
        )
        if outcome.ok and outcome.order is not None:
            successes.append({"orderId": outcome.order.order_id, "clientOid": outcome.order.client_order_id})
        else:
            failures.append(
                {
                    "orderId": order_id,
                    "clientOid": client_id,
                    "errorMsg": not_found[1],
                    "errorCode": not_found[0],
                }
            )
    call.item_codes = item_codes(successes, failures)
    return {"successList": successes, "failureList": failures}


def spot_batch(bitget: BitgetVenue, call: RequestContext) -> Any:
    params = call.params
    multiple = params.get("batchMode") == "multiple"
    top_symbol = str(params.get("symbol") or "")
    if not multiple and not top_symbol:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: symbol cannot be empty")
    return _cancel_many(
        bitget,
        call,
        "spot",
        params.get("orderList"),
        (lambda item: str(item.get("symbol") or "")) if multiple else (lambda item: top_symbol),
        SPOT_NOT_FOUND,
    )


def mix_place(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    return _place(bitget, call, bitget.market(product_type, call.params.get("symbol")))


def mix_pending(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    symbol = call.params.get("symbol")
    if symbol:
        bitget.market(product_type, symbol)
    catalog = bitget.ctx.catalog
    orders = _open_orders(bitget, call, product_type, symbol)
    entrusted = [shapes.mix_order(o, catalog.by_symbol(o.symbol).settle) for o in orders]
    return {"entrustedList": entrusted or None, "endId": orders[-1].order_id if orders else None}


def mix_cancel(bitget: BitgetVenue, call: RequestContext) -> Any:
    return _cancel_one(bitget, call, product_type_of(call.params), MIX_NOT_FOUND)


def mix_batch(bitget: BitgetVenue, call: RequestContext) -> Any:
    params = call.params
    product_type = product_type_of(params)
    symbol = str(params.get("symbol") or "")
    if not symbol:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: symbol cannot be empty")
    if params.get("orderIdList") is None:
        # Documented: "can be used to cancel by product type and trading pair" (no id list).
        bitget.market(product_type, symbol)
        return _cancel_open(bitget, call, product_type, lambda order: order.native_symbol == symbol)
    return _cancel_many(
        bitget, call, product_type, params.get("orderIdList"), lambda item: symbol, MIX_NOT_FOUND
    )


def mix_cancel_all(bitget: BitgetVenue, call: RequestContext) -> Any:
    """``POST /api/v2/mix/order/cancel-all-orders``: every open order of a product type (and of
    one margin coin, when ``marginCoin`` is given)."""
    product_type = product_type_of(call.params)
    margin_coin = str(call.params.get("marginCoin") or "").upper()
    catalog = bitget.ctx.catalog
    return _cancel_open(
        bitget,
        call,
        product_type,
        lambda order: (
            not margin_coin or (catalog.by_symbol(order.symbol).settle or "").upper() == margin_coin
        ),
    )


def _cancel_open(
    bitget: BitgetVenue, call: RequestContext, category: str, wanted: Callable[[SandboxOrder], bool]
) -> Any:
    book, now = bitget.book(call), bitget.ctx.clock.now_ms()
    found = book.orders(
        lambda order: order.is_open and order.category == category and not is_plan(order) and wanted(order)
    )
    cancelled = book.mark([order.order_id for order in found], "canceled", now)
    successes = [{"orderId": o.order_id, "clientOid": o.client_order_id} for o in cancelled]
    call.items = len(successes)
    call.item_codes = item_codes(successes, [])
    return {"successList": successes, "failureList": []}


def spot_cancel_symbol(bitget: BitgetVenue, call: RequestContext) -> Any:
    """``POST /api/v2/spot/trade/cancel-symbol-order``: every open spot order of ``symbol``. The
    answer names the symbol only, never the orders (Bitget: the cancel is asynchronous)."""
    symbol = str(call.params.get("symbol") or "")
    if not symbol:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: symbol cannot be empty")
    bitget.market("spot", symbol)
    _cancel_open(bitget, call, "spot", lambda order: order.native_symbol == symbol)
    return {"symbol": symbol}
