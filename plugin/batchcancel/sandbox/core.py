"""``Sandbox``: the loopback Bybit v5 + Bitget v2 exchange and its test-facing API."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import bitget, bybit
from .accounts import Account, AccountRegistry, ServerClock
from .bitget import BitgetDialect
from .book import Books, OrderBook, SandboxOrder
from .bybit import SPOT_ORDER_FILTERS, BybitDialect
from .faults import DEFAULT_HOLD_S, FaultPlan, LatencyPlan
from .limits import BudgetTable, RateLimiter
from .log import RequestLog, ServedRequest
from .markets import (
    BITGET,
    BYBIT,
    DEFAULT_COUNT,
    EXCHANGES,
    Market,
    MarketCatalog,
    default_bitget_markets,
    default_bybit_markets,
)
from .server import Router, SandboxHTTPServer, check_loopback
from .wire import ExchangeContext

# ccxt options that keep start-up to the calls the sandbox serves (facts §1.7, §2.6).
LEAN_OPTIONS: dict[str, dict[str, Any]] = {
    BYBIT: {
        "fetchMarkets": {"types": ["spot", "linear", "inverse"]},
        "enableUnifiedAccount": True,
        "enableUnifiedMargin": False,
    },
    BITGET: {"uta": False, "fetchMarkets": {"types": ["spot", "swap"]}},
}
_ORDER_ID_PREFIXES = {BYBIT: 19, BITGET: 12}

AccountRef = Account | str | None  # an Account, a uid, or None for the default account


class Sandbox:
    """A loopback exchange for Bybit v5 and Bitget v2 that real ccxt and pybit talk to unchanged."""

    def __init__(
        self,
        *,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        seed: int = 0,
        budget_scale: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        secret: str | None = None,
        password: str | None = None,
        markets_per_type: int = DEFAULT_COUNT,
        rate_window_s: float = 1.0,
    ) -> None:
        self._host = check_loopback(host)
        self._requested_port = port
        self.seed = seed
        self._initial_scale = budget_scale
        self._clock = ServerClock()
        self._accounts = AccountRegistry()
        self.default_account = self._accounts.create(api_key=api_key, secret=secret, password=password)
        self._catalogs = {
            BYBIT: MarketCatalog(BYBIT, default_bybit_markets(markets_per_type)),
            BITGET: MarketCatalog(BITGET, default_bitget_markets(markets_per_type)),
        }
        self._books = Books(_ORDER_ID_PREFIXES)
        self._rate_window_s = rate_window_s
        self._limiter = RateLimiter(self._clock, rate_window_s)
        self._budgets = BudgetTable(budget_scale)
        self._faults = FaultPlan(seed)
        self._latency = LatencyPlan(latency_ms, jitter_ms, seed)
        self._log = RequestLog()
        self._stopping = threading.Event()
        dialects = {
            name: dialect(
                ExchangeContext(
                    self._catalogs[name],
                    self._accounts,
                    self._clock,
                    self._books,
                    self._limiter,
                    self._budgets,
                )
            )
            for name, dialect in ((BYBIT, BybitDialect), (BITGET, BitgetDialect))
        }
        self._router = Router(
            dialects[BYBIT], dialects[BITGET], self._faults, self._latency, self._log, self._stopping
        )
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --------------------------------------------------------------- lifecycle

    def start(self) -> Sandbox:
        if self._server is not None:
            raise RuntimeError("sandbox already started")
        self._stopping.clear()
        self._server = SandboxHTTPServer(self._host, self._requested_port, self._router)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="batchcancel-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # releases responses held by timeout faults
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> Sandbox:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url if self._server else None!r}, account={self.default_account!r})"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("sandbox not started (use `with Sandbox() as sb:` or sb.start())")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    # ------------------------------------------------------------- credentials

    @property
    def api_key(self) -> str:
        return self.default_account.api_key

    @property
    def secret(self) -> str:
        return self.default_account.secret

    @property
    def password(self) -> str:
        return self.default_account.password

    def add_account(
        self, *, api_key: str | None = None, secret: str | None = None, password: str | None = None
    ) -> Account:
        """A new UID with its own credentials (and so its own rate budgets and order books)."""
        return self._accounts.create(api_key=api_key, secret=secret, password=password)

    def accounts(self) -> list[Account]:
        return self._accounts.all()

    def _uid(self, account: AccountRef) -> str:
        if account is None:
            return self.default_account.uid
        uid = account.uid if isinstance(account, Account) else account
        return self._accounts.by_uid(uid).uid

    # ----------------------------------------------------------------- markets

    def markets(self, exchange: str) -> list[Market]:
        return list(self._catalog(exchange))

    def market(self, exchange: str, symbol: str) -> Market:
        return self._catalog(exchange).by_symbol(symbol)

    def _catalog(self, exchange: str) -> MarketCatalog:
        if exchange not in EXCHANGES:
            raise ValueError(f"unknown exchange {exchange!r}; the sandbox serves {', '.join(EXCHANGES)}")
        return self._catalogs[exchange]

    # ------------------------------------------------------------------ orders

    def seed_orders(
        self,
        exchange: str,
        counts: Mapping[str, int],
        *,
        client_ids: bool = True,
        order_filter: str | None = None,
        account: AccountRef = None,
    ) -> list[SandboxOrder]:
        """Open ``counts[symbol]`` resting orders per unified symbol, server-side, in one go.

        ``order_filter`` (Bybit spot only) makes them conditional: "StopOrder" or "tpslOrder".
        """
        catalog = self._catalog(exchange)
        plan = [(catalog.by_symbol(symbol), int(count)) for symbol, count in counts.items()]
        if order_filter is not None:
            if order_filter not in SPOT_ORDER_FILTERS:
                raise ValueError(f"order_filter must be one of {SPOT_ORDER_FILTERS}")
            if exchange != BYBIT or any(not market.is_spot for market, _ in plan):
                raise ValueError("order_filter applies to Bybit spot markets only")
        spot_filter = order_filter or "Order"
        return self._book(exchange, self._uid(account)).seed(
            plan,
            client_ids=client_ids,
            now_ms=self._clock.now_ms(),
            order_filter=lambda m: spot_filter if exchange == BYBIT and m.is_spot else None,
        )

    def _book(self, exchange: str, uid: str) -> OrderBook:
        self._catalog(exchange)
        return self._books.book(exchange, uid)

    def _books_of(self, exchange: str, account: AccountRef) -> Iterable[OrderBook]:
        """One account's book, or (``account=None``) every account's books of ``exchange``."""
        self._catalog(exchange)
        if account is not None:
            return [self._book(exchange, self._uid(account))]
        return self._books.for_exchange(exchange)

    def orders(
        self, exchange: str, status: str | None = None, *, account: AccountRef = None
    ) -> list[SandboxOrder]:
        """Orders in creation order; ``account=None`` means every account."""
        return [
            o
            for book in self._books_of(exchange, account)
            for o in book.orders(None if status is None else (lambda o: o.status == status))
        ]

    def open_orders(self, exchange: str, *, account: AccountRef = None) -> list[SandboxOrder]:
        return self.orders(exchange, "open", account=account)

    def order(self, exchange: str, order_id: str) -> SandboxOrder:
        for book in self._books_of(exchange, None):
            found = book.get(order_id)
            if found is not None:
                return found
        raise KeyError(f"no {exchange} sandbox order {order_id!r}")

    def fill(self, exchange: str, order_ids: Iterable[str], *, qty: str | None = None) -> list[SandboxOrder]:
        """Mark open orders filled; a later cancel answers the exchange's "does not exist" code.

        With ``qty`` (a decimal string) each order only fills that much in total and stays open,
        partially filled: a cancel still cancels the rest."""
        ids = list(order_ids)
        now = self._clock.now_ms()
        if qty is not None:
            return [o for book in self._books_of(exchange, None) for o in book.fill_part(ids, qty, now)]
        return [o for book in self._books_of(exchange, None) for o in book.mark(ids, "filled", now)]

    # ------------------------------------------------------------------- knobs

    def reset(self) -> None:
        """Forget orders, the log, faults, budgets used and knob changes; markets and accounts stay."""
        self._books.clear()
        self._log.clear()
        self._faults.reset()
        self._latency.reset()
        self._limiter.clear()
        self._limiter.set_window(self._rate_window_s)
        self._budgets.set_scale(self._initial_scale)
        self._budgets.clear_overrides()
        self._clock.skew_ms = 0

    def set_latency(self, ms: float, jitter_ms: float = 0.0, path: str | None = None) -> None:
        """Delay every response (or those whose path matches the glob ``path``) by ms + U(0, jitter)."""
        self._latency.set(ms, jitter_ms, path)

    def inject(
        self,
        path: str,
        fault: str,
        *,
        times: int | None = 1,
        rate: float | None = None,
        hold_s: float = DEFAULT_HOLD_S,
    ) -> None:
        """Make requests to ``path`` (a glob) fail with ``fault``: the next ``times`` of them, or
        with seeded probability ``rate`` (at most ``times``; ``times=None`` means no cap)."""
        self._faults.inject(path, fault, times=times, rate=rate, hold_s=hold_s)

    def clear_faults(self) -> None:
        self._faults.reset()

    def set_budget_scale(self, scale: float) -> None:
        """Multiply every documented limit (at least 1 remains); headers report the scaled limit."""
        self._budgets.set_scale(scale)

    def set_rate_window(self, seconds: float) -> None:
        """Lengthen (or shorten) the rolling window every budget is counted over (default 1 s).

        A long window makes budget tests independent of how fast the machine is: nothing
        expires between two requests of the test."""
        self._limiter.set_window(seconds)

    def set_limit(self, exchange: str, path: str, limit: int | None, *, group: str | None = None) -> None:
        """Pin one endpoint's limit (absolute, unscaled; None unpins). Bybit ``group``: "spot",
        "derivatives" (linear + inverse) or "option"; ``path="public"`` is the per-IP budget."""
        self._catalog(exchange)
        self._budgets.set_limit(exchange, path, limit, group)

    def limit(self, exchange: str, path: str, *, group: str | None = None) -> int:
        """The limit ``path`` enforces now: the documented one times the scale, or the pinned one."""
        self._catalog(exchange)
        base = bybit.base_limit(path, group) if exchange == BYBIT else bitget.base_limit(path)
        return self._budgets.limit(exchange, path, group, base)

    @property
    def rate_window_s(self) -> float:
        return self._limiter.window_s

    def set_clock_skew(self, ms: int) -> None:
        """Shift the server clock; clients must resync (ccxt ``load_time_difference()``)."""
        self._clock.skew_ms = int(ms)

    def server_time_ms(self) -> int:
        return self._clock.now_ms()

    # --------------------------------------------------------------------- log

    @property
    def log(self) -> list[ServedRequest]:
        return self._log.snapshot()

    def clear_log(self) -> None:
        self._log.clear()

    def on_request(self, listener: Callable[[ServedRequest], None]) -> None:
        """Call ``listener`` with each :class:`ServedRequest` as it is logged (on the serving thread,
        before the response is written; it must be quick and must not raise)."""
        self._log.subscribe(listener)

    def count(self, path: str | None = None, exchange: str | None = None) -> int:
        return self._log.count(path, exchange)

    # ----------------------------------------------------------------- clients

    def client(
        self, exchange: str, async_: bool = False, *, account: AccountRef = None, **ccxt_config: Any
    ) -> Any:
        """A real ccxt exchange pointed at the sandbox, with the lean options; ``ccxt_config``
        merges over the defaults (``options`` key by key)."""
        self._catalog(exchange)
        if async_:
            import ccxt.async_support as module
        else:
            import ccxt as module
        owner = self._accounts.by_uid(self._uid(account))
        options = {**LEAN_OPTIONS[exchange], **ccxt_config.pop("options", {})}
        config: dict[str, Any] = {"apiKey": owner.api_key, "secret": owner.secret}
        if exchange == BITGET:
            config["password"] = owner.password
        config.update(ccxt_config)
        config["options"] = options
        ex = getattr(module, exchange)(config)
        ex.urls["api"] = {key: self.url for key in ex.urls["api"]}
        ex.has["fetchCurrencies"] = False
        return ex

    def pybit_session(self, *, account: AccountRef = None, **kwargs: Any) -> Any:
        """A pybit ``unified_trading.HTTP`` session whose endpoint is the sandbox (pybit is a test
        dependency: installed with the ``test`` extra)."""
        from pybit.unified_trading import HTTP

        owner = self._accounts.by_uid(self._uid(account))
        session = HTTP(api_key=owner.api_key, api_secret=owner.secret, **kwargs)
        session.endpoint = self.url  # pybit joins endpoint + "/v5/..." for every call
        return session
