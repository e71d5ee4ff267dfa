"""What an exception from ccxt means for the orders of the call that raised it."""

from __future__ import annotations

import enum
import json

import ccxt

from batchcancel.engine.dialect import Kind, MalformedResponse, Verdict
from batchcancel.model import Status

MAX_MESSAGE = 300


class ErrorClass(enum.Enum):
    HALT = "halt"
    """Credentials or permissions: reject everything, send nothing more."""
    CLOSED = "closed"
    """The caller closed the exchange object mid-call: nothing more can be sent; state unknown."""
    NOT_OPEN = "not_open"
    """The order is not open (ccxt ``OrderNotFound``)."""
    RESYNC = "resync"
    """Timestamp outside the window: resync ccxt's clock offset, then send again."""
    RATE_LIMITED = "rate_limited"
    """Wait for the budget, then send again."""
    TRANSIENT = "transient"
    """Network, 5xx, timeout, malformed answer: send again after a backoff (cancels are idempotent)."""
    UNSUPPORTED = "unsupported"
    """The exchange (or ccxt) cannot do this natively: use the fallback."""
    REJECT = "reject"
    """Refused for a reason retrying will not fix."""


def classify(error: BaseException, exchange_code: str | None = None) -> ErrorClass:
    """What ``error`` means; ``exchange_code`` is the exchange's own code found in it, if any."""
    # Order matters: ccxt's hierarchy nests (OrderNotFound < InvalidOrder < ExchangeError, ...).
    if isinstance(error, ccxt.AuthenticationError):  # includes PermissionDenied, AccountSuspended
        return ErrorClass.HALT
    if isinstance(error, ccxt.ExchangeClosedByUser):
        return ErrorClass.CLOSED
    if isinstance(error, ccxt.OrderNotFound):
        return ErrorClass.NOT_OPEN
    if isinstance(error, ccxt.InvalidNonce):
        return ErrorClass.RESYNC
    if isinstance(error, (ccxt.RateLimitExceeded, ccxt.DDoSProtection)):
        return ErrorClass.RATE_LIMITED
    if isinstance(error, (ccxt.OperationFailed, MalformedResponse)):
        return ErrorClass.TRANSIENT
    if isinstance(error, ccxt.NotSupported):
        return ErrorClass.UNSUPPORTED
    if type(error) is ccxt.ExchangeError and exchange_code is None:
        # ccxt's catch-all, raised with no code of the exchange's in it: for Cloudflare's 52x
        # pages (a 524 means the origin did the work and answered too late), an empty JSON
        # answer, a body it could not place. Nobody refused anything: the state is unknown.
        return ErrorClass.TRANSIENT
    if isinstance(error, ccxt.BaseError):
        return ErrorClass.REJECT
    # Not a ccxt error: a decoding failure deep in ccxt on a garbled answer, or a bug. Bounded
    # retries then FAILED keeps the order accounted for either way.
    return ErrorClass.TRANSIENT


class Effect(enum.Enum):
    """What an error asks of the whole call, beyond its own orders."""

    HALT = "halt"
    """Send nothing more: every order left ends like this verdict (credentials, a closed exchange)."""
    RESYNC = "resync"
    """Resync ccxt's clock before the next request."""
    BLOCK_BUDGET = "block_budget"
    """Keep off the call's budget for one window."""


def verdict_for(error: BaseException, code: str | None, orders: int) -> tuple[Verdict, Effect | None]:
    """What ``error`` (raised by a call carrying ``orders`` orders) means for each of them."""
    kind = classify(error, code)
    message = describe(error)
    single = orders == 1
    if kind is ErrorClass.HALT:
        return Verdict.rejected(code, message), Effect.HALT
    if kind is ErrorClass.CLOSED:
        message = f"the exchange object was closed during the call; state unknown ({message})"
        return Verdict(Kind.FINAL, Status.FAILED, code, message), Effect.HALT
    if kind is ErrorClass.NOT_OPEN:
        return (Verdict.already_closed(code, message) if single else Verdict.isolate(code, message)), None
    if kind is ErrorClass.RESYNC:
        return Verdict.transient(code, message), Effect.RESYNC
    if kind is ErrorClass.RATE_LIMITED:
        return Verdict.rate_limited(code, message), Effect.BLOCK_BUDGET
    if kind is ErrorClass.TRANSIENT:
        return Verdict.unknown(code, message), None
    if kind is ErrorClass.UNSUPPORTED:
        return Verdict.fallback(code, message), None
    if type(error) is ccxt.ExchangeError:
        # A code ccxt does not know (Bybit's 10016 on an HTTP 500 comes this way): a refusal, or a
        # server error after which the order may be gone. Sent again, and its state read before
        # giving up: never REJECTED on a guess.
        return Verdict.unknown(code, message), None
    return (Verdict.rejected(code, message) if single else Verdict.isolate(code, message)), None


def describe(error: BaseException) -> str:
    """A short message for an outcome: the class and ccxt's text (which carries the exchange body)."""
    text = str(error).strip()
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 3] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# Where exchanges put their own error code in the JSON body that ccxt quotes in its messages.
CODE_KEYS = ("retCode", "ret_code", "code", "sCode", "errorCode", "error_code")


def code_in_message(message: str) -> str | None:
    """The exchange's code in a ccxt exception message (``"bybit {...json body...}"``), if any."""
    start = message.find("{")
    if start < 0:
        return None
    try:
        body = json.loads(message[start:])
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for key in CODE_KEYS:
        value = body.get(key)
        if value not in (None, "", 0, "0", "00000"):
            return str(value)
    return None
