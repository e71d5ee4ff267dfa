"""OKX v5 request signatures, for verifying (server) and producing (test clients).

``OK-ACCESS-SIGN`` is base64(HMAC-SHA256(secret, timestamp + METHOD + path + ("?" + query for
GET, as sent) + body)); the timestamp is ISO 8601 UTC with milliseconds (``OK-ACCESS-TIMESTAMP``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timezone

from ..signing import now_ms


def iso_timestamp(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_timestamp(value: str) -> int | None:
    """Epoch milliseconds of an OKX timestamp header, None when it is not one."""
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return int(moment.timestamp() * 1000)


def okx_signature(secret: str, timestamp: str, method: str, path: str, query: str, body: bytes) -> str:
    prehash = (timestamp + method.upper() + path + ("?" + query if query else "")).encode() + body
    return base64.b64encode(hmac.new(secret.encode(), prehash, hashlib.sha256).digest()).decode()


def okx_headers(
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
    """Headers for a signed OKX v5 request (``path`` starts with ``/api/v5/``)."""
    timestamp = iso_timestamp(now_ms() if timestamp_ms is None else timestamp_ms)
    data = body.encode() if isinstance(body, str) else body
    return {
        "OK-ACCESS-KEY": api_key,
        "OK-ACCESS-SIGN": okx_signature(secret, timestamp, method, path, query, data),
        "OK-ACCESS-TIMESTAMP": timestamp,
        "OK-ACCESS-PASSPHRASE": password,
        "Content-Type": "application/json",
    }
