"""Bitget v2 futures trigger (plan) and TP/SL orders: listed, cancelled in bulk, cancelled by id.

Bitget keeps these apart from ordinary orders until they trigger: ``orders-pending``,
``cancel-order``, ``batch-cancel-orders`` and ``cancel-all-orders`` neither list nor cancel them
(sources: Bitget's "Get Pending Trigger Order" and "Cancel Trigger Order" pages, ccxt 4.5.90
``bitget.py``; see docs/exchanges/bitget.md).

* ``GET /api/v2/mix/order/orders-plan-pending``: ``productType`` and ``planType`` required:
  ``normal_plan`` (trigger orders), ``track_plan`` (trailing stops) or ``profit_loss`` (every
  TP/SL kind: ``profit_plan``, ``loss_plan``, ``moving_plan``, ``pos_profit``, ``pos_loss``).
  ``entrustedList`` + ``endId``, paged with ``idLessThan``, at most 100; 10 per UID and second.
  Each row's ``planType`` is what a cancel of it must name.
* ``POST /api/v2/mix/order/cancel-plan-order``: ``productType`` required, ``planType`` defaults
  to ``normal_plan``. With ``orderIdList`` (then ``symbol`` too; "must be aligned with
  symbol/productType/planType") it cancels those; without, "all orders that fall under that
  productType and symbol", of that planType. Answer ``successList`` / ``failureList`` (failures
  carry ``errorMsg``, e.g. "notExistend"); 10 per UID and second. The id list's maximum is not
  documented: 50, as the batch cancel's [UNVERIFIED].

An order from the listing carries ``planType`` in its ``params``; a caller's request does the
same, or says ``trigger`` / ``stop`` (ccxt's words; ``normal_plan`` then, as ccxt and Bitget
default): either routes it to ``cancel-plan-order``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel.engine import Call, MalformedResponse, Route
from batchcancel.engine.reading import CancelAllAnswer, OpenOrder, OpenPage
from batchcancel.exchanges import bitget_listing as listing
from batchcancel.exchanges.bitget_api import (
    BATCH_MAX,
    CLIENT_OID,
    ORDER_ID,
    PAGE_LIMIT,
    data_of,
    product_type,
    text_of,
)

PLAN_PENDING = "privateMixGetV2MixOrderOrdersPlanPending"  # /api/v2/mix/order/orders-plan-pending
CANCEL_PLAN = "privateMixPostV2MixOrderCancelPlanOrder"  # /api/v2/mix/order/cancel-plan-order
PLAN_LIST_BUDGET, CANCEL_PLAN_BUDGET = "mix-plan-pending", "mix-cancel-plan"
PLAN_LIMITS = {PLAN_LIST_BUDGET: 10, CANCEL_PLAN_BUDGET: 10}
"""Requests per UID and second ("Rate limit: 10 req/sec/UID", "10 times/s (UID)")."""
PLAN_LIST_ROUTE = Route("plan-orders", 1, PLAN_LIST_BUDGET, cost_per_call=1, cost_per_item=0)
CANCEL_PLAN_ALL_ROUTE = Route("cancel-plan-all", 1, CANCEL_PLAN_BUDGET, cost_per_call=1, cost_per_item=0)
CANCEL_PLAN_ROUTE = Route("plan-batch", BATCH_MAX, CANCEL_PLAN_BUDGET, cost_per_call=1, cost_per_item=0)

PLAN_TYPE = "planType"
TRIGGER_FLAGS = ("trigger", "stop")
"""ccxt's params that make ``cancel_order`` use the trigger endpoint."""
DEFAULT_PLAN = "normal_plan"
TPSL_PLANS = frozenset({"profit_plan", "loss_plan", "moving_plan", "pos_profit", "pos_loss"})
LISTED = {
    DEFAULT_PLAN: frozenset({DEFAULT_PLAN}),
    "track_plan": frozenset({"track_plan"}),
    "profit_loss": TPSL_PLANS,
}
"""What each listing ``planType`` shows: the plan types its rows may carry."""
PLAN_PARAMS = frozenset({PLAN_TYPE, *TRIGGER_FLAGS})
"""Request ``params`` the plan route understands besides the futures ones."""


@attrs.frozen
class PlanList:
    """One plan-order listing: a product type and a listing ``planType``."""

    product_type: str
    """``USDT-FUTURES``, ``COIN-FUTURES`` or ``USDC-FUTURES``."""
    plan_type: str
    """``normal_plan``, ``track_plan`` or ``profit_loss``."""


@attrs.frozen
class MixCancelPlan:
    """One ``cancel-plan-order`` without ids: every plan order of a planType in a product type
    (or in one symbol of it, when the caller named symbols)."""

    product_type: str
    """The product type."""
    plan_type: str
    """The orders' own ``planType`` (``normal_plan``, ``pos_loss``...)."""
    symbol: str | None = None
    """Bitget's symbol, when the caller named symbols."""


