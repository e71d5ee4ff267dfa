"""The ``bybit`` plugin: Bybit v5 ``/v5/order/cancel-batch`` and ``/v5/order/cancel``.

Bybit's cancel API as this module reads it (sources: the Bybit v5 docs ``batch-cancel.mdx``,
``cancel-order.mdx``, ``error.mdx`` and ``rate-limit.mdx``, as collected in the project's exchange
fact sheet, sections 1.3 to 1.6):

* Every order belongs to a *category*: ``spot``, ``linear`` (USDT/USDC contracts), ``inverse``
  (coin-margined contracts) or ``option``. A request names one category; a batch may mix symbols.
* ``POST /v5/order/cancel-batch`` takes ``{"category", "request": [{"symbol", "orderId" |
  "orderLinkId"}, ...]}``: at most 10 spot orders, 20 linear / inverse / option orders. It answers
  ``retCode`` 0 even when orders fail; each order's fate is ``result.list[i]`` with
  ``retExtInfo.list[i]`` (``code``, ``msg``).
* ``POST /v5/order/cancel`` cancels one order and takes ``orderFilter`` on spot (``Order``,
  ``tpslOrder``, ``StopOrder``): conditional and TP/SL spot orders are only reachable there.
* Rate budgets are per UID and per endpoint; the batch endpoint's budget is its own and counts
  orders (options: requests). Every answer reports the budget in ``X-Bapi-Limit``,
  ``X-Bapi-Limit-Status`` and ``X-Bapi-Limit-Reset-Timestamp``.

* ``GET /v5/order/realtime`` lists open orders per category (``settleCoin`` for linear and
  inverse, ``baseCoin`` for options), paged with ``cursor``, and finds one order by id in any
  status: the state reads before giving up on an order, and verify mode's account-wide read.

The facts themselves (maxima, budgets, codes, states) are in :mod:`batchcancel.exchanges.bybit_api`.
Calls go through ccxt's implicit API (``privatePostV5OrderCancelBatch``,
``privatePostV5OrderCancel``) so ccxt's keys, signing and clock offset are reused; ccxt's unified
``cancel_orders`` is not used (one symbol only, no inverse, no chunking, failed items' codes lost).
"""

from __future__ import annotations

from collections.abc import Awaitable, Hashable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel import engine
from batchcancel.engine import (
    Budget,
    BudgetObservation,
    Call,
    Dialect,
    MalformedResponse,
    Route,
    Verdict,
    WorkItem,
    success_body,
)
from batchcancel.engine.reading import OpenOrder, OpenPage, OrderState
from batchcancel.exchanges.answers import header_value
from batchcancel.exchanges.bybit_api import (
    BATCH_LIMIT,
    BATCH_MAX,
    BATCH_METHOD,
    BATCH_ROUTES,
    CANCEL_ALL_LIMIT,
    CATEGORIES,
    CODES,
    EXCHANGE_ID,
    HEADER_LIMIT,
    HEADER_REMAINING,
    HEADER_RESET_MS,
    INVERSE,
    LINEAR,
    OK,
    OPTION,
    ORDER_FILTER_PARAM,
    ORDER_STATES,
    PAGE_LIMIT,
    READ_BUDGET,
    READ_LIMIT,
    READ_ROUTE,
    REALTIME_METHOD,
    SINGLE_LIMIT,
    SINGLE_METHOD,
    SINGLE_ROUTES,
    SPOT,
    SPOT_FILTER_OF_STOP_TYPE,
    UNKNOWN_CATEGORY_ROUTE,
    WINDOW_S,
    Group,
    category_of,
    code_of,
    extra_params,
    id_field,
    order_filter_of,
    parse_error_body,
)
from batchcancel.exchanges.bybit_kill import BybitCancelAll, CancelAllScope
from batchcancel.markers import hookimpl
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

# What tests and tools read here besides the dialect: Bybit's facts, re-exported.
__all__ = [
    "BATCH_MAX",
    "BATCH_METHOD",
    "CODES",
    "SINGLE_METHOD",
    "BybitDialect",
    "CancelAllScope",
    "Group",
    "ListScope",
    "cancel_all_orders",
    "cancel_orders",
    "parse_error_body",
]


@attrs.frozen
class ListScope:
    """One account-wide open-order listing: a category, narrowed by a coin where Bybit needs one."""

    category: str
    """``spot``, ``linear``, ``inverse`` or ``option``."""
    coin_param: str | None = None
    """``settleCoin`` (linear, inverse) or ``baseCoin`` (option); None for spot."""
    coin: str | None = None
    """The coin it names."""


