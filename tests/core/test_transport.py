"""batchcancel's own calls skip ccxt's throttle and leave the exchange object as it was; the bot's
other calls keep ccxt's throttle; errors map as ccxt maps them (engine/transport.py).

Real ccxt, real HTTP to the sandbox. The only thing wrapped is ccxt's ``throttle`` on the test's own
client, to count who waits in it.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

import ccxt
import pytest

from batchcancel import CancelRequest, Settings, Status, cancel_orders, cancel_orders_async
from batchcancel.engine import Call
from batchcancel.engine.transport import endpoint, send
from batchcancel.sandbox.faults import (
    ACK_NOT_APPLIED,
    FAULT_KINDS,
    TIMEOUT_APPLIED,
    TIMEOUT_NOT_APPLIED,
    TRICKLE,
)
from tests.helpers import FAST

PER_ANSWER = frozenset(
    {
        "last_http_response",
        "last_json_response",
        "last_response_headers",
        "last_request_headers",
        "last_request_body",
        "last_request_url",
    }
)
"""What ccxt's own ``fetch`` writes on the exchange object for every answer, whoever asked."""

WORKLOAD = {
    "bybit": {"BTC/USDT": 25, "BTC/USDT:USDT": 25},
    "bitget": {"BTC/USDT": 60, "BTC/USDT:USDT": 10},
    "okx": {"BTC/USDT": 25, "ETH/USDT:USDT": 25},
    # ccxt's Binance classes override ``request``: the transport replays that override.
    "binanceusdm": {"BTC/USDT:USDT": 25, "ETH/USDT:USDT": 5},
}
CANCEL_METHOD = {
    "bybit": "privatePostV5OrderCancelBatch",
    "bitget": "privateMixPostV2MixOrderBatchCancelOrders",
}


def snapshot(exchange: Any) -> dict[str, Any]:
    """The exchange object's attributes (by identity, and by value for plain data) and its throttle."""
    state: dict[str, Any] = {}
    for name, value in vars(exchange).items():
        if name in PER_ANSWER:
            continue
        plain = isinstance(value, (bool, int, float, str, type(None), dict, list, tuple))
        state[name] = (id(value), copy.deepcopy(value) if plain else None)
    throttler = getattr(exchange, "throttler", None)
    if throttler is not None:
        state["throttler.tokens"] = getattr(throttler, "tokens", None)
        state["throttler.queue"] = len(getattr(throttler, "queue", ()))
    return state


def counting_throttle(exchange: Any, counts: list[float]) -> None:
    """Wrap ccxt's throttle on this client only (an instance attribute) to count its callers."""
    original = exchange.throttle

    if asyncio.iscoroutinefunction(original):

        async def throttle(cost: Any = None) -> Any:
            counts.append(cost)
            return await original(cost)

    else:

        def throttle(cost: Any = None) -> Any:
            counts.append(cost)
            return original(cost)

    exchange.throttle = throttle


def cancel(
    sandbox: Any, exchange_id: str, mode: str, requests: list[CancelRequest], settings: Settings, check
):
    """Cancel with ccxt's limiter on (its default); ``check(exchange, before, report_or_error)``."""

    if mode == "sync":
        exchange = sandbox.client(exchange_id)
        exchange.load_markets()
        before = snapshot(exchange)
        check(exchange, before, cancel_orders(exchange, requests, settings))
        return

    async def run() -> None:
        exchange = sandbox.client(exchange_id, async_=True)
        try:
            await exchange.load_markets()
            before = snapshot(exchange)
            check(exchange, before, await cancel_orders_async(exchange, requests, settings))
        finally:
            await exchange.close()

    asyncio.run(run())


@pytest.mark.parametrize("exchange_id", ["bybit", "bitget", "okx", "binanceusdm"])
def test_our_calls_skip_ccxts_throttle_and_leave_the_exchange_as_it_was(sandbox, exchange_id, mode):
    sandbox.set_budget_scale(100)
    orders = sandbox.seed_orders(exchange_id, WORKLOAD[exchange_id])
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]

    def check(exchange: Any, before: dict[str, Any], report: Any) -> None:
        assert all(o.status is Status.CANCELED for o in report.outcomes)
        assert exchange.enableRateLimit is True
        assert snapshot(exchange) == before

    cancel(sandbox, exchange_id, mode, requests, Settings(), check)
    assert sandbox.open_orders(exchange_id) == []


