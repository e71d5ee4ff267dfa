"""The ``bitget`` plugin: Bitget's v2 (classic account) cancel API, spot and futures.

What Bitget offers, and so what this dialect does (sources: Bitget API docs for
``/api/v2/spot/trade/batch-cancel-order`` and ``/api/v2/mix/order/batch-cancel-orders``, the
project's exchange facts §2.3-2.7, and ccxt 4.5.90 ``bitget.py``):

- **Spot batch** ``POST /api/v2/spot/trade/batch-cancel-order``: up to 50 orders. With
  ``batchMode: "multiple"`` every item carries its own ``symbol``, so one request covers many
  pairs. Each item names the order by ``orderId`` or by ``clientOid``; the two are never mixed
  in one request.
- **Futures batch** ``POST /api/v2/mix/order/batch-cancel-orders``: up to 50 orders of ONE
  symbol, with its ``productType`` (``USDT-FUTURES``, ``COIN-FUTURES``, ``USDC-FUTURES``...) and
  ``marginCoin``; items in ``orderIdList`` (not ``orderList``).
- Both answer ``data.successList`` and ``data.failureList``; entries carry ``orderId`` and
  ``clientOid`` (failures also ``errorMsg`` and, not always, ``errorCode``). They are matched
  back to the requests by the id the request was sent with, never by position; an order in
  neither list is sent again, never assumed cancelled.
- **Single cancels** ``POST /api/v2/spot/trade/cancel-order`` and ``/api/v2/mix/order/cancel-order``
  are the second route; errors come back as ccxt exceptions whose text carries the JSON body.
- **Rate limits**: 10 requests per second per UID, per endpoint; a request costs 1 whatever the
  number of orders in it.

- **Futures trigger and TP/SL orders** (a request's ``planType``, or ccxt's ``trigger``):
  ``POST /api/v2/mix/order/cancel-plan-order``, listed by ``orders-plan-pending``
  (:mod:`batchcancel.exchanges.bitget_plan`).
- **Reading back**: one order by id (spot ``orderInfo``, futures ``detail``) before giving up on
  it; every open order of the account (spot ``unfilled-orders``, futures ``orders-pending`` per
  product type, paged with ``idLessThan``) for verify mode.

The facts themselves (endpoints, budgets, codes, states) are in
:mod:`batchcancel.exchanges.bitget_api`.

Accounts in Bitget's unified trading account mode (ccxt ``options['uta']`` true, set by the
user or by ccxt's own probe of ``/api/v3/account/settings``) cancel through the v3 API: this
dialect hands their orders to :class:`~batchcancel.exchanges.bitget_uta.BitgetUtaDialect`, and
sends no v2 call for them (nor a v3 call for a classic account).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any

from batchcancel import engine
from batchcancel.engine import (
    Budget,
    Call,
    Dialect,
    MalformedResponse,
    Route,
    Verdict,
    WorkItem,
)
from batchcancel.engine.classify import code_in_message, describe
from batchcancel.engine.reading import OpenPage, OrderState
from batchcancel.exchanges import bitget_listing as listing
from batchcancel.exchanges import bitget_plan as plan
from batchcancel.exchanges import bitget_uta_kill as uta_kill
from batchcancel.exchanges.bitget_api import (
    BATCH_MAX,
    CANCELED,
    CODES,
    EXCHANGE_ID,
    MIX_BATCH,
    MIX_BATCH_BUDGET,
    MIX_BATCH_CANCEL,
    MIX_CANCEL,
    MIX_ORDER_DETAIL,
    MIX_PARAMS,
    MIX_SINGLE,
    MIX_SINGLE_BUDGET,
    MIX_STATE_ROUTE,
    ORDER_STATES,
    READ_LIMITS,
    REQUESTS_PER_SECOND,
    SPOT_BATCH,
    SPOT_BATCH_BUDGET,
    SPOT_BATCH_CANCEL,
    SPOT_BATCH_MODE,
    SPOT_CANCEL,
    SPOT_ORDER_INFO,
    SPOT_SINGLE,
    SPOT_SINGLE_BUDGET,
    SPOT_STATE_ROUTE,
    MixGroup,
    SpotGroup,
    Unsupported,
    data_of,
    id_field,
    id_value,
    product_type,
    says_not_open,
    text_of,
)
from batchcancel.exchanges.bitget_kill import KILL_LIMITS
from batchcancel.exchanges.bitget_listing import SPOT_SCOPE
from batchcancel.exchanges.bitget_uta import BitgetUtaDialect
from batchcancel.exchanges.bitget_uta_api import UTA_METHODS, UTA_OPEN_ORDERS, UtaGroup, account_is_uta
from batchcancel.exchanges.bitget_uta_kill import BitgetUtaCancelAll
from batchcancel.markers import hookimpl
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")

# What tests and tools read here besides the dialect: Bitget's facts, re-exported.
__all__ = [
    "BATCH_MAX",
    "MIX_BATCH",
    "MIX_BATCH_CANCEL",
    "MIX_CANCEL",
    "MIX_SINGLE",
    "SPOT_BATCH",
    "SPOT_BATCH_CANCEL",
    "SPOT_CANCEL",
    "SPOT_SINGLE",
    "BitgetDialect",
    "MixGroup",
    "SpotGroup",
    "cancel_orders",
    "item_verdict",
]

BitgetGroup = SpotGroup | MixGroup | plan.MixPlanGroup | UtaGroup | Unsupported
"""What Bitget orders that may share a request have in common (or why none can carry them)."""


class BitgetDialect(BitgetUtaCancelAll, Dialect[BitgetGroup]):
    """Bitget cancels: v2 for a classic account, v3 (:class:`BitgetUtaDialect`) for a UTA one.

    Pure: it asks whether the account is UTA, never sends. A UTA account's groups are
    :class:`UtaGroup` and its calls v3 methods, so each later step knows which API it is in."""

    name = EXCHANGE_ID

    def __init__(self, uta: Callable[[], bool | None] = lambda: False) -> None:
        # Whether the account is UTA is only known once ccxt's load_markets has probed it
        # (options['uta']), which the engine may do after this object is made: asked, not stored.
        # None means "not probed yet" (ccxt's default): the budgets then cover both APIs.
        self._uta = uta
        self._v3 = BitgetUtaDialect()
        # v2 orders without params group by market and id field alone: worked out once per call.
        self._plain: dict[tuple[str, str], BitgetGroup] = {}

    @property
    def uta(self) -> bool:
        return bool(self._uta())

    def budgets(self, settings: Settings) -> Mapping[str, Budget]:
        budgets = {
            key: Budget(REQUESTS_PER_SECOND, 1.0)
            for key in (SPOT_BATCH_BUDGET, SPOT_SINGLE_BUDGET, MIX_BATCH_BUDGET, MIX_SINGLE_BUDGET)
        }
        budgets.update({key: Budget(limit, 1.0) for key, limit in READ_LIMITS.items()})
        budgets.update({key: Budget(limit, 1.0) for key, limit in KILL_LIMITS.items()})
        budgets.update({key: Budget(limit, 1.0) for key, limit in plan.PLAN_LIMITS.items()})
        if self._uta() is not False:
            budgets.update(self._v3.budgets(settings))
        return budgets

    def group_of(self, item: WorkItem) -> BitgetGroup:
        uta = self._uta()
        if uta is None:  # markets loaded without ccxt deciding (no keys then): ccxt decides per call
            return Unsupported("ccxt has not decided whether the account is UTA (options['uta'] unset)")
        if uta:
            return self._v3.group_of(item)
        if not item.request.params:
            key = (str(item.market.get("symbol")), id_field(item.request))
            group = self._plain.get(key)
            if group is None:
                group = self._plain[key] = self._v2_group_of(item)
            return group
        return self._v2_group_of(item)

    def _v2_group_of(self, item: WorkItem) -> BitgetGroup:
        market, request = item.market, item.request
        params = dict(request.params)
        field = id_field(request)
        if market.get("spot"):
            if params:
                return Unsupported(f"spot params {sorted(params)} need ccxt's cancel_order")
            return SpotGroup(field)
        if market.get("swap") or market.get("future"):
            plan_type = plan.plan_type_of(params)
            extra = set(params) - MIX_PARAMS - (plan.PLAN_PARAMS if plan_type else set())
            if extra:
                return Unsupported(f"futures params {sorted(extra)} need ccxt's cancel_order")
            kind = str(params.get("productType") or product_type(market))
            coin = str(params.get("marginCoin") or market.get("settleId") or market.get("settle"))
            if plan_type:  # a trigger or TP/SL order: cancel-plan-order
                return plan.MixPlanGroup(item.market_id, kind, coin, plan_type, field)
            return MixGroup(symbol=item.market_id, product_type=kind, margin_coin=coin, id_field=field)
        return Unsupported(f"{market.get('type')} markets have no v2 batch cancel")

    def unserved_reason(self, group: BitgetGroup) -> str:
        return group.why if isinstance(group, Unsupported) else ""

    def routes(self, group: BitgetGroup) -> Sequence[Route]:
        if isinstance(group, UtaGroup):
            return self._v3.routes(group)
        if isinstance(group, SpotGroup):
            return (SPOT_BATCH, SPOT_SINGLE)
        if isinstance(group, MixGroup):
            return (MIX_BATCH, MIX_SINGLE)
        if isinstance(group, plan.MixPlanGroup):
            return (plan.CANCEL_PLAN_ROUTE,)
        return ()

    # -- requests ------------------------------------------------------------------------------

    def build(self, route: Route, group: BitgetGroup, items: Sequence[WorkItem]) -> Call:
        if isinstance(group, UtaGroup):
            return self._v3.build(route, group, items)
        # Each call carries its group: a batch answer is matched on the group's id field.
        if isinstance(group, SpotGroup):
            field = group.id_field
            if route.name == SPOT_BATCH.name:
                order_list = [{"symbol": i.market_id, field: id_value(i.request, field)} for i in items]
                params: dict[str, Any] = {"batchMode": SPOT_BATCH_MODE, "orderList": order_list}
                return Call(SPOT_BATCH_CANCEL, (params,), tuple(items), group=group)
            (item,) = items
            params = {"symbol": item.market_id, field: id_value(item.request, field)}
            return Call(SPOT_CANCEL, (params,), tuple(items), group=group)
        if isinstance(group, MixGroup):
            field = group.id_field
            params = {"symbol": group.symbol, "productType": group.product_type}
            if group.margin_coin:
                params["marginCoin"] = group.margin_coin
            if route.name == MIX_BATCH.name:
                params["orderIdList"] = [{field: id_value(i.request, field)} for i in items]
                return Call(MIX_BATCH_CANCEL, (params,), tuple(items), group=group)
            (item,) = items
            params[field] = id_value(item.request, field)
            return Call(MIX_CANCEL, (params,), tuple(items), group=group)
        if isinstance(group, plan.MixPlanGroup):
            params = plan.build_cancel(group, [id_value(i.request, group.id_field) for i in items])
            return Call(plan.CANCEL_PLAN, (params,), tuple(items), group=group)
        raise ValueError(f"no Bitget v2 route for {group!r}")

    # -- answers -------------------------------------------------------------------------------

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        if call.method in UTA_METHODS:
            return self._v3.read(call, response)
        data = data_of(response)
        if not isinstance(data, Mapping):
            raise MalformedResponse(f"'data' is {type(data).__name__}, not an object")
        if call.method in (SPOT_CANCEL, MIX_CANCEL):
            (item,) = call.items
            field = id_field(item.request)
            if text_of(data.get(field)) != id_value(item.request, field):
                return [Verdict.missing()]  # "00000" with no id (or another one) cancels nothing we know
            return [CANCELED]
        return self._read_batch(call, data)

    def _read_batch(self, call: Call, data: Mapping[str, Any]) -> list[Verdict]:
        if "successList" not in data and "failureList" not in data:
            raise MalformedResponse("batch answer has neither successList nor failureList")
        if not isinstance(call.group, (SpotGroup, MixGroup, plan.MixPlanGroup)):
            raise MalformedResponse("a batch call built without its group")  # a bug of build()
        field = call.group.id_field
        successes = _ids(data.get("successList"), "successList", field)
        failures = dict(_entries(data.get("failureList"), "failureList", field))
        values = [id_value(item.request, field) for item in call.items]
        sent = Counter(values)
        verdicts = []
        for value in values:
            if sent[value] > 1:
                # The same id twice in one request (e.g. one orderId under two symbols): an
                # entry cannot say which it answers, so each goes again on its own.
                verdicts.append(Verdict.isolate(None, f"{field} {value} named twice in one batch"))
            elif value in successes:
                # Listed as cancelled; a failure entry for the same id refers to a repeat of it.
                verdicts.append(CANCELED)
            elif value in failures:
                entry = failures[value]
                code, message = text_of(entry.get("errorCode")), str(entry.get("errorMsg") or "")
                verdicts.append(item_verdict(code, message))
            else:
                verdicts.append(Verdict.missing())
        unknown = (set(successes) | set(failures)) - set(sent)
        if unknown:
            log.debug("batchcancel: bitget answered for %d order(s) not in the request", len(unknown))
        return verdicts

    def read_error(self, call: Call, error: BaseException) -> Verdict | None:
        if call.method in UTA_METHODS:
            return self._v3.read_error(call, error)
        code = self.error_code(error)
        if code is None:
            return None
        # Auth, permission, parameters...: None leaves them to the engine's ccxt classification.
        return CODES.request_verdict(code, describe(error), len(call.items))

    def error_code(self, error: BaseException) -> str | None:
        return code_in_message(str(error))

    # -- reading orders back -------------------------------------------------------------------

    def build_state_read(self, item: WorkItem) -> Call | None:
        if self.uta:
            return self._v3.build_state_read(item)
        group = self.group_of(item)
        field = id_field(item.request)
        if isinstance(group, SpotGroup):
            params: dict[str, Any] = {field: id_value(item.request, field)}
            return Call(SPOT_ORDER_INFO, (params,), (item,), route=SPOT_STATE_ROUTE)
        if isinstance(group, MixGroup):
            params = {"symbol": group.symbol, "productType": group.product_type}
            params[field] = id_value(item.request, field)
            return Call(MIX_ORDER_DETAIL, (params,), (item,), route=MIX_STATE_ROUTE)
        return None  # ccxt's fetch_order reads what only ccxt reaches; no read by id knows plan orders

    def read_state(self, call: Call, response: Any) -> OrderState:
        if call.method in UTA_METHODS:
            return self._v3.read_state(call, response)
        data = data_of(response)
        (item,) = call.items
        field = id_field(item.request)
        rows = data if isinstance(data, list) else [data]
        wanted = id_value(item.request, field)
        mine = [r for r in rows if isinstance(r, Mapping) and text_of(r.get(field)) == wanted]
        if not mine:
            if rows:
                raise MalformedResponse(
                    f"the order read lists other orders, not {field} {id_value(item.request, field)}"
                )
            return OrderState.GONE  # spot orderInfo lists nothing for an unknown id
        status = text_of(mine[0].get("state") or mine[0].get("status")) or ""
        if status not in ORDER_STATES:
            raise MalformedResponse(f"unknown order status {status!r}")
        return ORDER_STATES[status]

    def read_state_error(self, call: Call, error: BaseException) -> OrderState | None:
        if call.method in UTA_METHODS:
            return self._v3.read_state_error(call, error)
        code = self.error_code(error)
        return OrderState.GONE if code is not None and code in CODES.not_open else None

    def account_is_uta(self) -> bool | None:
        return self._uta()

    def list_scopes(self, markets: Mapping[str, Any]) -> Sequence[Hashable]:
        uta = self._uta()  # undecided: neither API is listed (bitget_uta_kill.after_decision)
        if uta is None:
            return ()
        if uta:
            return uta_kill.list_scopes(markets)
        # Classic: ordinary orders, then each product type's trigger, trailing and TP/SL orders.
        return [*listing.scopes(markets), *plan.list_scopes(markets)]

    def build_list(self, scope: Hashable, cursor: str | None) -> Call:
        if isinstance(scope, uta_kill.UtaListing):
            return uta_kill.build_list(scope, cursor)
        if isinstance(scope, plan.PlanList):
            return plan.build_list(scope, cursor)
        return listing.build(str(scope), cursor)

    def read_list(self, call: Call, response: Any) -> OpenPage:
        if call.method == UTA_OPEN_ORDERS:
            return uta_kill.read_list(call, response)
        if call.method == plan.PLAN_PENDING:
            return plan.read_list(call, response)
        return listing.read(call, response)

    def countdown_unsupported_reason(self) -> str:
        return "Bitget's classic (v2) API has no cancel-all countdown (dead-man's switch) endpoint"

    def place_of(self, item: WorkItem) -> str:
        if self.uta:
            return self._v3.place_of(item)
        scope = SPOT_SCOPE if item.market.get("spot") else product_type(item.market)
        return listing.place(item.market_id, scope)


def item_verdict(code: str | None, message: str) -> Verdict:
    """What one failureList entry (or a non-success answer) means for its order."""
    if code is None and says_not_open(message):
        return Verdict.already_closed(code, message)
    return CODES.item_verdict(code, message)


def _entries(value: Any, name: str, field: str) -> list[tuple[str, Mapping[str, Any]]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, Mapping) for entry in value):
        raise MalformedResponse(f"{name} is not a list of objects")
    return [(key, entry) for entry in value if (key := text_of(entry.get(field))) is not None]


def _ids(value: Any, name: str, field: str) -> set[str]:
    return {key for key, _ in _entries(value, name, field)}


def serves(exchange: Any) -> bool:
    return getattr(exchange, "id", None) == EXCHANGE_ID


@hookimpl
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if not serves(exchange):
        return None
    return engine.run(BitgetDialect(lambda: account_is_uta(exchange)), exchange, requests, settings)


@hookimpl
def cancel_all_orders(
    exchange: Any, symbols: tuple[str, ...] | None, settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if not serves(exchange):
        return None
    dialect = BitgetDialect(lambda: account_is_uta(exchange))  # v3 for UTA, v2 for classic
    return uta_kill.after_decision(exchange, lambda: engine.run_kill(dialect, exchange, symbols, settings))
