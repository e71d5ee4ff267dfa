"""Pointing a ccxt exchange at the sandbox."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_ORIGIN = re.compile(r"^[a-z]+://[^/]+")


def sandbox_urls(api_urls: Mapping[str, Any], url: str) -> dict[str, str]:
    """A ccxt exchange's ``urls['api']`` pointed at the sandbox at ``url``: each base URL's origin
    becomes ``url``, a path in it stays (Binance's are ``https://fapi.binance.com/fapi/v1`` and the
    like; Bybit's and Bitget's are origins)."""
    return {key: _ORIGIN.sub(url, str(value)) for key, value in api_urls.items()}
