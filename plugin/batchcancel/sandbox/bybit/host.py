"""Bybit v5 endpoints a trading host calls besides placing and cancelling orders.

freqtrade (and any ccxt bot) reads these to start in live mode and to book fills: market data
(tickers, klines, mark-price klines, funding history, risk limits), positions and their modes,
leverage, the account's margin mode, executions, and the order history. The sandbox does no
matching and no margin accounting, so the answers are plausible and static: prices sit at each
market's reference price, there are no positions, every fill is at the order price with zero fee.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .. import marketdata as data
from ..book import SandboxOrder
from ..markets import Market
from ..wire import RequestContext, int_param
from . import shapes
from .rules import PARAM_ERROR, BybitError, category_of, order_query
from .venue import BybitVenue

ORDERBOOK = "/v5/market/orderbook"
TICKERS, KLINE, MARK_KLINE, FUNDING_HISTORY, RISK_LIMIT = (
    "/v5/market/tickers",
    "/v5/market/kline",
    "/v5/market/mark-price-kline",
    "/v5/market/funding/history",
    "/v5/market/risk-limit",
)
POSITIONS, SWITCH_MODE, SET_LEVERAGE, SET_MARGIN_MODE = (
    "/v5/position/list",
    "/v5/position/switch-mode",
    "/v5/position/set-leverage",
    "/v5/account/set-margin-mode",
)
EXECUTIONS, ORDER_HISTORY = "/v5/execution/list", "/v5/order/history"

# kline.mdx: interval in minutes, or D / W (M, a calendar month, is not served).
INTERVAL_MS = {
    **{str(m): m * 60_000 for m in (1, 3, 5, 15, 30, 60, 120, 240, 360, 720)},
    "D": 86_400_000,
    "W": 604_800_000,
}
# Risk-limit tiers of every linear/inverse contract: (limit value, maintenance, initial, max leverage).
RISK_TIERS = (
    ("2000000", "0.005", "0.01", "100.00"),
    ("4000000", "0.01", "0.02", "50.00"),
    ("8000000", "0.02", "0.04", "25.00"),
)


def _markets(
    bybit: BybitVenue, call: RequestContext, category: str, *, symbol_required: bool
) -> list[Market]:
    symbol = call.params.get("symbol")
    if symbol:
        return [bybit.market(category, symbol)]
    if symbol_required:
        raise BybitError(PARAM_ERROR, "params error: symbol is required")
    return bybit.ctx.catalog.in_category(category)


def _derivatives(category: str) -> None:
    if category not in ("linear", "inverse"):
        raise BybitError(PARAM_ERROR, f"params error: category {category} is not supported here")


# ------------------------------------------------------------------ market data (public)


def tickers(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    category = category_of(call.params)
    rows = []
    for market in _markets(bybit, call, category, symbol_required=False):
        last = data.price(market)
        row = {
            "symbol": market.native_symbol,
            "lastPrice": last,
            "bid1Price": data.bid(market),
            "bid1Size": "10",
            "ask1Price": data.ask(market),
            "ask1Size": "10",
            "prevPrice24h": last,
            "price24hPcnt": "0",
            "highPrice24h": last,
            "lowPrice24h": last,
            "turnover24h": str(Decimal(last) * 1000),
            "volume24h": "1000",
        }
        if category == "spot":
            row["usdIndexPrice"] = last
        else:
            row.update(
                indexPrice=last,
                markPrice=last,
                prevPrice1h=last,
                openInterest="1000",
                openInterestValue=str(Decimal(last) * 1000),
                fundingRate=data.FUNDING_RATE,
                nextFundingTime=str(data.next_funding_ms(bybit.ctx.clock.now_ms())),
                predictedDeliveryPrice="",
                basisRate="",
                deliveryFeeRate="",
                deliveryTime="0",
                basis="",
            )
        rows.append(row)
    return {"category": category, "list": rows}, {}


def orderbook(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    category = category_of(call.params)
    market = _markets(bybit, call, category, symbol_required=True)[0]
    # orderbook.mdx: spot 1..200 levels (default 1), contracts 1..500 (default 25).
    spot = category == "spot"
    depth = int_param(call.params, "limit", 1 if spot else 25, 1, 200 if spot else 500)
    bids, asks = data.book_levels(market, depth)
    now = bybit.ctx.clock.now_ms()
    return {"s": market.native_symbol, "b": bids, "a": asks, "ts": now, "u": 1, "seq": 1, "cts": now}, {}


def _candle_starts(call: RequestContext, now_ms: int, default_limit: int) -> tuple[int, list[int]]:
    """Interval and candle open times, newest first, bounded by start / end / limit."""
    params = call.params
    interval = INTERVAL_MS.get(str(params.get("interval") or ""))
    if interval is None:
        raise BybitError(PARAM_ERROR, "params error: interval invalid")
    limit = int_param(params, "limit", default_limit, 1, 1000)
    end = min(int_param(params, "end", now_ms, 0, 10**15), now_ms)
    start = int_param(params, "start", 0, 0, 10**15)
    return interval, data.times_back(interval, end, start, limit)


def kline(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    category = category_of(call.params)
    market = _markets(bybit, call, category, symbol_required=True)[0]
    _, starts = _candle_starts(call, bybit.ctx.clock.now_ms(), 200)
    price = data.price(market)
    turnover = str(Decimal(price) * 10)
    rows = [[str(t), price, price, price, price, "10", turnover] for t in starts]
    return {"category": category, "symbol": market.native_symbol, "list": rows}, {}


def mark_price_kline(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    category = category_of(call.params)
    _derivatives(category)
    market = _markets(bybit, call, category, symbol_required=True)[0]
    _, starts = _candle_starts(call, bybit.ctx.clock.now_ms(), 200)
    price = data.price(market)
    rows = [[str(t), price, price, price, price] for t in starts]
    return {"category": category, "symbol": market.native_symbol, "list": rows}, {}


def funding_history(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    category = category_of(params)
    _derivatives(category)
    market = _markets(bybit, call, category, symbol_required=True)[0]
    now = bybit.ctx.clock.now_ms()
    end = min(int_param(params, "endTime", now, 0, 10**15), now)
    start = int_param(params, "startTime", 0, 0, 10**15)
    limit = int_param(params, "limit", 200, 1, 200)
    rows = [
        {"symbol": market.native_symbol, "fundingRate": data.FUNDING_RATE, "fundingRateTimestamp": str(t)}
        for t in data.times_back(data.FUNDING_INTERVAL_MS, end, start, limit)
    ]
    return {"category": category, "list": rows}, {}


def risk_limit(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    category = category_of(params)
    _derivatives(category)
    rows = [
        {
            "id": tier,
            "symbol": market.native_symbol,
            "riskLimitValue": value,
            "maintenanceMargin": maintenance,
            "initialMargin": initial,
            "isLowestRisk": 1 if tier == 1 else 0,
            "maxLeverage": leverage,
            "mmDeduction": "",
        }
        for market in _markets(bybit, call, category, symbol_required=False)
        for tier, (value, maintenance, initial, leverage) in enumerate(RISK_TIERS, start=1)
    ]
    # Pages are cut at a row offset; the cursor is that offset (opaque to clients).
    start = int_param(params, "cursor", 0, 0, len(rows))
    limit = int_param(params, "limit", 500, 1, 1000)
    cursor = str(start + limit) if start + limit < len(rows) else ""
    return {"category": category, "list": rows[start : start + limit], "nextPageCursor": cursor}, {}


# ------------------------------------------------------------ positions and account (private)


def positions(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    bybit.charge(call)
    category = category_of(params)
    _derivatives(category)
    if not (params.get("symbol") or params.get("settleCoin") or params.get("baseCoin")):
        raise BybitError(
            PARAM_ERROR, "Missing some parameters that must be filled in, symbol or settleCoin or baseCoin"
        )
    if params.get("symbol"):
        bybit.market(category, params["symbol"])
    # No margin accounting: there never is an open position.
    return {"category": category, "list": [], "nextPageCursor": ""}, {}


def switch_mode(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    bybit.charge(call)
    category = category_of(params)
    _derivatives(category)
    if str(params.get("mode")) not in ("0", "3"):
        raise BybitError(PARAM_ERROR, "params error: mode must be 0 (one-way) or 3 (hedge)")
    if not (params.get("symbol") or params.get("coin")):
        raise BybitError(PARAM_ERROR, "params error: symbol or coin is required")
    return {}, {}


def set_leverage(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    params = call.params
    bybit.charge(call)
    category = category_of(params)
    _derivatives(category)
    bybit.market(category, params.get("symbol"))
    for side in ("buyLeverage", "sellLeverage"):
        try:
            value = Decimal(str(params.get(side)))
        except ArithmeticError:
            raise BybitError(PARAM_ERROR, f"params error: {side} invalid") from None
        if not Decimal(1) <= value <= Decimal(RISK_TIERS[0][3]):
            raise BybitError(PARAM_ERROR, f"params error: {side} out of range")
    return {}, {}


def set_margin_mode(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    bybit.charge(call)
    if call.params.get("setMarginMode") not in ("ISOLATED_MARGIN", "REGULAR_MARGIN", "PORTFOLIO_MARGIN"):
        raise BybitError(PARAM_ERROR, "params error: setMarginMode invalid")
    return {"reasons": []}, {}


# ----------------------------------------------------------- executions and history (private)


def _page(
    orders: list[SandboxOrder], params: dict[str, Any], default_limit: int, max_limit: int
) -> tuple[list[SandboxOrder], str]:
    """Newest first, after the cursor (the last order id served), at most ``limit``."""
    orders = sorted(orders, key=lambda o: int(o.order_id), reverse=True)
    cursor = str(params.get("cursor") or "")
    if cursor.isdigit():
        orders = [o for o in orders if int(o.order_id) < int(cursor)]
    limit = int_param(params, "limit", default_limit, 1, max_limit)
    page = orders[:limit]
    return page, page[-1].order_id if len(orders) > limit else ""


def _time_window(params: dict[str, Any], now_ms: int) -> tuple[int, int]:
    end = int_param(params, "endTime", now_ms, 0, 10**15)
    start = int_param(params, "startTime", end - data.HISTORY_SPAN_MS, 0, 10**15)
    return start, end


def _selected(
    bybit: BybitVenue, call: RequestContext, keep: Callable[[SandboxOrder], bool]
) -> list[SandboxOrder]:
    params = call.params
    category = category_of(params)
    start, end = _time_window(params, bybit.ctx.clock.now_ms())
    wanted = order_query(params)
    by_id = "order_id" in wanted or "client_order_id" in wanted

    def matches(order: SandboxOrder) -> bool:
        return (
            order.category == category
            and all(getattr(order, field) == value for field, value in wanted.items())
            and (by_id or start <= order.updated_ms <= end)
            and keep(order)
        )

    return bybit.book(call).orders(matches)


def executions(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    bybit.charge(call)
    orders = _selected(bybit, call, lambda o: Decimal(o.executed_qty) > 0)
    page, cursor = _page(orders, call.params, 50, 100)
    return {
        "category": call.params["category"],
        "list": [execution(o) for o in page],
        "nextPageCursor": cursor,
    }, {}


def order_history(bybit: BybitVenue, call: RequestContext) -> tuple[Any, Any]:
    bybit.charge(call)
    status = call.params.get("orderStatus")
    orders = _selected(bybit, call, lambda o: not status or shapes.order_status(o) == status)
    page, cursor = _page(orders, call.params, 20, 50)
    return {
        "category": call.params["category"],
        "list": [shapes.order_record(o) for o in page],
        "nextPageCursor": cursor,
    }, {}


def execution(order: SandboxOrder) -> dict[str, Any]:
    """One fill for all an order executed, at its price, fee-free (execution.mdx)."""
    executed = Decimal(order.executed_qty)
    return {
        "symbol": order.native_symbol,
        "orderId": order.order_id,
        "orderLinkId": order.client_order_id,
        "side": "Buy" if order.side == "buy" else "Sell",
        "orderPrice": order.price,
        "orderQty": order.qty,
        "leavesQty": str(Decimal(order.qty) - executed) if order.is_open else "0",
        "createType": "CreateByUser",
        "orderType": "Limit" if order.order_type == "limit" else "Market",
        "stopOrderType": "",
        "execFee": "0",
        "execId": f"{order.order_id}-1",
        "execPrice": order.price,
        "execQty": order.executed_qty,
        "execType": "Trade",
        "execValue": str(executed * Decimal(order.price or "0")),
        "execTime": str(order.updated_ms),
        "feeCurrency": "",
        "isMaker": True,
        "feeRate": "0",
        "tradeIv": "",
        "markIv": "",
        "markPrice": "",
        "indexPrice": "",
        "underlyingPrice": "",
        "blockTradeId": "",
        "closedSize": "",
        "seq": int(order.order_id[-12:]),
    }


ROUTES: dict[tuple[str, str], tuple[Callable[[BybitVenue, RequestContext], tuple[Any, Any]], bool]] = {
    ("GET", ORDERBOOK): (orderbook, False),
    ("GET", TICKERS): (tickers, False),
    ("GET", KLINE): (kline, False),
    ("GET", MARK_KLINE): (mark_price_kline, False),
    ("GET", FUNDING_HISTORY): (funding_history, False),
    ("GET", RISK_LIMIT): (risk_limit, False),
    ("GET", POSITIONS): (positions, True),
    ("POST", SWITCH_MODE): (switch_mode, True),
    ("POST", SET_LEVERAGE): (set_leverage, True),
    ("POST", SET_MARGIN_MODE): (set_margin_mode, True),
    ("GET", EXECUTIONS): (executions, True),
    ("GET", ORDER_HISTORY): (order_history, True),
}
"""(method, path) -> (handler, private), merged into the dialect's routes."""
