"""The contract between the engine and an exchange dialect.

A dialect is pure: it groups and chunks work, builds the arguments of one exchange call, and reads
a response (or an error) into one :class:`Verdict` per order. It never sends anything; the engine
does all I/O, pacing, retries and fallback, the same way for every exchange.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs

from batchcancel.engine.reading import CancelAllAnswer, HistoryPage, OpenOrder, OpenPage, OrderState
from batchcancel.model import CancelRequest, Status
from batchcancel.settings import Settings


class MalformedResponse(Exception):
    """The exchange answered, but not in a shape the dialect can read (a transient fault)."""


def success_body(response: Any, code_key: str, is_ok: Callable[[Any], bool], body_key: str) -> Any:
    """The common opening of every ``read``: the body of an answer whose envelope says success.

    ccxt raises for an exchange's error codes, so an answer that reaches a dialect should say
    success; one that is not a JSON object, or whose code is missing or odd, is no answer at all.
    """
    if not isinstance(response, Mapping):
        raise MalformedResponse(f"expected a JSON object, got {type(response).__name__}")
    code = response.get(code_key)
    if not is_ok(code):
        raise MalformedResponse(f"{code_key} {code!r} in a successful answer")
    return response.get(body_key)


@attrs.frozen
class WorkItem:
    """One distinct order to cancel, with its resolved ccxt market."""

    key: int
    """Position among the distinct requests of the call; outcomes are keyed by it."""
    request: CancelRequest
    """The request as given (first of its duplicates)."""
    market: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    """The ccxt market the symbol resolved to (``id``, ``type``, ``linear``, ``settle``, ``info``...)."""

    @property
    def market_id(self) -> str:
        """The exchange's own symbol, e.g. ``BTCUSDT``."""
        return str(self.market["id"])


@attrs.frozen
class Budget:
    """A rate budget: ``limit`` units per rolling ``window_s`` seconds."""

    limit: float
    """Units (requests or orders, as the route's costs say) allowed per window."""
    window_s: float = 1.0
    """Length of the rolling window."""
    reported: bool = False
    """The exchange reports this budget's real limit in its answers (e.g. Bybit's ``X-Bapi-Limit``).

    ``limit`` is then only the documented default (accounts on higher tiers have more). Until the
    first answer on such a budget, the engine sends its first request at the route's full size,
    then only what the documented ``limit`` leaves in the window (the floor of every tier), and
    spends no secondary route's budget beside it; from then on it paces by what the exchange
    reported (or by ``limit`` if the answer carried no report).
    """


