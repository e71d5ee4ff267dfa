"""Which freqtrade the integration installs itself into: a release range, and the shape of what it wraps.

The range comes from comparing, release by release, the source of the methods the integration
wraps or calls (tests/hosts/freqtrade_shapes.py over freqtrade 2025.6 to 2026.9):
``cancel_all_open_orders``, ``Exchange.fetch_order`` / ``cancel_order`` never changed, and
``_rpc_force_exit`` / ``__exec_force_exit`` have had today's form since 2025.12. The integration
tests run on both ends (``tox -e freqtrade-oldest,freqtrade-newest``). At start-up the launcher
checks the version and the shape (names, parameters, the lock the force-exit path takes), so a
release that moved something refuses with one log line instead of misbehaving.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

OLDEST_FREQTRADE = "2025.12"
"""The oldest freqtrade release supported (the integration tests run on it)."""
NEWEST_FREQTRADE = "2026.9"
"""The newest freqtrade release supported (the integration tests run on it); its patch releases
(2026.9.x) are in range too, as long as the wrapped methods look the same."""


def _release(version: str) -> tuple[int, ...] | None:
    """``"2026.5.1"`` -> ``(2026, 5, 1)``; None for what is not a plain release (``develop``...)."""
    if not re.fullmatch(r"\d+(\.\d+)*", version):
        return None
    return tuple(int(part) for part in version.split("."))


def supported_range() -> str:
    return f">={OLDEST_FREQTRADE},<{_next_month(NEWEST_FREQTRADE)}"


def _next_month(version: str) -> str:
    year, month = (_release(version) or (0, 0))[:2]
    return f"{year + 1}.1" if month == 12 else f"{year}.{month + 1}"


def in_range(version: str) -> bool:
    release = _release(version)
    low, high = _release(OLDEST_FREQTRADE), _release(_next_month(NEWEST_FREQTRADE))
    return release is not None and low is not None and high is not None and low <= release < high


def version_refusal(version: str) -> str:
    """Why this freqtrade version is refused, or "" when it is in the supported range."""
    if in_range(version):
        return ""
    return (
        f"batchcancel: not activating the freqtrade integration: freqtrade {version} is outside the "
        f"supported range ({OLDEST_FREQTRADE} to {NEWEST_FREQTRADE}); freqtrade runs unchanged"
    )


# ------------------------------------------------------------------------------------ shape


def _parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


def _expected() -> list[tuple[str, Any, str, list[str], Callable[[str], bool]]]:
    """(label, owner, attribute, leading parameters, source check) for everything wrapped or called."""
    from freqtrade.exchange import Exchange
    from freqtrade.freqtradebot import FreqtradeBot
    from freqtrade.rpc.rpc import RPC

    def takes_lock_then_exits_each(source: str) -> bool:
        # The batch pass runs inside _exit_lock: the lock must be taken in _rpc_force_exit itself,
        # around its calls to __exec_force_exit (see wraps.py).
        lock, call = source.find("self._freqtrade._exit_lock"), source.find("self.__exec_force_exit(")
        return 0 <= lock < call

    def anything(source: str) -> bool:
        return True

    return [
        ("FreqtradeBot.__init__", FreqtradeBot, "__init__", ["self", "config"], anything),
        (
            "FreqtradeBot.cancel_all_open_orders",
            FreqtradeBot,
            "cancel_all_open_orders",
            ["self"],
            lambda source: "Trade.get_open_trades()" in source,
        ),
        ("RPC._rpc_force_exit", RPC, "_rpc_force_exit", ["self", "trade_id"], takes_lock_then_exits_each),
        ("RPC.__exec_force_exit", RPC, "_RPC__exec_force_exit", ["self", "trade"], anything),
        ("Exchange.fetch_order", Exchange, "fetch_order", ["self", "order_id", "pair", "params"], anything),
        ("Exchange.cancel_order", Exchange, "cancel_order", ["self", "order_id", "pair", "params"], anything),
        ("Exchange._order_contracts_to_amount", Exchange, "_order_contracts_to_amount", ["self"], anything),
    ]


def shape_refusal(version: str) -> str:
    """Why this freqtrade's methods do not look as the integration expects, or "" when they do."""
    problems = []
    for label, owner, name, leading, check in _expected():
        function = owner.__dict__.get(name)
        if function is None:
            problems.append(f"{label} is missing")
            continue
        if getattr(function, "__wrapped__", None) is not None:
            function = inspect.unwrap(function)
        if _parameters(function)[: len(leading)] != leading:
            problems.append(f"{label} takes ({', '.join(_parameters(function))})")
            continue
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            problems.append(f"{label} has no readable source")
            continue
        if not check(source):
            problems.append(f"{label} changed what the integration relies on")
    try:
        from freqtrade.exceptions import ConfigurationError, InvalidOrderException  # noqa: F401
        from freqtrade.persistence import Trade

        if not callable(getattr(Trade, "get_open_trades", None)):
            problems.append("Trade.get_open_trades is missing")
    except ImportError as exc:
        problems.append(f"cannot import {exc.name}")
    if not problems:
        return ""
    return (
        f"batchcancel: not activating the freqtrade integration: in freqtrade {version}, "
        f"{'; '.join(problems)}; freqtrade runs unchanged"
    )
