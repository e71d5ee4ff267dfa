"""The freqtrade integration with the real freqtrade, live mode, on the sandbox
(``tox -e freqtrade-oldest,freqtrade-newest``)."""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter

import pytest

pytest.importorskip("freqtrade", reason="freqtrade is not installed: run `tox -e freqtrade-newest`")

from tests.hosts.ft_harness import BATCH_PATHS, CANCEL_PATHS, Action, dialect

COMBOS = [("bybit", "spot"), ("bybit", "futures"), ("bitget", "spot"), ("bitget", "futures")]


def batch_minimum(exchange: str, mode: str, symbols: list[str]) -> int:
    """The fewest batch requests that can cancel orders of ``symbols`` (exchange facts §1.4, §2.4)."""
    if exchange == "bybit":  # one category per request: spot 10, linear 20
        return math.ceil(len(symbols) / (10 if mode == "spot" else 20))
    if mode == "spot":  # Bitget spot batches mix symbols ("multiple" mode), 50 a request
        return math.ceil(len(symbols) / 50)
    return sum(math.ceil(n / 50) for n in Counter(symbols).values())  # Bitget futures: per symbol


def unfilled(action: Action) -> list[str]:
    return [symbol for _, symbol, filled in action.open_before if filled == "0"]


@pytest.mark.parametrize("action", ["shutdown", "force_exit"])
@pytest.mark.parametrize(("exchange", "mode"), COMBOS)
def test_cancels_in_batches_and_ends_as_freqtrade_alone(plain, integrated, exchange, mode, action):
    alone = plain(exchange, mode, action)
    batched = integrated(exchange, mode, action, batch_cancel={"enabled": True})

    # freqtrade's rows, its notifications and the exchange's book end exactly alike.
    assert batched.state == alone.state
    # Every order that was open is closed on the exchange (cancelled, none left behind).
    closed = {(symbol, status) for symbol, _, status, _ in batched.state.book}
    assert len(batched.open_before) == 8
    assert all((symbol, "canceled") in closed for _, symbol, _ in batched.open_before)

    singles, batches = CANCEL_PATHS[dialect(exchange)], BATCH_PATHS[dialect(exchange)]
    # freqtrade alone: one cancel request per order, never a batch.
    assert alone.count(singles) == len(alone.open_before)
    assert alone.count(batches) == 0
    # Integrated: the unfilled orders in the fewest batch requests the exchange allows, and
    # freqtrade's own single cancel only for the partially filled one it must decide about.
    symbols = unfilled(batched)
    assert len(symbols) == 7
    assert batched.count(batches) == batch_minimum(exchange, mode, symbols)
    assert batched.items(batches) == len(symbols)
    assert batched.count(singles) == len(batched.open_before) - len(symbols)
    assert len(batched.requests) < len(alone.requests)


# ------------------------------------------------------------------ exactly freqtrade's behaviour


@pytest.mark.parametrize(
    "batch_cancel",
    [None, {"enabled": False}, {"enabled": True, "disabled_plugins": ["bybit"]}],
    ids=["section-absent", "enabled-false", "plugin-disabled"],
)
def test_toggled_off_is_freqtrade_alone(plain, integrated, batch_cancel):
    alone = plain("bybit", "spot", "shutdown")
    off = integrated("bybit", "spot", "shutdown", batch_cancel=batch_cancel)
    assert off.requests == alone.requests  # the same requests, in the same order
    assert off.state == alone.state


def test_dry_run_is_freqtrade_alone(plain, integrated):
    alone = plain("bybit", "spot", "shutdown", exits=False, dry_run=True)
    dry = integrated("bybit", "spot", "shutdown", exits=False, dry_run=True, batch_cancel={"enabled": True})
    assert dry.open_rows == 8  # freqtrade had simulated orders to cancel...
    assert len(dry.open_before) == 0  # ...that never reached the exchange
    assert dry.requests == alone.requests
    assert dry.state == alone.state
    assert all(not order[3] for order in dry.state.orders)


def test_exchange_without_native_plugin_is_freqtrade_alone(plain, integrated):
    # Bybit EU speaks Bybit v5 (the sandbox serves it) but no batchcancel plugin claims "bybiteu".
    alone = plain("bybiteu", "spot", "shutdown")
    other = integrated("bybiteu", "spot", "shutdown", batch_cancel={"enabled": True})
    assert len(other.open_before) == 8
    assert other.requests == alone.requests
    assert other.state == alone.state


