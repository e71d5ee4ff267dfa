"""OKX v5 response objects (instruments, orders, algo orders), shaped like the real API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..book import FILLED, OPEN, SandboxOrder
from ..markets import Market
from .catalog import SPOT

_STATE = {OPEN: "live", FILLED: "filled", "canceled": "canceled"}


def instrument(market: Market) -> dict[str, Any]:
    spot = market.category == SPOT
    row: dict[str, Any] = {
        "instType": market.category,
        "instId": market.native_symbol,
        "uly": "" if spot else f"{market.base}-{market.quote}",
        "instFamily": "" if spot else f"{market.base}-{market.quote}",
        "baseCcy": market.base if spot else "",
        "quoteCcy": market.quote if spot else "",
        "settleCcy": "" if spot else market.settle,
        "ctVal": "" if spot else "0.01",
        "ctMult": "" if spot else "1",
        "ctValCcy": "" if spot else (market.base if market.settle == market.quote else market.quote),
        "ctType": "" if spot else ("linear" if market.settle == market.quote else "inverse"),
        "optType": "",
        "stk": "",
        "listTime": "1606468572000",
        "expTime": "",
        "lever": "10" if spot else "100",
        "tickSz": market.tick_size,
        "lotSz": market.qty_step,
        "minSz": market.qty_step,
        "maxLmtSz": "10000000",
        "maxMktSz": "1000000",
        "alias": "",
        "state": "live",
        "category": "1",
    }
    return row


def _state(order: SandboxOrder) -> str:
    return "partially_filled" if order.is_open and Decimal(order.executed_qty) else _STATE[order.status]


def order(order: SandboxOrder) -> dict[str, Any]:
    filled = Decimal(order.executed_qty) > 0
    return {
        "instType": order.category,
        "instId": order.native_symbol,
        "ordId": order.order_id,
        "clOrdId": order.client_order_id,
        "tag": "",
        "px": order.price,
        "sz": order.qty,
        "ordType": order.order_type,
        "side": order.side,
        "posSide": "net",
        "tdMode": "cash" if order.category == SPOT else "cross",
        "accFillSz": order.executed_qty,
        "fillPx": order.price if filled else "",
        "fillSz": order.executed_qty if filled else "0",
        "avgPx": order.price if filled else "",
        "state": _state(order),
        "lever": "",
        "fee": "0",
        "feeCcy": "USDT",
        "rebate": "0",
        "rebateCcy": "USDT",
        "reduceOnly": "false",
        "cancelSource": "",
        "uTime": str(order.updated_ms),
        "cTime": str(order.created_ms),
    }


def algo_order(order: SandboxOrder) -> dict[str, Any]:
    return {
        "instType": order.category,
        "instId": order.native_symbol,
        "algoId": order.order_id,
        "algoClOrdId": order.client_order_id,
        "ordType": order.order_filter,
        "state": "live",
        "side": order.side,
        "sz": order.qty,
        "triggerPx": order.price,
        "orderPx": "-1",
        "cTime": str(order.created_ms),
    }
