"""What an exchange package gives the sandbox: a server for its wire API and a record describing it.

Each exchange lives in its own package (``sandbox/bybit/``, ``sandbox/bitget/``) and exports one
:class:`ExchangeSpec` as ``EXCHANGE``; ``registry.py`` lists them. The HTTP plumbing
(``server.py``) and the ``Sandbox`` facade (``core.py``) only ever talk to these two types, so a
new exchange is a new package plus one line in the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from .markets import Market
from .wire import ExchangeContext, HttpRequest, Reply


class ExchangeServer(Protocol):
    """One exchange's wire API, as the router drives it."""

    name: str
    ctx: ExchangeContext
    redirect_path: str
    """Where the redirect fault sends a client: the exchange's public time endpoint."""
    empty_success: Mapping[str, Any]
    """The exchange's success envelope around an empty result (the ok_without_id fault)."""

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


def no_order_filter(order_filter: str | None, markets: Sequence[Market]) -> Callable[[Market], str | None]:
    """The seeding rule of exchanges without conditional-order filters: none may be asked for."""
    if order_filter is not None:
        raise ValueError("order_filter applies to Bybit spot markets only")
    return lambda market: None


@attrs.frozen
class ExchangeSpec:
    """Everything the sandbox needs to serve one exchange and to hand out clients for it."""

    name: str
    """The ccxt id (``bybit``), used in ``Sandbox`` calls, the request log and order records."""
    path_prefixes: tuple[str, ...]
    """Request paths starting with one of these are this exchange's (``/v5/``, ``/api/``)."""
    server: Callable[[ExchangeContext], ExchangeServer]
    """Builds the exchange's server over the sandbox state it shares with the test API."""
    default_markets: Callable[[int], list[Market]]
    """The markets listed, given how many per market type (``markets_per_type``)."""
    order_id_digits: int
    """Length of the numeric order ids the exchange hands out."""
    base_limit: Callable[[str, str | None], int]
    """The documented budget of ``(path, group)`` per account and window, before scaling."""
    lean_options: Mapping[str, Any] = attrs.field(factory=dict)
    """ccxt options that keep a client's start-up to the calls the sandbox serves."""
    needs_password: bool = False
    """The exchange's API keys come with a passphrase (ccxt ``password``)."""
    seed_order_filter: Callable[[str | None, Sequence[Market]], Callable[[Market], str | None]] = (
        no_order_filter
    )
    """Checks ``Sandbox.seed_orders(order_filter=...)`` and says each seeded order's filter."""
    client_class: Callable[[bool], type] | None = None
    """The ccxt class for ``Sandbox.client`` (sync or async); None means ccxt's class named ``name``."""
