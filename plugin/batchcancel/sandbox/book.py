"""Order state: one book per (account, exchange), shared by the wire handlers and the test API."""

from __future__ import annotations

import enum
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation

import attrs

from .markets import Market

OPEN = "open"
CANCELED = "canceled"
FILLED = "filled"


@attrs.frozen
class SandboxOrder:
    exchange: str
    account: str  # uid
    order_id: str
    client_order_id: str  # "" when the client gave none
    symbol: str  # ccxt unified symbol
    native_symbol: str
    category: str  # bybit: spot/linear/inverse/option; bitget: spot or the productType
    side: str  # "buy" / "sell"
    order_type: str  # "limit" / "market"
    price: str
    qty: str
    status: str  # "open" / "canceled" / "filled"
    order_filter: str | None  # bybit spot: "Order" / "StopOrder" / "tpslOrder"; else None
    created_ms: int
    updated_ms: int
    filled_qty: str = "0"  # what a still-open order has filled so far (``Sandbox.fill(qty=...)``)

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def executed_qty(self) -> str:
        """Cumulative filled quantity: all of it once filled, else what a partial fill left."""
        return self.qty if self.status == FILLED else self.filled_qty


class Miss(enum.Enum):
    """Why a cancel found nothing to cancel (each maps to the exchange's 'does not exist' code)."""

    UNKNOWN = "unknown"
    FILLED = FILLED
    CANCELED = CANCELED
    WRONG_FILTER = "wrong_filter"


@attrs.frozen
class BookCancel:
    order: SandboxOrder | None  # the cancelled order, or the one that could not be cancelled
    miss: Miss | None = None

    @property
    def ok(self) -> bool:
        return self.miss is None


@attrs.frozen
class OrderSpec:
    """What a client asks for when it places an order."""

    side: str  # "buy" / "sell"
    order_type: str  # "limit" / "market"
    price: str
    qty: str
    client_order_id: str = ""
    order_filter: str | None = None
    status: str = OPEN  # a market order is placed already filled: the sandbox matches nothing


class DuplicateClientOrderId(Exception):
    pass


class OrderIds:
    """Numeric, strictly increasing order ids (so "newer" and "id order" agree, as on the exchanges)."""

    def __init__(self, prefix: int) -> None:
        self._prefix = prefix
        self._counter = itertools.count(1)

    def next(self) -> str:
        # next() on itertools.count is atomic under the GIL: ids stay unique across threads.
        return f"{self._prefix}{next(self._counter):017d}"


