"""Bitget v2 endpoints a trading host calls besides placing and cancelling orders.

freqtrade (and any ccxt bot) reads these to start in live mode and to book fills: market data
(tickers, candles, funding history, position tiers), balances, positions and their modes,
leverage, order details and fills. The sandbox does no matching and no margin accounting, so the
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

SPOT_TICKERS, SPOT_CANDLES = "/api/v2/spot/market/tickers", "/api/v2/spot/market/candles"
SPOT_ORDERBOOK, MIX_ORDERBOOK = "/api/v2/spot/market/orderbook", "/api/v2/mix/market/merge-depth"
MIX_TICKER, MIX_TICKERS = "/api/v2/mix/market/ticker", "/api/v2/mix/market/tickers"
MIX_CANDLES, MIX_HISTORY_CANDLES, MIX_HISTORY_MARK_CANDLES = (
    "/api/v2/mix/market/candles",
    "/api/v2/mix/market/history-candles",
    "/api/v2/mix/market/history-mark-candles",
)
MIX_FUNDING_HISTORY, MIX_POSITION_TIERS = (
    "/api/v2/mix/market/history-fund-rate",
    "/api/v2/mix/market/query-position-lever",
)

_MINUTE, _HOUR, _DAY = 60_000, 3_600_000, 86_400_000
# Candle granularities: spot spells them "1min", "1h", "1day"; futures "1m", "1H", "1D".
GRANULARITY_MS = {
    **{f"{m}min": m * _MINUTE for m in (1, 3, 5, 15, 30)},
    **{f"{m}m": m * _MINUTE for m in (1, 3, 5, 15, 30)},
    **{f"{h}h": h * _HOUR for h in (1, 4, 6, 12)},
    **{f"{h}H": h * _HOUR for h in (1, 2, 4, 6, 12)},
    "1day": _DAY,
    "3day": 3 * _DAY,
    "1week": 7 * _DAY,
    "1D": _DAY,
    "3D": 3 * _DAY,
    "1W": 7 * _DAY,
    # The UTC-aligned spellings (ccxt asks for these for 6h and longer).
    **{f"{h}Hutc": h * _HOUR for h in (6, 12)},
    "1Dutc": _DAY,
    "3Dutc": 3 * _DAY,
    "1Wutc": 7 * _DAY,
}
# Position tiers of every contract: (notional up to, max leverage, maintenance margin rate).
POSITION_TIERS = (("150000", "125", "0.004"), ("300000", "100", "0.005"), ("1000000", "50", "0.01"))
MAX_LEVERAGE = Decimal(POSITION_TIERS[0][1])


def _symbol_markets(bitget: BitgetVenue, category: str, symbol: Any, *, required: bool) -> list[Market]:
    if symbol:
        return [bitget.market(category, symbol)]
    if required:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: symbol cannot be empty")
    return bitget.ctx.catalog.in_category(category)


# ------------------------------------------------------------------ market data (public)


def _ticker(bitget: BitgetVenue, market: Market) -> dict[str, Any]:
    last = data.price(market)
    row: dict[str, Any] = {
        "symbol": market.native_symbol,
        "lastPr": last,
        "open": last,
        "high24h": last,
        "low24h": last,
        "bidPr": data.bid(market),
        "askPr": data.ask(market),
        "bidSz": "10",
        "askSz": "10",
        "baseVolume": "1000",
        "quoteVolume": str(Decimal(last) * 1000),
        "usdtVolume": str(Decimal(last) * 1000),
        "ts": str(bitget.ctx.clock.now_ms()),
        "openUtc": last,
        "changeUtc24h": "0",
        "change24h": "0",
    }
    if not market.is_spot:
        row.update(
            indexPrice=last,
            markPrice=last,
            fundingRate=data.FUNDING_RATE,
            holdingAmount="1000",
            open24h=last,
            deliveryStartTime=None,
            deliveryTime=None,
            deliveryStatus="",
        )
    return row


def spot_tickers(bitget: BitgetVenue, call: RequestContext) -> Any:
    markets = _symbol_markets(bitget, "spot", call.params.get("symbol"), required=False)
    return [_ticker(bitget, m) for m in markets]


def mix_ticker(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    markets = _symbol_markets(bitget, product_type, call.params.get("symbol"), required=True)
    return [_ticker(bitget, m) for m in markets]


def mix_tickers(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    return [_ticker(bitget, m) for m in bitget.ctx.catalog.in_category(product_type)]


def spot_orderbook(bitget: BitgetVenue, call: RequestContext) -> Any:
    market = _symbol_markets(bitget, "spot", call.params.get("symbol"), required=True)[0]
    bids, asks = data.book_levels(market, int_param(call.params, "limit", 100, 1, 150))
    return {"asks": asks, "bids": bids, "ts": str(bitget.ctx.clock.now_ms())}


def mix_orderbook(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    market = _symbol_markets(bitget, product_type, call.params.get("symbol"), required=True)[0]
    bids, asks = data.book_levels(market, int_param(call.params, "limit", 100, 1, 1000))
    return {
        "asks": [[float(p), float(q)] for p, q in asks],  # merge-depth answers numbers, not strings
        "bids": [[float(p), float(q)] for p, q in bids],
        "ts": str(bitget.ctx.clock.now_ms()),
        "scale": market.tick_size,
        "precision": "scale0",
        "isMaxPrecision": "NO",
    }


def _candles(bitget: BitgetVenue, call: RequestContext, market: Market, *, spot: bool, max_limit: int) -> Any:
    """Flat candles at the reference price, oldest first (as Bitget orders them)."""
    params = call.params
    step = GRANULARITY_MS.get(str(params.get("granularity") or ""))
    if step is None:
        raise BitgetError(PARAM_ERROR, "Parameter verification failed: granularity is invalid")
    now = bitget.ctx.clock.now_ms()
    end = min(int_param(params, "endTime", now, 0, 10**15), now)
    start = int_param(params, "startTime", 0, 0, 10**15)
    limit = int_param(params, "limit", 100, 1, max_limit)
    last = data.price(market)
    volume, quote = "10", str(Decimal(last) * 10)
    tail = [volume, quote, quote] if spot else [volume, quote]
    opens = reversed(data.times_back(step, end, start, limit))
    return [[str(t), last, last, last, last, *tail] for t in opens]


def spot_candles(bitget: BitgetVenue, call: RequestContext) -> Any:
    market = _symbol_markets(bitget, "spot", call.params.get("symbol"), required=True)[0]
    return _candles(bitget, call, market, spot=True, max_limit=1000)


def mix_candles(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    market = _symbol_markets(bitget, product_type, call.params.get("symbol"), required=True)[0]
    history = call.request.path != MIX_CANDLES
    return _candles(bitget, call, market, spot=False, max_limit=200 if history else 1000)


def mix_funding_history(bitget: BitgetVenue, call: RequestContext) -> Any:
    params = call.params
    product_type = product_type_of(params)
    market = _symbol_markets(bitget, product_type, params.get("symbol"), required=True)[0]
    size = int_param(params, "pageSize", 20, 1, 100)
    page = int_param(params, "pageNo", 1, 1, 10**6)
    stamps = data.times_back(data.FUNDING_INTERVAL_MS, bitget.ctx.clock.now_ms(), 0, size * page)
    return [
        {"symbol": market.native_symbol, "fundingRate": data.FUNDING_RATE, "fundingTime": str(t)}
        for t in stamps[size * (page - 1) :]
    ]


def mix_position_tiers(bitget: BitgetVenue, call: RequestContext) -> Any:
    product_type = product_type_of(call.params)
    market = _symbol_markets(bitget, product_type, call.params.get("symbol"), required=True)[0]
    rows, start = [], "0"
    for level, (end, leverage, rate) in enumerate(POSITION_TIERS, start=1):
        rows.append(
            {
                "symbol": market.native_symbol,
                "level": str(level),
                "startUnit": start,
                "endUnit": end,
                "leverage": leverage,
                "keepMarginRate": rate,
            }
        )
        start = end
    return rows


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
    ("GET", SPOT_ORDERBOOK): (spot_orderbook, False),
    ("GET", MIX_ORDERBOOK): (mix_orderbook, False),
    ("GET", SPOT_TICKERS): (spot_tickers, False),
    ("GET", SPOT_CANDLES): (spot_candles, False),
    ("GET", MIX_TICKER): (mix_ticker, False),
    ("GET", MIX_TICKERS): (mix_tickers, False),
    ("GET", MIX_CANDLES): (mix_candles, False),
    ("GET", MIX_HISTORY_CANDLES): (mix_candles, False),
    ("GET", MIX_HISTORY_MARK_CANDLES): (mix_candles, False),
    ("GET", MIX_FUNDING_HISTORY): (mix_funding_history, False),
    ("GET", MIX_POSITION_TIERS): (mix_position_tiers, False),
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
"""(method, path) -> (handler, private), merged into the dialect's routes."""