def test_a_single_open_order_costs_no_extra_request(new_bot, integration):
    from batchcancel.hosts.freqtrade import uninstall

    bot = new_bot("bybit", "spot", pairs=["BTC/USDT"], batch_cancel={"enabled": True})
    bot.seed(exits=False)
    one = bot.act("shutdown")
    assert len(one.open_before) == 1
    assert [path for _, path, _ in one.requests].count("/v5/order/cancel") == 1
    assert "/v5/order/cancel-batch" not in {path for _, path, _ in one.requests}

    uninstall()
    alone_bot = new_bot("bybit", "spot", pairs=["BTC/USDT"])
    alone_bot.seed(exits=False)
    assert alone_bot.act("shutdown").requests == one.requests


def test_a_failed_batch_leaves_the_orders_to_freqtrades_own_cancels(plain, new_bot, integration, ft_sandbox):
    alone = plain("bybit", "spot", "shutdown")
    bot = new_bot("bybit", "spot", batch_cancel={"enabled": True, "max_retries": 0, "fallback": False})
    bot.seed()
    # Server errors on the batch endpoint, no retry and no fallback inside batchcancel: every
    # batched order comes back FAILED, and freqtrade cancels each one itself.
    ft_sandbox.inject("/v5/order/cancel-batch", "http_500", times=None)
    failed = bot.act("shutdown")
    # How often the engine tries the batch before answering FAILED is its own business (it reads
    # each order's state first, and sends again what is still open): at least once.
    assert failed.count(BATCH_PATHS["bybit"]) >= 1
    assert failed.count(CANCEL_PATHS["bybit"]) == 8
    assert failed.state == alone.state


# ------------------------------------------------------------------------------ the mechanics


def test_force_exit_from_another_thread_batches_there(plain, new_bot, integration):
    # Telegram's /forceexit all runs the RPC call in an executor thread, not the bot's main thread.
    alone = plain("bybit", "futures", "force_exit")
    bot = new_bot("bybit", "futures", batch_cancel={"enabled": True})
    bot.seed()
    batched = bot.act("force_exit", thread=True)
    assert batched.state == alone.state
    assert batched.count(BATCH_PATHS["bybit"]) == 1
    assert batched.count(CANCEL_PATHS["bybit"]) == 1


def test_replacement_is_per_thread_and_removed_afterwards(new_bot, integration, ft_sandbox, caplog):
    from batchcancel import Settings
    from batchcancel.hosts.freqtrade.scope import Candidate, close_scope, open_scope

    bot = new_bot("bybit", "spot", batch_cancel={"enabled": True})
    bot.seed(exits=False)
    exchange = bot.ft.exchange
    candidates = [Candidate(order_id, pair) for order_id, pair, _ in _open_rows()]
    order_id, pair = candidates[0].order_id, candidates[0].pair
    scope = open_scope(exchange, Settings(), candidates)
    try:
        assert {o.status for o in ft_sandbox.orders("bybit")} == {"canceled"}  # batched at once
        ft_sandbox.clear_log()
        seen: dict[str, dict] = {}
        other = threading.Thread(target=lambda: seen.update(other=exchange.fetch_order(order_id, pair)))
        other.start()
        other.join()
        assert seen["other"]["status"] == "canceled"  # another thread: freqtrade's real fetch
        assert ft_sandbox.count("/v5/order/realtime") == 1
        assert exchange.fetch_order(order_id, pair)["status"] == "open"  # this one: the snapshot
        assert exchange.cancel_order(order_id, pair) == {"id": order_id, "info": {}}
        assert ft_sandbox.count() == 1  # neither answer cost a request
    finally:
        with caplog.at_level(logging.WARNING, logger="batchcancel.freqtrade"):
            close_scope(scope)
    assert "fetch_order" not in vars(exchange)
    assert "cancel_order" not in vars(exchange)
    assert exchange.fetch_order(order_id, pair)["status"] == "canceled"
    # The seven orders nobody asked about are reported, not silently dropped.
    assert "did not book 7 batch-cancelled order(s)" in caplog.text


def _open_rows() -> list[tuple[str, str, bool]]:
    from freqtrade.persistence import Trade

    return [(o.order_id, t.pair, o.ft_is_open) for t in Trade.get_open_trades() for o in t.open_orders]