@attrs.frozen
class MixPlanGroup:
    """Plan orders of one symbol, product type and planType named by the same kind of id."""

    symbol: str
    """Bitget's symbol (``BTCUSDT``)."""
    product_type: str
    """The product type."""
    margin_coin: str
    """The margin coin."""
    plan_type: str
    """The orders' ``planType``."""
    id_field: str
    """``orderId`` or ``clientOid``."""


def plan_type_of(params: Mapping[str, Any]) -> str | None:
    """The planType a request (or a listed order) names, ``normal_plan`` for ccxt's trigger flag,
    or None for an ordinary order."""
    named = params.get(PLAN_TYPE)
    if named:
        return str(named)
    return DEFAULT_PLAN if any(params.get(flag) is True for flag in TRIGGER_FLAGS) else None


# -- listing --------------------------------------------------------------------------------------


def list_scopes(markets: Mapping[str, Any]) -> list[PlanList]:
    kinds = [scope for scope in listing.scopes(markets) if scope != listing.SPOT_SCOPE]
    return [PlanList(kind, plan) for kind in kinds for plan in LISTED]


def build_list(scope: PlanList, cursor: str | None) -> Call:
    params: dict[str, Any] = {
        "productType": scope.product_type,
        PLAN_TYPE: scope.plan_type,
        "limit": PAGE_LIMIT,
    }
    if cursor:
        params["idLessThan"] = cursor
    return Call(PLAN_PENDING, (params,), route=PLAN_LIST_ROUTE, group=scope)


def read_list(call: Call, response: Any) -> OpenPage:
    scope = call.group
    assert isinstance(scope, PlanList)
    data = data_of(response)
    if not isinstance(data, Mapping):
        raise MalformedResponse("pending plan orders are not an object")
    rows = data.get("entrustedList") or []
    if not isinstance(rows, list):
        raise MalformedResponse("entrustedList is not a list")
    orders = []
    for row in rows:
        if not isinstance(row, Mapping) or text_of(row.get(ORDER_ID)) is None:
            raise MalformedResponse("a plan-order row without an orderId")
        plan = text_of(row.get(PLAN_TYPE))
        if plan not in LISTED[scope.plan_type]:
            raise MalformedResponse(f"a {scope.plan_type} listing row of planType {plan!r}")
        native = str(row.get("symbol")).upper()  # the page's example shows "ethusdt"
        place = listing.place(native, scope.product_type)
        order_id = str(text_of(row.get(ORDER_ID)))
        orders.append(OpenOrder(order_id, text_of(row.get(CLIENT_OID)), place, native, ((PLAN_TYPE, plan),)))
    end = text_of(data.get("endId"))
    cursor = (end or orders[-1].order_id) if len(orders) >= PAGE_LIMIT else None
    return OpenPage(tuple(orders), cursor)


# -- cancel-all -----------------------------------------------------------------------------------


def cancel_all_scopes(
    orders: Sequence[tuple[OpenOrder, Mapping[str, Any]]], whole_account: bool
) -> list[MixCancelPlan]:
    """One request per product type and planType present (per symbol when symbols were named)."""
    scopes = set()
    for order, market in orders:
        plan = plan_type_of(dict(order.params))
        if plan is None or not (market.get("swap") or market.get("future")):
            continue
        symbol = None if whole_account else str(market["id"])
        scopes.add(MixCancelPlan(product_type(market), plan, symbol))
    return sorted(scopes, key=lambda s: (s.product_type, s.plan_type, s.symbol or ""))


def build_cancel_all(scope: MixCancelPlan) -> Call:
    params = {"productType": scope.product_type, PLAN_TYPE: scope.plan_type}
    if scope.symbol:
        params["symbol"] = scope.symbol
    return Call(CANCEL_PLAN, (params,), via="bitget:cancel-plan")


def named(data: Any) -> CancelAllAnswer:
    """The orders a ``successList`` answer names (cancel-all-orders and cancel-plan-order alike)."""
    if not isinstance(data, Mapping):
        raise MalformedResponse("a cancel-all answer without a data object")
    successes = data.get("successList")
    if not isinstance(successes, list):
        raise MalformedResponse("a cancel-all answer without successList")
    if not all(isinstance(entry, Mapping) for entry in successes):
        raise MalformedResponse("a successList entry that is not an object")
    try:
        return CancelAllAnswer.of((text_of(e.get(ORDER_ID)), text_of(e.get(CLIENT_OID))) for e in successes)
    except ValueError:
        raise MalformedResponse("a successList entry naming no order") from None


# -- cancel by id ---------------------------------------------------------------------------------


def build_cancel(group: MixPlanGroup, ids: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "symbol": group.symbol,
        "productType": group.product_type,
        PLAN_TYPE: group.plan_type,
    }
    if group.margin_coin:
        params["marginCoin"] = group.margin_coin
    params["orderIdList"] = [{group.id_field: value} for value in ids]
    return params


def is_plan_scope(scope: Hashable) -> bool:
    return isinstance(scope, (PlanList, MixCancelPlan))