@pytest.mark.parametrize("fault", ["http_500", "reset", "rate_limit", "malformed_json"])
def test_the_exchange_is_left_as_it_was_when_calls_raise(sandbox, mode, fault):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 5})
    sandbox.inject("*cancel*", fault, times=None)
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    settings = Settings(**{**FAST, "max_retries": 1, "deadline_s": 3.0})

    def check(exchange: Any, before: dict[str, Any], report: Any) -> None:
        assert len(report.outcomes) == 5
        assert snapshot(exchange) == before

    cancel(sandbox, "bybit", mode, requests, settings, check)
    assert any(entry.fault == fault for entry in sandbox.log)  # ccxt raised for those answers


def test_the_bots_own_calls_keep_ccxts_throttle(sandbox, mode):
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 5, "BTC/USDT:USDT": 5})
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    counts: list[float] = []

    def check(exchange: Any, before: dict[str, Any], report: Any) -> None:
        assert report.counts()["canceled"] == 10
        assert counts == []  # none of batchcancel's requests waited in ccxt's throttle

    if mode == "sync":
        exchange = sandbox.client("bybit")
        exchange.load_markets()
        counting_throttle(exchange, counts)
        check(exchange, {}, cancel_orders(exchange, requests))
        exchange.privateGetV5OrderRealtime({"category": "spot", "symbol": "BTCUSDT"})
    else:

        async def run() -> None:
            exchange = sandbox.client("bybit", async_=True)
            try:
                await exchange.load_markets()
                counting_throttle(exchange, counts)
                check(exchange, {}, await cancel_orders_async(exchange, requests))
                await exchange.privateGetV5OrderRealtime({"category": "spot", "symbol": "BTCUSDT"})
            finally:
                await exchange.close()

        asyncio.run(run())
    assert len(counts) == 1  # the bot's own call did


def test_ccxt_unified_methods_are_called_as_methods_and_keep_ccxts_throttle(sandbox):
    # The ccxt single-cancel fallback's cancel_order is a unified method: not resolved, so it goes
    # through ccxt's throttle when the exchange has it on.
    exchange = sandbox.client("bybit")
    assert endpoint(exchange, "cancel_order") is None
    assert endpoint(exchange, "load_markets") is None
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    exchange.load_markets()
    counts: list[float] = []
    counting_throttle(exchange, counts)
    report = cancel_orders(
        exchange, [CancelRequest(o.symbol, order_id=o.order_id) for o in orders], Settings(enabled=False)
    )
    assert report.counts()["canceled"] == 2
    assert len(counts) == 2


def api_tags(found) -> list[str]:
    """ccxt's api tag(s) as a list: recent ccxt declares ``['private', 'spot']``, 4.5.59 a string."""
    return [found.api] if isinstance(found.api, str) else list(found.api)


def test_implicit_methods_resolve_to_ccxts_declared_endpoints():
    import ccxt.async_support

    for exchange in (ccxt.bybit(), ccxt.async_support.bybit()):
        found = endpoint(exchange, "privatePostV5OrderCancelBatch")
        assert (found.path, api_tags(found), found.http_method) == (
            "v5/order/cancel-batch",
            ["private"],
            "POST",
        )
        assert endpoint(exchange, "private_post_v5_order_cancel_batch") == found
    found = endpoint(ccxt.bitget(), "privateSpotPostV2SpotTradeBatchCancelOrder")
    assert (found.path, api_tags(found)) == ("v2/spot/trade/batch-cancel-order", ["private", "spot"])
    assert endpoint(ccxt.bybit(), "noSuchMethod") is None


def test_a_method_patched_on_the_instance_or_a_request_override_is_called_as_a_method():
    exchange = ccxt.bybit()
    exchange.privatePostV5OrderCancelBatch = lambda params: {"patched": params}
    assert endpoint(exchange, "privatePostV5OrderCancelBatch") is None
    assert send(exchange, Call("privatePostV5OrderCancelBatch", ({"a": 1},))) == {"patched": {"a": 1}}

    class Custom(ccxt.bybit):
        def request(self, path, api="public", method="GET", params=None, config=None):
            return {"custom": path}

    custom = Custom()
    assert endpoint(custom, "privatePostV5OrderCancelBatch") is None
    assert send(custom, Call("privatePostV5OrderCancelBatch", ({},))) == {"custom": "v5/order/cancel-batch"}


QUICK_FAULTS = [
    k for k in FAULT_KINDS if k not in (TIMEOUT_APPLIED, TIMEOUT_NOT_APPLIED, TRICKLE, ACK_NOT_APPLIED)
]