class BybitDialect(BybitCancelAll, Dialect[Group]):
    """Bybit v5: batches per category, single cancels for conditional spot orders, per-item codes."""

    name = EXCHANGE_ID

    def budgets(self, settings: Settings) -> Mapping[str, Budget]:
        # reported: Bybit tells the real limit (PRO tiers, sandbox scaling) in X-Bapi-Limit.
        budgets = {
            f"batch:{key}": Budget(limit, WINDOW_S, reported=True) for key, limit in BATCH_LIMIT.items()
        }
        budgets.update(
            {f"single:{key}": Budget(limit, WINDOW_S, reported=True) for key, limit in SINGLE_LIMIT.items()}
        )
        budgets.update(
            {
                f"cancel-all:{key}": Budget(limit, WINDOW_S, reported=True)
                for key, limit in CANCEL_ALL_LIMIT.items()
            }
        )
        budgets[READ_BUDGET] = Budget(READ_LIMIT, WINDOW_S, reported=True)
        return budgets

    def __init__(self) -> None:
        # Orders without params group by their market alone: worked out once per market per call.
        self._plain: dict[str, Group] = {}

    def group_of(self, item: WorkItem) -> Group:
        if not item.request.params:
            symbol = str(item.market.get("symbol"))
            group = self._plain.get(symbol)
            if group is None:
                group = self._plain[symbol] = self._group_of(item)
            return group
        return self._group_of(item)

    def _group_of(self, item: WorkItem) -> Group:
        request = item.request
        category = category_of(request, item.market)
        batchable = (
            category in CATEGORIES
            and order_filter_of(request, category) is None
            and not extra_params(request)
        )
        return Group(category, batchable)

    def routes(self, group: Group) -> Sequence[Route]:
        if group.category not in CATEGORIES:
            return (UNKNOWN_CATEGORY_ROUTE,)
        if not group.batchable:
            return (SINGLE_ROUTES[group.category],)
        return (BATCH_ROUTES[group.category], SINGLE_ROUTES[group.category])

    def build(self, route: Route, group: Group, items: Sequence[WorkItem]) -> Call:
        if route.name == "batch":
            orders = []
            for item in items:
                field, value = id_field(item.request)
                orders.append({"symbol": item.market_id, field: value})
            # The route rides along: observe() reads which budget a rate-limit header speaks of.
            batch = {"category": group.category, "request": orders}
            return Call(BATCH_METHOD, (batch,), tuple(items), route=route)
        (item,) = items
        field, value = id_field(item.request)
        params: dict[str, Any] = {"category": group.category, "symbol": item.market_id, field: value}
        order_filter = order_filter_of(item.request, group.category)
        if order_filter is not None:
            params[ORDER_FILTER_PARAM] = order_filter
        params.update(extra_params(item.request))
        return Call(SINGLE_METHOD, (params,), tuple(items), route=route)

    # -- reading answers ---------------------------------------------------------------------

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        result = _result(response)
        if call.method == BATCH_METHOD:
            return _read_batch(call, response, result)
        (item,) = call.items
        field, value = id_field(item.request)
        if str(result.get(field) or "") != value:
            return [Verdict.missing()]  # acknowledged, but not for the order we named
        return [Verdict.canceled(str(OK), str(response.get("retMsg") or "OK"))]

    def read_error(self, call: Call, error: BaseException) -> Verdict | None:
        code, message = parse_error_body(error)
        if code is None:
            return None
        # Auth, clock and parameter errors are left to the engine, which classifies ccxt's
        # exception class (error_code() supplies Bybit's code for the outcome).
        return CODES.request_verdict(str(code), message, len(call.items))

    def error_code(self, error: BaseException) -> str | None:
        code, _ = parse_error_body(error)
        return None if code is None else str(code)

    def observe(self, call: Call, headers: Mapping[str, str] | None) -> BudgetObservation | None:
        if not headers or call.route is None or call.route.budget is None:
            return None
        limit = header_value(headers, HEADER_LIMIT)
        remaining = header_value(headers, HEADER_REMAINING)
        reset_ms = header_value(headers, HEADER_RESET_MS)
        if limit is None and remaining is None and reset_ms is None:
            return None
        return BudgetObservation(
            call.route.budget,
            limit=limit,
            remaining=remaining,
            reset_at=reset_ms / 1000.0 if reset_ms is not None else None,
        )

    # -- reading orders back -----------------------------------------------------------------

    def build_state_read(self, item: WorkItem) -> Call | None:
        category = category_of(item.request, item.market)
        if category not in CATEGORIES:
            return None
        field, value = id_field(item.request)
        params = {"category": category, "symbol": item.market_id, field: value}
        return Call(REALTIME_METHOD, (params,), (item,), route=READ_ROUTE)

    def read_state(self, call: Call, response: Any) -> OrderState:
        rows = _rows(_result(response))
        (item,) = call.items
        field, value = id_field(item.request)
        mine = [row for row in rows if isinstance(row, Mapping) and str(row.get(field) or "") == value]
        if not mine:
            if rows:
                raise MalformedResponse(f"the order read lists other orders, not {field} {value}")
            return OrderState.GONE  # by id, in any status: an empty list means no such order
        status = str(mine[0].get("orderStatus") or "")
        if status not in ORDER_STATES:
            raise MalformedResponse(f"unknown orderStatus {status!r}")
        return ORDER_STATES[status]

    def list_scopes(self, markets: Mapping[str, Any]) -> Sequence[Hashable]:
        scopes: set[ListScope] = set()
        for market in markets.values():
            category = category_of(CancelRequest(str(market.get("symbol") or "?"), order_id="0"), market)
            if category == SPOT:
                scopes.add(ListScope(SPOT))
            elif category in (LINEAR, INVERSE) and market.get("settleId"):
                scopes.add(ListScope(category, "settleCoin", str(market["settleId"])))
            elif category == OPTION and market.get("baseId"):
                scopes.add(ListScope(OPTION, "baseCoin", str(market["baseId"])))
        return sorted(scopes, key=lambda scope: (scope.category, scope.coin or ""))

    def build_list(self, scope: Hashable, cursor: str | None) -> Call:
        assert isinstance(scope, ListScope)
        params: dict[str, Any] = {"category": scope.category, "limit": PAGE_LIMIT}
        if scope.coin_param:
            params[scope.coin_param] = scope.coin
        if cursor:
            params["cursor"] = cursor
        via = f"{EXCHANGE_ID}:open-orders"
        return Call(REALTIME_METHOD, (params,), route=READ_ROUTE, via=via, group=scope)

    def read_list(self, call: Call, response: Any) -> OpenPage:
        result = _result(response)
        scope = call.group
        assert isinstance(scope, ListScope)
        orders = []
        for row in _rows(result):
            if not isinstance(row, Mapping) or not row.get("orderId"):
                raise MalformedResponse("an open-order row without an orderId")
            symbol = str(row.get("symbol") or "")
            spot_filter = SPOT_FILTER_OF_STOP_TYPE.get(str(row.get("stopOrderType") or ""))
            orders.append(
                OpenOrder(
                    str(row["orderId"]),
                    str(row.get("orderLinkId") or "") or None,
                    _place(symbol, scope.category),
                    market_id=symbol,
                    params=(("orderFilter", spot_filter),) if scope.category == SPOT and spot_filter else (),
                )
            )
        cursor = str(result.get("nextPageCursor") or "") or None
        return OpenPage(tuple(orders), cursor if orders else None)

    def place_of(self, item: WorkItem) -> str:
        return _place(item.market_id, category_of(item.request, item.market))

    def countdown_unsupported_reason(self) -> str:
        return (
            "Bybit v5 has no cancel-all countdown over REST: its disconnect protection (DCP) acts "
            "when a private WebSocket connection drops, and batchcancel speaks REST only"
        )


