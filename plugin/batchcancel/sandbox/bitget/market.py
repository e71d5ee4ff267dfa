"""Bitget v2 market data a trading host reads: tickers, order books, candles, funding history
and position tiers (all public). Static and plausible: prices sit at each market's reference price.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .. import marketdata as data
from ..markets import Market
from ..wire import RequestContext, int_param
from .rules import PARAM_ERROR, BitgetError, product_type_of
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
}
"""(method, path) -> (handler, private) of the public market data."""
