"""Rate budgets shared by every bot on one account, through a store (``Settings.budget_store``).

Exchanges count budgets per account, not per process. A :class:`SharedBudgetBook` is the
:class:`BudgetBook` of one call whose reservations also go to a store that every bot on the
account uses: before a request goes out its units are taken there atomically, so two bots never
both take the last one. The local book still paces (it never allows more than the store), and it
alone paces once the store fails: the call goes on in-process after one warning, so a store
fault costs pace, never an order. The store itself (Redis, its script and client) lives in
``batchcancel.redis_store``; this module does no I/O of its own. Only imported when a
``budget_store`` is set.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import secrets
from collections.abc import Mapping
from typing import Any, Protocol

from batchcancel.engine.dialect import Budget, BudgetObservation, Route
from batchcancel.engine.pacing import BudgetBook, _Spend
from batchcancel.redis_store import Grant, open_store
from batchcancel.store_url import display_url

log = logging.getLogger("batchcancel")

HOLD_S = 2.0
"""A reservation not yet answered counts for this long, then for one window: long enough for a
request to reach the exchange, short enough that a bot that died mid-request frees its units
within seconds. An answer settles it (it then ages out one window after the answer)."""

_ACCOUNT_TAG = b"batchcancel shared budget account\x00"


class BudgetStore(Protocol):
    """What a shared store does for the engine (see ``batchcancel.redis_store``)."""

    display: str
    """Where the store is, without credentials (for log lines)."""

    def reserve(
        self,
        budget: str,
        token: str,
        *,
        max_items: int,
        per_call: float,
        per_item: float,
        limit: float,
        window_s: float,
        hold_s: float,
        unheard: bool,
    ) -> Grant: ...

    def record(self, budget: str, token: str, cost: float, hold_s: float) -> str: ...

    def settle(self, budget: str, ticket: str) -> None: ...

    def observe(
        self,
        budget: str,
        token: str,
        *,
        limit: float | None,
        remaining: float | None,
        reset_in_s: float | None,
        default_limit: float,
        window_s: float,
    ) -> None: ...

    def block(self, budget: str, until_in_s: float, window_s: float) -> None: ...


def account_id(api_key: str) -> str:
    """The name under which an account's budgets are shared: a hash of the API key, never the key."""
    return hashlib.sha256(_ACCOUNT_TAG + api_key.encode()).hexdigest()[:20]


_tokens = itertools.count()
_process_tag = secrets.token_hex(4)


def _token() -> str:
    # Unique across processes and machines sharing a store: a reservation names only itself.
    return f"{_process_tag}.{os.getpid()}.{next(_tokens)}"


