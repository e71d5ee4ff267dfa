"""Bitget v3 (UTA) response objects: instruments, orders and account settings, shaped like the
real API (the UTA pages' examples and ccxt 4.5.90's comments on ``fetch_uta_markets`` and
``parse_order``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..book import FILLED, OPEN, SandboxOrder
from ..markets import Market
from .shapes import _decimals
from .uta_rules import v3_category

_STATUS = {OPEN: "live", FILLED: "filled", "canceled": "cancelled"}


def instrument(market: Market) -> dict[str, Any]:
    row: dict[str, Any] = {
        "symbol": market.native_symbol,
        "category": v3_category(market.category),
        "baseCoin": market.base,
        "quoteCoin": market.quote,
        "buyLimitPriceRatio": "0.05",
        "sellLimitPriceRatio": "0.05",
        "minOrderQty": market.qty_step,
        "maxOrderQty": "0",
        "pricePrecision": _decimals(market.tick_size),
        "quantityPrecision": _decimals(market.qty_step) if not market.is_spot else "4",
        "quotePrecision": "8",
        "minOrderAmount": "1",
        "maxSymbolOrderNum": "400",
        "maxProductOrderNum": "400",
        "status": "online",
        "maintainTime": "",
    }
    if market.is_spot:
        row.update(areaSymbol="no", isReality="no")
        return row
    row.update(
        feeRateUpRatio="0.005",
        makerFeeRate="0.0002",
        takerFeeRate="0.0006",
        openCostUpRatio="0.01",
        priceMultiplier=market.tick_size,
        quantityMultiplier=market.qty_step,
        type="perpetual",
        minOrderAmount="5",
        maxPositionNum="150",
        offTime="-1",
        limitOpenTime="-1",
        deliveryTime="",
        deliveryStartTime="",
        deliveryPeriod="",
        launchTime="",
        fundInterval="8",
        minLeverage="1",
        maxLeverage="125",
    )
    return row


def order(o: SandboxOrder) -> dict[str, Any]:
    executed = Decimal(o.executed_qty)
    status = "partially_filled" if o.is_open and executed else _STATUS[o.status]
    return {
        "orderId": o.order_id,
        "clientOid": o.client_order_id,
        "category": v3_category(o.category),
        "symbol": o.native_symbol,
        "orderType": o.order_type,
        "side": o.side,
        "price": o.price,
        "qty": o.qty,
        "amount": "0",
        "cumExecQty": o.executed_qty,
        "cumExecValue": str(executed * Decimal(o.price or "0")),
        "avgPrice": o.price if executed else "0",
        "timeInForce": "gtc",
        "orderStatus": status,
        "posSide": "",
        "holdMode": "one_way_mode",
        "reduceOnly": "NO",
        "feeDetail": [{"feeCoin": "", "fee": ""}],
        "cancelReason": "",
        "execType": "normal",
        "stpMode": "none",
        "createdTime": str(o.created_ms),
        "updatedTime": str(o.updated_ms),
    }


def settings() -> dict[str, Any]:
    """``/api/v3/account/settings`` of a UTA account ([UNVERIFIED] fields: ccxt reads none, only
    that the answer is a success)."""
    return {"assetMode": "union", "holdMode": "one_way_mode", "symbolConfigList": [], "coinConfigList": []}
