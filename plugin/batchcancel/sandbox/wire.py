"""What travels between the HTTP plumbing and the exchange servers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from .accounts import Account, AccountRegistry, ServerClock
from .book import Books
from .countdown import Countdowns
from .limits import BudgetTable, Grant, RateLimiter
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


@attrs.define
class RequestContext:
    """One request on its way through a handler, collecting what the reply and the log need."""

    request: HttpRequest
    """The request as received."""
    params: dict[str, Any]
    """Its parameters: the query of a GET, the JSON body of a POST."""
    account: Account | None = None
    """The account that signed it, once authenticated."""
    grant: Grant | None = None
    """The budget draw: Bybit reports it in its rate-limit headers; the request log shows what it left."""
    items: int = 0
    """Orders it names (cancel requests), for the log."""
    item_codes: tuple[str, ...] = ()
    """Per-order result codes of a batch, in response order, for the log."""
    time_override: int | None = None
    """An envelope time that must equal the answer's own (Bybit's market time)."""


@attrs.frozen
class ExchangeContext:
    """The sandbox state an exchange server reads and changes."""

    catalog: MarketCatalog
    accounts: AccountRegistry
    clock: ServerClock
    books: Books
    limiter: RateLimiter
    budgets: BudgetTable
    countdowns: Countdowns = attrs.field(factory=Countdowns)
    """Cancel-all countdowns (dead-man's switches) the exchanges arm; shared by all of them."""


_NOT_JSON = object()


def _loads(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _NOT_JSON


def parse_json_object(body: bytes) -> dict[str, Any] | None:
    """The request body as a JSON object; None when it is not one (an empty body is ``{}``)."""
    if not body.strip():
        return {}
    value = _loads(body)
    return value if isinstance(value, dict) else None


def parse_json_array(body: bytes) -> list[Any] | None:
    """The request body as a JSON array (Bitget v3's cancel-batch); None when it is not one."""
    value = _loads(body)
    return value if isinstance(value, list) else None


def is_positive_number(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False


def int_param(params: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    """An integer query parameter clamped to [low, high]; junk means the default."""
    raw = str(params.get(key, ""))
    return min(max(int(raw), low), high) if raw.isdigit() else default
