"""The reliability tests run each exchange's routes; Bitget twice: a classic account (v2) and a
unified trading account (v3, the sandbox in UTA mode). ``exchange_cases`` lists them for
``parametrize``; a case marked ``bitget_uta`` gets the UTA-mode sandbox as its ``sandbox``."""

from __future__ import annotations

import pytest

BITGET_UTA = pytest.param("bitget", marks=pytest.mark.bitget_uta, id="bitget-uta")


def exchange_cases(*names: str) -> list:
    """``names`` for ``parametrize("exchange_id", ...)``, plus Bitget in UTA mode when bitget is one."""
    return [*names, BITGET_UTA] if "bitget" in names else list(names)


@pytest.fixture
def sandbox(request, sandbox):
    """The classic sandbox, or the UTA-mode one for a case marked ``bitget_uta``."""
    if request.node.get_closest_marker("bitget_uta"):
        return request.getfixturevalue("uta_sandbox")
    return sandbox
