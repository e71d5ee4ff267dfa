"""Bitget v2 endpoints a trading host calls besides placing and cancelling orders.

freqtrade (and any ccxt bot) reads these to start in live mode and to book fills: market data
(tickers, candles, funding history, position tiers: ``market.py``), balances, positions and their
modes, leverage, order details and fills (here). The sandbox does no matching and no margin accounting, so the
answers are plausible and static: prices sit at each market's reference price, there are no
positions and no bills, every fill is at the order price with zero fee.
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
from .market import MAX_LEVERAGE
from .market import ROUTES as MARKET_ROUTES
from .rules import (
    MIX_ACCOUNTS,
    MIX_BILL,
    MIX_DETAIL,
    MIX_FILLS,
    MIX_LEVERAGE,
    MIX_MARGIN_MODE,
    MIX_POSITION_MODE,
    MIX_POSITIONS,
    PARAM_ERROR,
    SPOT_ASSETS,
    SPOT_FILLS,
    SPOT_ORDER_INFO,
    BitgetError,
    product_type_of,
)
from .venue import BitgetVenue

# --------------------------------------------------------- account and positions (private)


def spot_assets(bitget: BitgetVenue, call: RequestContext) -> Any:
    wanted = call.params.get("coin")
    now = str(bitget.ctx.clock.now_ms())
    return [
        {
            "coin": coin,
            "available": data.STATIC_BALANCE,
            "frozen": "0",
            "locked": "0",
            "limitAvailable": "0",
            "uTime": now,
        }
        for coin in data.coins(bitget.ctx.catalog)
        if not wanted or coin == wanted
    ]


def mix_accounts(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    settles = sorted({m.settle for m in bitget.ctx.catalog.in_category(product_type) if m.settle})
    balance = data.STATIC_BALANCE
    return [
        {
            "marginCoin": coin,
            "locked": "0",
            "available": balance,
            "crossedMaxAvailable": balance,
            "isolatedMaxAvailable": balance,
            "maxTransferOut": balance,
            "accountEquity": balance,
            "usdtEquity": balance,
            "btcEquity": "0",
            "crossedRiskRate": "0",
            "unrealizedPL": "0",
            "coupon": "0",
            "unionTotalMargin": balance,
            "unionAvailable": balance,
            "unionMm": "0",
            "assetMode": "single",
            "crossedUnrealizedPL": None,
            "isolatedUnrealizedPL": None,
        }
        for coin in settles
    ]


def mix_positions(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type_of(call.params)
    return []  # no margin accounting: there never is an open position


def mix_bill(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type_of(call.params)
    return {"bills": [], "endId": None}  # no funding fees are ever settled


def mix_position_mode(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type_of(call.params)
    mode = call.params.get("posMode")
    if mode not in ("one_way_mode", "hedge_mode"):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: posMode is invalid")
    return {"posMode": mode}


def _contract(bitget: BitgetVenue, call: RequestContext) -> Market:
    params = call.params
    market = bitget.market(product_type_of(params), params.get("symbol"))
    if str(params.get("marginCoin") or "").upper() != market.settle:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: marginCoin is invalid")
    return market


def mix_margin_mode(bitget: BitgetVenue, call: RequestContext) -> Any:
    market = _contract(bitget, call)
    mode = call.params.get("marginMode")
    if mode not in ("isolated", "crossed"):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: marginMode is invalid")
    return {
        "symbol": market.native_symbol,
        "marginCoin": market.settle,
        "longLeverage": "10",
        "shortLeverage": "10",
        "marginMode": mode,
    }


def mix_leverage(bitget: BitgetVenue, call: RequestContext) -> Any:
    market = _contract(bitget, call)
    raw = str(call.params.get("leverage") or "")
    try:
        leverage = Decimal(raw)
    except ArithmeticError:
        leverage = Decimal(0)
    if not Decimal(1) <= leverage <= MAX_LEVERAGE:
        raise BitgetError("40797", "Exceeded the maximum settable leverage")
    return {
        "symbol": market.native_symbol,
        "marginCoin": market.settle,
        "longLeverage": raw,
        "shortLeverage": raw,
        "crossMarginLeverage": raw,
        "marginMode": "isolated",
    }


# ------------------------------------------------------------ order details and fills (private)


def _find(bitget: BitgetVenue, call: RequestContext, category: str) -> SandboxOrder | None:
    params = call.params
    order_id, client_id = str(params.get("orderId") or ""), str(params.get("clientOid") or "")
    if not (order_id or client_id):
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: orderId or clientOid is required")

    def matches(order: SandboxOrder) -> bool:
        found = order.order_id == order_id if order_id else order.client_order_id == client_id
        return found and order.category == category

    hits = bitget.book(call).orders(matches)
    return hits[0] if hits else None


def spot_order_info(bitget: BitgetVenue, call: RequestContext) -> Any:
    order = _find(bitget, call, "spot")
    return [] if order is None else [shapes.spot_order(order)]  # an unknown id lists nothing


def mix_detail(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    bitget.market(product_type, call.params.get("symbol"))
    order = _find(bitget, call, product_type)
    if order is None or order.native_symbol != call.params.get("symbol"):
        raise BitgetError("40109", "The data of the order cannot be found, please confirm the order number")
    return shapes.mix_order(order, bitget.ctx.catalog.by_symbol(order.symbol).settle)


def _fills(bitget: BitgetVenue, call: RequestContext, category: str) -> list[SandboxOrder]:
    """Executed orders of ``category``, newest first, filtered like Bitget's fills endpoints."""
    params = call.params
    now = bitget.ctx.clock.now_ms()
    end = int_param(params, "endTime", now, 0, 10**15)
    start = int_param(params, "startTime", end - data.HISTORY_SPAN_MS, 0, 10**15)
    before = int_param(params, "idLessThan", 0, 0, 10**30) or None
    symbol, order_id = params.get("symbol"), params.get("orderId")

    def matches(order: SandboxOrder) -> bool:
        return (
            order.category == category
            and Decimal(order.executed_qty) > 0
            and (not symbol or order.native_symbol == symbol)
            and (not order_id or order.order_id == order_id)
            and start <= order.updated_ms <= end
            and (before is None or int(order.order_id) < before)
        )

    orders = sorted(bitget.book(call).orders(matches), key=lambda o: int(o.order_id), reverse=True)
    return orders[: int_param(params, "limit", 100, 1, 100)]


