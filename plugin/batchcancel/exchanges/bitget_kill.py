"""Bitget v2's cancel-everything endpoints, as the kill switch uses them (a part of the dialect).

* ``POST /api/v2/mix/order/cancel-all-orders`` takes ``productType`` (and optionally
  ``marginCoin``) and cancels every open futures order of it; the answer's ``data`` has the
  ``successList`` / ``failureList`` of the batch endpoint, one entry per order.
* ``POST /api/v2/mix/order/batch-cancel-orders`` with ``symbol`` + ``productType`` and **no**
  ``orderIdList`` cancels every open order of that symbol ("can be used to cancel by product type
  and trading pair"; ccxt's recorded "swap cancel all orders" test sends exactly this); same answer.
* Spot's ``POST /api/v2/spot/trade/cancel-symbol-order`` takes ``symbol`` and cancels every open
  spot order of it (5 requests per UID and second). Its answer is only ``{"symbol": ...}``: "This
  request is executed asynchronously. If you need to know the result, please query the Get History
  Orders endpoint." So it names no order, and an order it cancelled is told apart from one that
  filled by reading ``GET /api/v2/spot/trade/history-orders`` (the account's orders newest first,
  at most 100 a page, older pages with ``idLessThan``; 20 per UID and second), then, for what the
  history does not show yet, the order's own ``orderInfo``. It is used for a symbol with more open
  orders than a batch holds: smaller symbols are pooled into the batch round (50 orders a request
  across symbols, answers naming each order, 10 a second), which costs fewer requests.

Futures trigger and TP/SL orders are none of these endpoints' business: ``cancel-plan-order``
cancels them, one request per product type and planType present
(:mod:`~batchcancel.exchanges.bitget_plan`).

UTA accounts (v3) have endpoints of their own: none of this applies to them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.engine import Call, MalformedResponse, Route, success_body
from batchcancel.engine.reading import CancelAllAnswer, HistoryPage, OpenOrder
from batchcancel.exchanges import bitget_plan as plan
from batchcancel.exchanges.bitget_api import (
    BATCH_MAX,
    MIX_BATCH_BUDGET,
    MIX_BATCH_CANCEL,
    OK_CODE,
    ORDER_ID,
    ORDER_STATES,
    PAGE_LIMIT,
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

SPOT_CANCEL_SYMBOL = "privateSpotPostV2SpotTradeCancelSymbolOrder"  # /api/v2/spot/trade/cancel-symbol-order
SPOT_HISTORY = "privateSpotGetV2SpotTradeHistoryOrders"  # /api/v2/spot/trade/history-orders
SPOT_CANCEL_SYMBOL_BUDGET, SPOT_HISTORY_BUDGET = "spot-cancel-symbol", "spot-history-orders"
KILL_LIMITS = {
    CANCEL_ALL_BUDGET: CANCEL_ALL_LIMIT,
    SPOT_CANCEL_SYMBOL_BUDGET: 5,  # "Frequency limit: 5 times/1s (UID)"
    SPOT_HISTORY_BUDGET: 20,  # "Frequency limit: 20 times/1s (UID)"
}
"""Requests per UID and second of the kill switch's own endpoints."""
SPOT_CANCEL_SYMBOL_ROUTE = Route("cancel-symbol", 1, SPOT_CANCEL_SYMBOL_BUDGET, 1, cost_per_item=0)
SPOT_HISTORY_ROUTE = Route("order-history", 1, SPOT_HISTORY_BUDGET, cost_per_call=1, cost_per_item=0)


SPOT_CANCEL_SYMBOL_FROM = BATCH_MAX + 1
"""Open orders of a spot symbol from which ``cancel-symbol-order`` takes fewer requests than batches."""


