"""Bybit v5's ``POST /v5/order/cancel-all``, as the kill switch uses it (a part of the dialect).

(cancel-all.mdx, shared/reference/bybit-docs) One request cancels a category's open orders,
narrowed by ``symbol`` > ``baseCoin`` > ``settleCoin``: linear and inverse need one of them, spot
and option none. Spot cancels plain orders only unless ``orderFilter`` names ``tpslOrder``,
``StopOrder``, ``OcoOrder`` or ``BidirectionalTpslOrder``, so a whole spot book takes one request
per kind present; linear, inverse and option cancel every kind without ``orderFilter``. Futures
cancel at most 500 orders a request ("picked randomly"). The answer lists ``orderId`` /
``orderLinkId`` of the orders it accepted for cancelling and ``success`` "1" / "0" (absent for UTA
1.0 inverse); like every Bybit cancel it is asynchronous: the kill switch's read-back decides.
Its budget is its own, counted per request: spot 20/s, linear and inverse 10/s, option 1/s.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.engine import Call, MalformedResponse, Route, success_body
from batchcancel.engine.reading import CancelAllAnswer, OpenOrder
from batchcancel.exchanges.bybit_api import (
    CANCEL_ALL_METHOD,
    CANCEL_ALL_ROUTES,
    EXCHANGE_ID,
    INVERSE,
    LINEAR,
    OK,
    OPTION,
    ORDER_FILTER_PARAM,
    SPOT,
    category_of,
    code_of,
)
from batchcancel.model import CancelRequest


@attrs.frozen
class CancelAllScope:
    """One ``cancel-all`` request: a category, narrowed by a symbol or a settle coin, and (spot)
    the kind of order it reaches."""

    category: str
    """``spot``, ``linear``, ``inverse`` or ``option``."""
    narrow_by: str | None = None
    """``symbol`` or ``settleCoin``; None for a whole spot or option category."""
    value: str | None = None
    """The symbol or coin it names."""
    order_filter: str | None = None
    """Spot only: ``Order``, ``StopOrder``, ``tpslOrder``..."""


class BybitCancelAll:
    """The cancel-all part of :class:`~batchcancel.exchanges.bybit.BybitDialect`."""

    def cancel_all_scopes(
        self, orders: Sequence[tuple[OpenOrder, Mapping[str, Any]]], whole_account: bool
    ) -> Sequence[Hashable]:
        scopes: set[CancelAllScope] = set()
        for order, market in orders:
            category = category_of(CancelRequest(str(market.get("symbol")), order_id="0"), market)
            spot_filter = dict(order.params).get("orderFilter", "Order") if category == SPOT else None
            if not whole_account:
                scopes.add(CancelAllScope(category, "symbol", str(market["id"]), spot_filter))
            elif category in (LINEAR, INVERSE) and market.get("settleId"):
                scopes.add(CancelAllScope(category, "settleCoin", str(market["settleId"])))
            elif category in (SPOT, OPTION):
                scopes.add(CancelAllScope(category, order_filter=spot_filter))
        return sorted(scopes, key=lambda s: (s.category, s.value or "", s.order_filter or ""))

    def cancel_all_route(self, scope: Hashable) -> Route:
        assert isinstance(scope, CancelAllScope)
        return CANCEL_ALL_ROUTES[scope.category]

    def build_cancel_all(self, scope: Hashable) -> Call:
        assert isinstance(scope, CancelAllScope)
        params: dict[str, Any] = {"category": scope.category}
        if scope.narrow_by:
            params[scope.narrow_by] = scope.value
        if scope.order_filter:
            params[ORDER_FILTER_PARAM] = scope.order_filter
        return Call(CANCEL_ALL_METHOD, (params,), via=f"{EXCHANGE_ID}:cancel-all")

    def read_cancel_all(self, scope: Hashable, call: Call, response: Any) -> CancelAllAnswer:
        result = success_body(response, "retCode", lambda code: code_of(code) == OK, "result")
        if not isinstance(result, Mapping):
            raise MalformedResponse("an answer without a result object")
        success = result.get("success")  # "1" or "0"; absent on UTA 1.0 inverse
        if success is not None and str(success) != "1":
            raise MalformedResponse(f"cancel-all answered success {success!r}")
        rows = result.get("list")
        if not isinstance(rows, list):
            raise MalformedResponse("an answer without result.list")
        if not all(isinstance(row, Mapping) for row in rows):
            raise MalformedResponse("a cancel-all row that is not an object")
        try:
            named = [(str(r.get("orderId") or ""), str(r.get("orderLinkId") or "")) for r in rows]
            return CancelAllAnswer.of(named)
        except ValueError:
            raise MalformedResponse("a cancel-all row naming no order") from None
