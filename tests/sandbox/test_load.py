"""Load: 10,000 seeded orders across 50 symbols cancelled concurrently through the sandbox, none
dropped and none doubled."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from batchcancel.sandbox import Sandbox, SandboxOrder
from tests.sandbox.sandbox_http import RawClient

pytestmark = pytest.mark.slow


def _chunks(orders: list[SandboxOrder], size: int) -> list[list[SandboxOrder]]:
    return [orders[i : i + size] for i in range(0, len(orders), size)]


def test_ten_thousand_orders_across_fifty_symbols(sandbox: Sandbox) -> None:
    sandbox.set_budget_scale(10_000)  # keep the documented ratios, remove the waiting
    markets = sandbox.markets("bybit")
    spot = [m.symbol for m in markets if m.category == "spot"][:25]
    linear = [m.symbol for m in markets if m.category == "linear"][:25]
    seeded = sandbox.seed_orders("bybit", {symbol: 200 for symbol in spot + linear})
    assert len(seeded) == 10_000 and len(sandbox.open_orders("bybit")) == 10_000

    batches = [("spot", chunk) for chunk in _chunks([o for o in seeded if o.category == "spot"], 10)]
    batches += [("linear", chunk) for chunk in _chunks([o for o in seeded if o.category == "linear"], 20)]
    clients: list[RawClient] = []
    per_thread = threading.local()

    def cancel(job: tuple[str, list[SandboxOrder]]) -> list[tuple[str, int]]:
        category, chunk = job
        if not hasattr(per_thread, "client"):  # one keep-alive connection per worker thread
            per_thread.client = RawClient(sandbox)
            clients.append(per_thread.client)
        client = per_thread.client
        request = [{"symbol": o.native_symbol, "orderId": o.order_id} for o in chunk]
        reply = client.bybit("POST", "/v5/order/cancel-batch", {"category": category, "request": request})
        body = reply.json()
        assert body["retCode"] == 0, body
        return [
            (row["orderId"], ext["code"])
            for row, ext in zip(body["result"]["list"], body["retExtInfo"]["list"], strict=True)
        ]

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = [row for rows in pool.map(cancel, batches) for row in rows]
    finally:
        for client in clients:
            client.close()

    confirmed = Counter(order_id for order_id, code in results if code == 0)
    assert len(results) == 10_000 and set(confirmed.values()) == {1}
    assert set(confirmed) == {o.order_id for o in seeded}
    assert sandbox.open_orders("bybit") == []
    assert len(sandbox.orders("bybit", "canceled")) == 10_000
    log = [e for e in sandbox.log if e.path == "/v5/order/cancel-batch"]
    assert len(log) == len(batches) == 750
    assert sum(e.items for e in log) == 10_000 and {c for e in log for c in e.item_codes} == {"0"}


def test_concurrent_ccxt_implicit_batch_cancels_on_bitget(sandbox: Sandbox) -> None:
    sandbox.set_budget_scale(1_000)
    symbols = [m.symbol for m in sandbox.markets("bitget") if m.category in ("spot", "USDT-FUTURES")][:20]
    seeded = sandbox.seed_orders("bitget", {symbol: 100 for symbol in symbols})

    async def run() -> list[Any]:
        ex = sandbox.client("bitget", async_=True, enableRateLimit=False)
        try:
            calls = []
            for chunk in _chunks(seeded, 50):
                if chunk[0].category == "spot":
                    calls.append(
                        ex.privateSpotPostV2SpotTradeBatchCancelOrder(
                            {
                                "symbol": chunk[0].native_symbol,
                                "orderList": [{"orderId": o.order_id} for o in chunk],
                            }
                        )
                    )
                else:
                    calls.append(
                        ex.privateMixPostV2MixOrderBatchCancelOrders(
                            {
                                "symbol": chunk[0].native_symbol,
                                "productType": "USDT-FUTURES",
                                "orderIdList": [{"orderId": o.order_id} for o in chunk],
                            }
                        )
                    )
            return list(await asyncio.gather(*calls))
        finally:
            await ex.close()

    replies = asyncio.run(run())
    successes = Counter(item["orderId"] for reply in replies for item in reply["data"]["successList"])
    assert all(reply["data"]["failureList"] == [] for reply in replies)
    assert set(successes.values()) == {1} and set(successes) == {o.order_id for o in seeded}
    assert sandbox.open_orders("bitget") == []
