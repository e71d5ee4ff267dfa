"""The toy exchange's documented facts, as its sandbox applies them (the client keeps its own copy)."""

from __future__ import annotations

import hashlib
import hmac

EXCHANGE_ID = "toy"
MARKETS, CANCEL_BATCH = "/toy/v1/markets", "/toy/v1/cancel-batch"
BATCH_MAX = 5
REQUESTS_PER_WINDOW = 100


def signature(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    """HMAC-SHA256 over timestamp + method + path + body, hex."""
    prehash = (timestamp + method + path).encode() + body
    return hmac.new(secret.encode(), prehash, hashlib.sha256).hexdigest()
