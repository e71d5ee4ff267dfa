"""Bitget v2 request signatures, for verifying (server) and producing (test clients)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from ..signing import now_ms


def bitget_signature(secret: str, timestamp: str, method: str, path: str, query: str, body: bytes) -> str:
    prehash = (timestamp + method.upper() + path + ("?" + query if query else "")).encode() + body
    return base64.b64encode(hmac.new(secret.encode(), prehash, hashlib.sha256).digest()).decode()


def bitget_headers(
    api_key: str,
    secret: str,
    password: str,
    method: str,
    path: str,
    *,
    query: str = "",
    body: str | bytes = b"",
    timestamp_ms: int | None = None,
) -> dict[str, str]:
    """Headers for a signed Bitget v2 request (``path`` starts with ``/api/``)."""
    timestamp = str(now_ms() if timestamp_ms is None else timestamp_ms)
    data = body.encode() if isinstance(body, str) else body
    return {
        "ACCESS-KEY": api_key,
        "ACCESS-SIGN": bitget_signature(secret, timestamp, method, path, query, data),
        "ACCESS-TIMESTAMP": timestamp,
        "ACCESS-PASSPHRASE": password,
        "Content-Type": "application/json",
    }
