"""OKX v5's trading endpoints: place, open orders, order details, cancel (one, batch, algo)."""

from __future__ import annotations

from typing import Any

from ..book import FILLED, OPEN, DuplicateClientOrderId, OrderBook, OrderSpec, SandboxOrder
from ..markets import Market
from ..wire import RequestContext, int_param, is_positive_number
from . import shapes
from .catalog import SPOT, SWAP
from .rules import (
    ALGO_MAX,
    ALGO_TYPES,
    ARRAY,
    BATCH_MAX,
    COMBINABLE_ALGO_TYPES,
    NOT_FOUND,
    OK_CODE,
    ORDER_MISSING,
    PAGE_MAX,
    PARAM_ERROR,
    OkxError,
)
from .venue import OkxVenue


def instrument(okx: OkxVenue, inst_id: Any) -> Market:
    """The market an ``instId`` names (spot or swap), or OKX's "no such instrument"."""
    for category in (SPOT, SWAP):
        market = okx.ctx.catalog.native(category, str(inst_id or ""))
        if market is not None:
            return market
    raise okx.unknown_symbol()


def _entries(value: Any, maximum: int) -> list[dict[str, Any]]:
    """A batch body: a non-empty JSON array of objects, at most ``maximum`` long."""
    if not isinstance(value, list) or not value or not all(isinstance(entry, dict) for entry in value):
        raise OkxError(PARAM_ERROR, "Parameter body can not be empty")
    if len(value) > maximum:
        raise OkxError("51000", f"Parameter body error: at most {maximum} orders per request")
    return value


def place(okx: OkxVenue, call: RequestContext) -> Any:
    body = call.params.get(ARRAY)
    orders = _entries(body, BATCH_MAX) if ARRAY in call.params else [call.params]
    okx.charge(call)
    book, now, answers = okx.book(call), okx.ctx.clock.now_ms(), []
    for entry in orders:
        market = instrument(okx, entry.get("instId"))
        side, kind = entry.get("side"), entry.get("ordType")
        size, price = str(entry.get("sz") or ""), str(entry.get("px") or "")
        if side not in ("buy", "sell") or kind not in ("limit", "market", "post_only", "ioc", "fok"):
            raise OkxError("51000", "Parameter side or ordType error")
        if not is_positive_number(size) or (kind != "market" and not is_positive_number(price)):
            raise OkxError("51000", "Parameter sz or px error")
        spec = OrderSpec(
            side,
            "market" if kind == "market" else "limit",
            price,
            size,
            client_order_id=str(entry.get("clOrdId") or ""),
            status=FILLED if kind == "market" else OPEN,
        )
        try:
            placed = book.place(market, spec, now)
        except DuplicateClientOrderId:
            answers.append(_entry("", spec.client_order_id, "51016", "Duplicated clOrdId"))
            continue
        answers.append(
            {**_entry(placed.order_id, placed.client_order_id, OK_CODE, "Order placed"), "tag": ""}
        )
    return answers


def _entry(order_id: str, client_id: str, code: str, message: str, algo: bool = False) -> dict[str, Any]:
    ids = (
        {"algoId": order_id, "algoClOrdId": client_id} if algo else {"ordId": order_id, "clOrdId": client_id}
    )
    return {**ids, "ts": "", "sCode": code, "sMsg": message}


def _find(book: OrderBook, order_id: str, client_id: str) -> SandboxOrder | None:
    if order_id:
        return book.get(order_id)
    hits = book.orders(lambda o: o.client_order_id == client_id) if client_id else []
    return hits[0] if hits else None


