"""Request signatures of Bybit v5 and Bitget v2, for verifying (server) and producing (test clients).

Both exchanges sign the bytes they were sent: the raw POST body as received (never a
re-serialisation: key order and spacing differ between ccxt and pybit), and for GET the query
string percent-decoded, because ccxt signs the unencoded form while ``requests`` re-quotes the URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import unquote

DEFAULT_RECV_WINDOW = "5000"


def signed_query(raw_query: str) -> str:
    """The query as the client signed it (facts §0.2)."""
    return unquote(raw_query)


def bybit_signature(secret: str, timestamp: str, api_key: str, recv_window: str, payload: bytes) -> str:
    prefix = (timestamp + api_key + recv_window).encode()
    return hmac.new(secret.encode(), prefix + payload, hashlib.sha256).hexdigest()


def bitget_signature(secret: str, timestamp: str, method: str, path: str, query: str, body: bytes) -> str:
    prehash = (timestamp + method.upper() + path + ("?" + query if query else "")).encode() + body
    return base64.b64encode(hmac.new(secret.encode(), prehash, hashlib.sha256).digest()).decode()


def same_signature(expected: str, received: str) -> bool:
    return hmac.compare_digest(expected.encode(), received.encode())


def now_ms() -> int:
    return int(time.time() * 1000)


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
