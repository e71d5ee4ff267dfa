"""What travels between the HTTP plumbing and the exchange dialects."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import attrs

from .accounts import AccountRegistry, ServerClock
from .book import Books
from .limits import BudgetTable, RateLimiter
from .markets import MarketCatalog


@attrs.frozen
class HttpRequest:
    method: str
    path: str
    raw_query: str  # as received, still percent-encoded
    headers: Mapping[str, str]  # keys lower-cased
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@attrs.define
class Reply:
    status: int
    payload: Any  # JSON-serialisable
    headers: dict[str, str] = attrs.Factory(dict)
    account: str | None = None
    code: str | None = None  # top-level code: Bybit retCode, Bitget code
    items: int = 0  # orders named by a cancel request
    item_codes: tuple[str, ...] = ()  # per-item result codes of a batch, in response order
    budget_left: int | None = None  # the charged budget's remainder, when no header says it

    def body(self) -> bytes:
        return json.dumps(self.payload, separators=(",", ":"), ensure_ascii=False).encode()


@attrs.frozen
class ExchangeContext:
    """The sandbox state a dialect reads and changes."""

    catalog: MarketCatalog
    accounts: AccountRegistry
    clock: ServerClock
    books: Books
    limiter: RateLimiter
    budgets: BudgetTable


class Dialect(Protocol):
    name: str
    ctx: ExchangeContext

    def handle(self, request: HttpRequest) -> Reply: ...

    def fault_reply(self, kind: str, request: HttpRequest) -> Reply:
        """The exchange's answer for a not-applied fault: http_500, maintenance or rate_limit."""
        ...

    def internal_error(self, request: HttpRequest) -> Reply: ...

    def count_items(self, request: HttpRequest) -> int: ...

    def account_of(self, request: HttpRequest) -> str | None: ...

    def is_batch(self, path: str) -> bool: ...

    def mangle_batch(self, kind: str, reply: Reply, pick: Callable[[int], int]) -> None:
        """Apply drop_item / extra_item to a batch reply in place."""
        ...


def parse_json_object(body: bytes) -> dict[str, Any] | None:
    """The request body as a JSON object; None when it is not one (an empty body is ``{}``)."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def is_positive_number(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False


def int_param(params: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    """An integer query parameter clamped to [low, high]; junk means the default."""
    raw = str(params.get(key, ""))
    return min(max(int(raw), low), high) if raw.isdigit() else default
