"""What the exchanges' request signatures share (each package's ``signing.py`` has its own scheme).

Bybit and Bitget sign the bytes they were sent: the raw POST body as received (never a
re-serialisation: key order and spacing differ between ccxt and pybit), and for GET the query
string percent-decoded, because ccxt signs the unencoded form while ``requests`` re-quotes the URL.
"""

from __future__ import annotations

import hmac
import time
from urllib.parse import unquote


def signed_query(raw_query: str) -> str:
    """The query as the client signed it (facts §0.2)."""
    return unquote(raw_query)


def same_signature(expected: str, received: str) -> bool:
    return hmac.compare_digest(expected.encode(), received.encode())


def now_ms() -> int:
    return int(time.time() * 1000)
