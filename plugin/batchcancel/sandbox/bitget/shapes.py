"""Bitget v2 response objects (symbols, contracts, orders), shaped like the real API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..book import FILLED, OPEN, SandboxOrder
from ..markets import Market

_STATUS = {OPEN: "live", FILLED: "filled", "canceled": "cancelled"}


def _decimals(step: str) -> str:
    return str(len(step.split(".")[-1])) if "." in step else "0"


def spot_symbol(market: Market) -> dict[str, Any]:
    return {
        "symbol": market.native_symbol,
        "baseCoin": market.base,
        "quoteCoin": market.quote,
        "minTradeAmount": "0",
        "maxTradeAmount": "10000000000",
        "takerFeeRate": "0.001",
        "makerFeeRate": "0.001",
        "pricePrecision": _decimals(market.tick_size),
        "quantityPrecision": "4",
        "quotePrecision": "8",
        "status": "online",
        "minTradeUSDT": "1",
        "buyLimitPriceRatio": "0.05",
        "sellLimitPriceRatio": "0.05",
        "areaSymbol": "no",
        "orderQuantity": "200",
        "openTime": "1532454360000",
        "offTime": "",
    }


def contract(market: Market) -> dict[str, Any]:
    return {
        "symbol": market.native_symbol,
        "baseCoin": market.base,
        "quoteCoin": market.quote,
        "buyLimitPriceRatio": "0.01",
        "sellLimitPriceRatio": "0.01",
        "feeRateUpRatio": "0.005",
        "makerFeeRate": "0.0002",
        "takerFeeRate": "0.0006",
        "openCostUpRatio": "0.01",
        "supportMarginCoins": [market.settle],
        "minTradeNum": market.qty_step,
        "priceEndStep": "1",
        "volumePlace": _decimals(market.qty_step),
        "pricePlace": _decimals(market.tick_size),
        "sizeMultiplier": market.qty_step,
        "symbolType": "perpetual",
        "minTradeUSDT": "5",
        "maxSymbolOrderNum": "200",
        "maxProductOrderNum": "400",
        "maxPositionNum": "150",
        "symbolStatus": "normal",
        "offTime": "-1",
        "limitOpenTime": "-1",
        "deliveryTime": "",
        "deliveryStartTime": "",
        "deliveryPeriod": "",
        "launchTime": "",
        "fundInterval": "8",
        "minLever": "1",
        "maxLever": "125",
        "posLimit": "0.05",
        "maintainTime": "",
    }


def _status(order: SandboxOrder) -> str:
    return "partially_filled" if order.is_open and Decimal(order.executed_qty) else _STATUS[order.status]


def spot_order(order: SandboxOrder) -> dict[str, Any]:
    filled = Decimal(order.executed_qty) > 0
    return {
        "userId": order.account,
        "symbol": order.native_symbol,
        "orderId": order.order_id,
        "clientOid": order.client_order_id,
        "price": order.price,
        "size": order.qty,
        "orderType": order.order_type,
        "side": order.side,
        "status": _status(order),
        "priceAvg": order.price if filled else "0",
        "basePrice": "0",
        "baseVolume": order.executed_qty,
        "quoteVolume": str(Decimal(order.executed_qty) * Decimal(order.price or "0")),
        "enterPointSource": "API",
        "orderSource": "normal",
        "presetTakeProfitPrice": "",
        "executeTakeProfitPrice": "",
        "presetStopLossPrice": "",
        "executeStopLossPrice": "",
        "tpslType": "normal",
        "triggerPrice": None,
        "cTime": str(order.created_ms),
        "uTime": str(order.updated_ms),
    }


def mix_order(order: SandboxOrder, margin_coin: str | None) -> dict[str, Any]:
    filled = Decimal(order.executed_qty) > 0
    return {
        "symbol": order.native_symbol,
        "size": order.qty,
        "orderId": order.order_id,
        "clientOid": order.client_order_id,
        "baseVolume": order.executed_qty,
        "fee": "0",
        "price": order.price,
        "priceAvg": order.price if filled else "",
        "status": _status(order),
        "state": _status(order),
        "side": order.side,
        "force": "gtc",
        "totalProfits": "0",
        "posSide": "net",
        "marginCoin": margin_coin,
        "quoteVolume": "0",
        "leverage": "20",
        "marginMode": "crossed",
        "enterPointSource": "API",
        "tradeSide": "open",
        "posMode": "one_way_mode",
        "orderType": order.order_type,
        "orderSource": "normal",
        "presetStopSurplusPrice": "",
        "presetStopLossPrice": "",
        "reduceOnly": "NO",
        "cTime": str(order.created_ms),
        "uTime": str(order.updated_ms),
    }
