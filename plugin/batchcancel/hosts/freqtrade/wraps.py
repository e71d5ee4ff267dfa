"""The three narrow wraps on freqtrade's classes, and the per-bot decision whether they act.

freqtrade has no plugin system and never calls ccxt's ``cancel_orders``, so the integration wraps
exactly the methods where freqtrade cancels several orders in one go (the same code in every
supported release, see gate.py):

* ``FreqtradeBot.__init__``: only decides, once per bot, whether batching applies to it (config
  ``batch_cancel`` section, dry-run, exchange, plugin) and logs that decision in one line.
* ``FreqtradeBot.cancel_all_open_orders``: shutdown with ``cancel_open_orders_on_exit`` (and every
  tick while stopped). The batch pass runs first, then freqtrade's own method, unchanged.
* ``RPC._rpc_force_exit`` + ``RPC.__exec_force_exit``: force-exit of all trades (REST, Telegram).
  The batch pass must run *inside* freqtrade's ``_exit_lock`` (a plain, non-reentrant Lock taken
  by ``_rpc_force_exit``), so ``_rpc_force_exit("all")`` only arms a thread-local flag and the
  first ``__exec_force_exit`` call, which runs under the lock, opens the batch scope. The scope
  closes when ``_rpc_force_exit`` returns.

A bot the decision turns down, or any other call, goes to freqtrade's original method untouched.
"""

from __future__ import annotations

import functools
import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

import attrs

from batchcancel.errors import ConfigError
from batchcancel.manager import get_plugin_manager
from batchcancel.settings import CONFIG_SECTION, Settings

from .gate import shape_refusal, version_refusal
from .scope import BatchScope, Candidate, close_scope, open_scope

log = logging.getLogger("batchcancel.freqtrade")

NATIVE_EXCHANGES = ("bybit", "bitget")
"""Exchanges whose native batchcancel plugin this integration was tested with."""
MIN_BATCH = 2  # fewer open orders: nothing to gain, and no extra request (process_stopped loops)


@attrs.frozen
class Decision:
    """Whether batching applies to one bot, and why (the one log line)."""

    active: bool
    reason: str
    settings: Settings | None = None


_decisions: weakref.WeakKeyDictionary[Any, Decision] = weakref.WeakKeyDictionary()
_originals: dict[tuple[Any, str], Callable[..., Any]] = {}
_force_exit = threading.local()


def read_settings(config: Any) -> Settings:
    """The config's ``batch_cancel`` section; a typo in it stops freqtrade at start-up, with
    freqtrade's own configuration error (not silently later, when the cancels are needed)."""
    try:
        return Settings.from_config(config)
    except ConfigError as exc:
        from freqtrade.exceptions import ConfigurationError

        raise ConfigurationError(f"batchcancel: {exc}") from exc


def decide(bot: Any) -> Decision:
    """Whether this bot's multi-order cancels go through batchcancel (reads its own config)."""
    config = bot.config
    if config.get(CONFIG_SECTION) is None:
        return Decision(False, f"no '{CONFIG_SECTION}' section in the config")
    settings = read_settings(config)
    if not settings.enabled:
        return Decision(False, f"{CONFIG_SECTION}.enabled is false")
    if config.get("dry_run"):
        return Decision(False, "dry-run (freqtrade cancels its simulated orders itself)")
    exchange_id = bot.exchange._api.id
    if exchange_id not in NATIVE_EXCHANGES:
        return Decision(False, f"no native batchcancel plugin for {exchange_id}")
    if exchange_id in settings.disabled_plugins:
        return Decision(False, f"the {exchange_id} plugin is in {CONFIG_SECTION}.disabled_plugins")
    if not get_plugin_manager().has_plugin(exchange_id):
        return Decision(False, f"the {exchange_id} plugin is not loaded (see `batchcancel plugins`)")
    return Decision(True, f"{exchange_id} {bot.trading_mode.value}", settings)


