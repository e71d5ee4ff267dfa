"""Running one cancel call against the sandbox, sync or async, and checking the invariant."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from batchcancel import CancelReport, CancelRequest, Settings, Status, cancel_orders, cancel_orders_async

FAST = {"backoff_base_s": 0.02, "backoff_max_s": 0.2, "max_retries": 4, "deadline_s": 30.0}


def run_cancel(
    sandbox, exchange_id: str, mode: str, requests, settings: Settings, **ccxt_config
) -> CancelReport:
    """One ``cancel_orders`` call through a fresh real ccxt client (sync or async)."""
    ccxt_config.setdefault("enableRateLimit", False)
    if mode == "sync":
        return cancel_orders(sandbox.client(exchange_id, **ccxt_config), requests, settings)

    async def run() -> CancelReport:
        exchange = sandbox.client(exchange_id, async_=True, **ccxt_config)
        try:
            return await cancel_orders_async(exchange, requests, settings)
        finally:
            await exchange.close()

    return asyncio.run(run())


def check_invariant(
    sandbox, exchange_id: str, requests: Sequence[CancelRequest], report: CancelReport
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
        book = _booked(sandbox, exchange_id, request)
        if outcome.status is Status.CANCELED and book is not None:
            assert book.status != "filled", f"{request.describe()} reported canceled but was filled"
        if outcome.status is Status.REJECTED and book is not None:
            assert book.status != "canceled", f"{request.describe()} reported rejected but was cancelled"
        if outcome.status is Status.FAILED:
            assert outcome.message, "FAILED without the last error"


def _booked(sandbox, exchange_id: str, request: CancelRequest):
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
