"""``wrap(exchange)``: a ccxt bot's own cancel calls served by batchcancel, without rewriting the bot.

The bot keeps calling ccxt's ``cancel_orders(ids, symbol)``, ``cancel_orders_for_symbols(orders)``
and ``cancel_all_orders(symbol)`` (and their camelCase aliases) on the same exchange object. On
that one instance, and only there, they go through batchcancel and answer one ccxt-shaped order
dict per order asked about, whatever became of it: a failed or rejected order is in the list,
with its own status, never dropped and never shown as ``canceled``. ``unwrap`` undoes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from batchcancel.api import cancel_orders, cancel_orders_async
from batchcancel.engine.drivers import check_exchange, is_async_exchange
from batchcancel.model import CancelOutcome, CancelReport, CancelRequest, Status, coerce_requests
from batchcancel.settings import Settings

_STATE = "_batchcancel_wrapped"  # instance attribute: what wrap() replaced, for unwrap()

CCXT_STATUS: Mapping[Status, str] = {
    Status.CANCELED: "canceled",
    Status.ALREADY_CLOSED: "closed",
    Status.REJECTED: "rejected",
    Status.FAILED: "failed",
}
"""The ccxt ``status`` each outcome is reported as."""

_ORDER_KEYS = (
    "timestamp", "datetime", "lastTradeTimestamp", "lastUpdateTimestamp", "type", "timeInForce",
    "postOnly", "reduceOnly", "side", "price", "triggerPrice", "stopPrice", "takeProfitPrice",
    "stopLossPrice", "amount", "cost", "average", "filled", "remaining", "fee", "trades", "fees",
)  # fmt: skip
# ccxt's unified order keys batchcancel does not know after a cancel: present, and None, so a bot
# reading them gets what ccxt gives for a cancel answer that does not say.


def order_dict(outcome: CancelOutcome) -> dict[str, Any]:
    """One outcome as a ccxt order: ``id``, ``clientOrderId``, ``symbol``, ``status``, and in
    ``info`` the exchange's code and message, batchcancel's status and the path that decided it."""
    request = outcome.request
    order: dict[str, Any] = dict.fromkeys(_ORDER_KEYS)
    order.update(
        id=request.order_id,
        clientOrderId=request.client_order_id,
        symbol=request.symbol,
        status=CCXT_STATUS[outcome.status],
        info={
            "code": outcome.code,
            "message": outcome.message,
            "batchcancel_status": outcome.status.value,
            "via": outcome.via,
            "verified": outcome.verified,
        },
    )
    order["trades"], order["fees"] = [], []
    return order


def order_dicts(report: CancelReport) -> list[dict[str, Any]]:
    return [order_dict(outcome) for outcome in report.outcomes]


def _requests_for_ids(
    exchange: Any, ids: Sequence[Any] | None, symbol: str | None, params: Mapping[str, Any] | None
) -> tuple[CancelRequest, ...]:
    """ccxt's ``cancel_orders(ids, symbol, params)`` arguments as requests (``params`` may carry
    ``clientOrderIds`` / ``clientOids`` instead of, or besides, ``ids``, as in ccxt)."""
    params = dict(params or {})
    client_ids = params.pop("clientOrderIds", None) or params.pop("clientOids", None) or []
    params.pop("clientOids", None)
    if symbol is None:
        import ccxt

        raise ccxt.ArgumentsRequired(f"{exchange.id} cancelOrders() requires a symbol argument")
    if isinstance(ids, (str, bytes)) or isinstance(client_ids, (str, bytes)):
        raise TypeError("cancel_orders takes a list of ids (and params['clientOrderIds'] a list)")
    given = [{"id": i, "symbol": symbol, "params": params} for i in ids or ()]
    given += [{"clientOrderId": c, "symbol": symbol, "params": params} for c in client_ids]
    return coerce_requests(given)


def _requests_for_orders(orders: Any, params: Mapping[str, Any] | None) -> tuple[CancelRequest, ...]:
    """ccxt's ``cancel_orders_for_symbols(orders, params)``: ``[{"id", "symbol"}...]``."""
    requests = coerce_requests(orders)
    if params:
        requests = tuple(
            CancelRequest(r.symbol, r.order_id, r.client_order_id, {**params, **r.params}) for r in requests
        )
    return requests