def _cancel(okx: OkxVenue, call: RequestContext, entry: dict[str, Any], algo: bool) -> dict[str, Any]:
    id_key, client_key = ("algoId", "algoClOrdId") if algo else ("ordId", "clOrdId")
    order_id, client_id = str(entry.get(id_key) or ""), str(entry.get(client_key) or "")
    if not (order_id or client_id):
        return _entry("", "", "51407", f"Either {id_key} or {client_key} is required", algo)
    market = instrument(okx, entry.get("instId"))
    book = okx.book(call)
    found = _find(book, order_id, client_id)
    if (
        found is None
        or (found.order_filter is not None) != algo
        or found.native_symbol != market.native_symbol
    ):
        return _entry(order_id, client_id, *NOT_FOUND, algo)  # an algo id is no plain order, and back
    outcome = book.cancel(
        found.category,
        found.native_symbol,
        order_id=found.order_id,
        client_order_id=None,
        order_filter=None,
        now_ms=okx.ctx.clock.now_ms(),
    )
    if not outcome.ok or outcome.order is None:
        return _entry(order_id, client_id, *NOT_FOUND, algo)  # filled, cancelled or unknown alike
    return _entry(outcome.order.order_id, outcome.order.client_order_id, OK_CODE, "", algo)


def cancel_one(okx: OkxVenue, call: RequestContext) -> Any:
    call.items = 1
    instrument(okx, call.params.get("instId"))
    okx.charge_instruments(call, [str(call.params.get("instId"))])
    return [_cancel(okx, call, call.params, algo=False)]


def cancel_batch(okx: OkxVenue, call: RequestContext) -> Any:
    body = call.params.get(ARRAY)
    call.items = len(body) if isinstance(body, list) else 0
    entries = _entries(body, BATCH_MAX)
    for entry in entries:
        instrument(okx, entry.get("instId"))  # an unknown instrument refuses the whole request
    okx.charge_instruments(call, [str(entry.get("instId")) for entry in entries])
    return [_cancel(okx, call, entry, algo=False) for entry in entries]


def cancel_algos(okx: OkxVenue, call: RequestContext) -> Any:
    body = call.params.get(ARRAY)
    call.items = len(body) if isinstance(body, list) else 0
    entries = _entries(body, ALGO_MAX)
    okx.charge(call)
    return [_cancel(okx, call, entry, algo=True) for entry in entries]


def _page(okx: OkxVenue, call: RequestContext, algo: bool) -> list[SandboxOrder]:
    """Open orders newest first, older than the ``after`` cursor, at most ``limit`` (≤ 100)."""
    params = call.params
    after = int_param(params, "after", 0, 0, 10**30) or None
    inst_type, inst_id = params.get("instType"), params.get("instId")
    kinds = set(str(params.get("ordType") or "").split(","))

    def matches(order: SandboxOrder) -> bool:
        return (
            order.is_open
            and (order.order_filter is not None) == algo
            and (not algo or order.order_filter in kinds)
            and (not inst_type or order.category == inst_type)
            and (not inst_id or order.native_symbol == inst_id)
            and (after is None or int(order.order_id) < after)
        )

    orders = sorted(okx.book(call).orders(matches), key=lambda o: int(o.order_id), reverse=True)
    return orders[: int_param(params, "limit", PAGE_MAX, 1, PAGE_MAX)]


def pending(okx: OkxVenue, call: RequestContext) -> Any:
    okx.charge(call)
    if call.params.get("instId"):
        instrument(okx, call.params["instId"])
    return [shapes.order(o) for o in _page(okx, call, algo=False)]


def algo_pending(okx: OkxVenue, call: RequestContext) -> Any:
    okx.charge(call)
    kinds = set(str(call.params.get("ordType") or "").split(","))
    if not kinds <= set(ALGO_TYPES) or (len(kinds) > 1 and not kinds <= COMBINABLE_ALGO_TYPES):
        raise OkxError("51000", "Parameter ordType error")
    return [shapes.algo_order(o) for o in _page(okx, call, algo=True)]


def order_details(okx: OkxVenue, call: RequestContext) -> Any:
    params = call.params
    market = instrument(okx, params.get("instId"))
    okx.charge(call)
    order_id, client_id = str(params.get("ordId") or ""), str(params.get("clOrdId") or "")
    if not (order_id or client_id):
        raise OkxError("51407", "Either order ID or client order ID is required")
    found = _find(okx.book(call), order_id, client_id)
    if found is None or found.order_filter is not None or found.native_symbol != market.native_symbol:
        raise OkxError(*ORDER_MISSING)
    return [shapes.order(found)]
