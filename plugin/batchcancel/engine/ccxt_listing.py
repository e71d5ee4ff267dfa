"""The kill switch for any exchange ccxt supports: list open orders with ``fetch_open_orders``,
cancel them with ccxt single cancels.

Slower than a native dialect (one request per order), but it works wherever ccxt can list and
cancel: every exchange gets a kill switch. With symbols given, each is listed on its own
(``fetch_open_orders(symbol)``); without, one ``fetch_open_orders()`` reads the account (an
exchange that needs a symbol there refuses, and the call says it could not read the open
orders). ccxt returns one page; the kill switch reads again after each round of cancels, so
orders past the first page are found by a later read.

Only the kill switch uses this dialect: the fallback of ``cancel_orders`` keeps verifying each
order by its state (:class:`~batchcancel.engine.ccxt_single.CcxtSingleCancel`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from batchcancel.engine.ccxt_single import CLIENT_ID_PARAM, CcxtSingleCancel
from batchcancel.engine.dialect import Call, MalformedResponse, Route
from batchcancel.engine.reading import OpenOrder, OpenPage

LIST = Route("open-orders", max_items=1)
ALL = "*"
"""The scope of one ``fetch_open_orders()`` without a symbol."""


class CcxtListing(CcxtSingleCancel):
    """ccxt's ``fetch_open_orders`` for the listing, ``cancel_order`` for the cancels."""

    def __init__(self, client_id_param: str, exchange_id: str, symbols: Sequence[str] | None) -> None:
        super().__init__(client_id_param, exchange_id)
        self.symbols = tuple(symbols) if symbols is not None else None

    @classmethod
    def for_exchange(cls, exchange_id: str, symbols: Sequence[str] | None = None) -> CcxtListing:
        return cls(CLIENT_ID_PARAM.get(exchange_id, "clientOrderId"), exchange_id, symbols)

    def list_scopes(self, markets: Mapping[str, Any]) -> Sequence[Hashable]:
        return self.symbols if self.symbols is not None else (ALL,)

    def build_list(self, scope: Hashable, cursor: str | None) -> Call:
        args = () if scope == ALL else (scope,)
        return Call("fetch_open_orders", args, route=LIST, via="ccxt:open-orders")

    def read_list(self, call: Call, response: Any) -> OpenPage:
        if not isinstance(response, list):
            raise MalformedResponse(f"fetch_open_orders gave {type(response).__name__}, not a list")
        orders = []
        for order in response:
            if not isinstance(order, Mapping) or not order.get("id") or not order.get("symbol"):
                raise MalformedResponse("an open order without an id or a symbol")
            client_id = order.get("clientOrderId")
            # place is the unified symbol (place_of's default), market_id left empty: the symbol
            # names the market.
            orders.append(
                OpenOrder(str(order["id"]), str(client_id) if client_id else None, str(order["symbol"]))
            )
        return OpenPage(tuple(orders), None)
