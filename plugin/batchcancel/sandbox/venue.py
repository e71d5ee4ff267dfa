"""The sandbox state as an exchange's handlers see it: its markets, order books and clock.

Each exchange package subclasses :class:`Venue` with its own budget charging and error shapes,
and its handlers take that venue (never the exchange's server, which imports the handlers).
"""

from __future__ import annotations

from typing import Any

from .book import OrderBook
from .markets import Market
from .wire import ExchangeContext, RequestContext


class Venue:
    """One exchange's slice of the shared sandbox state."""

    name: str = "?"

    def __init__(self, ctx: ExchangeContext) -> None:
        self.ctx = ctx

    def book(self, call: RequestContext) -> OrderBook:
        """The order book of the account that signed ``call``."""
        assert call.account is not None
        return self.ctx.books.book(self.name, call.account.uid)

    def market(self, category: str, symbol: Any) -> Market:
        """The market ``symbol`` (native id) of ``category``, or the exchange's "bad symbol" error."""
        market = self.ctx.catalog.native(category, str(symbol or ""))
        if market is None:
            raise self.unknown_symbol()
        return market

    def unknown_symbol(self) -> Exception:
        """The exchange's own error for a symbol it does not list; each exchange's venue says it."""
        raise TypeError(f"{type(self).__name__} does not say how {self.name} answers an unknown symbol")
