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

- **Reading back**: one order by id (spot ``orderInfo``, futures ``detail``) before giving up on
  it; every open order of the account (spot ``unfilled-orders``, futures ``orders-pending`` per
  product type, paged with ``idLessThan``) for verify mode.

The facts themselves (endpoints, budgets, codes, states) are in
:mod:`batchcancel.exchanges.bitget_api`.

Accounts in Bitget's unified trading account mode (ccxt ``options['uta']`` true) cancel through
the v3 API, which this dialect does not speak: their orders go to ccxt's own ``cancel_order``
(the fallback), which knows the v3 endpoints.
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
    success_body,
)
from batchcancel.engine.classify import code_in_message, describe
from batchcancel.engine.reading import OpenOrder, OpenPage, OrderState
from batchcancel.exchanges.bitget_api import (
    BATCH_MAX,
    CLIENT_OID,
    CODES,
    EXCHANGE_ID,
    MIX_BATCH,
    MIX_BATCH_BUDGET,
    MIX_BATCH_CANCEL,
    MIX_CANCEL,
    MIX_LIST_ROUTE,
    MIX_OPEN_ORDERS,
    MIX_ORDER_DETAIL,
    MIX_PARAMS,
    MIX_SINGLE,
    MIX_SINGLE_BUDGET,
    MIX_STATE_ROUTE,
    OK_CODE,
    ORDER_ID,
    ORDER_STATES,
    PAGE_LIMIT,
    READ_LIMITS,
    REQUESTS_PER_SECOND,
    SPOT_BATCH,
    SPOT_BATCH_BUDGET,
    SPOT_BATCH_CANCEL,
    SPOT_BATCH_MODE,
    SPOT_CANCEL,
    SPOT_LIST_ROUTE,
    SPOT_OPEN_ORDERS,
    SPOT_ORDER_INFO,
    SPOT_SINGLE,
    SPOT_SINGLE_BUDGET,
    SPOT_STATE_ROUTE,
    MixGroup,
    SpotGroup,
    Unsupported,
    id_field,
    id_value,
    product_type,
    says_not_open,
)
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

SPOT_SCOPE = "spot"
"""The spot scope of account-wide listings; the futures scopes are their product types."""


BitgetGroup = SpotGroup | MixGroup | Unsupported
"""What Bitget orders that may share a request have in common (or why none can carry them)."""


