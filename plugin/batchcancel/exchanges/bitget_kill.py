"""Bitget v2's cancel-everything endpoints, as the kill switch uses them (a part of the dialect).

* ``POST /api/v2/mix/order/cancel-all-orders`` takes ``productType`` (and optionally
  ``marginCoin``) and cancels every open futures order of it; the answer's ``data`` has the
  ``successList`` / ``failureList`` of the batch endpoint, one entry per order.
* ``POST /api/v2/mix/order/batch-cancel-orders`` with ``symbol`` + ``productType`` and **no**
  ``orderIdList`` cancels every open order of that symbol ("can be used to cancel by product type
  and trading pair"; ccxt's recorded "swap cancel all orders" test sends exactly this); same answer.
* Spot's ``POST /api/v2/spot/trade/cancel-symbol-order`` answers only ``{"symbol": ...}``: it names
  no order, so it could not tell a cancelled order from a filled one. Spot is left to list +
  batches (50 orders a request), whose answers name each order.

UTA accounts (v3) have endpoints of their own: none of this applies to them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.engine import Call, MalformedResponse, Route, success_body
from batchcancel.engine.reading import CancelAllAnswer, OpenOrder
from batchcancel.exchanges.bitget_api import (
    CLIENT_OID,
    MIX_BATCH_BUDGET,
    MIX_BATCH_CANCEL,
    OK_CODE,
    ORDER_ID,
    product_type,
)

MIX_CANCEL_ALL = "privateMixPostV2MixOrderCancelAllOrders"  # /api/v2/mix/order/cancel-all-orders
CANCEL_ALL_BUDGET = "mix-cancel-all"
CANCEL_ALL_LIMIT = 10
"""Requests per UID and second: assumed as the other cancel endpoints [UNVERIFIED] (ccxt weighs
the endpoint 20, i.e. paces it at one a second by default)."""
CANCEL_ALL_ROUTE = Route("cancel-all", 1, CANCEL_ALL_BUDGET, cost_per_call=1, cost_per_item=0)
# batch-cancel-orders by symbol spends the batch endpoint's own budget.
CANCEL_SYMBOL_ROUTE = Route("cancel-symbol", 1, MIX_BATCH_BUDGET, cost_per_call=1, cost_per_item=0)


@attrs.frozen
class MixCancelAll:
    """One futures cancel-all request: a product type and margin coin, or one symbol of it."""

    product_type: str
    """``USDT-FUTURES``, ``COIN-FUTURES`` or ``USDC-FUTURES``."""
    margin_coin: str | None = None
    """The margin coin (whole product type mode)."""
    symbol: str | None = None
    """Bitget's symbol (``BTCUSDT``), when the caller named symbols."""


class BitgetCancelAll:
    """The cancel-all part of :class:`~batchcancel.exchanges.bitget.BitgetDialect`."""

    name = "bitget"

    @property
    def uta(self) -> bool:
        return False

    def cancel_all_scopes(
        self, orders: Sequence[tuple[OpenOrder, Mapping[str, Any]]], whole_account: bool
    ) -> Sequence[Hashable]:
        if self.uta:
            return ()
        scopes: set[MixCancelAll] = set()
        for _, market in orders:
            if market.get("spot") or not (market.get("swap") or market.get("future")):
                continue
            kind = product_type(market)
            if whole_account:
                coin = str(market.get("settleId") or market.get("settle") or "").upper()
                scopes.add(MixCancelAll(kind, margin_coin=coin or None))
            else:
                scopes.add(MixCancelAll(kind, symbol=str(market["id"])))
        return sorted(scopes, key=lambda s: (s.product_type, s.margin_coin or "", s.symbol or ""))

    def cancel_all_route(self, scope: Hashable) -> Route:
        assert isinstance(scope, MixCancelAll)
        return CANCEL_ALL_ROUTE if scope.symbol is None else CANCEL_SYMBOL_ROUTE

    def build_cancel_all(self, scope: Hashable) -> Call:
        assert isinstance(scope, MixCancelAll)
        if scope.symbol is not None:
            params = {"symbol": scope.symbol, "productType": scope.product_type}
            return Call(MIX_BATCH_CANCEL, (params,), via=f"{self.name}:cancel-symbol")
        params = {"productType": scope.product_type}
        if scope.margin_coin:
            params["marginCoin"] = scope.margin_coin
        return Call(MIX_CANCEL_ALL, (params,), via=f"{self.name}:cancel-all")

    def read_cancel_all(self, scope: Hashable, call: Call, response: Any) -> CancelAllAnswer:
        data = success_body(response, "code", lambda code: str(code).strip() == OK_CODE, "data")
        if not isinstance(data, Mapping):
            raise MalformedResponse("a cancel-all answer without a data object")
        successes = data.get("successList")
        if not isinstance(successes, list):
            raise MalformedResponse("a cancel-all answer without successList")
        ids, client_ids = set(), set()
        for entry in successes:
            if not isinstance(entry, Mapping):
                raise MalformedResponse("a successList entry that is not an object")
            order_id, client_id = _text(entry.get(ORDER_ID)), _text(entry.get(CLIENT_OID))
            if order_id:
                ids.add(order_id)
            elif client_id:
                client_ids.add(client_id)
            else:
                raise MalformedResponse("a successList entry naming no order")
        return CancelAllAnswer(frozenset(ids), frozenset(client_ids))


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value).strip()
