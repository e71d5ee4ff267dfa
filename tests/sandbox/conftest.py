"""Fixtures around one running sandbox per test session (reset before every test that uses it).

Reusable elsewhere: ``sandbox`` gives a clean, running ``Sandbox``; ``bybit_client`` /
``bitget_client`` give sync ccxt clients with markets loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from batchcancel.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox_session() -> Iterator[Sandbox]:
    with Sandbox(seed=7) as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_session: Sandbox) -> Sandbox:
    """The session's sandbox with orders, log, faults, budgets and knobs reset."""
    sandbox_session.reset()
    return sandbox_session


@pytest.fixture(scope="session")
def _loaded_clients(sandbox_session: Sandbox) -> dict[str, Any]:
    clients = {}
    for name in ("bybit", "bitget"):
        client = sandbox_session.client(name, enableRateLimit=False)
        client.load_markets()
        clients[name] = client
    return clients


@pytest.fixture
def bybit_client(sandbox: Sandbox, _loaded_clients: dict[str, Any]) -> Any:
    return _loaded_clients["bybit"]


@pytest.fixture
def bitget_client(sandbox: Sandbox, _loaded_clients: dict[str, Any]) -> Any:
    return _loaded_clients["bitget"]
