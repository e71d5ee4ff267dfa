"""Fixtures for the shared budget store: real redis-server processes on loopback."""

from __future__ import annotations

import pytest

from tests.shared_budget.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server():
    """One server for the session's tests that don't break it."""
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def redis_url(redis_server):
    """The session server, emptied for this test (the URL carries a password)."""
    client = redis_server.client()
    client.flushall()
    client.close()
    yield redis_server.url


@pytest.fixture
def own_redis():
    """A server of this test's own, which the test may stop, freeze or restart."""
    server = RedisServer().start()
    yield server
    server.close()