class SharedBudgetBook(BudgetBook):
    """A :class:`BudgetBook` whose units are also reserved in a store shared by every bot."""

    def __init__(self, budgets: Mapping[str, Budget], store: BudgetStore, scope: str) -> None:
        super().__init__(budgets)
        self._store = store
        self._scope = scope
        self._up = True
        self._denied_until: dict[str, float] = {}
        self._reserved: dict[str, str] = {}  # budget key -> ticket of the reservation not yet spent
        self._tickets: dict[_Spend, tuple[str, str]] = {}
        self._told_blocked: dict[str, float] = {}

    @property
    def shared(self) -> bool:
        """False once the store failed during this call (pacing is then in-process only)."""
        return self._up

    def _name(self, key: str) -> str:
        return f"{self._scope}:{key}"

    def _fault(self, error: Exception) -> None:
        if self._up:
            self._up = False
            self._reserved.clear()
            self._denied_until.clear()
            log.warning(
                "batchcancel: budget store unavailable (%s); pacing %s in this process only for this call",
                error,
                self._scope.split(":", 1)[0],
            )

    def _call(self, operation: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return operation(*args, **kwargs)
        except Exception as error:  # any store failure: pace alone, never lose the call
            self._fault(error)
            return None

    def take(self, route: Route, items: int, now: float) -> int:
        local = super().take(route, items, now)
        key = route.budget
        if local <= 0 or not self._up or key is None or key not in self._budgets:
            return local
        budget = self._budgets[key]
        grant = self._call(
            self._store.reserve,
            self._name(key),
            _token(),
            max_items=local,
            per_call=route.cost_per_call,
            per_item=route.cost_per_item,
            limit=budget.limit,
            window_s=budget.window_s,
            hold_s=HOLD_S,
            unheard=self.unheard(key),
        )
        if grant is None:
            return local  # the store failed just now: this request is paced locally
        if grant.heard:
            # Another bot has heard the real limit: adopt it, with no first request to learn it.
            super().observe(BudgetObservation(key, limit=grant.limit), now)
            self._unheard.discard(key)
        if grant.items <= 0:
            self._denied_until[key] = now + grant.wait_s
            return 0
        self._denied_until.pop(key, None)
        self._reserved[key] = grant.ticket
        return min(local, grant.items)

    def spend(self, key: str | None, cost: float) -> _Spend | None:
        spend = super().spend(key, cost)
        if spend is None or key is None:
            return spend
        ticket = self._reserved.pop(key, None)
        if ticket is None and self._up and cost > 0:
            # Paced by this book alone (a state read checks capacity, then spends): the other
            # bots must still count it.
            ticket = self._call(self._store.record, self._name(key), _token(), cost, HOLD_S)
        if ticket:
            self._tickets[spend] = (self._name(key), ticket)
        return spend

    def settle(self, spend: _Spend | None, now: float) -> None:
        super().settle(spend, now)
        held = self._tickets.pop(spend, None) if spend is not None else None
        if held is not None and self._up:
            self._call(self._store.settle, *held)

    def capacity(self, key: str | None, now: float) -> float:
        if key is not None and self._denied_until.get(key, 0.0) > now:
            return 0.0  # the store said no: ask it again when it said units free up
        return super().capacity(key, now)

    def next_change(self, key: str | None, now: float) -> float:
        local = super().next_change(key, now)
        denied = self._denied_until.get(key or "")
        if denied is None:
            return local
        if super().capacity(key, now) > 0:
            # Only the store said no: ask it again then. That time may have passed already while
            # the planner finished its pass: then at once, never "when an answer arrives" (this
            # bot may have nothing in flight on the budget: no answer would ever come).
            return denied
        return max(local, denied)

    def block(self, key: str | None, until: float, now: float | None = None) -> bool:
        blocked = super().block(key, until)
        if not blocked or key is None or now is None or until <= self._told_blocked.get(key, 0.0):
            return blocked  # a batch answer refuses many orders at once: tell the store once
        self._told_blocked[key] = until
        if self._up and until > now:
            self._call(self._store.block, self._name(key), until - now, self._budgets[key].window_s)
        return blocked

    def observe(self, seen: BudgetObservation, now: float) -> None:
        super().observe(seen, now)
        if seen.key not in self._budgets or not self._up:
            return
        budget = self._budgets[seen.key]
        self._call(
            self._store.observe,
            self._name(seen.key),
            _token(),
            limit=seen.limit if seen.limit is not None and seen.limit > 0 else None,
            remaining=seen.remaining,
            reset_in_s=None if seen.reset_at is None else max(0.0, seen.reset_at - now),
            default_limit=budget.limit,
            window_s=budget.window_s,
        )


def shared_book(budgets: Mapping[str, Budget], url: str | None, exchange: Any) -> BudgetBook | None:
    """The shared book for a call on ``exchange``, or None to pace in this process only.

    None when no store is set, when the dialect paces no budget, or when the store cannot even be
    set up (then with a warning: the call goes on, paced locally).
    """
    api_key = getattr(exchange, "apiKey", "") or ""
    if not url or not budgets or not isinstance(api_key, str) or not api_key:
        return None
    try:
        store = open_store(url)
    except Exception as error:
        log.warning(
            "batchcancel: budget store %s cannot be used (%s); pacing in this process only",
            display_url(url),
            type(error).__name__,
        )
        return None
    scope = f"{getattr(exchange, 'id', '?')}:{account_id(api_key)}"
    return SharedBudgetBook(budgets, store, scope)
