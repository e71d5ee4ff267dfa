"""Fixtures for the reliability tests."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sync", "async"])
def mode(request):
    """Run the test through the sync driver and through the async one."""
    return request.param
