"""Adding an exchange takes new files plus one registration line on each side.

The toy exchange (tests/toy/) is a sandbox package and a client dialect plugin, neither known to
batchcancel. Registered with one line each, real ccxt cancels through the public API and the
engine over real HTTP to the sandbox, in batches of the toy's maximum.
"""

from __future__ import annotations

import pytest

from batchcancel import CancelRequest, Settings, Status, cancel_orders, get_plugin_manager
from batchcancel.sandbox import Sandbox
from batchcancel.sandbox.registry import EXCHANGES
from tests.helpers import run_cancel
from tests.toy import plugin as toy_plugin
from tests.toy import sandbox_toy


@pytest.fixture(scope="module")
def toy_sandbox():
    with Sandbox(exchanges=(*EXCHANGES, sandbox_toy.EXCHANGE)) as sandbox:  # the sandbox's one line
        yield sandbox


def test_a_toy_exchange_cancels_in_batches_end_to_end(toy_sandbox: Sandbox, mode: str) -> None:
    toy_sandbox.reset()
    get_plugin_manager().register(toy_plugin, name="toy")  # the client's one line
    orders = toy_sandbox.seed_orders("toy", {"BTC/USDT": 7, "ETH/USDT": 5})
    toy_sandbox.fill("toy", [orders[0].order_id])
    requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
    settings = Settings(max_retries=0)

    report = run_cancel(toy_sandbox, "toy", mode, requests, settings)

    assert [o.status for o in report.outcomes] == [Status.ALREADY_CLOSED] + [Status.CANCELED] * 11
    assert {o.via for o in report.outcomes} == {"toy:batch"}
    assert toy_sandbox.open_orders("toy") == []
    batches = [e for e in toy_sandbox.log if e.path == "/toy/v1/cancel-batch"]
    assert sorted(e.items for e in batches) == [2, 5, 5] and {e.status for e in batches} == {200}


def test_the_toy_does_not_disturb_the_built_in_exchanges(toy_sandbox: Sandbox) -> None:
    toy_sandbox.reset()
    (order,) = toy_sandbox.seed_orders("bybit", {"BTC/USDT": 1})
    report = cancel_orders(
        toy_sandbox.client("bybit", enableRateLimit=False), [CancelRequest("BTC/USDT", order.order_id)]
    )
    assert report.outcomes[0].status is Status.CANCELED and report.outcomes[0].via == "bybit:batch"
    assert [e.exchange for e in toy_sandbox.log if "cancel" in e.path] == ["bybit"]
