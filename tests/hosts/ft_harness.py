"""A real freqtrade bot, live mode, on the batchcancel sandbox: config, seeding, actions, final state.

Every bot is a real ``FreqtradeBot`` built from a config file through freqtrade's own
``Configuration``; its exchange talks HTTP to the sandbox because ``exchange.ccxt_config`` points
every ccxt API URL there. Seeding goes through freqtrade itself (``execute_entry``,
``update_trade_state``, ``execute_trade_exit``), so the database rows are freqtrade's own.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from batchcancel.sandbox import Sandbox

_EXAMPLE = Path(__file__).resolve().parents[2] / "examples/freqtrade-sandbox/resting_orders.py"
_ENTRY = 'df["enter_long"] = 1'
# The recipe's shipped strategy (docs/hosts/freqtrade.md), without its entry signal: the tests
# open and close trades themselves.
STRATEGY = (
    _EXAMPLE.read_text()
    .replace("class RestingOrders(", "class TinyStrategy(")
    .replace(_ENTRY, 'df["enter_long"] = 0')
)
assert "class TinyStrategy(" in STRATEGY and _ENTRY not in STRATEGY, "the example strategy changed"

PAIRS = 8  # open trades per scenario
CANCEL_PATHS = {
    "bybit": ("/v5/order/cancel",),
    "bitget": ("/api/v2/spot/trade/cancel-order", "/api/v2/mix/order/cancel-order"),
}
BATCH_PATHS = {
    "bybit": ("/v5/order/cancel-batch",),
    "bitget": ("/api/v2/spot/trade/batch-cancel-order", "/api/v2/mix/order/batch-cancel-orders"),
}


def dialect(exchange: str) -> str:
    """The sandbox dialect serving a freqtrade exchange name (bybiteu speaks Bybit v5)."""
    return "bitget" if exchange == "bitget" else "bybit"


def api_keys(exchange: str) -> list[str]:
    import ccxt

    return [key for key in getattr(ccxt, exchange)().urls["api"] if key != "ws"]


def pairs_for(sb: Sandbox, exchange: str, mode: str, count: int = PAIRS) -> list[str]:
    suffix = "/USDT" if mode == "spot" else "/USDT:USDT"
    return [m.symbol for m in sb.markets(dialect(exchange)) if m.symbol.endswith(suffix)][:count]


@contextlib.contextmanager
def root_logging_kept() -> Iterator[None]:
    """freqtrade's Configuration re-configures the root logger; pytest's capture must survive it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def write_config(
    sb: Sandbox,
    workdir: Path,
    strategy_dir: Path,
    datadir: Path,
    *,
    exchange: str,
    mode: str,
    batch_cancel: dict[str, Any] | None = None,
    dry_run: bool = False,
    initial_state: str = "running",
    cancel_on_exit: bool = True,
    pairs: list[str] | None = None,
    rate_limit: bool = False,
) -> Path:
    """A freqtrade config file for a live (or dry-run) bot on the sandbox."""
    config: dict[str, Any] = {
        "dry_run": dry_run,
        "trading_mode": mode,
        "max_open_trades": 200,
        "stake_currency": "USDT",
        "stake_amount": 100,
        "timeframe": "5m",
        "cancel_open_orders_on_exit": cancel_on_exit,
        "initial_state": initial_state,
        "entry_pricing": {"price_side": "same", "use_order_book": False},
        "exit_pricing": {"price_side": "same", "use_order_book": False},
        "exchange": {
            "name": exchange,
            "key": sb.api_key,
            "secret": sb.secret,
            "password": sb.password,
            "enable_ws": False,
            "pair_whitelist": pairs or pairs_for(sb, exchange, mode),
            # ccxt's own pacing off: both runs of a comparison pay it alike, and it only slows CI.
            "ccxt_config": {
                "enableRateLimit": rate_limit,
                "urls": {"api": dict.fromkeys(api_keys(exchange), sb.url)},
            },
            "ccxt_async_config": {"enableRateLimit": rate_limit},
        },
        "pairlists": [{"method": "StaticPairList"}],
        "strategy": "TinyStrategy",
        "strategy_path": str(strategy_dir),
        "user_data_dir": str(workdir),
        "datadir": str(datadir),  # shared: freqtrade caches leverage tiers there for a day
        "db_url": f"sqlite:///{workdir}/trades.sqlite",
    }
    if exchange == "bybiteu":
        # freqtrade has no class of its own for Bybit EU (its generic Exchange does not pass
        # ccxt's "acknowledged" flag to fetch_order): the flag as a ccxt option instead.
        config["exchange"]["ccxt_config"]["options"] = {"fetchOrder": {"acknowledged": True}}
    if mode == "futures":
        config["margin_mode"] = "isolated"
    if dry_run:
        config["dry_run_wallet"] = 1_000_000
    if batch_cancel is not None:
        config["batch_cancel"] = batch_cancel
    path = workdir / "config.json"
    path.write_text(json.dumps(config, indent=1))
    return path


def load_config(path: Path) -> dict[str, Any]:
    from freqtrade.configuration import Configuration

    with root_logging_kept():
        return Configuration({"config": [str(path)]}, None).get_config()