@attrs.frozen
class Route:
    """One way to send a group's orders: an endpoint, its maximum per request and its budget."""

    name: str
    """Short name used in ``via`` (``batch``, ``single``)."""
    max_items: int
    """Documented maximum orders per request."""
    budget: str | None = None
    """Key of the :class:`Budget` it spends, or None when only ccxt's own limiter paces it."""
    cost_per_call: float = 0.0
    """Budget units one request spends whatever its size."""
    cost_per_item: float = 1.0
    """Budget units each order in the request spends."""

    def cost(self, items: int) -> float:
        return self.cost_per_call + self.cost_per_item * items

    def items_within(self, capacity: float) -> int:
        """How many orders a request may carry when ``capacity`` units are left."""
        if capacity == float("inf"):
            return self.max_items
        if self.cost_per_item <= 0:
            return self.max_items if capacity >= self.cost_per_call else 0
        return max(0, int((capacity - self.cost_per_call + 1e-9) // self.cost_per_item))


@attrs.frozen(eq=False)
class Call:
    """One request a dialect built: ``getattr(exchange, method)(*args)``, for ``items``.

    Everything on it is the dialect's: the engine never changes it, and keeps its own reasons for
    sending it (purpose, budget spent, who reads the answer) beside it
    (:class:`~batchcancel.engine.sent.Sent`). ``route`` and ``group`` are there for the dialect to
    read its own answer with; the engine reads only ``route`` of a read call, to know its budget.
    """

    method: str
    """Exchange method name, e.g. ``privatePostV5OrderCancelBatch`` or ``cancel_order``."""
    args: tuple[Any, ...]
    """Positional arguments (for implicit API methods, the one params dict)."""
    items: tuple[WorkItem, ...] = ()
    """The orders this call decides; empty for housekeeping calls and listings."""
    route: Route | None = None
    """For a read (state read, listing): the route whose budget it spends, as the dialect chose it.
    A cancel's route is the one the engine passed to :meth:`Dialect.build`; a dialect echoes it
    here only if reading the answer needs it (which budget a rate-limit header speaks of)."""
    via: str = ""
    """A label for the outcomes this call decides, when the default (``name:route``) is not apt."""
    group: Any = attrs.field(default=None, repr=False)
    """The group or listing scope the call was built for, if reading its answer needs it."""


class Kind(enum.Enum):
    FINAL = "final"
    RETRY = "retry"
    WAIT_BUDGET = "wait_budget"
    ISOLATE = "isolate"
    FALLBACK = "fallback"


@attrs.frozen
class Verdict:
    """What a response (or error) says about one order."""

    kind: Kind
    """Final answer, or which way the order goes round again."""
    status: Status | None = None
    """For final verdicts, the outcome status."""
    code: str | None = None
    """The exchange's code, as a string."""
    message: str = ""
    """The exchange's message (or ours)."""
    retry_at: float | None = None
    """For budget waits: the epoch second the budget resets, when the exchange said."""
    state_unknown: bool = False
    """For retries: nobody said what became of the order (a lost answer, a garbled or id-less
    one), so an earlier attempt may have been applied."""

    @classmethod
    def canceled(cls, code: str | None = None, message: str = "") -> Verdict:
        return cls(Kind.FINAL, Status.CANCELED, code, message)

    @classmethod
    def already_closed(cls, code: str | None, message: str) -> Verdict:
        return cls(Kind.FINAL, Status.ALREADY_CLOSED, code, message)

    @classmethod
    def rejected(cls, code: str | None, message: str) -> Verdict:
        return cls(Kind.FINAL, Status.REJECTED, code, message)

    @classmethod
    def transient(cls, code: str | None, message: str) -> Verdict:
        """Send again after a backoff; counts against ``max_retries``."""
        return cls(Kind.RETRY, None, code, message)

    @classmethod
    def unknown(cls, code: str | None, message: str) -> Verdict:
        """Nobody said what became of the order: send again (idempotent), read its state before
        giving up; counts against ``max_retries``."""
        return cls(Kind.RETRY, None, code, message, state_unknown=True)

    @classmethod
    def missing(cls) -> Verdict:
        """The order is absent from a batch answer: never assume it cancelled; send it again."""
        return cls.unknown(None, "missing from the exchange's answer")

    @classmethod
    def rate_limited(cls, code: str | None, message: str, retry_at: float | None = None) -> Verdict:
        """Send again once the budget resets; bounded by ``deadline_s``, not by ``max_retries``."""
        return cls(Kind.WAIT_BUDGET, None, code, message, retry_at)

    @classmethod
    def isolate(cls, code: str | None, message: str) -> Verdict:
        """A whole batch was refused: send its orders one per request to find the culprit."""
        return cls(Kind.ISOLATE, None, code, message)

    @classmethod
    def fallback(cls, code: str | None, message: str) -> Verdict:
        """No native way to cancel this order: hand it to ccxt's single ``cancel_order``."""
        return cls(Kind.FALLBACK, None, code, message)


def _codes(values: Any) -> frozenset[str]:
    return frozenset(str(value) for value in values)


@attrs.frozen
class CodeBook:
    """What an exchange's own codes mean for one order: the table each dialect declares."""

    ok: frozenset[str] = attrs.field(converter=_codes)
    """The cancel was accepted."""
    not_open: frozenset[str] = attrs.field(converter=_codes)
    """The order is not open: unknown, filled, or cancelled before."""
    rate_limited: frozenset[str] = attrs.field(default=(), converter=_codes)
    """The budget is spent: send again once it resets."""
    transient: frozenset[str] = attrs.field(default=(), converter=_codes)
    """Worth sending again after a backoff (cancelling is idempotent)."""

    def item_verdict(self, code: str | None, message: str) -> Verdict:
        """One order's answer inside a batch response; a code not in the table is a rejection."""
        if code in self.ok:
            return Verdict.canceled(code, message)
        if code in self.not_open:
            return Verdict.already_closed(code, message)
        if code in self.rate_limited:
            return Verdict.rate_limited(code, message)
        if code in self.transient:
            return Verdict.transient(code, message)
        return Verdict.rejected(code, message)

    def request_verdict(self, code: str | None, message: str, orders: int) -> Verdict | None:
        """A whole request refused with ``code``; None lets the engine classify ccxt's exception."""
        if code in self.not_open:
            # For one order it is that order's answer; a whole batch refused so is split up.
            return Verdict.already_closed(code, message) if orders == 1 else Verdict.isolate(code, message)
        if code in self.rate_limited:
            return Verdict.rate_limited(code, message)
        if code in self.transient:
            return Verdict.transient(code, message)
        return None


@attrs.frozen
class BudgetObservation:
    """What an exchange's rate-limit headers said about one budget."""

    key: str
    limit: float | None = None
    remaining: float | None = None
    reset_at: float | None = None
    """Epoch seconds."""


G = TypeVar("G", bound=Hashable)
"""A dialect's group type: what orders that may share one request have in common."""


class Dialect(abc.ABC, Generic[G]):
    """Base class of exchange dialects. Subclasses describe one exchange's cancel API.

    Typed over the dialect's group (``class BybitDialect(Dialect[Group])``): the engine hands
    ``routes``, ``build`` and ``unserved_reason`` back exactly what ``group_of`` returned.
    """

    name: str = "?"

    def budgets(self, settings: Settings) -> Mapping[str, Budget]:
        """The documented rate budgets this dialect's routes spend."""
        return {}

    @abc.abstractmethod
    def group_of(self, item: WorkItem) -> G:
        """Items with the same group may share one request."""

    @abc.abstractmethod
    def routes(self, group: G) -> Sequence[Route]:
        """Routes for a group, preferred first; empty when only the ccxt fallback can serve it."""

    def unserved_reason(self, group: G) -> str:
        """Why no route serves ``group`` (said once in the log, and in the orders' messages)."""
        return ""

    @abc.abstractmethod
    def build(self, route: Route, group: G, items: Sequence[WorkItem]) -> Call:
        """The call that cancels ``items`` (at most ``route.max_items``) through ``route``."""

    @abc.abstractmethod
    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        """One verdict per ``call.items``, in order; raise :class:`MalformedResponse` on a bad shape."""

    def read_error(self, call: Call, error: BaseException) -> Verdict | None:
        """Interpret an exception raised by ``call`` (None: let the engine classify it)."""
        return None

    def read_error_items(self, call: Call, error: BaseException) -> Sequence[Verdict] | None:
        """One verdict per ``call.items`` from an exception that still carries each order's answer
        (OKX answers code 1 when every order of a batch failed, and ccxt raises on it); None when
        the exception says nothing per order (then :meth:`read_error` is asked)."""
        return None

    def error_code(self, error: BaseException) -> str | None:
        """The exchange's code inside a ccxt exception message, when it can be found."""
        return None

    def observe(self, call: Call, headers: Mapping[str, str] | None) -> BudgetObservation | None:
        """Rate-limit information in the response headers of ``call``."""
        return None

    # -- reading orders back (optional; see batchcancel.engine.reading) -------------------------

    def build_state_read(self, item: WorkItem) -> Call | None:
        """A call that reads ``item``'s state by id (its ``route`` names the budget it spends);
        None when this exchange offers no such read: the order then ends ``FAILED``."""
        return None

    def read_state(self, call: Call, response: Any) -> OrderState:
        """The state a state read's answer gives; raise :class:`MalformedResponse` unless the
        answer names the order (an empty or id-less answer says nothing)."""
        raise MalformedResponse("this dialect reads no order state")

    def read_state_error(self, call: Call, error: BaseException) -> OrderState | None:
        """The state an exception from a state read implies (e.g. "no such order": ``GONE``);
        None when it says nothing about the order."""
        return None

    def list_scopes(self, markets: Mapping[str, Any]) -> Sequence[Hashable]:
        """The scopes that together list every open order of the account (e.g. one per category
        and settle coin); empty when the exchange cannot list them account-wide, in which case
        verify mode reads each order's state instead."""
        return ()

    def build_list(self, scope: Hashable, cursor: str | None) -> Call:
        """The call that reads one page of ``scope``'s open orders, after ``cursor``."""
        raise TypeError(f"{type(self).__name__} returns list scopes but builds no page for them")

    def read_list(self, call: Call, response: Any) -> OpenPage:
        """One page of open orders; raise :class:`MalformedResponse` on a bad shape."""
        raise TypeError(f"{type(self).__name__} returns list scopes but reads no page of them")

    def place_of(self, item: WorkItem) -> str:
        """Where ``item``'s order rests, in the words :class:`OpenOrder.place` uses."""
        return str(item.market.get("symbol"))

    # -- the exchange's countdown, a dead-man's switch (optional; see batchcancel.deadman) ------

    def countdown_range(self) -> tuple[float, float] | None:
        """The allowed (min_s, max_s) of a live countdown; None: the exchange has no REST countdown."""
        return None

    def countdown_unsupported_reason(self) -> str:
        """Why this exchange has no countdown (said in ``NotSupported``)."""
        return "the exchange offers no cancel-all countdown over REST"

    def countdown_scopes(
        self, markets: Mapping[str, Any], symbols: Sequence[str] | None
    ) -> Sequence[str | None]:
        """What one countdown covers: ``[None]`` for an account-wide timer (OKX), else one
        exchange market id per symbol (Binance: ``symbols`` required)."""
        return [None]

    def build_countdown(self, scope: str | None, timeout_s: float | None) -> Call:
        """The call that (re)arms the countdown of ``scope`` to ``timeout_s``; None disarms it."""
        raise TypeError(f"{type(self).__name__} has no countdown: {self.countdown_unsupported_reason()}")

    def read_countdown(self, call: Call, response: Any) -> None:
        """Return when the answer confirms the countdown was set (or cleared); raise
        :class:`MalformedResponse` otherwise."""
        raise MalformedResponse(f"{type(self).__name__} reads no countdown answer")

    # -- cancelling everything (optional; see batchcancel.engine.kill) --------------------------

    def cancel_all_scopes(
        self, orders: Sequence[tuple[OpenOrder, Mapping[str, Any]]], whole_account: bool
    ) -> Sequence[Hashable]:
        """The cancel-all requests that together cover ``orders`` (open orders of the account,
        each with its ccxt market), at the widest scope the exchange allows: the whole category
        or settle coin when ``whole_account``, else only the markets of ``orders`` (the caller
        named symbols). Empty (the default) means "not supported": the kill switch then cancels
        what it listed with batches, which always works, only with more requests."""
        return ()

    def cancel_all_route(self, scope: Hashable) -> Route:
        """The route (its budget and cost) one cancel-all request of ``scope`` spends."""
        raise TypeError(f"{type(self).__name__} returns cancel-all scopes but names no route for them")

    def build_cancel_all(self, scope: Hashable) -> Call:
        """The call that cancels every open order of ``scope`` (no ``items``)."""
        raise TypeError(f"{type(self).__name__} returns cancel-all scopes but builds no call for them")

    def read_cancel_all(self, scope: Hashable, call: Call, response: Any) -> CancelAllAnswer:
        """The orders a cancel-all answer names as cancelled; raise :class:`MalformedResponse`
        on a bad shape (the read-back then decides every order of the scope)."""
        raise TypeError(f"{type(self).__name__} returns cancel-all scopes but reads no answer of them")

    def history_scope(self, order: OpenOrder, market: Mapping[str, Any]) -> Hashable | None:
        """The order-history read that can tell what became of ``order`` (e.g. its symbol's
        history), or None (the default) when none can: the kill switch then reads its state by id.
        Worth it where a cancel-all answer names no order: one page tells up to a page's worth."""
        return None

    def build_history(self, scope: Hashable, cursor: str | None) -> Call:
        """The call that reads one page of ``scope``'s order history, older than ``cursor``
        (its ``route`` names the budget it spends)."""
        raise TypeError(f"{type(self).__name__} names history scopes but builds no read of them")

    def read_history(self, call: Call, response: Any) -> HistoryPage:
        """One page of order history; raise :class:`MalformedResponse` unless every row names its
        order and a known state (a page that says nothing is not read as saying "not there")."""
        raise TypeError(f"{type(self).__name__} names history scopes but reads no page of them")