class OrderBook:
    """The orders of one account on one exchange."""

    def __init__(self, exchange: str, account: str, ids: OrderIds) -> None:
        self.exchange = exchange
        self.account = account
        self._ids = ids
        self._lock = threading.Lock()
        self._orders: dict[str, SandboxOrder] = {}
        self._by_client: dict[str, str] = {}

    def _new(
        self, market: Market, spec: OrderSpec, now_ms: int, *, generated_client_id: bool
    ) -> SandboxOrder:
        order_id = self._ids.next()
        return SandboxOrder(
            exchange=self.exchange,
            account=self.account,
            order_id=order_id,
            client_order_id=f"sbx-{order_id}" if generated_client_id else spec.client_order_id,
            symbol=market.symbol,
            native_symbol=market.native_symbol,
            category=market.category,
            side=spec.side,
            order_type=spec.order_type,
            price=spec.price,
            qty=spec.qty,
            status=spec.status,
            order_filter=spec.order_filter,
            created_ms=now_ms,
            updated_ms=now_ms,
        )

    def place(self, market: Market, spec: OrderSpec, now_ms: int) -> SandboxOrder:
        with self._lock:
            if spec.client_order_id and spec.client_order_id in self._by_client:
                raise DuplicateClientOrderId(spec.client_order_id)
            order = self._new(market, spec, now_ms, generated_client_id=False)
            self._store(order)
            return order

    def _store(self, order: SandboxOrder) -> None:
        self._orders[order.order_id] = order
        if order.client_order_id:
            self._by_client[order.client_order_id] = order.order_id

    def seed(
        self,
        plan: Iterable[tuple[Market, int]],
        *,
        client_ids: bool,
        order_filter: Callable[[Market], str | None],
        now_ms: int,
    ) -> list[SandboxOrder]:
        created: list[SandboxOrder] = []
        with self._lock:
            for market, count in plan:
                reference = float(market.reference_price)
                decimals = max(len(market.tick_size.split(".")[-1]), 2)
                for k in range(count):
                    # A ladder of resting bids below the reference price, like a grid bot leaves.
                    price = f"{reference * (1 - 0.0005 * (k % 400 + 1)):.{decimals}f}"
                    spec = OrderSpec("buy", "limit", price, "1", order_filter=order_filter(market))
                    order = self._new(market, spec, now_ms, generated_client_id=client_ids)
                    self._store(order)
                    created.append(order)
        return created

    def get(self, order_id: str) -> SandboxOrder | None:
        return self._orders.get(order_id)

    def find(self, order_id: str | None, client_order_id: str | None) -> SandboxOrder | None:
        """The order named by ``order_id`` (which wins) or ``client_order_id``, if any."""
        with self._lock:
            if order_id:
                return self._orders.get(order_id)
            found = self._by_client.get(client_order_id) if client_order_id else None
            return self._orders.get(found) if found else None

    def cancel(
        self,
        category: str,
        native_symbol: str,
        *,
        order_id: str | None,
        client_order_id: str | None,
        order_filter: str | None,
        now_ms: int,
    ) -> BookCancel:
        """Cancel one order; ``order_id`` wins over ``client_order_id`` (as Bybit documents).

        ``order_filter`` None means the filter is not checked (every dialect but Bybit spot).
        """
        with self._lock:
            if order_id:
                order = self._orders.get(order_id)
            elif client_order_id:
                found = self._by_client.get(client_order_id)
                order = self._orders.get(found) if found else None
            else:
                order = None
            if order is None or order.category != category or order.native_symbol != native_symbol:
                return BookCancel(None, Miss.UNKNOWN)
            if order_filter is not None and order.order_filter != order_filter:
                return BookCancel(order, Miss.WRONG_FILTER)
            if order.status != OPEN:
                return BookCancel(order, Miss(order.status))
            cancelled = attrs.evolve(order, status=CANCELED, updated_ms=now_ms)
            self._orders[order.order_id] = cancelled
            return BookCancel(cancelled)

    def restore(self, orders: Iterable[SandboxOrder]) -> None:
        """Put orders back as they were (the ack_not_applied fault undoes what a request did)."""
        with self._lock:
            for order in orders:
                self._orders[order.order_id] = order

    def orders(self, predicate: Callable[[SandboxOrder], bool] | None = None) -> list[SandboxOrder]:
        with self._lock:
            values = list(self._orders.values())
        return values if predicate is None else [o for o in values if predicate(o)]

    def mark(self, order_ids: Iterable[str], status: str, now_ms: int) -> list[SandboxOrder]:
        """Move open orders to ``status``; returns the orders changed (unknown or closed ids are skipped)."""
        changed = []
        with self._lock:
            for order_id in order_ids:
                order = self._orders.get(order_id)
                if order is not None and order.status == OPEN:
                    order = attrs.evolve(order, status=status, updated_ms=now_ms)
                    self._orders[order_id] = order
                    changed.append(order)
        return changed

    def fill_part(self, order_ids: Iterable[str], qty: str, now_ms: int) -> list[SandboxOrder]:
        """Fill ``qty`` of each open order (which stays open); unknown or closed ids are skipped."""
        try:
            wanted = Decimal(qty)
        except InvalidOperation:
            raise ValueError(f"qty must be a number, got {qty!r}") from None
        changed = []
        with self._lock:
            for order_id in order_ids:
                order = self._orders.get(order_id)
                if order is None or order.status != OPEN:
                    continue
                if not Decimal(order.filled_qty) < wanted < Decimal(order.qty):
                    raise ValueError(
                        f"a partial fill of order {order_id} must lie between what is filled "
                        f"({order.filled_qty}) and its quantity ({order.qty}), got {qty}"
                    )
                order = attrs.evolve(order, filled_qty=qty, updated_ms=now_ms)
                self._orders[order_id] = order
                changed.append(order)
        return changed

    def clear(self) -> None:
        with self._lock:
            self._orders.clear()
            self._by_client.clear()


class Books:
    """All order books of a sandbox, created on first use."""

    def __init__(self, id_prefixes: Mapping[str, int]) -> None:
        self._ids = {exchange: OrderIds(prefix) for exchange, prefix in id_prefixes.items()}
        self._books: dict[tuple[str, str], OrderBook] = {}
        self._lock = threading.Lock()

    def book(self, exchange: str, account: str) -> OrderBook:
        key = (account, exchange)
        book = self._books.get(key)
        if book is None:
            with self._lock:
                book = self._books.setdefault(key, OrderBook(exchange, account, self._ids[exchange]))
        return book

    def for_exchange(self, exchange: str) -> list[OrderBook]:
        with self._lock:
            return [book for (_, name), book in self._books.items() if name == exchange]

    def clear(self) -> None:
        with self._lock:
            for book in self._books.values():
                book.clear()
