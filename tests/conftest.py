"""Fixtures shared by every test directory (shared helpers are in tests/helpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def sandbox_server():
    """One loopback sandbox exchange for the whole session (it binds 127.0.0.1 only)."""
    from batchcancel.sandbox import Sandbox

    with Sandbox() as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server):
    """The session's sandbox, reset (orders, log, faults, latency, budgets) for this test."""
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.reset()


@pytest.fixture(scope="session")
def uta_sandbox_server():
    """One loopback sandbox whose Bitget accounts are unified trading accounts (v3 only)."""
    from batchcancel.sandbox import Sandbox

    with Sandbox(bitget_uta=True) as server:
        yield server


@pytest.fixture
def uta_sandbox(uta_sandbox_server):
    """The session's UTA-mode sandbox, reset for this test."""
    uta_sandbox_server.reset()
    yield uta_sandbox_server
    uta_sandbox_server.reset()


@pytest.fixture(params=["sync", "async"])
def mode(request) -> str:
    """Run the test through the sync driver (ccxt) and through the async one (ccxt.async_support)."""
    return request.param


@pytest.fixture(autouse=True)
def _fresh_plugin_manager():
    """Each test discovers plugins afresh, so a test's registrations and env switches don't leak."""
    from batchcancel.manager import reset_plugin_manager

    reset_plugin_manager()
    yield
    reset_plugin_manager()
