"""Bitget v3 (UTA) endpoints: instruments, the settings probe, place, open orders, one order,
cancel, batch cancel and cancel-all (``cancel-symbol-order``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..book import FILLED, OPEN, DuplicateClientOrderId, OrderSpec, SandboxOrder
from ..wire import HttpRequest, Reply, RequestContext, int_param, is_positive_number, parse_json_array
from . import uta_shapes as shapes
from .rules import OK_CODE, PARAM_ERROR, BitgetError
from .uta_rules import (
    BATCH_MAX,
    CANCEL,
    CANCEL_BATCH,
    CANCEL_SYMBOL,
    CLASSIC_REFUSED,
    INSTRUMENTS,
    NOT_FOUND,
    ORDER_INFO,
    PAGE_MAX,
    PLACE,
    SETTINGS,
    UNFILLED,
    book_category,
    category_param,
)
from .venue import BitgetVenue

# -- public, and the probe ccxt's default detection sends ------------------------------------------


def instruments(bitget: BitgetVenue, call: RequestContext) -> Any:
    category = book_category(category_param(call.params) or "")
    wanted = call.params.get("symbol")
    return [
        shapes.instrument(m)
        for m in bitget.ctx.catalog.in_category(category)
        if not wanted or m.native_symbol == wanted
    ]


def settings(bitget: BitgetVenue, call: RequestContext) -> Any:
    return shapes.settings()  # a success: ccxt's handle_uta_and_params reads the account as UTA


# -- orders --------------------------------------------------------------------------------------


def place(bitget: BitgetVenue, call: RequestContext) -> Any:
    params = call.params
    market = bitget.market(book_category(category_param(params) or ""), params.get("symbol"))
    side, order_type = params.get("side"), params.get("orderType")
    qty, price = str(params.get("qty") or ""), str(params.get("price") or "")
    if side not in ("buy", "sell") or order_type not in ("limit", "market"):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: side or orderType is invalid")
    if not is_positive_number(qty) or (order_type == "limit" and not is_positive_number(price)):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: qty or price is invalid")
    spec = OrderSpec(
        side,
        order_type,
        price,
        qty,
        client_order_id=str(params.get("clientOid") or ""),
        status=FILLED if order_type == "market" else OPEN,
    )
    try:
        placed = bitget.book(call).place(market, spec, bitget.ctx.clock.now_ms())
    except DuplicateClientOrderId:
        raise BitgetError("40786", "Duplicate clientOid") from None
    return {"orderId": placed.order_id, "clientOid": placed.client_order_id}


def unfilled(bitget: BitgetVenue, call: RequestContext) -> Any:
    """Open orders newest first, of one category or all, paged by ``cursor`` (the last id served)."""
    params = call.params
    category = category_param(params, required=False)
    symbol = params.get("symbol")
    if category and symbol:
        bitget.market(book_category(category), symbol)
    cursor = int_param(params, "cursor", 0, 0, 10**30) or None

    def matches(o: SandboxOrder) -> bool:
        return (
            o.is_open
            and (category is None or o.category == book_category(category))
            and (not symbol or o.native_symbol == symbol)
            and (cursor is None or int(o.order_id) < cursor)
        )

    orders = sorted(bitget.book(call).orders(matches), key=lambda o: int(o.order_id), reverse=True)
    page = orders[: int_param(params, "limit", PAGE_MAX, 1, PAGE_MAX)]
    return {"list": [shapes.order(o) for o in page], "cursor": page[-1].order_id if page else ""}


def _find(bitget: BitgetVenue, call: RequestContext, item: dict[str, Any]) -> SandboxOrder | None:
    """The order ``item`` names: ``orderId`` wins over ``clientOid`` (as the v3 pages say)."""
    order_id, client_id = str(item.get("orderId") or ""), str(item.get("clientOid") or "")
    if not (order_id or client_id):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: orderId or clientOid is required")
    book = bitget.book(call)
    if order_id:
        return book.get(order_id)
    hits = book.orders(lambda o: o.client_order_id == client_id)
    return hits[0] if hits else None


def order_info(bitget: BitgetVenue, call: RequestContext) -> Any:
    found = _find(bitget, call, call.params)
    if found is None:
        raise BitgetError(*NOT_FOUND)
    return shapes.order(found)


def _cancel(bitget: BitgetVenue, call: RequestContext, item: dict[str, Any]) -> SandboxOrder | None:
    """Cancel the open order ``item`` names (under its ``symbol`` and ``category`` when given)."""
    found = _find(bitget, call, item)
    symbol, category = item.get("symbol"), item.get("category")
    if found is None or (symbol and found.native_symbol != symbol):
        return None
    if category and found.category != book_category(str(category).upper()):
        return None
    outcome = bitget.book(call).cancel(
        found.category,
        found.native_symbol,
        order_id=found.order_id,
        client_order_id=None,
        order_filter=None,
        now_ms=bitget.ctx.clock.now_ms(),
    )
    return outcome.order if outcome.ok else None


def cancel(bitget: BitgetVenue, call: RequestContext) -> Any:
    call.items = 1
    cancelled = _cancel(bitget, call, call.params)
    if cancelled is None:
        call.item_codes = (NOT_FOUND[0],)
        raise BitgetError(*NOT_FOUND)
    call.item_codes = (OK_CODE,)
    return {"orderId": cancelled.order_id, "clientOid": cancelled.client_order_id}


def cancel_batch(bitget: BitgetVenue, call: RequestContext) -> Any:
    """One entry per item, in request order: ``{orderId, clientOid}``, a failure with ``code`` and
    ``msg``. Every item needs ``category`` and ``symbol``; one category per request; at most 20."""
    items = call.params.get("orders")
    call.items = len(items) if isinstance(items, list) else 0
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: the order list is empty")
    if len(items) > BATCH_MAX:
        raise BitgetError(
            PARAM_ERROR, f"Parameter verification failed: {len(items)} orders, the maximum is {BATCH_MAX}"
        )
    categories = {category_param(i) for i in items}
    if len(categories) > 1:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: one category per request")
    if not all(i.get("symbol") for i in items):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: symbol cannot be empty")
    entries = []
    for item in items:
        market = bitget.ctx.catalog.native(book_category(str(item["category"]).upper()), str(item["symbol"]))
        named = {"orderId": str(item.get("orderId") or ""), "clientOid": str(item.get("clientOid") or "")}
        if market is None:
            entries.append({**named, "code": "40034", "msg": "Parameter symbol does not exist"})
            continue
        cancelled = _cancel(bitget, call, item)
        if cancelled is None:
            entries.append({**named, "code": NOT_FOUND[0], "msg": NOT_FOUND[1]})
        else:
            entries.append({"orderId": cancelled.order_id, "clientOid": cancelled.client_order_id})
    call.item_codes = entry_codes(entries)
    return entries


def cancel_symbol(bitget: BitgetVenue, call: RequestContext) -> Any:
    """Cancel every open order of ``category`` (and ``symbol``, when given)."""
    category = book_category(category_param(call.params) or "")
    symbol = call.params.get("symbol")
    if symbol:
        bitget.market(category, symbol)
    book, now = bitget.book(call), bitget.ctx.clock.now_ms()
    targets = book.orders(
        lambda o: o.is_open and o.category == category and (not symbol or o.native_symbol == symbol)
    )
    listed = []
    for target in targets:
        outcome = book.cancel(
            category, target.native_symbol, order_id=target.order_id, client_order_id=None,
            order_filter=None, now_ms=now,
        )  # fmt: skip
        if outcome.ok and outcome.order is not None:
            listed.append({"orderId": outcome.order.order_id, "clientOid": outcome.order.client_order_id})
    call.items = len(listed)
    call.item_codes = (OK_CODE,) * len(listed)
    return {"list": listed}


def entry_codes(entries: list[dict[str, Any]]) -> tuple[str, ...]:
    """Per-entry codes of a cancel-batch answer, in answer order: ``00000`` for a success."""
    return tuple(str(e.get("code") or OK_CODE) for e in entries)


def classic_refused(bitget: BitgetVenue, call: RequestContext) -> Any:
    raise BitgetError(*CLASSIC_REFUSED)


ROUTES: dict[tuple[str, str], tuple[Callable[[BitgetVenue, RequestContext], Any], bool]] = {
    ("GET", INSTRUMENTS): (instruments, False),
    ("GET", SETTINGS): (settings, True),
    ("POST", PLACE): (place, True),
    ("GET", UNFILLED): (unfilled, True),
    ("GET", ORDER_INFO): (order_info, True),
    ("POST", CANCEL): (cancel, True),
    ("POST", CANCEL_BATCH): (cancel_batch, True),
    ("POST", CANCEL_SYMBOL): (cancel_symbol, True),
}
"""(method, path) -> (handler, private) of what UTA mode serves besides the classic routes."""


# -- the wire: cancel-batch's array body, and its faults ------------------------------------------


def count_items(request: HttpRequest) -> int:
    if request.path == CANCEL:
        return 1
    if request.path == CANCEL_BATCH:
        orders = parse_json_array(request.body)
        return len(orders) if orders is not None else 0
    return 0


def mangle_batch(kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
    """drop_item / extra_item / no_error_code on a cancel-batch answer's entry list, in place."""
    payload = reply.payload
    if not isinstance(payload, dict) or payload.get("code") != OK_CODE:
        return
    entries = payload["data"]
    codes = entry_codes(entries)
    if kind == "drop_item" and entries:
        del entries[pick(len(entries))]
        codes = entry_codes(entries)
    elif kind == "extra_item":
        entries.append({"orderId": str(9_000_000_000_000_000_000 + pick(10**9)), "clientOid": ""})
        codes = entry_codes(entries)
    elif kind == "no_error_code":
        # Failures keep their message only; "does not exist" reads "notExisted", as the
        # cancel-all page's own example. The log keeps the codes as they were applied.
        for entry in entries:
            if entry.pop("code", None) == NOT_FOUND[0]:
                entry["msg"] = "notExisted"
    reply.item_codes = codes