def _fee_detail(order: SandboxOrder, market: Market) -> dict[str, Any]:
    coin = market.base if market.is_spot and order.side == "buy" else (market.settle or market.quote)
    return {"deduction": "no", "feeCoin": coin, "totalDeductionFee": None, "totalFee": "0"}


def spot_fills(bitget: BitgetVenue, call: RequestContext) -> Any:
    catalog = bitget.ctx.catalog
    rows = []
    for order in _fills(bitget, call, "spot"):
        market = catalog.by_symbol(order.symbol)
        rows.append(
            {
                "userId": order.account,
                "symbol": order.native_symbol,
                "orderId": order.order_id,
                "tradeId": f"{order.order_id}1",
                "orderType": order.order_type,
                "side": order.side,
                "priceAvg": order.price,
                "size": order.executed_qty,
                "amount": str(Decimal(order.executed_qty) * Decimal(order.price or "0")),
                "feeDetail": _fee_detail(order, market),
                "tradeScope": "maker",
                "cTime": str(order.updated_ms),
                "uTime": str(order.updated_ms),
            }
        )
    return rows


def mix_fills(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    catalog = bitget.ctx.catalog
    orders = _fills(bitget, call, product_type)
    rows = [
        {
            "tradeId": f"{order.order_id}1",
            "symbol": order.native_symbol,
            "orderId": order.order_id,
            "price": order.price,
            "baseVolume": order.executed_qty,
            "feeDetail": [_fee_detail(order, catalog.by_symbol(order.symbol))],
            "side": order.side,
            "quoteVolume": str(Decimal(order.executed_qty) * Decimal(order.price or "0")),
            "profit": "0",
            "enterPointSource": "API",
            "tradeSide": "open" if order.side == "buy" else "close",
            "posMode": "one_way_mode",
            "tradeScope": "maker",
            "cTime": str(order.updated_ms),
        }
        for order in orders
    ]
    return {"fillList": rows or None, "endId": orders[-1].order_id if orders else None}


ROUTES: dict[tuple[str, str], tuple[Callable[[BitgetVenue, RequestContext], Any], bool]] = {
    **MARKET_ROUTES,
    ("GET", SPOT_ASSETS): (spot_assets, True),
    ("GET", MIX_ACCOUNTS): (mix_accounts, True),
    ("GET", MIX_POSITIONS): (mix_positions, True),
    ("GET", MIX_BILL): (mix_bill, True),
    ("POST", MIX_POSITION_MODE): (mix_position_mode, True),
    ("POST", MIX_MARGIN_MODE): (mix_margin_mode, True),
    ("POST", MIX_LEVERAGE): (mix_leverage, True),
    ("GET", SPOT_ORDER_INFO): (spot_order_info, True),
    ("GET", MIX_DETAIL): (mix_detail, True),
    ("GET", SPOT_FILLS): (spot_fills, True),
    ("GET", MIX_FILLS): (mix_fills, True),
}
"""(method, path) -> (handler, private), merged into the server's routes."""