@pytest.mark.parametrize("exchange_id", ["bybit", "bitget"])
def test_every_quick_fault_maps_to_the_same_ccxt_error_either_way(sandbox, exchange_id):
    """The same call through ccxt's method and through the transport: same error class (or both
    answer), for every fault kind the sandbox makes without holding the connection."""
    exchange = sandbox.client(exchange_id, enableRateLimit=False)
    exchange.load_markets()
    params = (
        {"category": "linear", "request": [{"symbol": "BTCUSDT", "orderId": "1"}]}
        if exchange_id == "bybit"
        else {
            "symbol": "BTCUSDT",
            "productType": "USDT-FUTURES",
            "marginCoin": "USDT",
            "orderIdList": [{"orderId": "1"}],
        }
    )
    call = Call(CANCEL_METHOD[exchange_id], (params,))

    def outcome(how) -> str:
        try:
            how()
        except ccxt.BaseError as error:
            return type(error).__name__
        return "answered"

    for fault in QUICK_FAULTS:
        sandbox.inject("*cancel*", fault, times=1)
        plain = outcome(lambda: getattr(exchange, call.method)(params))
        sandbox.inject("*cancel*", fault, times=1)
        ours = outcome(lambda: send(exchange, call))
        assert ours == plain, fault


def test_a_sync_pool_wider_than_requests_default_keeps_its_connections(sandbox, caplog):
    sandbox.set_budget_scale(100)
    sandbox.set_latency(200)
    coins = ("BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "AVAX", "LINK", "DOT", "LTC")
    # One window of Bitget's documented budgets: 10 spot batches of 10, one futures batch per symbol.
    orders = sandbox.seed_orders("bitget", {**{"BTC/USDT": 100}, **{f"{c}/USDT:USDT": 2 for c in coins}})
    exchange = sandbox.client("bitget")
    exchange.load_markets()
    sandbox.clear_log()
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    with caplog.at_level(logging.WARNING, logger="urllib3"):
        report = cancel_orders(exchange, requests, Settings(max_concurrency=24, max_batch_size=10))
    assert report.counts()["canceled"] == len(orders)
    assert report.requests_sent == 20
    served = [(e.started, e.finished) for e in sandbox.log if "cancel" in e.path]
    assert max(sum(1 for s, f in served if s <= start < f) for start, _ in served) > 10  # held at once
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]
    assert exchange.session.get_adapter(exchange.urls["api"]["spot"])._pool_maxsize >= 24


def test_a_list_body_bitget_v3_batch_skips_ccxts_throttle_too(mode):
    from batchcancel.sandbox import Sandbox

    with Sandbox(bitget_uta=True, budget_scale=100) as uta:
        orders = uta.seed_orders("bitget", {"BTC/USDT": 30, "BTC/USDT:USDT": 30})
        requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
        counts: list[float] = []

        def check(exchange: Any, before: dict[str, Any], report: Any) -> None:
            assert report.counts()["canceled"] == 60
            assert counts == []
            assert snapshot(exchange) == before

        original = snapshot

        def cancel_counted() -> None:
            if mode == "sync":
                exchange = uta.client("bitget")
                exchange.load_markets()
                counting_throttle(exchange, counts)
                before = original(exchange)
                check(exchange, before, cancel_orders(exchange, requests))
                return

            async def run() -> None:
                exchange = uta.client("bitget", async_=True)
                try:
                    await exchange.load_markets()
                    counting_throttle(exchange, counts)
                    before = original(exchange)
                    check(exchange, before, await cancel_orders_async(exchange, requests))
                finally:
                    await exchange.close()

            asyncio.run(run())

        cancel_counted()
        assert any(entry.path == "/api/v3/trade/cancel-batch" for entry in uta.log)


def test_ccxts_binance_request_override_is_replayed_after_a_private_call():
    """ccxt's Binance ``request`` notes that the keys worked after a private call answered; the
    transport, which skips ``request``, notes it too (the network itself is stubbed at ``fetch``)."""
    exchange = ccxt.binance({"apiKey": "k", "secret": "s"})
    exchange.fetch = lambda url, method="GET", headers=None, body=None: {"orderId": 1}
    assert endpoint(exchange, "privateDeleteOrder") is not None
    exchange.options["hasAlreadyAuthenticatedSuccessfully"] = False  # ccxt's default
    call = Call("privateDeleteOrder", ({"symbol": "BTCUSDT", "orderId": 1},))
    assert send(exchange, call) == {"orderId": 1}
    assert exchange.options["hasAlreadyAuthenticatedSuccessfully"] is True