@attrs.frozen
class SpotCancelSymbol:
    """One spot cancel-all request, or one spot history read: a symbol."""

    symbol: str
    """Bitget's symbol (``BTCUSDT``)."""


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
        spot: Counter[SpotCancelSymbol] = Counter()
        for order, market in orders:
            if plan.plan_type_of(dict(order.params)) is not None:
                continue  # cancel-plan-order's (below)
            if market.get("spot"):  # no wider spot scope than a symbol
                spot[SpotCancelSymbol(str(market["id"]))] += 1
                continue
            if not (market.get("swap") or market.get("future")):
                continue
            kind = product_type(market)
            if whole_account:
                coin = str(market.get("settleId") or market.get("settle") or "").upper()
                scopes.add(MixCancelAll(kind, margin_coin=coin or None))
            else:
                scopes.add(MixCancelAll(kind, symbol=str(market["id"])))
        mix = sorted(scopes, key=lambda s: (s.product_type, s.margin_coin or "", s.symbol or ""))
        # A symbol with at most a batch's worth of orders costs cancel-symbol-order plus a history
        # page, and batches pool such symbols 50 orders a request (named answers, 10/s, not 5/s):
        # they are left to the batch round.
        big = [scope for scope, count in spot.items() if count >= SPOT_CANCEL_SYMBOL_FROM]
        plans = plan.cancel_all_scopes(orders, whole_account)
        return [*mix, *plans, *sorted(big, key=lambda s: s.symbol)]

    def cancel_all_route(self, scope: Hashable) -> Route:
        if isinstance(scope, SpotCancelSymbol):
            return SPOT_CANCEL_SYMBOL_ROUTE
        if isinstance(scope, plan.MixCancelPlan):
            return plan.CANCEL_PLAN_ALL_ROUTE
        assert isinstance(scope, MixCancelAll)
        return CANCEL_ALL_ROUTE if scope.symbol is None else CANCEL_SYMBOL_ROUTE

    def build_cancel_all(self, scope: Hashable) -> Call:
        if isinstance(scope, SpotCancelSymbol):
            return Call(SPOT_CANCEL_SYMBOL, ({"symbol": scope.symbol},), via=f"{self.name}:cancel-symbol")
        if isinstance(scope, plan.MixCancelPlan):
            return plan.build_cancel_all(scope)
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
        if isinstance(scope, SpotCancelSymbol):
            # Accepted for this symbol, naming no order: the read-back and the history decide.
            if not isinstance(data, Mapping) or _text(data.get("symbol")) != scope.symbol:
                raise MalformedResponse(f"a cancel-symbol-order answer that does not name {scope.symbol}")
            return CancelAllAnswer()
        return plan.named(data)

    # -- spot order history: what became of orders cancel-symbol-order took without naming ---

    def history_scope(self, order: OpenOrder, market: Mapping[str, Any]) -> Hashable | None:
        if self.uta or not market.get("spot"):
            return None  # futures cancel-alls name their orders; their detail reads the rest
        return SpotCancelSymbol(str(market["id"]))

    def build_history(self, scope: Hashable, cursor: str | None) -> Call:
        assert isinstance(scope, SpotCancelSymbol)
        params: dict[str, Any] = {"symbol": scope.symbol, "limit": PAGE_LIMIT}
        if cursor:
            params["idLessThan"] = cursor
        return Call(SPOT_HISTORY, (params,), route=SPOT_HISTORY_ROUTE, group=scope)

    def read_history(self, call: Call, response: Any) -> HistoryPage:
        data = success_body(response, "code", lambda code: str(code).strip() == OK_CODE, "data")
        if not isinstance(data, list):
            raise MalformedResponse("spot history orders are not a list")
        symbol = call.group.symbol if isinstance(call.group, SpotCancelSymbol) else None
        states = []
        for row in data:
            if not isinstance(row, Mapping):
                raise MalformedResponse("a history row that is not an object")
            order_id, status = _text(row.get(ORDER_ID)), _text(row.get("status"))
            if not order_id:
                raise MalformedResponse("a history row without an orderId")
            if _text(row.get("symbol")) != symbol:
                raise MalformedResponse(f"a history row of {row.get('symbol')!r}, not {symbol}")
            if status not in ORDER_STATES:
                raise MalformedResponse(f"a history row with unknown status {status!r}")
            states.append((order_id, ORDER_STATES[status]))
        # A full page may have more behind it: ask for what is older than its last order.
        cursor = states[-1][0] if len(states) >= PAGE_LIMIT else None
        return HistoryPage(tuple(states), cursor)


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value).strip()
