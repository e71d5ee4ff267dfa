"""Sandbox test fixtures. ``sandbox_server`` / ``sandbox`` (a running, reset sandbox) come from
tests/conftest.py; these add ccxt clients with markets already loaded, shared by the session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from batchcancel.sandbox import Sandbox
from tests.sandbox.sandbox_http import RawClient


@pytest.fixture(scope="session")
def _loaded_clients(sandbox_server: Sandbox) -> dict[str, Any]:
    clients = {}
    for name in ("bybit", "bitget", "binanceusdm"):
        client = sandbox_server.client(name, enableRateLimit=False)
        client.load_markets()
        clients[name] = client
    return clients


@pytest.fixture
def bybit_client(sandbox: Sandbox, _loaded_clients: dict[str, Any]) -> Any:
    """A sync ccxt bybit (markets loaded, ccxt's own throttle off) on the reset sandbox."""
    return _loaded_clients["bybit"]


@pytest.fixture
def bitget_client(sandbox: Sandbox, _loaded_clients: dict[str, Any]) -> Any:
    """A sync ccxt bitget (markets loaded, ccxt's own throttle off) on the reset sandbox."""
    return _loaded_clients["bitget"]


@pytest.fixture
def binance_client(sandbox: Sandbox, _loaded_clients: dict[str, Any]) -> Any:
    """A sync ccxt binanceusdm (markets loaded, ccxt's own throttle off) on the reset sandbox."""
    return _loaded_clients["binanceusdm"]


@pytest.fixture
def raw(sandbox: Sandbox) -> Iterator[RawClient]:
    """Raw signed HTTP (requests) as the default account, for exact bodies and bad signatures."""
    client = RawClient(sandbox, timeout=5.0)
    yield client
    client.close()
