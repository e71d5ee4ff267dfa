"""Shared fixtures of the Bybit dialect tests: markets as ccxt loads them, calls and answers."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from batchcancel import CancelRequest, Settings
from batchcancel.engine import Call, CancelJob, WorkItem
from batchcancel.engine.ccxt_single import CcxtSingleCancel
from batchcancel.exchanges.bybit import BybitDialect

DATA = Path(__file__).parent / "data"


def market(symbol: str, market_id: str, kind: str) -> dict[str, Any]:
    """A ccxt bybit market as far as the dialect reads it."""
    linear = kind in ("linear", "option")
    return {
        "id": market_id,
        "symbol": symbol,
        "type": {"spot": "spot", "option": "option"}.get(kind, "swap"),
        "spot": kind == "spot",
        "option": kind == "option",
        "linear": None if kind == "spot" else linear,
        "inverse": None if kind == "spot" else kind == "inverse",
    }


MARKETS = {
    m["symbol"]: m
    for m in (
        market("BTC/USDT", "BTCUSDT", "spot"),
        market("ATOM/USDT", "ATOMUSDT", "spot"),
        market("ETH/USDT", "ETHUSDT", "spot"),
        market("BTC/USDT:USDT", "BTCUSDT", "linear"),
        market("ETH/USDT:USDT", "ETHUSDT", "linear"),
        market("BTC/USD:BTC", "BTCUSD", "inverse"),
        market("BTC/USDT:USDT-260327-60000-C", "BTC-27MAR26-60000-C-USDT", "option"),
    )
}


def new_job(requests: list[CancelRequest], **settings: Any) -> CancelJob:
    return CancelJob(
        BybitDialect(),
        requests,
        Settings(**settings),
        now=0.0,
        markets=MARKETS,
        fallback=CcxtSingleCancel(),
        rng=random.Random(0),
    )


def item(request: CancelRequest, key: int = 0) -> WorkItem:
    return WorkItem(key, request, MARKETS[request.symbol])


def batch_call(*requests: CancelRequest) -> Call:
    items = [item(r, i) for i, r in enumerate(requests)]
    dialect = BybitDialect()
    group = dialect.group_of(items[0])
    (route, _) = dialect.routes(group)
    return dialect.build(route, group, items)


def answer(rows: list[dict[str, Any]], codes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"retCode": 0, "retMsg": "OK", "result": {"list": rows}, "retExtInfo": {"list": codes}, "time": 1}


def all_ok(call: Call) -> dict[str, Any]:
    """Bybit's answer when every order of a batch call was cancelled."""
    rows = [{"category": call.args[0]["category"], **entry} for entry in call.args[0]["request"]]
    return answer(rows, [{"code": 0, "msg": "OK"} for _ in rows])


def bybit_error(cls: type[Exception], code: int, msg: str) -> Exception:
    """The exception ccxt raises for a non-zero retCode: its message is ``"bybit " + body``."""
    body = json.dumps({"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": 1})
    return cls("bybit " + body)
