"""Bybit v5 request signatures, for verifying (server) and producing (test clients)."""

from __future__ import annotations

import hashlib
import hmac

from ..signing import now_ms

DEFAULT_RECV_WINDOW = "5000"


def bybit_signature(secret: str, timestamp: str, api_key: str, recv_window: str, payload: bytes) -> str:
    prefix = (timestamp + api_key + recv_window).encode()
    return hmac.new(secret.encode(), prefix + payload, hashlib.sha256).hexdigest()


def bybit_headers(
    api_key: str,
    secret: str,
    payload: str | bytes,
    *,
    timestamp_ms: int | None = None,
    recv_window: str = DEFAULT_RECV_WINDOW,
) -> dict[str, str]:
    """Headers for a signed Bybit v5 request; ``payload`` is the JSON body or the (unencoded) query."""
    timestamp = str(now_ms() if timestamp_ms is None else timestamp_ms)
    data = payload.encode() if isinstance(payload, str) else payload
    return {
        "X-BAPI-API-KEY": api_key,
        "X-BAPI-TIMESTAMP": timestamp,
        "X-BAPI-RECV-WINDOW": recv_window,
        "X-BAPI-SIGN": bybit_signature(secret, timestamp, api_key, recv_window, data),
        "Content-Type": "application/json",
    }
