"""The engine's record of a call it started: the dialect's :class:`Call` plus the engine's reasons.

A dialect builds a :class:`~batchcancel.engine.dialect.Call` (what to send, for which orders) and
nothing else; why the engine sends it, which budget it spends and who reads its answer are the
engine's own bookkeeping and live here, so the dialect's value is never patched after the fact.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from batchcancel.engine.dialect import Call, Dialect, Route, WorkItem


class Purpose(str, enum.Enum):
    """Why the engine makes a call (a ``str``, so ``sent.purpose == "cancel"`` keeps working)."""

    CANCEL = "cancel"
    """Cancel the call's orders."""
    MARKETS = "markets"
    """Load the exchange's markets (housekeeping)."""
    RESYNC = "resync"
    """Resync ccxt's clock offset after a timestamp error (housekeeping)."""
    VERIFY = "verify"
    """Read back open orders (verify mode)."""
    STATE = "state"
    """Read one order's state before giving up on it."""
    COUNTDOWN = "countdown"
    """Arm, re-arm or clear the exchange's cancel-all countdown (the dead-man's switch)."""
    LIST = "list"
    """Read the account's open orders (the kill switch: what is open in scope)."""
    CANCEL_ALL = "cancel_all"
    """Cancel every open order of a scope in one request (the kill switch)."""


@attrs.frozen(eq=False)
class Sent:
    """One call in flight: compared by identity, so it keys the engine's in-flight tables."""

    call: Call
    """What the dialect built (sent by :func:`batchcancel.engine.transport.send`)."""
    purpose: Purpose
    """Why the engine sends it."""
    reader: Dialect[Any] | None = attrs.field(default=None, repr=False)
    """The dialect that reads the answer (the fallback reads its own calls); None for housekeeping."""
    route: Route | None = None
    """The route whose budget the call spent: the planner's for cancels, the dialect's for reads."""
    via: str = ""
    """Recorded on the outcomes this call decides (``bybit:batch``, ``bitget:order-state``)."""

    @classmethod
    def housekeeping(cls, method: str, purpose: Purpose) -> Sent:
        """A call of ccxt's own (``load_markets``, ``load_time_difference``) that decides no order."""
        return cls(Call(method, ()), purpose)

    @classmethod
    def read(cls, call: Call, purpose: Purpose, reader: Dialect[Any], label: str) -> Sent:
        """A read built by ``reader``: it spends the route the dialect chose; ``label`` names it."""
        return cls(call, purpose, reader, call.route, call.via or f"{reader.name}:{label}")

    @property
    def method(self) -> str:
        return self.call.method

    @property
    def args(self) -> tuple[Any, ...]:
        return self.call.args

    @property
    def items(self) -> tuple[WorkItem, ...]:
        return self.call.items

    @property
    def budget(self) -> str | None:
        """The budget the call spent, if any."""
        return self.route.budget if self.route is not None else None
