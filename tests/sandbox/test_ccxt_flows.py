"""The issue's ccxt flow (load_markets, create_order, fetch_open_orders, cancel_order,
cancel_orders) through real ccxt, sync and async, for both exchanges."""

from __future__ import annotations

import asyncio
from typing import Any

import ccxt
import pytest

from batchcancel.sandbox import Sandbox

# A spot and a derivative market per exchange, each exercised by the same flow.
MARKETS = [
    ("bybit", "BTC/USDT"),
    ("bybit", "ETH/USDT:USDT"),
    ("bybit", "BTC/USDC:USDC"),
    ("bitget", "BTC/USDT"),
    ("bitget", "ETH/USDT:USDT"),
    ("bitget", "BTC/USD:BTC"),
    ("bitget", "BTC/USDC:USDC"),
]


def test_load_markets_lists_the_default_set(sandbox: Sandbox) -> None:
    bybit = sandbox.client("bybit")
    bybit.load_markets()
    assert len([m for m in bybit.markets.values() if m["spot"]]) >= 60
    assert len([m for m in bybit.markets.values() if m["linear"]]) >= 60
    assert {"BTC/USD:BTC", "ETH/USD:ETH"} <= {m["symbol"] for m in bybit.markets.values() if m["inverse"]}
    bitget = sandbox.client("bitget")
    bitget.load_markets()
    assert len([m for m in bitget.markets.values() if m["spot"]]) >= 60
    assert len([m for m in bitget.markets.values() if m["swap"] and m["settle"] == "USDT"]) >= 60
    assert {"BTC/USD:BTC", "BTC/USDC:USDC"} <= set(bitget.markets)
    # The lean options keep start-up to the public market calls: no account probes.
    paths = [entry.path for entry in sandbox.log]
    assert "/v5/user/query-api" not in paths and "/api/v3/account/settings" not in paths
    assert paths.count("/v5/market/instruments-info") == 5


def _sync_flow(ex: Any, sandbox: Sandbox, exchange: str, symbol: str) -> None:
    seeded = sandbox.seed_orders(exchange, {symbol: 3})
    placed = ex.create_order(symbol, "limit", "buy", 1, float(seeded[0].price))
    assert sandbox.order(exchange, placed["id"]).status == "open"
    open_ids = {o["id"] for o in ex.fetch_open_orders(symbol)}
    assert open_ids == {placed["id"]} | {s.order_id for s in seeded}
    assert ex.cancel_order(placed["id"], symbol)["id"] == placed["id"]
    assert sandbox.order(exchange, placed["id"]).status == "canceled"
    with pytest.raises(ccxt.OrderNotFound):
        ex.cancel_order(placed["id"], symbol)
    ex.cancel_orders([s.order_id for s in seeded], symbol)
    assert {sandbox.order(exchange, s.order_id).status for s in seeded} == {"canceled"}
    assert ex.fetch_open_orders(symbol) == []


@pytest.mark.parametrize(("exchange", "symbol"), MARKETS)
def test_sync_ccxt_flow(
    sandbox: Sandbox, exchange: str, symbol: str, bybit_client: Any, bitget_client: Any
) -> None:
    ex = bybit_client if exchange == "bybit" else bitget_client
    _sync_flow(ex, sandbox, exchange, symbol)


@pytest.mark.parametrize(
    ("exchange", "symbol"),
    [("bybit", "SOL/USDT"), ("bybit", "SOL/USDT:USDT"), ("bitget", "SOL/USDT"), ("bitget", "SOL/USDT:USDT")],
)
def test_async_ccxt_flow(sandbox: Sandbox, exchange: str, symbol: str) -> None:
    async def flow() -> None:
        ex = sandbox.client(exchange, async_=True, enableRateLimit=False)
        try:
            await ex.load_markets()
            seeded = sandbox.seed_orders(exchange, {symbol: 4})
            placed = await ex.create_order(symbol, "limit", "sell", 2, 1000)
            assert {o["id"] for o in await ex.fetch_open_orders(symbol)} == (
                {placed["id"]} | {s.order_id for s in seeded}
            )
            await ex.cancel_order(placed["id"], symbol)
            # Concurrent requests over aiohttp's pooled connections.
            await asyncio.gather(*(ex.cancel_order(s.order_id, symbol) for s in seeded[:2]))
            await ex.cancel_orders([s.order_id for s in seeded[2:]], symbol)
            assert await ex.fetch_open_orders(symbol) == []
        finally:
            await ex.close()

    asyncio.run(flow())
    assert sandbox.open_orders(exchange) == []


def test_async_context_manager_serves() -> None:
    async def main() -> int:
        async with Sandbox() as sb:
            ex = sb.client("bitget", async_=True)
            try:
                return int(await ex.fetch_time() > 0)
            finally:
                await ex.close()

    assert asyncio.run(main()) == 1


@pytest.mark.parametrize("exchange", ["bybit", "bitget"])
def test_ccxt_default_options_work_too(sandbox: Sandbox, exchange: str) -> None:
    # A bot configured the ordinary way: only the URLs changed; ccxt makes its account probes.
    config = {"apiKey": sandbox.api_key, "secret": sandbox.secret, "password": sandbox.password}
    ex = getattr(ccxt, exchange)(config)
    ex.urls["api"] = {key: sandbox.url for key in ex.urls["api"]}
    ex.load_markets()
    placed = ex.create_order("BTC/USDT", "limit", "buy", 1, 100)
    ex.cancel_orders([placed["id"]], "BTC/USDT")
    assert sandbox.order(exchange, placed["id"]).status == "canceled"
    probes = {"bybit": "/v5/user/query-api", "bitget": "/api/v3/account/settings"}
    # ccxt's Bitget probes for a unified (UTA) account only where its `uta` option defaults to
    # None ("find out"); older ccxt releases (still supported, see pyproject) do not probe at all.
    fresh_options = getattr(ccxt, exchange)().options
    probes_here = exchange == "bybit" or ("uta" in fresh_options and fresh_options["uta"] is None)
    assert sandbox.count(probes[exchange]) == (1 if probes_here else 0)