def test_an_order_filled_after_the_snapshot_is_booked_as_a_fill(
    new_bot, integration, ft_sandbox, monkeypatch
):
    bot = new_bot("bybit", "spot", batch_cancel={"enabled": True})
    bot.seed(exits=False)
    victim, victim_pair, _ = _open_rows()[0]
    api = bot.ft.exchange._api
    listed = api.fetch_open_orders

    def listed_then_filled(*args, **kwargs):
        orders = listed(*args, **kwargs)
        ft_sandbox.fill("bybit", [victim])  # the fill lands between the list and the batch
        return orders

    # The one fault the sandbox cannot time on its own: a fill between two requests.
    monkeypatch.setattr(api, "fetch_open_orders", listed_then_filled)
    done = bot.act("shutdown")

    batch = next(r for r in ft_sandbox.log if r.path == "/v5/order/cancel-batch")
    assert sorted(batch.item_codes) == ["0"] * 7 + ["170213"]
    # freqtrade fetched the order after the refused cancel and booked the fill, as it does when a
    # fill beats its own cancel: the trade stays open with the full amount, the rest are deleted.
    assert [t[:2] for t in done.state.trades] == [(victim_pair, True)]
    victim_row = next(o for o in done.state.orders if o[0] == victim_pair)
    assert victim_row[2:4] == ("closed", False)
    assert victim_row[5] == float(ft_sandbox.order("bybit", victim).qty)


def test_a_typo_in_the_section_stops_freqtrade_before_it_connects(new_bot, integration, ft_sandbox):
    from freqtrade.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="enabeld"):
        new_bot("bybit", "spot", batch_cancel={"enabeld": True})
    assert ft_sandbox.count() == 0


@pytest.mark.parametrize("version", ["2026.10", "2025.11.2", "develop"])
def test_a_freqtrade_outside_the_range_is_refused_in_one_log_line(monkeypatch, caplog, capsys, version):
    import freqtrade
    from freqtrade.freqtradebot import FreqtradeBot
    from freqtrade.rpc.rpc import RPC

    from batchcancel.hosts import freqtrade as integration

    originals = (FreqtradeBot.__init__, FreqtradeBot.cancel_all_open_orders, RPC._rpc_force_exit)
    monkeypatch.setattr(freqtrade, "__version__", version)
    with caplog.at_level(logging.INFO), pytest.raises(SystemExit) as exited:
        integration.main(["--version"])  # the launcher, then freqtrade's own main
    assert exited.value.code == 0
    assert "Freqtrade Version:" in capsys.readouterr().out  # freqtrade itself answered
    refusals = [r for r in caplog.records if r.name == "batchcancel.freqtrade"]
    assert [r.levelno for r in refusals] == [logging.WARNING]
    assert refusals[0].getMessage() == (
        f"batchcancel: not activating the freqtrade integration: freqtrade {version} is outside the "
        f"supported range ({integration.OLDEST_FREQTRADE} to {integration.NEWEST_FREQTRADE}); "
        "freqtrade runs unchanged"
    )
    assert not integration.installed()
    assert (FreqtradeBot.__init__, FreqtradeBot.cancel_all_open_orders, RPC._rpc_force_exit) == originals


def test_this_freqtrade_is_in_range_and_its_wrapped_methods_look_as_expected():
    import freqtrade

    from batchcancel.hosts import freqtrade as integration

    assert integration.version_refusal(freqtrade.__version__) == ""
    assert integration.shape_refusal(freqtrade.__version__) == ""


def test_a_freqtrade_whose_wrapped_methods_changed_is_refused_in_one_log_line(monkeypatch, caplog):
    from freqtrade.exchange import Exchange
    from freqtrade.rpc.rpc import RPC

    from batchcancel.hosts import freqtrade as integration

    def _rpc_force_exit(self, trade_id, ordertype=None):  # a release that dropped the lock here
        for trade in []:
            self.__exec_force_exit(trade, ordertype)

    def cancel_order(self, order_id, symbol, params=None):  # a renamed parameter
        return {}

    monkeypatch.setattr(RPC, "_rpc_force_exit", _rpc_force_exit)
    monkeypatch.setattr(Exchange, "cancel_order", cancel_order)
    monkeypatch.delattr(RPC, "_RPC__exec_force_exit")
    with caplog.at_level(logging.INFO):
        assert integration.install() != ""
    assert not integration.installed()
    refusal = integration.shape_refusal("2026.9")
    assert refusal.startswith("batchcancel: not activating the freqtrade integration: in freqtrade 2026.9, ")
    assert "RPC._rpc_force_exit changed what the integration relies on" in refusal
    assert "RPC.__exec_force_exit is missing" in refusal
    assert "Exchange.cancel_order takes (self, order_id, symbol, params)" in refusal
    assert refusal.endswith("; freqtrade runs unchanged")


def test_the_extra_requires_the_supported_range():
    from importlib import metadata

    from batchcancel.hosts.freqtrade import supported_range

    extra = [r for r in metadata.requires("batchcancel") or [] if r.startswith("freqtrade") and "extra" in r]
    assert len(extra) == 1
    bounds = extra[0].split(";")[0].replace(" ", "").removeprefix("freqtrade").split(",")
    assert sorted(bounds) == sorted(supported_range().split(","))