class BitgetDialect(Dialect[BitgetGroup]):
    """Bitget v2 classic-account cancels; pure: it asks whether the account is UTA, never sends."""

    name = EXCHANGE_ID

    def __init__(self, uta: Callable[[], bool] = lambda: False) -> None:
        # Whether the account is UTA is only known once ccxt's load_markets has probed it
        # (options['uta']), which the engine may do after this object is made: asked, not stored.
        self._uta = uta
        # Orders without params group by market and id field alone: worked out once per call.
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
        return budgets

    def group_of(self, item: WorkItem) -> BitgetGroup:
        if self.uta:
            return Unsupported("the account is in unified trading (UTA) mode; v2 endpoints do not apply")
        if not item.request.params:
            key = (str(item.market.get("symbol")), id_field(item.request))
            group = self._plain.get(key)
            if group is None:
                group = self._plain[key] = self._group_of(item)
            return group
        return self._group_of(item)

    def _group_of(self, item: WorkItem) -> BitgetGroup:
        market, request = item.market, item.request
        params = dict(request.params)
        field = id_field(request)
        if market.get("spot"):
            if params:
                return Unsupported(f"spot params {sorted(params)} need ccxt's cancel_order")
            return SpotGroup(field)
        if market.get("swap") or market.get("future"):
            extra = set(params) - MIX_PARAMS
            if extra:
                return Unsupported(f"futures params {sorted(extra)} need ccxt's cancel_order")
            return MixGroup(
                symbol=item.market_id,
                product_type=str(params.get("productType") or product_type(market)),
                margin_coin=str(params.get("marginCoin") or market.get("settleId") or market.get("settle")),
                id_field=field,
            )
        return Unsupported(f"{market.get('type')} markets have no v2 batch cancel")

    def unserved_reason(self, group: BitgetGroup) -> str:
        return group.why if isinstance(group, Unsupported) else ""

    def routes(self, group: BitgetGroup) -> Sequence[Route]:
        if isinstance(group, SpotGroup):
            return (SPOT_BATCH, SPOT_SINGLE)
        if isinstance(group, MixGroup):
            return (MIX_BATCH, MIX_SINGLE)
        return ()

    # -- requests ------------------------------------------------------------------------------

    def build(self, route: Route, group: BitgetGroup, items: Sequence[WorkItem]) -> Call:
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
        raise ValueError(f"no Bitget v2 route for {group!r}")

    # -- answers -------------------------------------------------------------------------------

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        data = _data(response)
        if not isinstance(data, Mapping):
            raise MalformedResponse(f"'data' is {type(data).__name__}, not an object")
        if call.method in (SPOT_CANCEL, MIX_CANCEL):
            (item,) = call.items
            field = id_field(item.request)
            if _text(data.get(field)) != id_value(item.request, field):
                return [Verdict.missing()]  # "00000" with no id (or another one) cancels nothing we know
            return [Verdict.canceled(OK_CODE)]
        return self._read_batch(call, data)

    def _read_batch(self, call: Call, data: Mapping[str, Any]) -> list[Verdict]:
        if "successList" not in data and "failureList" not in data:
            raise MalformedResponse("batch answer has neither successList nor failureList")
        if not isinstance(call.group, (SpotGroup, MixGroup)):
            raise MalformedResponse("a batch call built without its group")  # a bug of build()
        field = call.group.id_field
        successes = _ids(data.get("successList"), "successList", field)
        failures = dict(_entries(data.get("failureList"), "failureList", field))
        sent = Counter(id_value(item.request, field) for item in call.items)
        verdicts = []
        for item in call.items:
            value = id_value(item.request, field)
            if sent[value] > 1:
                # The same id twice in one request (e.g. one orderId under two symbols): an
                # entry cannot say which it answers, so each goes again on its own.
                verdicts.append(Verdict.isolate(None, f"{field} {value} named twice in one batch"))
            elif value in successes:
                # Listed as cancelled; a failure entry for the same id refers to a repeat of it.
                verdicts.append(Verdict.canceled(OK_CODE))
            elif value in failures:
                entry = failures[value]
                verdicts.append(item_verdict(_text(entry.get("errorCode")), str(entry.get("errorMsg") or "")))
            else:
                verdicts.append(Verdict.missing())
        unknown = (set(successes) | set(failures)) - set(sent)
        if unknown:
            log.debug("batchcancel: bitget answered for %d order(s) not in the request", len(unknown))
        return verdicts

    def read_error(self, call: Call, error: BaseException) -> Verdict | None:
        code = self.error_code(error)
        if code is None:
            return None
        # Auth, permission, parameters...: None leaves them to the engine's ccxt classification.
        return CODES.request_verdict(code, describe(error), len(call.items))

    def error_code(self, error: BaseException) -> str | None:
        return code_in_message(str(error))

    # -- reading orders back -------------------------------------------------------------------

    def build_state_read(self, item: WorkItem) -> Call | None:
        group = self.group_of(item)
        field = id_field(item.request)
        if isinstance(group, SpotGroup):
            params: dict[str, Any] = {field: id_value(item.request, field)}
            return Call(SPOT_ORDER_INFO, (params,), (item,), route=SPOT_STATE_ROUTE)
        if isinstance(group, MixGroup):
            params = {"symbol": group.symbol, "productType": group.product_type}
            params[field] = id_value(item.request, field)
            return Call(MIX_ORDER_DETAIL, (params,), (item,), route=MIX_STATE_ROUTE)
        return None  # UTA and orders only ccxt can reach: ccxt's fetch_order reads them

    def read_state(self, call: Call, response: Any) -> OrderState:
        data = _data(response)
        (item,) = call.items
        field = id_field(item.request)
        rows = data if isinstance(data, list) else [data]
        mine = [
            r for r in rows if isinstance(r, Mapping) and _text(r.get(field)) == id_value(item.request, field)
        ]
        if not mine:
            if rows:
                raise MalformedResponse(
                    f"the order read lists other orders, not {field} {id_value(item.request, field)}"
                )
            return OrderState.GONE  # spot orderInfo lists nothing for an unknown id
        status = _text(mine[0].get("state") or mine[0].get("status")) or ""
        if status not in ORDER_STATES:
            raise MalformedResponse(f"unknown order status {status!r}")
        return ORDER_STATES[status]

    def read_state_error(self, call: Call, error: BaseException) -> OrderState | None:
        code = self.error_code(error)
        return OrderState.GONE if code is not None and code in CODES.not_open else None

    def list_scopes(self, markets: Mapping[str, Any]) -> Sequence[Hashable]:
        if self.uta:
            return ()
        scopes: set[str] = set()
        for market in markets.values():
            if market.get("spot"):
                scopes.add(SPOT_SCOPE)
            elif market.get("swap") or market.get("future"):
                scopes.add(product_type(market))
        return sorted(scopes)

    def build_list(self, scope: Hashable, cursor: str | None) -> Call:
        params: dict[str, Any] = {"limit": PAGE_LIMIT}
        if cursor:
            params["idLessThan"] = cursor
        if scope == SPOT_SCOPE:
            return Call(SPOT_OPEN_ORDERS, (params,), route=SPOT_LIST_ROUTE, group=scope)
        params["productType"] = scope
        return Call(MIX_OPEN_ORDERS, (params,), route=MIX_LIST_ROUTE, group=scope)

    def read_list(self, call: Call, response: Any) -> OpenPage:
        data = _data(response)
        scope = str(call.group)
        if scope == SPOT_SCOPE:
            if not isinstance(data, list):
                raise MalformedResponse("spot open orders are not a list")
            rows, end = data, None
        else:
            if not isinstance(data, Mapping):
                raise MalformedResponse("futures open orders are not an object")
            rows, end = data.get("entrustedList") or [], _text(data.get("endId"))
            if not isinstance(rows, list):
                raise MalformedResponse("entrustedList is not a list")
        orders = []
        for row in rows:
            order_id = _text(row.get(ORDER_ID)) if isinstance(row, Mapping) else None
            if order_id is None:
                raise MalformedResponse("an open-order row without an orderId")
            orders.append(
                OpenOrder(order_id, _text(row.get(CLIENT_OID)), _place(str(row.get("symbol")), scope))
            )
        # A full page may have more behind it: ask for what is older than its last order.
        cursor = (end or orders[-1].order_id) if len(orders) >= PAGE_LIMIT else None
        return OpenPage(tuple(orders), cursor)

    def place_of(self, item: WorkItem) -> str:
        scope = SPOT_SCOPE if item.market.get("spot") else product_type(item.market)
        return _place(item.market_id, scope)


def item_verdict(code: str | None, message: str) -> Verdict:
    """What one failureList entry (or a non-success answer) means for its order."""
    if code is None and says_not_open(message):
        return Verdict.already_closed(code, message)
    return CODES.item_verdict(code, message)


def _place(native_symbol: str, scope: str) -> str:
    return f"{native_symbol} ({scope})"


def _data(response: Any) -> Any:
    """The ``data`` of a successful Bitget answer; anything else is not an answer we can read."""
    return success_body(response, "code", lambda code: _text(code) == OK_CODE, "data")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _entries(value: Any, name: str, field: str) -> list[tuple[str, Mapping[str, Any]]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, Mapping) for entry in value):
        raise MalformedResponse(f"{name} is not a list of objects")
    return [(key, entry) for entry in value if (key := _text(entry.get(field))) is not None]


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
    return engine.run(BitgetDialect(lambda: bool(exchange.options.get("uta"))), exchange, requests, settings)
