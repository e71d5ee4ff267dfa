"""What a dialect reads back about orders: one order's state, and pages of the account's open orders.

Two questions the engine asks besides "cancel these":

* **What state is this order in?** Asked before an order would end ``FAILED`` because every cancel
  attempt's answer was lost (a timeout, a 5xx page, a garbled body): the order may well be
  cancelled already, or filled, or still open. One read by id answers it.
* **What is open on the account?** Asked by verify mode once the cancels are done: every open
  order of every market kind, paged to the end with the exchange's own cursor, matched by id. An
  order open under another symbol than the one the caller named is found there too.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs


class OrderState(enum.Enum):
    """One order's state, as a read by id tells it."""

    OPEN = "open"
    """Still open (partially filled included): a cancel is still needed."""
    CANCELED = "canceled"
    """Cancelled: what an unanswered cancel was meant to do has happened."""
    FILLED = "filled"
    """Filled (or otherwise closed by the exchange) before it could be cancelled."""
    GONE = "gone"
    """The exchange knows no such order under the market that was named."""


@attrs.frozen
class OpenOrder:
    """One open order as an account-wide listing shows it."""

    order_id: str
    """The exchange's order id."""
    client_order_id: str | None
    """The client's own id, when the listing shows one."""
    place: str
    """Where it rests, in the dialect's words (e.g. ``BTCUSDT (spot)``); compared with
    :meth:`~batchcancel.engine.Dialect.place_of` to tell a request's market from another."""
    market_id: str = ""
    """The exchange's own symbol of its market (``BTCUSDT``), when the listing shows it: the
    kill switch resolves it (with ``place``) to a ccxt market to name the order in its report.
    Empty: ``place`` is the order's unified symbol."""
    params: tuple[tuple[str, Any], ...] = ()
    """What a cancel of this order must carry besides its ids (e.g. Bybit spot's
    ``orderFilter`` for a conditional order, which a plain cancel does not reach)."""


@attrs.frozen
class OpenPage:
    """One page of an account-wide open-order listing."""

    orders: tuple[OpenOrder, ...]
    """The open orders on this page."""
    next_cursor: str | None
    """The cursor of the next page; None when this page is the last."""


@attrs.frozen
class CancelAllAnswer:
    """What one cancel-all request's answer says: the orders it names as cancelled.

    Only orders the answer names count; an order of the scope the answer leaves out is decided by
    the read-back that follows (still open: cancelled again; gone: the exchange is asked)."""

    order_ids: frozenset[str] = frozenset()
    """Exchange order ids the answer names as cancelled (or accepted for cancelling)."""
    client_order_ids: frozenset[str] = frozenset()
    """Client order ids the answer names, for rows that carry no exchange id."""

    @classmethod
    def of(cls, named: Iterable[tuple[str | None, str | None]]) -> CancelAllAnswer:
        """The answer whose entries name these (order id, client id) pairs: the order id when
        there is one. An entry naming neither is no answer (:class:`ValueError`; a dialect raises
        its ``MalformedResponse``)."""
        ids, client_ids = set(), set()
        for order_id, client_id in named:
            if order_id:
                ids.add(order_id)
            elif client_id:
                client_ids.add(client_id)
            else:
                raise ValueError("a cancel-all entry naming no order")
        return cls(frozenset(ids), frozenset(client_ids))


@attrs.frozen
class HistoryPage:
    """One page of an order-history read: the states of the orders it lists, newest first."""

    states: tuple[tuple[str, OrderState], ...]
    """``(exchange order id, state)`` of each order on the page."""
    next_cursor: str | None
    """The cursor of the next (older) page; None when this page is the last."""