def _requests_for_open(open_orders: Any) -> tuple[CancelRequest, ...]:
    return tuple(
        CancelRequest(o["symbol"], order_id=o.get("id"), client_order_id=o.get("clientOrderId"))
        for o in open_orders
    )


def _listing_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    # Every page of open orders: a cancel-all must not stop at the first 20 (Bybit's page size).
    return {**(params or {}), "paginate": True}


def _sync_methods(exchange: Any, settings: Settings) -> dict[str, Callable[..., Any]]:
    def run(requests: tuple[CancelRequest, ...]) -> list[dict[str, Any]]:
        return order_dicts(cancel_orders(exchange, requests, settings))

    def cancel_orders_(ids: Any, symbol: str | None = None, params: Any = None) -> list[dict[str, Any]]:
        return run(_requests_for_ids(exchange, ids, symbol, params))

    def cancel_orders_for_symbols(orders: Any, params: Any = None) -> list[dict[str, Any]]:
        return run(_requests_for_orders(orders, params))

    def cancel_all_orders(symbol: str | None = None, params: Any = None) -> list[dict[str, Any]]:
        listed = exchange.fetch_open_orders(symbol, None, None, _listing_params(params))
        return run(_requests_for_open(listed))

    return {
        "cancel_orders": cancel_orders_,
        "cancel_orders_for_symbols": cancel_orders_for_symbols,
        "cancel_all_orders": cancel_all_orders,
    }


def _async_methods(exchange: Any, settings: Settings) -> dict[str, Callable[..., Any]]:
    async def run(requests: tuple[CancelRequest, ...]) -> list[dict[str, Any]]:
        return order_dicts(await cancel_orders_async(exchange, requests, settings))

    async def cancel_orders_(ids: Any, symbol: str | None = None, params: Any = None) -> list[dict[str, Any]]:
        return await run(_requests_for_ids(exchange, ids, symbol, params))

    async def cancel_orders_for_symbols(orders: Any, params: Any = None) -> list[dict[str, Any]]:
        return await run(_requests_for_orders(orders, params))

    async def cancel_all_orders(symbol: str | None = None, params: Any = None) -> list[dict[str, Any]]:
        listed = await exchange.fetch_open_orders(symbol, None, None, _listing_params(params))
        return await run(_requests_for_open(listed))

    return {
        "cancel_orders": cancel_orders_,
        "cancel_orders_for_symbols": cancel_orders_for_symbols,
        "cancel_all_orders": cancel_all_orders,
    }


_CAMEL = {
    "cancel_orders": "cancelOrders",
    "cancel_orders_for_symbols": "cancelOrdersForSymbols",
    "cancel_all_orders": "cancelAllOrders",
}


def wrap(exchange: Any, settings: Settings | None = None) -> Any:
    """Serve ``exchange``'s ``cancel_orders``, ``cancel_orders_for_symbols`` and
    ``cancel_all_orders`` (and camelCase aliases) by batchcancel; returns the same object.

    Sync or ``ccxt.async_support``; only this instance changes (instance attributes shadow the
    class's methods). Wrapping again replaces the settings. ``unwrap(exchange)`` restores it.
    """
    check_exchange(exchange, want_async=is_async_exchange(exchange))
    if settings is None:
        settings = Settings()
    elif not isinstance(settings, Settings):
        raise TypeError(f"settings must be a batchcancel.Settings, got {type(settings).__name__}")
    unwrap(exchange)
    make = _async_methods if is_async_exchange(exchange) else _sync_methods
    saved = {}
    for name, method in make(exchange, settings).items():
        for attribute in (name, _CAMEL[name]):
            saved[attribute] = exchange.__dict__.get(attribute)  # a bot's own override, if any
            setattr(exchange, attribute, method)
    setattr(exchange, _STATE, saved)
    return exchange


def unwrap(exchange: Any) -> Any:
    """Give ``exchange`` back ccxt's own cancel methods (a no-op when it is not wrapped)."""
    saved = exchange.__dict__.pop(_STATE, None)
    for attribute, previous in (saved or {}).items():
        if previous is None:
            exchange.__dict__.pop(attribute, None)
        else:
            setattr(exchange, attribute, previous)
    return exchange


def is_wrapped(exchange: Any) -> bool:
    return _STATE in getattr(exchange, "__dict__", {})