def _decision(bot: Any) -> Decision:
    return _decisions.get(bot) or Decision(False, "bot created before the integration was installed")


def _candidates() -> list[Candidate]:
    from freqtrade.persistence import Trade

    return [
        Candidate(str(order.order_id), trade.pair)
        for trade in Trade.get_open_trades()
        for order in trade.open_orders
    ]


def _open_for(bot: Any) -> BatchScope | None:
    decision = _decision(bot)
    if not decision.active or decision.settings is None:
        return None
    candidates = _candidates()
    if len(candidates) < MIN_BATCH:
        return None
    return open_scope(bot.exchange, decision.settings, candidates)


# ----------------------------------------------------------------------------- the wraps


def _init(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def __init__(self: Any, config: Any, *args: Any, **kwargs: Any) -> None:
        if config.get(CONFIG_SECTION) is not None:
            read_settings(config)  # fail before freqtrade connects anywhere
        original(self, config, *args, **kwargs)
        decision = decide(self)
        _decisions[self] = decision
        if decision.active:
            log.info(
                "batchcancel: active (%s): shutdown cancel-all and force-exit-all batch their cancels",
                decision.reason,
            )
        else:
            log.info("batchcancel: inactive (%s): freqtrade cancels as it always does", decision.reason)

    return __init__


def _cancel_all_open_orders(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def cancel_all_open_orders(self: Any) -> None:
        scope = _open_for(self)
        try:
            return original(self)
        finally:
            if scope is not None:
                close_scope(scope)

    return cancel_all_open_orders


def _rpc_force_exit(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def _rpc_force_exit(self: Any, trade_id: str, *args: Any, **kwargs: Any) -> Any:
        if trade_id != "all" or not _decision(self._freqtrade).active:
            return original(self, trade_id, *args, **kwargs)
        _force_exit.armed, _force_exit.scope = True, None
        try:
            return original(self, trade_id, *args, **kwargs)
        finally:
            scope, _force_exit.armed, _force_exit.scope = _force_exit.scope, False, None
            if scope is not None:
                close_scope(scope)

    return _rpc_force_exit


def _exec_force_exit(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def __exec_force_exit(self: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(_force_exit, "armed", False):
            # First trade of a force-exit-all: _rpc_force_exit holds _exit_lock now.
            _force_exit.armed = False
            _force_exit.scope = _open_for(self._freqtrade)
        return original(self, *args, **kwargs)

    return __exec_force_exit


def _targets() -> list[tuple[Any, str, Callable[[Callable[..., Any]], Callable[..., Any]]]]:
    from freqtrade.freqtradebot import FreqtradeBot
    from freqtrade.rpc.rpc import RPC

    return [
        (FreqtradeBot, "__init__", _init),
        (FreqtradeBot, "cancel_all_open_orders", _cancel_all_open_orders),
        (RPC, "_rpc_force_exit", _rpc_force_exit),
        (RPC, "_RPC__exec_force_exit", _exec_force_exit),  # RPC.__exec_force_exit, name-mangled
    ]


def installed() -> bool:
    return bool(_originals)


def install() -> str:
    """Wrap freqtrade's multi-order cancel paths, once; returns why not ("" when installed).

    Refused (nothing wrapped) for a freqtrade outside the supported range, or one whose wrapped
    methods do not look as expected.
    """
    import freqtrade

    if _originals:
        return ""
    refusal = version_refusal(freqtrade.__version__) or shape_refusal(freqtrade.__version__)
    if refusal:
        return refusal
    if not _originals:
        for owner, name, wrap in _targets():
            original = owner.__dict__[name]
            _originals[(owner, name)] = original
            setattr(owner, name, wrap(original))
    return ""


def uninstall() -> None:
    """Put freqtrade's original methods back (tests; a launched freqtrade never needs it)."""
    while _originals:
        (owner, name), original = _originals.popitem()
        setattr(owner, name, original)
