"""The ``okx`` plugin: OKX v5 ``cancel-batch-orders``, ``cancel-order`` and ``cancel-algos``.

OKX's cancel API as this module reads it (sources in :mod:`batchcancel.exchanges.okx_api`):

* Every instrument has one id (``BTC-USDT`` spot, ``BTC-USDT-SWAP`` perpetual, ``BTC-USD-250926``
  future...), and a cancel names the order by ``instId`` plus ``ordId`` or ``clOrdId``.
* ``POST /api/v5/trade/cancel-batch-orders`` takes a JSON **array** of such items, at most 20,
  and may mix instruments of every type. It answers top-level ``code`` "0" (all cancelled), "2"
  (some failed) or "1" (all failed), with one ``data`` entry per order: ``ordId``, ``clOrdId``,
  ``sCode``, ``sMsg``. ccxt raises on code "1" (the answer rides in the exception's text, and is
  read from there, order by order); entries are matched back by the id they were sent with.
* ``POST /api/v5/trade/cancel-order`` cancels one order: the second route, with its own budget.
* Algo orders (trigger, conditional, OCO, trailing: ccxt's ``trigger``/``stop``/``trailing``
  params) are cancelled by ``POST /api/v5/trade/cancel-algos`` (at most 10, by ``algoId``).
* Budgets are counted over 2 seconds: cancel-batch-orders 300 orders per UID and instrument,
  cancel-order 60 requests, cancel-algos 20 requests. OKX sends no rate-limit headers; past a
  budget it answers HTTP 429 with code 50011.
* ``GET /api/v5/trade/order`` reads one order in any state (the read before giving up on it);
  ``GET /api/v5/trade/orders-pending`` and ``orders-algo-pending`` list every open order of the
  account, paged with ``after`` (verify mode).
* ``POST /api/v5/trade/cancel-all-after`` arms an account-wide countdown (10 to 120 s; 0 disarms)
  that cancels every open order when it runs out: batchcancel's dead-man's switch.

Calls go through ccxt's implicit API, so ccxt's keys, signing and clock offset are reused; ccxt's
unified ``cancel_orders`` is not used (one symbol only, no chunking, failed items dropped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Hashable, Mapping, Sequence
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
from batchcancel.engine.reading import OpenOrder, OpenPage, OrderState
from batchcancel.exchanges.okx_api import (
    ALGO_BUDGET,
    ALGO_LIMIT,
    ALGO_LIST_BUDGET,
    ALGO_LIST_LIMIT,
    ALGO_LIST_ROUTE,
    ALGO_METHOD,
    ALGO_PENDING_METHOD,
    ALGO_ROUTE,
    ALGO_TYPES,
    BATCH_BUDGET,
    BATCH_LIMIT,
    BATCH_MAX,
    BATCH_METHOD,
    BATCH_ROUTE,
    CODES,
    COUNTDOWN_MAX_S,
    COUNTDOWN_METHOD,
    COUNTDOWN_MIN_S,
    EXCHANGE_ID,
    OK,
    ORDER_METHOD,
    ORDER_STATES,
    PAGE_LIMIT,
    PARTIAL,
    PENDING_METHOD,
    READ_BUDGET,
    READ_LIMIT,
    READ_ROUTE,
    SERVICE_CODES,
    SINGLE_BUDGET,
    SINGLE_LIMIT,
    SINGLE_METHOD,
    SINGLE_ROUTE,
    WINDOW_S,
    Group,
    Unsupported,
    error_body,
    error_code,
    extra_params,
    id_field,
    is_algo,
    text,
)
from batchcancel.markers import hookimpl
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

# What tests and tools read here besides the dialect: OKX's facts, re-exported.
__all__ = [
    "ALGO_METHOD",
    "BATCH_MAX",
    "BATCH_METHOD",
    "CODES",
    "SINGLE_METHOD",
    "OkxDialect",
    "cancel_all_orders",
    "cancel_orders",
]

OkxGroup = Group | Unsupported
"""What OKX orders that may share a request have in common (or why none can carry them)."""

PLAIN_SCOPE = "orders"
"""The list scope of plain open orders; the algo scopes are their ``ordType``."""


class OkxDialect(Dialect[OkxGroup]):
    """OKX v5: mixed-instrument batches of 20, algo orders through cancel-algos, per-order codes."""

    name = EXCHANGE_ID

    def budgets(self, settings: Settings) -> Mapping[str, Budget]:
        return {
            BATCH_BUDGET: Budget(BATCH_LIMIT, WINDOW_S),
            SINGLE_BUDGET: Budget(SINGLE_LIMIT, WINDOW_S),
            ALGO_BUDGET: Budget(ALGO_LIMIT, WINDOW_S),
            READ_BUDGET: Budget(READ_LIMIT, WINDOW_S),
            ALGO_LIST_BUDGET: Budget(ALGO_LIST_LIMIT, WINDOW_S),
        }

    def group_of(self, item: WorkItem) -> OkxGroup:
        extra = extra_params(item.request)
        if extra:
            return Unsupported(f"params {extra} need ccxt's cancel_order")
        return Group(algo=is_algo(item.request))

    def unserved_reason(self, group: OkxGroup) -> str:
        return group.why if isinstance(group, Unsupported) else ""

    def routes(self, group: OkxGroup) -> Sequence[Route]:
        if isinstance(group, Unsupported):
            return ()
        return (ALGO_ROUTE,) if group.algo else (BATCH_ROUTE, SINGLE_ROUTE)

    def build(self, route: Route, group: OkxGroup, items: Sequence[WorkItem]) -> Call:
        if isinstance(group, Unsupported):
            raise ValueError(f"no OKX route for {group!r}")
        entries = [{"instId": item.market_id, **dict([id_field(item.request, group.algo)])} for item in items]
        if group.algo:
            return Call(ALGO_METHOD, (entries,), tuple(items))
        if route.name == BATCH_ROUTE.name:
            return Call(BATCH_METHOD, (entries,), tuple(items))
        (entry,) = entries
        return Call(SINGLE_METHOD, (entry,), tuple(items))

    # -- answers -------------------------------------------------------------------------------

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        data = success_body(response, "code", lambda code: text(code) in (OK, PARTIAL), "data")
        return _read_entries(call, data)

    def read_error_items(self, call: Call, error: BaseException) -> Sequence[Verdict] | None:
        body = error_body(error)
        if body is None or not isinstance(body.get("data"), list) or not body["data"]:
            return None  # a whole-request error (auth, rate limit...): read_error
        try:
            return _read_entries(call, body["data"])
        except MalformedResponse:
            return None

    def read_error(self, call: Call, error: BaseException) -> Verdict | None:
        code = error_code(error)
        if code is None:
            return None
        body = error_body(error) or {}
        return CODES.request_verdict(code, str(body.get("msg") or ""), len(call.items))

    def error_code(self, error: BaseException) -> str | None:
        return error_code(error)

    # -- reading orders back -------------------------------------------------------------------

    def build_state_read(self, item: WorkItem) -> Call | None:
        if not isinstance(self.group_of(item), Group) or is_algo(item.request):
            return None  # algo orders and ccxt's: no state read here
        field, value = id_field(item.request, algo=False)
        return Call(ORDER_METHOD, ({"instId": item.market_id, field: value},), (item,), route=READ_ROUTE)

    def read_state(self, call: Call, response: Any) -> OrderState:
        data = success_body(response, "code", lambda code: text(code) == OK, "data")
        if not isinstance(data, list):
            raise MalformedResponse("an order read whose data is not a list")
        (item,) = call.items
        field, value = id_field(item.request, algo=False)
        mine = [row for row in data if isinstance(row, Mapping) and text(row.get(field)) == value]
        if not mine:
            raise MalformedResponse(f"the order read does not name {field} {value}")
        state = text(mine[0].get("state")) or ""
        if state not in ORDER_STATES:
            raise MalformedResponse(f"unknown order state {state!r}")
        return ORDER_STATES[state]

    def read_state_error(self, call: Call, error: BaseException) -> OrderState | None:
        code = error_code(error)
        return OrderState.GONE if code is not None and code in CODES.not_open else None

    def list_scopes(self, markets: Mapping[str, Any]) -> Sequence[Hashable]:
        return (PLAIN_SCOPE, *ALGO_TYPES)

    def build_list(self, scope: Hashable, cursor: str | None) -> Call:
        params: dict[str, Any] = {"limit": str(PAGE_LIMIT)}
        if cursor:
            params["after"] = cursor
        via = f"{EXCHANGE_ID}:open-orders"
        if scope == PLAIN_SCOPE:
            return Call(PENDING_METHOD, (params,), route=READ_ROUTE, via=via, group=scope)
        params["ordType"] = scope
        return Call(ALGO_PENDING_METHOD, (params,), route=ALGO_LIST_ROUTE, via=via, group=scope)

    def read_list(self, call: Call, response: Any) -> OpenPage:
        data = success_body(response, "code", lambda code: text(code) == OK, "data")
        if not isinstance(data, list):
            raise MalformedResponse("an open-order page whose data is not a list")
        algo = call.group != PLAIN_SCOPE
        id_key, client_key = ("algoId", "algoClOrdId") if algo else ("ordId", "clOrdId")
        orders = []
        for row in data:
            order_id = text(row.get(id_key)) if isinstance(row, Mapping) else None
            if order_id is None:
                raise MalformedResponse(f"an open-order row without {id_key}")
            inst_id = str(row.get("instId") or "")
            # Algo orders carry the flag that sends a cancel of them through cancel-algos.
            params = (("trigger", "true"),) if algo else ()
            orders.append(OpenOrder(order_id, text(row.get(client_key)), inst_id, inst_id, params))
        # A full page may have more behind it: ask for what is older than its last order.
        cursor = orders[-1].order_id if len(orders) >= PAGE_LIMIT else None
        return OpenPage(tuple(orders), cursor)

    def place_of(self, item: WorkItem) -> str:
        return item.market_id  # an instrument id names its market outright (algo orders alike)

    # -- cancel-all-after ----------------------------------------------------------------------

    def countdown_range(self) -> tuple[float, float] | None:
        return (COUNTDOWN_MIN_S, COUNTDOWN_MAX_S)

    def countdown_scopes(
        self, markets: Mapping[str, Any], symbols: Sequence[str] | None
    ) -> Sequence[str | None]:
        return [None]  # one timer for the whole account, whatever the symbols

    def build_countdown(self, scope: str | None, timeout_s: float | None) -> Call:
        seconds = 0 if timeout_s is None else int(timeout_s)  # whole seconds, rounded down (safer)
        return Call(COUNTDOWN_METHOD, ({"timeOut": str(seconds)},), via=f"{EXCHANGE_ID}:cancel-all-after")

    def read_countdown(self, call: Call, response: Any) -> None:
        data = success_body(response, "code", lambda code: text(code) == OK, "data")
        rows = data if isinstance(data, list) else []
        row = rows[0] if len(rows) == 1 and isinstance(rows[0], Mapping) else None
        trigger = text(row.get("triggerTime")) if row is not None else None
        if trigger is None or not trigger.isdigit():
            raise MalformedResponse("a cancel-all-after answer without a triggerTime")
        disarming = call.args[0].get("timeOut") == "0"
        if disarming != (int(trigger) == 0):
            state = "still set" if disarming else "not set"
            raise MalformedResponse(
                f"cancel-all-after answered triggerTime {trigger}: the countdown is {state}"
            )


def _read_entries(call: Call, data: Any) -> list[Verdict]:
    """One verdict per order from the answer's entries, matched by the id each was sent with."""
    if not isinstance(data, list) or not all(isinstance(entry, Mapping) for entry in data):
        raise MalformedResponse("an answer whose data is not a list of objects")
    algo = call.method == ALGO_METHOD
    fields = [id_field(item.request, algo) for item in call.items]
    sent = Counter(fields)
    used: set[int] = set()
    verdicts = []
    for index, (field, value) in enumerate(fields):
        if sent[(field, value)] > 1:
            # One id twice in a request (under two instruments): an entry cannot say which.
            verdicts.append(Verdict.isolate(None, f"{field} {value} named twice in one batch"))
            continue
        slot = _find(data, index, field, value, used)
        if slot is None:
            verdicts.append(Verdict.missing())
            continue
        used.add(slot)
        entry = data[slot]
        code = text(entry.get("sCode"))
        if code is None or not code.lstrip("-").isdigit():
            verdicts.append(Verdict.missing())  # an entry without a code says nothing
            continue
        message = str(entry.get("sMsg") or "")
        verdicts.append(
            Verdict.unknown(code, message) if code in SERVICE_CODES else CODES.item_verdict(code, message)
        )
    return verdicts


def _find(data: list[Any], index: int, field: str, value: str, used: set[int]) -> int | None:
    if index < len(data) and index not in used and text(data[index].get(field)) == value:
        return index
    for slot, entry in enumerate(data):
        if slot not in used and text(entry.get(field)) == value:
            return slot
    return None


@hookimpl
def cancel_all_orders(
    exchange: Any, symbols: tuple[str, ...] | None, settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if getattr(exchange, "id", None) != EXCHANGE_ID:
        return None
    # OKX's mass-cancel serves option orders of one family only (market makers' MMP): no
    # cancel-all scope here, so the kill switch lists the account and cancels in batches of 20.
    return engine.run_kill(OkxDialect(), exchange, symbols, settings)


@hookimpl
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if getattr(exchange, "id", None) != EXCHANGE_ID:
        return None
    return engine.run(OkxDialect(), exchange, requests, settings)
