"""What the tests share: one way to cancel through the public API (sync or async) against the
sandbox, the invariant every end-to-end run must keep, and one made-up dialect for driving the
engine without I/O; and the code blocks read out of the docs for the tests that run them as
written. The ``mode`` fixture (sync / async) is in tests/conftest.py."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ccxt
import pytest

from batchcancel import CancelReport, CancelRequest, Settings, Status, cancel_orders, cancel_orders_async
from batchcancel.engine import Budget, BudgetObservation, Call, CancelJob, Dialect, Route, Verdict, WorkItem
from batchcancel.engine.ccxt_single import CcxtSingleCancel
from batchcancel.engine.reading import OpenOrder, OpenPage

# -- end to end: the public API, real ccxt, real HTTP to the sandbox ------------------------------

FAST = {"backoff_base_s": 0.02, "backoff_max_s": 0.2, "max_retries": 4, "deadline_s": 30.0}
"""Settings that keep retries quick in tests that provoke them."""


def run_cancel(
    sandbox: Any,
    exchange_id: str,
    mode: str,
    requests: Sequence[CancelRequest],
    settings: Settings | None = None,
    *,
    loaded: bool = False,
    prepare: Callable[[Any], None] | None = None,
    **ccxt_config: Any,
) -> CancelReport:
    """One ``cancel_orders`` call through a fresh real ccxt client, sync or async (``mode``).

    ccxt's own throttle is off unless ``ccxt_config`` says otherwise. With ``loaded`` the client
    loads its markets first, ``prepare(exchange)`` may adjust it, and the sandbox's log is cleared,
    so the log holds only what the cancel sent (without it, faults injected on ``*`` meet the
    engine's own market loading too).
    """
    ccxt_config.setdefault("enableRateLimit", False)

    def ready(exchange: Any) -> None:
        if prepare:
            prepare(exchange)
        sandbox.clear_log()

    if mode == "sync":
        exchange = sandbox.client(exchange_id, **ccxt_config)
        if loaded:
            exchange.load_markets()
            ready(exchange)
        return cancel_orders(exchange, requests, settings)

    async def run() -> CancelReport:
        exchange = sandbox.client(exchange_id, async_=True, **ccxt_config)
        try:
            if loaded:
                await exchange.load_markets()
                ready(exchange)
            return await cancel_orders_async(exchange, requests, settings)
        finally:
            await exchange.close()

    return asyncio.run(run())


def check_invariant(
    sandbox: Any, exchange_id: str, requests: Sequence[CancelRequest], report: CancelReport
) -> None:
    """Exactly one outcome per request, each true against the sandbox's book:

    * CANCELED or ALREADY_CLOSED: the order is not open;
    * CANCELED: the order was not filled (a filled order was never cancelled);
    * REJECTED: the order was not cancelled (a refusal that in fact cancelled is untrue);
    * FAILED: carries its last error.
    """
    assert len(report.outcomes) == len(requests)
    assert [o.request for o in report.outcomes] == list(requests)
    open_ids = {o.order_id for o in sandbox.open_orders(exchange_id)}
    open_client_ids = {o.client_order_id for o in sandbox.open_orders(exchange_id)}
    for outcome in report.outcomes:
        request = outcome.request
        still_open = (
            request.order_id in open_ids
            if request.order_id is not None
            else request.client_order_id in open_client_ids
        )
        if outcome.status in (Status.CANCELED, Status.ALREADY_CLOSED):
            assert not still_open, f"{request.describe()} reported {outcome.status.value} but is open"
        book = booked(sandbox, exchange_id, request)
        if outcome.status is Status.CANCELED and book is not None:
            assert book.status != "filled", f"{request.describe()} reported canceled but was filled"
        if outcome.status is Status.REJECTED and book is not None:
            assert book.status != "canceled", f"{request.describe()} reported rejected but was cancelled"
        if outcome.status is Status.FAILED:
            assert outcome.message, "FAILED without the last error"


def booked(sandbox: Any, exchange_id: str, request: CancelRequest) -> Any:
    """The sandbox's record of the order a request names, if there is one."""
    if request.order_id is not None:
        try:
            return sandbox.order(exchange_id, request.order_id)
        except KeyError:
            return None
    for order in sandbox.orders(exchange_id):
        if order.client_order_id == request.client_order_id:
            return order
    return None


# -- the engine alone: scripted answers, a virtual clock -----------------------------------------

MARKETS = {
    "BTC/USDT": {"id": "BTCUSDT", "symbol": "BTC/USDT", "type": "spot"},
    "ETH/USDT": {"id": "ETHUSDT", "symbol": "ETH/USDT", "type": "spot"},
    "BTC/USDT:USDT": {"id": "BTCUSDT", "symbol": "BTC/USDT:USDT", "type": "swap"},
}
BY_ID = {
    "BTCUSDT": [MARKETS["BTC/USDT"], MARKETS["BTC/USDT:USDT"]],
    "ETHUSDT": [MARKETS["ETH/USDT"]],
}

BATCH_OF_3 = Route("batch", 3, "batch", cost_per_item=1)
SINGLE = Route("single", 1, "single", cost_per_call=1, cost_per_item=0)


class FakeDialect(Dialect):
    """A made-up exchange whose routes and budgets a test chooses; calls are named by their route.

    ``read`` takes what the test answers: a callable (item -> Verdict), a mapping (order id ->
    Verdict), or anything else (an empty mapping, None) for "every order cancelled".
    ``observe`` reads the test's headers ``{"limit": ..., "remaining": ...}`` for the call's budget.
    With ``listing`` it lists the account's open orders per market type, in pages: the test answers
    a list call with ``[{"id", "clientOrderId", "symbol"}, ...]`` or ``{"orders": [...], "next": cursor}``.
    """

    def __init__(
        self,
        routes: Sequence[Route] = (BATCH_OF_3, SINGLE),
        budgets: Mapping[str, Budget] | None = None,
        *,
        name: str = "toy",
        group_by_type: bool = False,
        no_route_for: str = "",
        listing: bool = False,
    ) -> None:
        self.name = name
        self._routes = tuple(routes)
        self._budgets = dict(budgets or {})
        self.group_by_type = group_by_type
        self.no_route_for = no_route_for
        self.listing = listing

    def budgets(self, settings: Settings) -> Mapping[str, Budget]:
        return self._budgets

    def group_of(self, item: WorkItem) -> Hashable:
        return item.market["type"] if self.group_by_type else None

    def routes(self, group: Hashable) -> Sequence[Route]:
        return () if self.no_route_for and group == self.no_route_for else self._routes

    def build(self, route: Route, group: Hashable, items: Sequence[WorkItem]) -> Call:
        return Call(route.name, ([item.request.order_id for item in items],), tuple(items), route=route)

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        if callable(response):
            return [response(item) for item in call.items]
        if isinstance(response, Mapping) and response:
            return [response[item.request.order_id] for item in call.items]
        return [Verdict.canceled() for _ in call.items]

    def observe(self, call: Call, headers: Mapping[str, Any] | None) -> BudgetObservation | None:
        if not headers or "limit" not in headers or call.route is None or call.route.budget is None:
            return None
        return BudgetObservation(call.route.budget, limit=headers["limit"], remaining=headers["remaining"])

    def list_scopes(self, markets: Mapping[str, Any]) -> tuple[Hashable, ...]:
        return tuple(sorted({m["type"] for m in markets.values()})) if self.listing else ()

    def build_list(self, scope: Hashable, cursor: str | None) -> Call:
        return Call("list_open", (scope, cursor))

    def read_list(self, call: Call, response: Any) -> OpenPage:
        if isinstance(response, list):
            response = {"orders": response, "next": None}
        orders = tuple(
            OpenOrder(o["id"], o.get("clientOrderId"), o.get("symbol", "BTC/USDT"))
            for o in response["orders"]
        )
        return OpenPage(orders, response["next"])

    def place_of(self, item: WorkItem) -> str:
        return str(item.market["symbol"])


def typed(
    batch_limit: float = 1000, single_limit: float = 1000, no_route_for: str = "", *, listing: bool = False
) -> FakeDialect:
    """Batches of up to 3 per market type (budget per order), a single route beside (per request)."""
    budgets = {"batch": Budget(batch_limit), "single": Budget(single_limit)}
    return FakeDialect(budgets=budgets, group_by_type=True, no_route_for=no_route_for, listing=listing)


def paced(batch_limit: float, single_limit: float, per_order: bool) -> FakeDialect:
    """Batches of up to 5 beside a single route; the batch budget counts orders or requests."""
    batch = (
        Route("batch", 5, "batch", cost_per_call=0, cost_per_item=1)
        if per_order
        else Route("batch", 5, "batch", cost_per_call=1, cost_per_item=0)
    )
    budgets = {"batch": Budget(batch_limit), "single": Budget(single_limit)}
    return FakeDialect((batch, SINGLE), budgets, name="paced")


def requests(n: int, symbol: str = "BTC/USDT") -> list[CancelRequest]:
    return [CancelRequest(symbol, order_id=str(i)) for i in range(n)]


def new_job(reqs: Sequence[CancelRequest], dialect: Dialect | None = None, **settings: Any) -> CancelJob:
    """A job on the test markets with the ccxt fallback; backoff 0.1 s unless ``settings`` say."""
    settings.setdefault("backoff_base_s", 0.1)
    return CancelJob(
        dialect or typed(),
        reqs,
        Settings(**settings),
        now=0.0,
        markets=MARKETS,
        markets_by_id=BY_ID,
        fallback=CcxtSingleCancel(),
        rng=random.Random(1),
    )


# -- the docs' code blocks, run as written --------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def recipe_commands() -> list[str]:
    """The ``$ `` lines of the first console block under docs/hosts/freqtrade.md's recipe heading."""
    doc = (ROOT / "docs/hosts/freqtrade.md").read_text()
    section = doc[doc.index("## Try it on the sandbox") :]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block is not None, "docs/hosts/freqtrade.md: no console block under 'Try it on the sandbox'"
    return [line[2:] for line in block.group(1).splitlines() if line.startswith("$ ")]


needs_uta_probe = pytest.mark.skipif(
    not hasattr(ccxt.bitget, "handle_uta_and_params"),
    reason="this ccxt has no UTA probe (added after 4.5.59): it only knows UTA when told",
)
"""For tests of ccxt's own detection of a Bitget UTA account."""
