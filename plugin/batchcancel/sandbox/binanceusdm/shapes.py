"""Binance USDⓈ-M's response records, as its docs show them (exchangeInfo symbols, orders)."""

from __future__ import annotations

from typing import Any

from ..book import CANCELED, FILLED, SandboxOrder
from ..markets import Market
from .rules import WEIGHT_LIMIT


def _decimals(step: str) -> int:
    return len(step.split(".")[1]) if "." in step else 0


def symbol(market: Market) -> dict[str, Any]:
    return {
        "symbol": market.native_symbol,
        "pair": market.native_symbol,
        "contractType": "PERPETUAL",
        "deliveryDate": 4133404800000,
        "onboardDate": 1569398400000,
        "status": "TRADING",
        "baseAsset": market.base,
        "quoteAsset": market.quote,
        "marginAsset": market.settle,
        "pricePrecision": _decimals(market.tick_size),
        "quantityPrecision": _decimals(market.qty_step),
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "COIN",
        "settlePlan": 0,
        "triggerProtect": "0.0500",
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": market.tick_size, "maxPrice": "1000000",
             "tickSize": market.tick_size},
            {"filterType": "LOT_SIZE", "minQty": market.qty_step, "maxQty": "1000000",
             "stepSize": market.qty_step},
            {"filterType": "MARKET_LOT_SIZE", "minQty": market.qty_step, "maxQty": "1000000",
             "stepSize": market.qty_step},
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MIN_NOTIONAL", "notional": "5"},
        ],
        "orderTypes": ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"],
        "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
    }  # fmt: skip


def exchange_info(markets: list[Market], server_time: int) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "serverTime": server_time,
        "rateLimits": [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": WEIGHT_LIMIT,
            },
            {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
        ],
        "exchangeFilters": [],
        "assets": [],
        "symbols": [symbol(m) for m in markets],
    }


def status_of(order: SandboxOrder) -> str:
    if order.status == CANCELED:
        return "CANCELED"
    if order.status == FILLED:
        return "FILLED"
    return "PARTIALLY_FILLED" if order.filled_qty not in ("0", "") else "NEW"


def order(o: SandboxOrder) -> dict[str, Any]:
    kind = o.order_type.upper()
    return {
        "orderId": int(o.order_id),
        "symbol": o.native_symbol,
        "status": status_of(o),
        "clientOrderId": o.client_order_id,
        "price": o.price if kind == "LIMIT" else "0",
        "avgPrice": o.price if o.status == FILLED else "0",
        "origQty": o.qty,
        "executedQty": o.executed_qty,
        "cumQty": o.executed_qty,
        "cumQuote": "0",
        "timeInForce": "GTC",
        "type": kind,
        "reduceOnly": False,
        "closePosition": False,
        "side": o.side.upper(),
        "positionSide": "BOTH",
        "stopPrice": "0",
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "origType": kind,
        "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE",
        "goodTillDate": 0,
        "time": o.created_ms,
        "updateTime": o.updated_ms,
    }
