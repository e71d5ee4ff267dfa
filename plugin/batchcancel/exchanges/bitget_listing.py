"""Bitget v2's account-wide listing of open orders (verify mode, the kill switch's read-backs).

Spot ``GET /api/v2/spot/trade/unfilled-orders`` (a list) and futures
``GET /api/v2/mix/order/orders-pending`` per product type (``entrustedList`` + ``endId``), both
paged with ``idLessThan``, ``limit`` at most 100.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from batchcancel.engine import Call, MalformedResponse
from batchcancel.engine.reading import OpenOrder, OpenPage
from batchcancel.exchanges.bitget_api import (
    CLIENT_OID,
    MIX_LIST_ROUTE,
    MIX_OPEN_ORDERS,
    ORDER_ID,
    PAGE_LIMIT,
    SPOT_LIST_ROUTE,
    SPOT_OPEN_ORDERS,
    data_of,
    product_type,
    text_of,
)

SPOT_SCOPE = "spot"
"""The spot scope of account-wide listings; the futures scopes are their product types."""


def scopes(markets: Mapping[str, Any]) -> Sequence[str]:
    """One scope for spot, one per futures product type the markets hold."""
    found: set[str] = set()
    for market in markets.values():
        if market.get("spot"):
            found.add(SPOT_SCOPE)
        elif market.get("swap") or market.get("future"):
            found.add(product_type(market))
    return sorted(found)


def build(scope: str, cursor: str | None) -> Call:
    params: dict[str, Any] = {"limit": PAGE_LIMIT}
    if cursor:
        params["idLessThan"] = cursor
    if scope == SPOT_SCOPE:
        return Call(SPOT_OPEN_ORDERS, (params,), route=SPOT_LIST_ROUTE, group=scope)
    params["productType"] = scope
    return Call(MIX_OPEN_ORDERS, (params,), route=MIX_LIST_ROUTE, group=scope)


def read(call: Call, response: Any) -> OpenPage:
    data = data_of(response)
    scope = str(call.group)
    if scope == SPOT_SCOPE:
        if not isinstance(data, list):
            raise MalformedResponse("spot open orders are not a list")
        rows, end = data, None
    else:
        if not isinstance(data, Mapping):
            raise MalformedResponse("futures open orders are not an object")
        rows, end = data.get("entrustedList") or [], text_of(data.get("endId"))
        if not isinstance(rows, list):
            raise MalformedResponse("entrustedList is not a list")
    orders = []
    for row in rows:
        order_id = text_of(row.get(ORDER_ID)) if isinstance(row, Mapping) else None
        if order_id is None:
            raise MalformedResponse("an open-order row without an orderId")
        native = str(row.get("symbol"))
        orders.append(
            OpenOrder(order_id, text_of(row.get(CLIENT_OID)), place(native, scope), market_id=native)
        )
    # A full page may have more behind it: ask for what is older than its last order.
    cursor = (end or orders[-1].order_id) if len(orders) >= PAGE_LIMIT else None
    return OpenPage(tuple(orders), cursor)


def place(native_symbol: str, scope: str) -> str:
    """Where an order is, as messages name it: ``BTCUSDT (USDT-FUTURES)``."""
    return f"{native_symbol} ({scope})"
