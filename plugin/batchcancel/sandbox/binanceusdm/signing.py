"""Binance request signatures: hex HMAC-SHA256 of the query string and body exactly as sent.

Binance signs ``totalParams`` (the query string followed by the body) up to ``&signature=``,
in its percent-encoded form (facts §4.2): unlike Bybit and Bitget, nothing is decoded first.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from ..signing import now_ms

SIGNATURE = "signature"


def binance_signature(secret: str, total_params: str) -> str:
    return hmac.new(secret.encode(), total_params.encode(), hashlib.sha256).hexdigest()


def split_signature(raw_query: str, body: str) -> tuple[str, str | None]:
    """``(totalParams without the signature, the signature)``: the signature is the query's last
    parameter (GET, DELETE) or the body's (POST)."""
    head, found, signature = raw_query.rpartition(f"&{SIGNATURE}=")
    if found:
        return head + body, signature
    head, found, signature = body.rpartition(f"&{SIGNATURE}=")
    if found:
        return raw_query + head, signature
    return raw_query + body, None


def signed_query(api_key: str, secret: str, params: dict[str, object], *, timestamp_ms: int | None = None,
                 recv_window: int = 10_000) -> tuple[str, dict[str, str]]:  # fmt: skip
    """A signed query string (or form body) and its header, for tests that talk HTTP themselves."""
    query = urlencode({"timestamp": now_ms() if timestamp_ms is None else timestamp_ms, **params,
                       "recvWindow": recv_window})  # fmt: skip
    return f"{query}&{SIGNATURE}={binance_signature(secret, query)}", {"X-MBX-APIKEY": api_key}
