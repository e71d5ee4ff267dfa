"""The value types of the public contract: what to cancel, and what became of it."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from batchcancel.errors import CancelFailures


def _id_or_none(value: object) -> str | None:
    """Order ids arrive as str or int (ccxt and exchanges use both); keep them as str."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"order ids must be str or int, got {type(value).__name__}: {value!r}")
    text = str(value)
    return text if text.strip() else None


_MAPPINGS = (dict, MappingProxyType)
_NO_PARAMS = ("mapping", ())


def _sent_form(value: Any) -> Any:
    """A hashable form of a params value in which equal means "sent the same".

    ``1``, ``1.0`` and ``True`` stay apart (they are different JSON), and mappings compare
    whatever their key order. Equality, hashing and de-duplication all read params through it.
    """
    if not value and type(value) in _MAPPINGS:
        return _NO_PARAMS  # the common case: no params at all
    if isinstance(value, Mapping):
        return ("mapping", tuple(sorted((repr(k), _sent_form(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("sequence", tuple(_sent_form(v) for v in value))
    return (type(value).__name__, repr(value))


def _frozen_params(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise TypeError(f"params must be a mapping, got {type(value).__name__}")
    for key, item in value.items():
        # Params go into a JSON body or a query string: anything else fails only at the exchange,
        # after "attempts" it never saw.
        if not isinstance(key, str) or not key.strip():
            raise TypeError(f"params keys must be non-empty strings, got {key!r}")
        _check_param_value(key, item)
    return MappingProxyType(dict(value))


def _check_param_value(key: str, value: Any, depth: int = 0) -> None:
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"params[{key!r}] must be a finite number, got {value!r}")
        return
    if depth < 4 and isinstance(value, (list, tuple)):
        for element in value:
            _check_param_value(key, element, depth + 1)
        return
    if depth < 4 and isinstance(value, Mapping):
        for inner_key, element in value.items():
            if not isinstance(inner_key, str):
                raise TypeError(f"params[{key!r}] keys must be strings, got {inner_key!r}")
            _check_param_value(key, element, depth + 1)
        return
    raise TypeError(
        f"params[{key!r}] must be a string, number, boolean, null, or a list or mapping of them, "
        f"got {type(value).__name__}"
    )


@attrs.frozen
class CancelRequest:
    """One order to cancel, named the way ccxt names it.

    Equal requests hash alike: attrs derives both from the fields, params in their sent form."""

    symbol: str
    """ccxt unified symbol, such as ``BTC/USDT`` (spot) or ``BTC/USDT:USDT`` (USDT perpetual)."""

    order_id: str | None = attrs.field(default=None, converter=_id_or_none)
    """The exchange's order id. Takes precedence over ``client_order_id`` when both are given."""

    client_order_id: str | None = attrs.field(default=None, converter=_id_or_none)
    """Your own order id (Bybit ``orderLinkId``, Bitget ``clientOid``)."""

    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_params, eq=_sent_form)
    """Exchange-specific extras, e.g. Bybit ``{"orderFilter": "StopOrder"}`` or a ``category`` override."""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.symbol, str) or not self.symbol.strip():
            raise ValueError(f"CancelRequest needs a non-empty symbol, got {self.symbol!r}")
        if self.order_id is None and self.client_order_id is None:
            raise ValueError(
                f"CancelRequest for {self.symbol!r} needs an order_id or a client_order_id; both are missing"
            )

    @classmethod
    def from_ccxt(cls, request: Mapping[str, Any]) -> CancelRequest:
        """Build from ccxt's CancellationRequest form: ``{"id", "clientOrderId", "symbol"}``."""
        unknown = set(request) - {"id", "clientOrderId", "symbol", "params"}
        if unknown:
            raise ValueError(f"unknown keys in cancel request dict: {sorted(unknown)}")
        return cls(
            symbol=request.get("symbol"),  # type: ignore[arg-type]  # validated in __attrs_post_init__
            order_id=request.get("id"),
            client_order_id=request.get("clientOrderId"),
            params=request.get("params"),
        )

    @property
    def identity(self) -> tuple[Any, ...]:
        """What makes two requests the same order to cancel (duplicates are sent once)."""
        return (
            self.symbol,
            self.order_id,
            None if self.order_id is not None else self.client_order_id,
            _sent_form(self.params),
        )

    def describe(self) -> str:
        ident = (
            f"id={self.order_id}" if self.order_id is not None else f"clientOrderId={self.client_order_id}"
        )
        return f"{self.symbol} {ident}"


def coerce_requests(requests: object) -> tuple[CancelRequest, ...]:
    """Accept CancelRequest objects or ccxt-style dicts; fail before any request is sent."""
    if requests is None:
        raise TypeError("requests must be a list of CancelRequest or ccxt cancellation dicts, got None")
    if isinstance(requests, (str, bytes, Mapping, CancelRequest)) or not isinstance(requests, Iterable):
        raise TypeError(
            "requests must be a list of CancelRequest or ccxt cancellation dicts, "
            f"got {type(requests).__name__}"
        )
    result = []
    for position, item in enumerate(requests):
        try:
            if isinstance(item, CancelRequest):
                result.append(item)
            elif isinstance(item, Mapping):
                result.append(CancelRequest.from_ccxt(item))
            else:
                raise TypeError(f"expected CancelRequest or dict, got {type(item).__name__}")
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"requests[{position}]: {exc}") from None
    return tuple(result)


class Status(str, enum.Enum):
    """What became of one cancel request."""

    CANCELED = "canceled"
    """The exchange accepted the cancel."""
    ALREADY_CLOSED = "already_closed"
    """The order is not open: unknown, filled, or cancelled before."""
    REJECTED = "rejected"
    """Refused for a reason retrying will not fix: auth, permission, bad symbol, bad parameter."""
    FAILED = "failed"
    """A transient error that persisted after the bounded retries."""


@attrs.frozen
class CancelOutcome:
    """The definite answer for one request."""

    request: CancelRequest
    """The request this answers, as given."""
    status: Status
    """What became of it."""
    code: str | None = None
    """The exchange's own code for it (e.g. ``"170213"``), or None."""
    message: str = ""
    """The exchange's message, or ours when no exchange answer decided it."""
    via: str = ""
    """Which path decided it: ``bybit:batch``, ``bybit:single``, ``bitget:batch``, ``ccxt:single``..."""
    verified: bool = False
    """True when verify mode saw the order absent from the exchange's open orders afterwards."""


@attrs.frozen
class CancelReport:
    """Exactly one outcome per request given, in the order given."""

    outcomes: tuple[CancelOutcome, ...]
    """One per request, in the order the requests were given (duplicates get the same answer)."""
    requests_sent: int = 0
    """HTTP cancel (and verify) requests this call made; market loading is not counted."""
    elapsed_s: float = 0.0
    """Wall time of the call."""

    def _with(self, status: Status) -> list[CancelOutcome]:
        return [o for o in self.outcomes if o.status is status]

    @property
    def canceled(self) -> list[CancelOutcome]:
        return self._with(Status.CANCELED)

    @property
    def already_closed(self) -> list[CancelOutcome]:
        return self._with(Status.ALREADY_CLOSED)

    @property
    def rejected(self) -> list[CancelOutcome]:
        return self._with(Status.REJECTED)

    @property
    def failed(self) -> list[CancelOutcome]:
        return self._with(Status.FAILED)

    @property
    def ok(self) -> bool:
        """Nothing rejected and nothing failed."""
        return not any(o.status in (Status.REJECTED, Status.FAILED) for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        return {status.value: len(self._with(status)) for status in Status}

    def raise_for_failures(self) -> None:
        """Raise :class:`CancelFailures` listing every rejected or failed outcome, if any."""
        bad = [o for o in self.outcomes if o.status in (Status.REJECTED, Status.FAILED)]
        if bad:
            raise CancelFailures(bad)