def _place(native_symbol: str, category: str) -> str:
    return f"{native_symbol} ({category})"


def _result(response: Any) -> Mapping[str, Any]:
    """The ``result`` of a successful Bybit answer; anything else is not an answer we can read."""
    result = success_body(response, "retCode", lambda code: code_of(code) == OK, "result")
    if not isinstance(result, Mapping):
        raise MalformedResponse("an answer without a result object")
    return result


def _rows(result: Mapping[str, Any]) -> list[Any]:
    rows = result.get("list")
    if not isinstance(rows, list):
        raise MalformedResponse("an answer without result.list")
    return rows


def _read_batch(call: Call, response: Mapping[str, Any], result: Mapping[str, Any]) -> list[Verdict]:
    rows = _rows(result)
    ext = response.get("retExtInfo")
    codes = ext.get("list") if isinstance(ext, Mapping) else None
    if not isinstance(codes, list):
        raise MalformedResponse("batch answer without retExtInfo.list")
    if len(codes) != len(rows):
        # Only position links a row to its code: with one list longer than the other, no pairing
        # can be trusted (a filled order would read as cancelled, a 10006 as done).
        raise MalformedResponse(f"{len(rows)} result rows but {len(codes)} codes")
    # Slot i answers request item i; but check each slot's id rather than trust the alignment,
    # and look for a displaced row when it does not match. An unmatched order stays undecided.
    used: set[int] = set()
    verdicts = []
    for index, item in enumerate(call.items):
        slot = _find_row(rows, index, item, used)
        if slot is None or not isinstance(codes[slot], Mapping):
            verdicts.append(Verdict.missing())
            continue
        used.add(slot)
        entry = codes[slot]
        code = code_of(entry.get("code"))
        if code is None:
            verdicts.append(Verdict.missing())
            continue
        verdicts.append(CODES.item_verdict(str(code), str(entry.get("msg") or "")))
    return verdicts


def _matches(row: Any, item: WorkItem) -> bool:
    if not isinstance(row, Mapping):
        return False
    field, value = id_field(item.request)
    if str(row.get(field) or "") != value:
        return False
    symbol = row.get("symbol")
    return not symbol or str(symbol) == item.market_id


def _find_row(rows: list[Any], index: int, item: WorkItem, used: set[int]) -> int | None:
    if index < len(rows) and index not in used and _matches(rows[index], item):
        return index
    for slot, row in enumerate(rows):
        if slot not in used and _matches(row, item):
            return slot
    return None


@hookimpl
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if getattr(exchange, "id", None) != EXCHANGE_ID:
        return None
    return engine.run(BybitDialect(), exchange, requests, settings)


@hookimpl
def cancel_all_orders(
    exchange: Any, symbols: tuple[str, ...] | None, settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if getattr(exchange, "id", None) != EXCHANGE_ID:
        return None
    return engine.run_kill(BybitDialect(), exchange, symbols, settings)
