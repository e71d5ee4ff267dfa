"""Bybit v5 response objects (instrument, order, account records), shaped like the real API."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..accounts import Account
from ..book import FILLED, OPEN, SandboxOrder
from ..marketdata import STATIC_BALANCE as STARTING_BALANCE
from ..markets import Market

_STATUS = {OPEN: "New", FILLED: "Filled", "canceled": "Cancelled"}
_STOP_ORDER_TYPE = {"StopOrder": "Stop", "tpslOrder": "tpslOrder"}


def instrument(market: Market) -> dict[str, Any]:
    if market.is_spot:
        return {
            "symbol": market.native_symbol,
            "baseCoin": market.base,
            "quoteCoin": market.quote,
            "innovation": "0",
            "status": "Trading",
            "marginTrading": "none",
            "stTag": "0",
            "lotSizeFilter": {
                "basePrecision": "0.000001",
                "quotePrecision": "0.00000001",
                "minOrderQty": "0.000001",
                "maxOrderQty": "100000",
                "minOrderAmt": "1",
                "maxOrderAmt": "2000000",
            },
            "priceFilter": {"tickSize": market.tick_size},
        }
    inverse = market.category == "inverse"
    # Inverse contracts are quoted in whole USD contracts; linear ones in base-coin quantity.
    lot = (
        {"maxOrderQty": "1000000", "minOrderQty": "1", "qtyStep": "1"}
        if inverse
        else {
            "maxOrderQty": "100000",
            "minOrderQty": market.qty_step,
            "qtyStep": market.qty_step,
            "postOnlyMaxOrderQty": "100000",
            "minNotionalValue": "5",
        }
    )
    return {
        "symbol": market.native_symbol,
        "contractType": "InversePerpetual" if inverse else "LinearPerpetual",
        "status": "Trading",
        "baseCoin": market.base,
        "quoteCoin": market.quote,
        "settleCoin": market.settle,
        "launchTime": "1585526400000",
        "deliveryTime": "0",
        "deliveryFeeRate": "",
        "priceScale": str(len(market.tick_size.split(".")[-1])),
        "leverageFilter": {"minLeverage": "1", "maxLeverage": "100.00", "leverageStep": "0.01"},
        "priceFilter": {"minPrice": market.tick_size, "maxPrice": "1999999.8", "tickSize": market.tick_size},
        "lotSizeFilter": lot,
        "unifiedMarginTrade": True,
        "fundingInterval": 480,
        "copyTrading": "both",
        "isPreListing": False,
    }


def order_status(order: SandboxOrder) -> str:
    if order.is_open and Decimal(order.executed_qty):
        return "PartiallyFilled"
    return _STATUS[order.status]


def order_record(order: SandboxOrder) -> dict[str, Any]:
    executed = Decimal(order.executed_qty)
    price = Decimal(order.price or "0")
    record = {
        "orderId": order.order_id,
        "orderLinkId": order.client_order_id,
        "blockTradeId": "",
        "symbol": order.native_symbol,
        "price": order.price,
        "qty": order.qty,
        "side": "Buy" if order.side == "buy" else "Sell",
        "isLeverage": "",
        "positionIdx": 0,
        "orderStatus": order_status(order),
        "cancelType": "CancelByUser" if order.status == "canceled" else "UNKNOWN",
        "rejectReason": "EC_NoError",
        "avgPrice": order.price if executed else "",
        # A closed order (filled or cancelled) has nothing left to execute.
        "leavesQty": str(Decimal(order.qty) - executed) if order.is_open else "0",
        "leavesValue": "0",
        "cumExecQty": order.executed_qty,
        "cumExecValue": str(executed * price),
        "cumExecFee": "0",
        "timeInForce": "GTC",
        "orderType": "Limit" if order.order_type == "limit" else "Market",
        "stopOrderType": _STOP_ORDER_TYPE.get(order.order_filter or "", ""),
        "orderIv": "",
        "triggerPrice": "",
        "takeProfit": "",
        "stopLoss": "",
        "tpTriggerBy": "",
        "slTriggerBy": "",
        "triggerDirection": 0,
        "triggerBy": "",
        "lastPriceOnCreated": "",
        "reduceOnly": False,
        "closeOnTrigger": False,
        "smpType": "None",
        "smpGroup": 0,
        "smpOrderId": "",
        "tpslMode": "",
        "tpLimitPrice": "",
        "slLimitPrice": "",
        "placeType": "",
        "createdTime": str(order.created_ms),
        "updatedTime": str(order.updated_ms),
    }
    if order.category == "spot":
        # open-order.mdx: "Spot does not have this field" (ccxt reads its presence as a contract).
        del record["tpslMode"]
    return record


def wallet_balance(coins: Iterable[str] = ("USDT",)) -> dict[str, Any]:
    # A static balance of each coin: the sandbox tests cancellation, it does no margin accounting.
    rows = [_coin_balance(name) for name in coins]
    return {
        "list": [
            {
                "accountType": "UNIFIED",
                "accountIMRate": "0",
                "accountMMRate": "0",
                "accountLTV": "0",
                "totalEquity": STARTING_BALANCE,
                "totalWalletBalance": STARTING_BALANCE,
                "totalMarginBalance": STARTING_BALANCE,
                "totalAvailableBalance": STARTING_BALANCE,
                "totalPerpUPL": "0",
                "totalInitialMargin": "0",
                "totalMaintenanceMargin": "0",
                "coin": rows,
            }
        ]
    }


def _coin_balance(name: str) -> dict[str, Any]:
    return {
        "coin": name,
        "equity": STARTING_BALANCE,
        "usdValue": STARTING_BALANCE,
        "walletBalance": STARTING_BALANCE,
        "free": "",
        "locked": "0",
        "spotHedgingQty": "0",
        "borrowAmount": "0",
        "availableToWithdraw": STARTING_BALANCE,
        "accruedInterest": "0",
        "totalOrderIM": "0",
        "totalPositionIM": "0",
        "totalPositionMM": "0",
        "unrealisedPnl": "0",
        "cumRealisedPnl": "0",
        "bonus": "0",
        "collateralSwitch": True,
        "marginCollateral": True,
    }


def api_key_info(account: Account) -> dict[str, Any]:
    # ccxt's is_unified_enabled() needs "uta": 1 or cancel_orders raises NotSupported.
    return {
        "id": account.uid,
        "note": "batchcancel sandbox",
        "apiKey": account.api_key,
        "readOnly": 0,
        "secret": "",
        "permissions": {
            "ContractTrade": ["Order", "Position"],
            "Spot": ["SpotTrade"],
            "Wallet": ["AccountTransfer"],
            "Options": ["OptionsTrade"],
            "Derivatives": [],
            "CopyTrading": [],
            "BlockTrade": [],
            "Exchange": [],
            "NFT": [],
        },
        "ips": ["*"],
        "type": 1,
        "deadlineDay": 90,
        "expiredAt": "",
        "createdAt": "",
        "unified": 0,
        "uta": 1,
        "userID": int(account.uid),
        "inviterID": 0,
        "vipLevel": "No VIP",
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": "",
        "isMaster": True,
        "parentUid": "0",
        "kycLevel": "LEVEL_DEFAULT",
        "kycRegion": "",
    }


def account_info(now_ms: int) -> dict[str, Any]:
    return {
        "unifiedMarginStatus": 6,
        "marginMode": "REGULAR_MARGIN",
        "isMasterTrader": False,
        "spotHedgingStatus": "OFF",
        "updatedTime": str(now_ms),
        "dcpStatus": "OFF",
        "timeWindow": 10,
        "smpGroup": 0,
    }
