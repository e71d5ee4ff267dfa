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

Calls go through ccxt's implicit API (``privatePostV5OrderCancelBatch``,
``privatePostV5OrderCancel``) so ccxt's keys, signing and clock offset are reused; ccxt's unified
``cancel_orders`` is not used (one symbol only, no inverse, no chunking, failed items' codes lost).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Hashable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel import engine
from batchcancel.engine import (
    Budget,
    BudgetObservation,
    Call,
    CodeBook,
    Dialect,
    MalformedResponse,
    Route,
    Verdict,
    WorkItem,
)
from batchcancel.markers import hookimpl
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

EXCHANGE_ID = "bybit"

# -- categories -------------------------------------------------------------------------------

SPOT, LINEAR, INVERSE, OPTION = "spot", "linear", "inverse", "option"
CATEGORIES = (SPOT, LINEAR, INVERSE, OPTION)

# Orders per cancel-batch request (batch-cancel.mdx: "A maximum of 20 orders (option), 20 orders
# (inverse), 20 orders (linear), 10 orders (spot) can be cancelled per request").
BATCH_MAX = {SPOT: 10, LINEAR: 20, INVERSE: 20, OPTION: 20}

# Spot orderFilter values (cancel-order.mdx). Only "Order" (the default) is reachable by a batch.
PLAIN_ORDER = "Order"
SPOT_ORDER_FILTERS = ("Order", "tpslOrder", "StopOrder")

# Request params this plugin reads itself; any other key sends the order through the single
# endpoint with that key in the body (a batch item carries only symbol and an id).
CATEGORY_PARAM = "category"
ORDER_FILTER_PARAM = "orderFilter"
CCXT_TRIGGER_PARAMS = ("trigger", "stop")  # ccxt's cancel_order: True means spot "StopOrder"

# -- rate budgets (rate-limit.mdx, per UID, rolling second, default non-PRO account) -------------

WINDOW_S = 1.0
# Linear and inverse share one column of the table: we assume they share one budget per endpoint
# (conservative; the sandbox assumes the same).
SPOT_BUDGET, DERIVATIVES_BUDGET, OPTION_BUDGET = "spot", "derivatives", "option"
BUDGET_OF_CATEGORY = {
    SPOT: SPOT_BUDGET,
    LINEAR: DERIVATIVES_BUDGET,
    INVERSE: DERIVATIVES_BUDGET,
    OPTION: OPTION_BUDGET,
}
# POST /v5/order/cancel-batch: orders per second (option: requests per second).
BATCH_LIMIT = {SPOT_BUDGET: 20, DERIVATIVES_BUDGET: 10, OPTION_BUDGET: 10}
# POST /v5/order/cancel: requests per second.
SINGLE_LIMIT = {SPOT_BUDGET: 20, DERIVATIVES_BUDGET: 10, OPTION_BUDGET: 10}

HEADER_LIMIT = "x-bapi-limit"
HEADER_REMAINING = "x-bapi-limit-status"
HEADER_RESET_MS = "x-bapi-limit-reset-timestamp"

# -- codes (error.mdx; the fact sheet's table 1.5) -----------------------------------------------

OK = 0

CODES = CodeBook(
    ok={OK},
    # The order is not open: unknown, filled, or cancelled before.
    not_open={
        110001,  # Order does not exist (derivatives; also "order not exists or too late to cancel")
        170213,  # Order does not exist (spot)
        110008,  # The order has been completed or cancelled
        110010,  # The order has been cancelled
        170142,  # Order has been cancelled (spot)
        170139,  # Order has been filled (spot)
        170143,  # Cannot be found on order book (spot)
        170190,  # Cancel order has been finished (spot)
    },
    # The UID's budget for this endpoint is spent: send again once it resets. The engine has just
    # read the answer's X-Bapi-Limit* headers (observe); meanwhile the single route may carry it.
    rate_limited={
        10006,  # Too many visits (UID rate limit)
        10018,  # (deprecated) IP rate limit
        170222,  # Too many requests in this time frame (spot)
        30035,  # Option: too fast to cancel
    },
    # Worth sending again after a backoff (cancelling is idempotent).
    transient={
        170191,  # Can not cancel order, please try again later
        170147,  # Order cancellation timeout
        170150,  # Cancel order failed
        170212,  # Cancel order request processing (a retry then reads the settled state)
        10016,  # Server error / restarting
        10000,  # Server timeout
        429,  # As a retCode: "trading service high load, please retry"
    },
)

_RET_CODE = re.compile(r'"ret_?[cC]ode"\s*:\s*"?(-?\d+)')
_RET_MSG = re.compile(r'"ret_?[mM]sg"\s*:\s*"((?:[^"\\]|\\.)*)"')


# -- routes ---------------------------------------------------------------------------------------


def _batch_route(category: str) -> Route:
    budget = BUDGET_OF_CATEGORY[category]
    if category == OPTION:  # option batches are counted per request
        return Route("batch", BATCH_MAX[category], f"batch:{budget}", cost_per_call=1, cost_per_item=0)
    return Route("batch", BATCH_MAX[category], f"batch:{budget}", cost_per_item=1)


def _single_route(category: str) -> Route:
    return Route("single", 1, f"single:{BUDGET_OF_CATEGORY[category]}", cost_per_item=1)


BATCH_ROUTES = {category: _batch_route(category) for category in CATEGORIES}
SINGLE_ROUTES = {category: _single_route(category) for category in CATEGORIES}
# A category Bybit does not list (a request's own override): one request, and Bybit's answer.
UNKNOWN_CATEGORY_ROUTE = Route("single", 1)

BATCH_METHOD = "privatePostV5OrderCancelBatch"
SINGLE_METHOD = "privatePostV5OrderCancel"


@attrs.frozen
class Group:
    """Orders that may share a cancel-batch request: one category, plain orders only."""

    category: str
    batchable: bool


def category_of(request: CancelRequest, market: Mapping[str, Any]) -> str:
    """The request's ``params["category"]`` if given, else the ccxt market's kind."""
    override = request.params.get(CATEGORY_PARAM)
    if override is not None:
        return str(override).strip().lower()
    if market.get("spot"):
        return SPOT
    if market.get("option"):
        return OPTION
    if market.get("inverse"):
        return INVERSE
    if market.get("linear"):
        return LINEAR
    kind = market.get("type")
    return SPOT if kind == SPOT else OPTION if kind == OPTION else LINEAR


def order_filter_of(request: CancelRequest, category: str) -> str | None:
    """The spot ``orderFilter`` to send, None for the default (plain orders)."""
    value = request.params.get(ORDER_FILTER_PARAM)
    if value is None and category == SPOT and any(request.params.get(k) for k in CCXT_TRIGGER_PARAMS):
        value = "StopOrder"
    if value is None or value == PLAIN_ORDER:
        return None
    return str(value)


def extra_params(request: CancelRequest) -> dict[str, Any]:
    """Params a batch item cannot carry; they go into a single cancel's body as given."""
    known = (CATEGORY_PARAM, ORDER_FILTER_PARAM, *CCXT_TRIGGER_PARAMS)
    return {k: v for k, v in request.params.items() if k not in known}


def _id_field(request: CancelRequest) -> tuple[str, str]:
    """Bybit identifies an order by ``orderId`` when we have it, else by ``orderLinkId``."""
    if request.order_id is not None:
        return "orderId", request.order_id
    assert request.client_order_id is not None  # CancelRequest guarantees one id
    return "orderLinkId", request.client_order_id


def _code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def parse_error_body(error: BaseException) -> tuple[int | None, str]:
    """``retCode`` and ``retMsg`` from a ccxt exception (ccxt's message is ``"bybit " + body``)."""
    text = str(error)
    start = text.find("{")
    if start >= 0:
        try:
            body = json.loads(text[start:])
        except ValueError:
            body = None
        if isinstance(body, Mapping):
            code = _code(body.get("retCode", body.get("ret_code")))
            message = body.get("retMsg", body.get("ret_msg"))
            return code, str(message) if message is not None else ""
    code_match, msg_match = _RET_CODE.search(text), _RET_MSG.search(text)
    code = int(code_match.group(1)) if code_match else None
    return code, msg_match.group(1) if msg_match else ""


def _header(headers: Mapping[str, str], name: str) -> float | None:
    for key, value in headers.items():
        if str(key).lower() == name:
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None


class BybitDialect(Dialect):
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
        return budgets

    def group_of(self, item: WorkItem) -> Hashable:
        request = item.request
        category = category_of(request, item.market)
        batchable = (
            category in CATEGORIES
            and order_filter_of(request, category) is None
            and not extra_params(request)
        )
        return Group(category, batchable)

    def routes(self, group: Hashable, settings: Settings) -> Sequence[Route]:
        assert isinstance(group, Group)
        if group.category not in CATEGORIES:
            return (UNKNOWN_CATEGORY_ROUTE,)
        if not group.batchable:
            return (SINGLE_ROUTES[group.category],)
        return (BATCH_ROUTES[group.category], SINGLE_ROUTES[group.category])

    def build(self, route: Route, group: Hashable, items: Sequence[WorkItem]) -> Call:
        assert isinstance(group, Group)
        if route.name == "batch":
            orders = []
            for item in items:
                field, value = _id_field(item.request)
                orders.append({"symbol": item.market_id, field: value})
            return Call(BATCH_METHOD, ({"category": group.category, "request": orders},), tuple(items))
        (item,) = items
        field, value = _id_field(item.request)
        params: dict[str, Any] = {"category": group.category, "symbol": item.market_id, field: value}
        order_filter = order_filter_of(item.request, group.category)
        if order_filter is not None:
            params[ORDER_FILTER_PARAM] = order_filter
        params.update(extra_params(item.request))
        return Call(SINGLE_METHOD, (params,), tuple(items))

    # -- reading answers ---------------------------------------------------------------------

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        if not isinstance(response, Mapping):
            raise MalformedResponse(f"expected a JSON object, got {type(response).__name__}")
        code = _code(response.get("retCode"))
        if code != OK:
            # ccxt raises for a non-zero retCode; a missing or odd one is not an answer we can read.
            raise MalformedResponse(f"retCode {response.get('retCode')!r} in a successful answer")
        if call.method == BATCH_METHOD:
            return self._read_batch(call, response)
        return [self._read_single(call, response)]

    @staticmethod
    def _read_single(call: Call, response: Mapping[str, Any]) -> Verdict:
        result = response.get("result")
        if not isinstance(result, Mapping):
            raise MalformedResponse("single cancel answer without a result object")
        (item,) = call.items
        field, value = _id_field(item.request)
        if str(result.get(field) or "") != value:
            return Verdict.missing()  # acknowledged, but not for the order we named
        return Verdict.canceled(str(OK), str(response.get("retMsg") or "OK"))

    @staticmethod
    def _read_batch(call: Call, response: Mapping[str, Any]) -> list[Verdict]:
        result, ext = response.get("result"), response.get("retExtInfo")
        rows = result.get("list") if isinstance(result, Mapping) else None
        codes = ext.get("list") if isinstance(ext, Mapping) else None
        if not isinstance(rows, list) or not isinstance(codes, list):
            raise MalformedResponse("batch answer without result.list and retExtInfo.list")
        # Slot i answers request item i; but check each slot's id rather than trust the alignment,
        # and look for a displaced row when it does not match. An unmatched order stays undecided.
        used: set[int] = set()
        verdicts = []
        for index, item in enumerate(call.items):
            slot = _find_row(rows, index, item, used)
            if slot is None or slot >= len(codes) or not isinstance(codes[slot], Mapping):
                verdicts.append(Verdict.missing())
                continue
            used.add(slot)
            entry = codes[slot]
            code = _code(entry.get("code"))
            if code is None:
                verdicts.append(Verdict.missing())
                continue
            verdicts.append(CODES.item_verdict(str(code), str(entry.get("msg") or "")))
        return verdicts

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
        limit = _header(headers, HEADER_LIMIT)
        remaining = _header(headers, HEADER_REMAINING)
        reset_ms = _header(headers, HEADER_RESET_MS)
        if limit is None and remaining is None and reset_ms is None:
            return None
        return BudgetObservation(
            call.route.budget,
            limit=limit,
            remaining=remaining,
            reset_at=reset_ms / 1000.0 if reset_ms is not None else None,
        )


def _matches(row: Any, item: WorkItem) -> bool:
    if not isinstance(row, Mapping):
        return False
    field, value = _id_field(item.request)
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