@attrs.frozen
class State:
    """What a comparison compares: freqtrade's rows, its notifications, the exchange's book."""

    orders: tuple[tuple[Any, ...], ...]
    trades: tuple[tuple[Any, ...], ...]
    messages: tuple[tuple[Any, ...], ...]
    book: tuple[tuple[Any, ...], ...]


@attrs.define
class Action:
    """One action's requests as the sandbox served them, and the state it left."""

    requests: list[tuple[str, str, int]]
    state: State
    open_before: list[tuple[str, str, str]]  # (order id, symbol, filled qty) as the sandbox had them
    open_rows: int  # open (non-stoploss) order rows in freqtrade's database before the action

    def count(self, paths: tuple[str, ...]) -> int:
        return sum(1 for _, path, _ in self.requests if path in paths)

    def items(self, paths: tuple[str, ...]) -> int:
        return sum(items for _, path, items in self.requests if path in paths)


def _capture(run: Callable[[], Any], errors: list[BaseException]) -> None:
    try:
        run()
    except BaseException as exc:  # handed to the calling thread
        errors.append(exc)


class Bot:
    """A FreqtradeBot on the sandbox, with its notifications recorded."""

    def __init__(self, sb: Sandbox, config_path: Path, exchange: str) -> None:
        from freqtrade.freqtradebot import FreqtradeBot

        self.sb = sb
        self.exchange = exchange
        self.workdir = config_path.parent
        self.closed = False
        self.book = dialect(exchange)
        self.messages: list[tuple[Any, ...]] = []
        self.ft = FreqtradeBot(load_config(config_path))
        self.ft.startup()
        send = self.ft.rpc.send_msg

        def record(msg: dict[str, Any]) -> None:
            keys = ("type", "pair", "reason", "exit_reason", "sub_trade", "amount")
            self.messages.append(tuple(str(msg.get(k)) for k in keys))
            send(msg)

        self.ft.rpc.send_msg = record

    # ------------------------------------------------------------------- seeding

    def reference(self, pair: str) -> float:
        return float(self.sb.market(self.book, pair).reference_price)

    def seed(self, *, exits: bool = True) -> None:
        """One resting entry per whitelisted pair; with ``exits``: the first two entries filled with
        a resting exit order each, and the third entry half filled."""
        from freqtrade.enums import ExitType
        from freqtrade.persistence import Trade
        from freqtrade.strategy.interface import ExitCheckTuple

        for pair in self.ft.active_pair_whitelist:
            assert self.ft.execute_entry(pair, 100, price=self.reference(pair) * 0.9), pair
        Trade.commit()
        if not exits:
            return
        trades = Trade.get_open_trades()
        for trade in trades[:2]:
            order_id = trade.open_orders[0].order_id
            self.sb.fill(self.book, [order_id])
            self.ft.update_trade_state(trade, order_id)
            exit_check = ExitCheckTuple(exit_type=ExitType.EXIT_SIGNAL)
            assert self.ft.execute_trade_exit(trade, self.reference(trade.pair) * 1.2, exit_check)
        partial = self.sb.order(self.book, trades[2].open_orders[0].order_id)
        self.sb.fill(self.book, [partial.order_id], qty=str(round(float(partial.qty) / 2, 3)))
        Trade.commit()

    # ------------------------------------------------------------------- actions

    def open_order_ids(self) -> list[str]:
        from freqtrade.persistence import Trade

        return [o.order_id for t in Trade.get_open_trades() for o in t.open_orders]

    def act(self, action: str, *, thread: bool = False) -> Action:
        """Run ``shutdown`` (cancel_all_open_orders) or ``force_exit`` (/forceexit all); with
        ``thread``, from another thread (as Telegram's handler does, through an executor)."""
        rows = self.open_order_ids()
        on_exchange = {o.order_id: o for o in self.sb.open_orders(self.book)}  # none in dry-run
        open_before = [
            (o.order_id, o.symbol, o.filled_qty)
            for o in (on_exchange.get(order_id) for order_id in rows)
            if o is not None
        ]
        self.messages.clear()
        self.sb.clear_log()
        run = {
            "shutdown": self.ft.cancel_all_open_orders,
            "force_exit": lambda: self.ft.rpc._rpc._rpc_force_exit("all"),
        }[action]
        if thread:
            errors: list[BaseException] = []
            worker = threading.Thread(target=lambda: _capture(run, errors), name="rpc-executor")
            worker.start()
            worker.join()
            if errors:
                raise errors[0]
        else:
            run()
        requests = [(r.method, r.path, r.items) for r in self.sb.log]
        return Action(requests, self.state(), open_before, len(rows))

    def state(self) -> State:
        from freqtrade.persistence import Order, Trade

        orders = tuple(
            (o.ft_pair, o.ft_order_side, o.status, o.ft_is_open, o.ft_cancel_reason, o.filled, o.remaining)
            for o in Order.session.query(Order).order_by(Order.id).all()
        )
        trades = tuple(
            (t.pair, t.is_open, round(t.amount, 8), t.exit_reason, t.close_rate_requested, t.stake_amount)
            for t in Trade.session.query(Trade).order_by(Trade.id).all()
        )
        book = tuple((o.symbol, o.side, o.status, o.filled_qty) for o in self.sb.orders(self.book))
        return State(orders, trades, tuple(self.messages), book)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.ft.cleanup()  # freqtrade's own: closes the exchange (and cancels what is left open)
