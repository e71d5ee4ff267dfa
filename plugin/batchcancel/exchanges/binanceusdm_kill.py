"""Binance USDⓈ-M's ``DELETE /fapi/v1/allOpenOrders``, as the kill switch uses it (a part of the
dialect).

(``trade/rest-api/Cancel-All-Open-Orders``) One request, weight 1, cancels every open order of one
``symbol``; there is no account-wide cancel over REST, so the whole account takes one request per
symbol with open orders. The answer is ``{"code": 200, "msg": "The operation of cancel all open
order is done."}``: it names no order, so every order of the scope is decided by the kill switch's
read-back and, for an order gone, by reading its own state (cancelled or filled). That costs one
``GET /fapi/v1/order`` (weight 1) per order after one request per symbol: everything is cancelled
in the fewest requests first, and the report's truth is paid for afterwards.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from batchcancel.engine import Call, MalformedResponse, Route
from batchcancel.engine.reading import CancelAllAnswer, OpenOrder
from batchcancel.exchanges.answers import code_of
from batchcancel.exchanges.binanceusdm_api import CANCEL_ALL_METHOD, EXCHANGE_ID, WEIGHT_BUDGET

CANCEL_ALL_ROUTE = Route("cancel-all", 1, WEIGHT_BUDGET, cost_per_call=1, cost_per_item=0)
DONE = 200  # the answer's code when the request was carried out


class BinanceUsdmCancelAll:
    """The cancel-all part of :class:`~batchcancel.exchanges.binanceusdm.BinanceUsdmDialect`."""

    def cancel_all_scopes(
        self, orders: Sequence[tuple[OpenOrder, Mapping[str, Any]]], whole_account: bool
    ) -> Sequence[Hashable]:
        # Per symbol whether or not the caller named symbols: Binance has no wider cancel-all.
        return sorted({str(market["id"]) for _, market in orders if market.get("id")})

    def cancel_all_route(self, scope: Hashable) -> Route:
        return CANCEL_ALL_ROUTE

    def build_cancel_all(self, scope: Hashable) -> Call:
        return Call(CANCEL_ALL_METHOD, ({"symbol": str(scope)},), via=f"{EXCHANGE_ID}:cancel-all")

    def read_cancel_all(self, scope: Hashable, call: Call, response: Any) -> CancelAllAnswer:
        if not isinstance(response, Mapping) or code_of(response.get("code")) != DONE:
            raise MalformedResponse(f"a cancel-all answer without code {DONE}")
        return CancelAllAnswer()  # done, naming no order: the read-back decides each one
