"""The ``binanceusdm`` plugin: Binance USDⓈ-M futures ``DELETE /fapi/v1/batchOrders`` and ``/order``.

Binance USDⓈ-M's cancel API as this module reads it (sources in
:mod:`batchcancel.exchanges.binanceusdm_api`; the fact sheet's section 4):

* A batch names one ``symbol`` and at most 10 orders, either by ``orderIdList`` or by
  ``origClientOrderIdList`` (never both). It costs 1 of the IP's request weight (2,400 a minute)
  whatever its size; a single ``DELETE /fapi/v1/order`` costs 1 too.
* The batch answers HTTP 200 with a list, one element per id sent, in the order sent: the
  cancelled order itself (``orderId``, ``clientOrderId``, ``status: "CANCELED"``...) or
  ``{"code": -2011, "msg": "Unknown order sent."}``, **without the id**. Only position links an
  error to its order, so an error counts only when every order object in the answer sits at the
  position of the order it names; a success counts only for the order it names.
* Every answer carries ``X-MBX-USED-WEIGHT-1M`` (the IP's weight used this minute); past the
  limit Binance answers HTTP 429 (code -1003) with ``Retry-After``, and bans the IP with HTTP 418
  if the client keeps going.
* Conditional orders live in Binance's Algo Service (``DELETE /fapi/v1/algoOrder`` by ``algoId``,
  no batch): a request with ccxt's ``trigger`` / ``stop`` / ``conditional`` param is left to ccxt's
  ``cancel_order``, which sends it there.
* ``GET /fapi/v1/openOrders`` without a symbol lists every open order of the account in one answer
  (weight 40, no paging); ``GET /fapi/v1/order`` reads one order in any status (weight 1).
* ``POST /fapi/v1/countdownCancelAll`` arms a per-symbol countdown that cancels that symbol's
  orders when it runs out: the dead-man's switch (``countdownTime`` 0 disarms it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Hashable, Mapping, Sequence
from typing import Any

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
)
from batchcancel.engine.reading import OpenOrder, OpenPage, OrderState
from batchcancel.exchanges.answers import code_of, header_value
from batchcancel.exchanges.binanceusdm_api import (
    ALGO_SCOPE,
    BATCH_MAX,
    BATCH_METHOD,
    BATCH_ROUTE,
    CANCELED,
    CLIENT_ID_LIST_PARAM,
    CODES,
    COUNTDOWN_MAX_S,
    COUNTDOWN_METHOD,
    COUNTDOWN_MIN_S,
    EXCHANGE_ID,
    HEADER_RETRY_AFTER,
    HEADER_USED_WEIGHT,
    LIST_METHODS,
    LIST_ROUTE,
    OPEN_ALGO_ORDERS_METHOD,
    ORDER_ID_LIST_PARAM,
    ORDER_METHOD,
    ORDER_READ_ROUTE,
    ORDER_STATES,
    ORDERS_SCOPE,
    ROW_IDS,
    SINGLE_METHOD,
    SINGLE_ROUTE,
    UNKNOWN_STATE_CODES,
    WEIGHT_BUDGET,
    WEIGHT_LIMIT,
    WEIGHT_WINDOW_S,
    Group,
    answer_time,
    answered_id,
    extra_params,
    fits_a_batch_list,
    http_limited,
    id_field,
    is_conditional,
    parse_error_body,
)
from batchcancel.exchanges.binanceusdm_kill import BinanceUsdmCancelAll
from batchcancel.markers import hookimpl
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

__all__ = [
    "BATCH_MAX",
    "BATCH_METHOD",
    "CODES",
    "SINGLE_METHOD",
    "BinanceUsdmDialect",
    "Group",
    "cancel_all_orders",
    "cancel_orders",
]

CONDITIONAL_REASON = (
    "a conditional order lives in Binance's Algo Service (DELETE /fapi/v1/algoOrder, one order per "
    "request, no batch): ccxt's cancel_order with trigger=True cancels it"
)


class BinanceUsdmDialect(BinanceUsdmCancelAll, Dialect[Group]):
    """Binance USDⓈ-M: batches of 10 per symbol, per-item answers matched by id and position."""

    name = EXCHANGE_ID

    def budgets(self, settings: Settings) -> Mapping[str, Budget]:
        return {WEIGHT_BUDGET: Budget(WEIGHT_LIMIT, WEIGHT_WINDOW_S)}

    def group_of(self, item: WorkItem) -> Group:
        request = item.request
        batchable = fits_a_batch_list(request) and not extra_params(request)
        return Group(item.market_id, request.order_id is None, batchable, is_conditional(request))

    def routes(self, group: Group) -> Sequence[Route]:
        if group.conditional:
            return ()
        return (BATCH_ROUTE, SINGLE_ROUTE) if group.batchable else (SINGLE_ROUTE,)

    def unserved_reason(self, group: Group) -> str:
        return CONDITIONAL_REASON if group.conditional else ""

    def build(self, route: Route, group: Group, items: Sequence[WorkItem]) -> Call:
        if route.name == BATCH_ROUTE.name:
            params: dict[str, Any] = {"symbol": group.symbol}
            if group.by_client_id:
                params[CLIENT_ID_LIST_PARAM] = [str(item.request.client_order_id) for item in items]
            else:
                params[ORDER_ID_LIST_PARAM] = [str(item.request.order_id) for item in items]
            return Call(BATCH_METHOD, (params,), tuple(items))
        (item,) = items
        field, value = id_field(item.request)
        single = {"symbol": group.symbol, field: value, **extra_params(item.request)}
        return Call(SINGLE_METHOD, (single,), tuple(items))

    # -- reading answers ---------------------------------------------------------------------

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        if call.method == BATCH_METHOD:
            return _read_batch(call.items, response)
        (item,) = call.items
        if not isinstance(response, Mapping):
            raise MalformedResponse(f"expected the cancelled order, got {type(response).__name__}")
        return [_order_verdict(response, item)]

    def read_error(self, call: Call, error: BaseException) -> Verdict | None:
        code, message = parse_error_body(error)
        limited = http_limited(error)
        if limited is not None:
            # HTTP 429 / 418: ccxt raises before reading the body; observe() has read Retry-After.
            return Verdict.rate_limited(str(code) if code is not None else limited, message or limited)
        if code is None:
            return None
        if str(code) in UNKNOWN_STATE_CODES:
            return Verdict.unknown(str(code), message)
        return CODES.request_verdict(str(code), message, len(call.items))

    def error_code(self, error: BaseException) -> str | None:
        code, _ = parse_error_body(error)
        return None if code is None else str(code)

    def observe(self, call: Call, headers: Mapping[str, str] | None) -> BudgetObservation | None:
        """The IP's weight from ``X-MBX-USED-WEIGHT-1M``; after a 429 / 418, ``Retry-After``.

        Every route spends the one weight budget. Binance counts weight per whole minute, so a
        spent budget frees at the next minute of the answer's ``Date``; ``Retry-After`` (seconds
        from when the answer was sent, some time in the second its ``Date`` names) says when."""
        if not headers:
            return None
        used = header_value(headers, HEADER_USED_WEIGHT)
        retry_after = header_value(headers, HEADER_RETRY_AFTER)
        if used is None and retry_after is None:
            return None
        sent_at = answer_time(headers)
        remaining = None if used is None else WEIGHT_LIMIT - used
        reset_at = None
        if retry_after is not None and retry_after >= 0:
            remaining = 0
            # A Date names the whole second the answer was sent in: wait from that second's end.
            reset_at = None if sent_at is None else sent_at + 1 + retry_after
        elif remaining is not None and remaining <= 0 and sent_at is not None:
            reset_at = (sent_at // 60 + 1) * 60
        return BudgetObservation(WEIGHT_BUDGET, remaining=remaining, reset_at=reset_at)

    # -- reading orders back -----------------------------------------------------------------

    def build_state_read(self, item: WorkItem) -> Call | None:
        if is_conditional(item.request):
            return None  # an algoId: ccxt's fetch_order(..., {"trigger": True}) reads it
        field, value = id_field(item.request)
        params = {"symbol": item.market_id, field: value}
        return Call(ORDER_METHOD, (params,), (item,), route=ORDER_READ_ROUTE)

    def read_state(self, call: Call, response: Any) -> OrderState:
        (item,) = call.items
        if not isinstance(response, Mapping) or not answered_id(response, item.request):
            raise MalformedResponse("the order read does not name the order asked for")
        status = str(response.get("status") or "")
        if status not in ORDER_STATES:
            raise MalformedResponse(f"unknown order status {status!r}")
        return ORDER_STATES[status]

    def read_state_error(self, call: Call, error: BaseException) -> OrderState | None:
        code, _ = parse_error_body(error)
        return OrderState.GONE if code == -2013 else None  # "Order does not exist."

    def list_scopes(self, markets: Mapping[str, Any]) -> Sequence[Hashable]:
        return (ORDERS_SCOPE, ALGO_SCOPE)  # plain orders, and conditional ones (the Algo Service)

    def build_list(self, scope: Hashable, cursor: str | None) -> Call:
        method = LIST_METHODS[str(scope)]
        return Call(method, ({},), route=LIST_ROUTE, via=f"{EXCHANGE_ID}:open-orders")

    def read_list(self, call: Call, response: Any) -> OpenPage:
        if not isinstance(response, list):
            raise MalformedResponse("the open-order list is not a list")
        id_key, client_key = ROW_IDS[call.method]
        orders = []
        for row in response:
            if not isinstance(row, Mapping) or code_of(row.get(id_key)) is None or not row.get("symbol"):
                raise MalformedResponse(f"an open-order row without an {id_key} or a symbol")
            client_id = str(row.get(client_key) or "") or None
            symbol = str(row["symbol"])
            # A conditional order is cancelled through ccxt's trigger-aware cancel_order.
            params = (("trigger", True),) if call.method == OPEN_ALGO_ORDERS_METHOD else ()
            orders.append(OpenOrder(str(row[id_key]), client_id, symbol, market_id=symbol, params=params))
        return OpenPage(tuple(orders), None)  # one answer holds them all: no cursor

    def place_of(self, item: WorkItem) -> str:
        return item.market_id

    # -- the dead-man's switch ---------------------------------------------------------------

    def countdown_range(self) -> tuple[float, float] | None:
        return (COUNTDOWN_MIN_S, COUNTDOWN_MAX_S)

    def countdown_scopes(
        self, markets: Mapping[str, Any], symbols: Sequence[str] | None
    ) -> Sequence[str | None]:
        if symbols is None:
            raise ValueError(
                "Binance USDⓈ-M's countdown (POST /fapi/v1/countdownCancelAll) is per symbol: "
                "name the symbols it should guard"
            )
        scopes: list[str | None] = []
        for symbol in symbols:
            market = markets.get(symbol)
            if not isinstance(market, Mapping) or not market.get("id"):
                raise ValueError(f"{symbol!r} is not a {EXCHANGE_ID} market")
            if not market.get("linear") or not market.get("contract", True):
                raise ValueError(f"{symbol!r} is not a USDⓈ-M contract")
            if market["id"] not in scopes:
                scopes.append(str(market["id"]))
        return scopes

    def build_countdown(self, scope: str | None, timeout_s: float | None) -> Call:
        if scope is None:
            raise ValueError("Binance USDⓈ-M's countdown needs a symbol")
        millis = 0 if timeout_s is None else round(timeout_s * 1000)
        return Call(COUNTDOWN_METHOD, ({"symbol": scope, "countdownTime": millis},))

    def read_countdown(self, call: Call, response: Any) -> None:
        (asked,) = call.args
        if not isinstance(response, Mapping):
            raise MalformedResponse("the countdown answer is not an object")
        if str(response.get("symbol") or "") != asked["symbol"]:
            raise MalformedResponse(f"the countdown answer does not name {asked['symbol']}")
        if code_of(response.get("countdownTime")) != asked["countdownTime"]:
            raise MalformedResponse(
                f"the countdown answer says {response.get('countdownTime')!r}, "
                f"not {asked['countdownTime']} ms"
            )


def _order_verdict(row: Mapping[str, Any], item: WorkItem) -> Verdict:
    """An order object answering ``item``: cancelled only if it names the order and says so."""
    if not answered_id(row, item.request) or str(row.get("symbol") or item.market_id) != item.market_id:
        return Verdict.missing()  # an answer, but not about the order we named
    status = str(row.get("status") or "")
    if status == CANCELED:
        return Verdict.canceled(None, "CANCELED")
    return Verdict.unknown(None, f"the answer names the order with status {status or 'none'!r}")


def _read_batch(items: Sequence[WorkItem], response: Any) -> list[Verdict]:
    if not isinstance(response, list):
        raise MalformedResponse(f"expected a list of answers, got {type(response).__name__}")
    # Error elements carry no id: they can be placed only by position, and position is trusted only
    # when the answer has one element per id sent and every order object sits where its id was.
    aligned = len(response) == len(items) and all(
        not _is_order(row) or answered_id(row, item.request)
        for row, item in zip(response, items, strict=True)
    )
    verdicts = []
    for index, item in enumerate(items):
        if aligned:
            row = response[index]
            if _is_order(row):
                verdicts.append(_order_verdict(row, item))
            elif isinstance(row, Mapping) and code_of(row.get("code")) is not None:
                code = str(code_of(row.get("code")))
                message = str(row.get("msg") or "")
                if code in UNKNOWN_STATE_CODES:
                    verdicts.append(Verdict.unknown(code, message))
                else:
                    verdicts.append(CODES.item_verdict(code, message))
            else:
                verdicts.append(Verdict.missing())
            continue
        named = [row for row in response if _is_order(row) and answered_id(row, item.request)]
        verdicts.append(_order_verdict(named[0], item) if len(named) == 1 else Verdict.missing())
    return verdicts


def _is_order(row: Any) -> bool:
    return isinstance(row, Mapping) and ("orderId" in row or "clientOrderId" in row) and "code" not in row


@hookimpl
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if getattr(exchange, "id", None) != EXCHANGE_ID:
        return None
    return engine.run(BinanceUsdmDialect(), exchange, requests, settings)


@hookimpl
def cancel_all_orders(
    exchange: Any, symbols: tuple[str, ...] | None, settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if getattr(exchange, "id", None) != EXCHANGE_ID:
        return None
    return engine.run_kill(BinanceUsdmDialect(), exchange, symbols, settings)
