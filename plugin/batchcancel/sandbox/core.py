"""``Sandbox``: the loopback exchange (Bybit v5, Bitget v2, OKX v5, Binance USDⓈ-M) and its test API."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from . import bitget
from .accounts import Account, AccountRegistry, ServerClock
from .book import Books, OrderBook, SandboxOrder
from .countdown import Countdowns
from .exchange import ExchangeSpec
from .faults import DEFAULT_HOLD_S, FaultPlan, LatencyPlan
from .limits import BudgetTable, RateLimiter
from .log import RequestLog, ServedRequest
from .markets import DEFAULT_COUNT, Market, MarketCatalog
from .registry import EXCHANGES
from .server import Router, SandboxHTTPServer, check_loopback
from .urls import sandbox_urls
from .wire import ExchangeContext

# ccxt options that keep a client's start-up to the calls the sandbox serves, per exchange.
LEAN_OPTIONS: dict[str, dict[str, Any]] = {spec.name: dict(spec.lean_options) for spec in EXCHANGES}

AccountRef = Account | str | None  # an Account, a uid, or None for the default account


def _with_bitget_uta(exchanges: Sequence[ExchangeSpec]) -> list[ExchangeSpec]:
    """``exchanges`` with Bitget serving unified trading accounts (v3) instead of classic ones."""
    if not any(spec.name == bitget.EXCHANGE.name for spec in exchanges):
        raise ValueError("bitget_uta=True needs bitget among the exchanges served")
    return [bitget.UTA_EXCHANGE if spec.name == bitget.EXCHANGE.name else spec for spec in exchanges]


class Sandbox:
    """A loopback exchange for Bybit v5, Bitget v2, OKX v5 and Binance USDⓈ-M that real ccxt (and
    pybit, for Bybit) talk to unchanged.

    ``exchanges`` lists what it serves (default: ``registry.EXCHANGES``); see docs/sandbox.md for
    adding one. With ``bitget_uta`` its Bitget accounts are unified trading accounts: v3 only."""

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
        exchanges: Sequence[ExchangeSpec] = EXCHANGES,
        bitget_uta: bool = False,
    ) -> None:
        self._host = check_loopback(host)
        self._requested_port = port
        self.seed = seed
        self._initial_scale = budget_scale
        self._clock = ServerClock()
        self._accounts = AccountRegistry()
        self.default_account = self._accounts.create(api_key=api_key, secret=secret, password=password)
        if not exchanges:
            raise ValueError("the sandbox needs at least one exchange to serve")
        if not isinstance(bitget_uta, bool):
            raise TypeError(f"bitget_uta must be a bool, not {type(bitget_uta).__name__}")
        if bitget_uta:
            exchanges = _with_bitget_uta(exchanges)
        self.bitget_uta = bitget_uta
        prefixes = [prefix for spec in exchanges for prefix in spec.path_prefixes]
        if len({spec.name for spec in exchanges}) < len(exchanges) or len(set(prefixes)) < len(prefixes):
            raise ValueError("each exchange needs its own name and its own path prefixes")
        self._exchanges = {spec.name: spec for spec in exchanges}
        self._catalogs = {
            spec.name: MarketCatalog(spec.name, spec.default_markets(markets_per_type)) for spec in exchanges
        }
        self._books = Books({spec.name: spec.order_id_digits for spec in exchanges})
        self._rate_window_s = rate_window_s
        self._limiter = RateLimiter(self._clock, rate_window_s)
        self._budgets = BudgetTable(budget_scale)
        self._countdowns = Countdowns()
        self._faults = FaultPlan(seed)
        self._latency = LatencyPlan(latency_ms, jitter_ms, seed)
        self._log = RequestLog()
        self._stopping = threading.Event()
        servers = {  # each over its own catalog and the state every exchange shares
            spec.name: spec.server(
                ExchangeContext(
                    self._catalogs[spec.name],
                    self._accounts,
                    self._clock,
                    self._books,
                    self._limiter,
                    self._budgets,
                    self._countdowns,
                )
            )
            for spec in exchanges
        }
        self._router = Router(
            {prefix: servers[spec.name] for spec in exchanges for prefix in spec.path_prefixes},
            servers[exchanges[0].name],
            self._faults,
            self._latency,
            self._log,
            self._stopping,
        )
        self._servers = servers
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
        self._countdowns.clear()
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
        return self._catalogs[self._spec(exchange).name]

    def _spec(self, exchange: str) -> ExchangeSpec:
        try:
            return self._exchanges[exchange]
        except KeyError:
            served = ", ".join(self._exchanges)
            raise ValueError(f"unknown exchange {exchange!r}; the sandbox serves {served}") from None

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

        ``order_filter``: Bybit spot "StopOrder" / "tpslOrder", Bitget futures a plan ``planType``
        ("normal_plan", "pos_loss"...), OKX an algo ``ordType`` (docs/sandbox.md)."""
        catalog = self._catalog(exchange)
        plan = [(catalog.by_symbol(symbol), int(count)) for symbol, count in counts.items()]
        filter_of = self._spec(exchange).seed_order_filter(order_filter, [market for market, _ in plan])
        return self._book(exchange, self._uid(account)).seed(
            plan, client_ids=client_ids, now_ms=self._clock.now_ms(), order_filter=filter_of
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
        self._countdowns.clear()
        self._clock.skew_ms = 0
        for server in self._servers.values():
            getattr(server, "reset", lambda: None)()  # an exchange's own state (Binance's countdowns)

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
        base = self._spec(exchange).base_limit(path, group)
        return self._budgets.limit(exchange, path, group, base)

    @property
    def rate_window_s(self) -> float:
        return self._limiter.window_s

    def set_countdown_minimum(self, exchange: str, seconds: float | None) -> None:
        """Let ``exchange``'s cancel-all countdown be as short as ``seconds`` (tests arm
        sub-second dead-man's switches); None restores the documented minimum (OKX: 10 s)."""
        self._catalog(exchange)
        self._countdowns.set_minimum(exchange, seconds)

    def countdown_deadline(
        self, exchange: str, *, account: AccountRef = None, scope: str | None = None
    ) -> float | None:
        """When ``exchange``'s countdown for ``account`` (and ``scope``: None account-wide, else
        the exchange's symbol) runs out, in epoch seconds; None when none is armed."""
        self._catalog(exchange)
        return self._countdowns.deadline((exchange, self._uid(account), scope))

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
        spec = self._spec(exchange)
        owner = self._accounts.by_uid(self._uid(account))
        options = {**spec.lean_options, **ccxt_config.pop("options", {})}
        config: dict[str, Any] = {"apiKey": owner.api_key, "secret": owner.secret}
        if spec.needs_password:
            config["password"] = owner.password
        config.update(ccxt_config)
        config["options"] = options
        ex = self._client_class(spec, async_)(config)
        ex.urls["api"] = sandbox_urls(ex.urls["api"], self.url)
        ex.has["fetchCurrencies"] = False
        return ex

    @staticmethod
    def _client_class(spec: ExchangeSpec, async_: bool) -> Any:
        if spec.client_class is not None:
            return spec.client_class(async_)
        if async_:
            import ccxt.async_support as module
        else:
            import ccxt as module
        return getattr(module, spec.name)

    def pybit_session(self, *, account: AccountRef = None, **kwargs: Any) -> Any:
        """A pybit ``unified_trading.HTTP`` session whose endpoint is the sandbox (pybit is a test
        dependency: installed with the ``test`` extra)."""
        from pybit.unified_trading import HTTP

        owner = self._accounts.by_uid(self._uid(account))
        session = HTTP(api_key=owner.api_key, api_secret=owner.secret, **kwargs)
        session.endpoint = self.url  # pybit joins endpoint + "/v5/..." for every call
        return session
