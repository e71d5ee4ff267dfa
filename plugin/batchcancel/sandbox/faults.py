"""Injected faults and latency, per endpoint, deterministic for a given seed."""

from __future__ import annotations

import fnmatch
import random
import threading

import attrs

HTTP_500 = "http_500"  # not applied; 500 with an exchange-shaped body
HTTP_502 = "http_502"  # not applied; a gateway's 502 page (HTML, not JSON)
RESET = "reset"  # not applied; the connection is reset without a response
TIMEOUT_APPLIED = "timeout_applied"  # applied; the response is held past the client's timeout
TIMEOUT_NOT_APPLIED = "timeout_not_applied"  # held, then the connection closes; nothing applied
MALFORMED_JSON = "malformed_json"  # applied; the body is not JSON
TRUNCATED_JSON = "truncated_json"  # applied; the body is cut short
DROP_ITEM = "drop_item"  # applied; a batch response lacks one item
EXTRA_ITEM = "extra_item"  # applied; a batch response carries an item nobody asked for
MAINTENANCE = "maintenance"  # not applied; the exchange's maintenance answer
RATE_LIMIT = "rate_limit"  # not applied; the exchange's rate-limit answer for the whole request
# Answered as done, but nothing applied: Bybit documents cancels as acknowledged asynchronously
# (seeds 000/001), so an "OK" order may still be open when the next request looks. Verify mode's test.
ACK_NOT_APPLIED = "ack_not_applied"
# Answers that are no answer: what gateways, CDNs, captive portals and broken servers send. A
# client that reads any of them as "cancelled" reports an open order as cancelled.
EMPTY_BODY = "empty_body"  # not applied; 200 with an empty body
NULL_BODY = "null_body"  # not applied; 200 `null`
EMPTY_LIST_BODY = "empty_list_body"  # not applied; 200 `[]`
EMPTY_OBJECT_BODY = "empty_object_body"  # not applied; 200 `{}`
HTML_200 = "html_200"  # not applied; 200 with an HTML page (a captive portal, a CDN's error page)
REDIRECT = "redirect"  # not applied; 302 to the exchange's public time endpoint
GARBLED_NOT_APPLIED = "garbled_not_applied"  # not applied; the rate-limit answer cut in half
# Cloudflare's own 52x pages (HTML, not the exchange's JSON). ccxt raises a plain ExchangeError.
CLOUDFLARE_520 = "cloudflare_520"  # not applied; unknown error
CLOUDFLARE_522 = "cloudflare_522"  # not applied; connection timed out before the origin saw it
CLOUDFLARE_523 = "cloudflare_523"  # not applied; origin unreachable
CLOUDFLARE_524 = "cloudflare_524"  # applied; the origin did it but answered too late
HTTP_504_APPLIED = "http_504_applied"  # applied; then a gateway's 504 page: the answer is lost
TRICKLE = "trickle"  # applied; the real answer one byte every hold_s seconds
# The exchange's success envelope around an empty result: nothing applied, no order named.
OK_WITHOUT_ID = "ok_without_id"
# A gateway's error page that quotes the request's headers back (API key and passphrase included).
ECHO_HEADERS = "echo_headers"
# Bitget's documented batch examples: failureList items with errorMsg only ("notExistend"), no code.
NO_ERROR_CODE = "no_error_code"
# Bybit batch answers whose two lists disagree: retExtInfo.list loses its first entry, or gains an
# extra leading OK entry, while result.list stays whole. Only position links the two lists.
CODE_LIST_SHORT = "code_list_short"  # applied
CODE_LIST_LONG = "code_list_long"  # applied

FAULT_KINDS = (
    HTTP_500,
    HTTP_502,
    RESET,
    TIMEOUT_APPLIED,
    TIMEOUT_NOT_APPLIED,
    MALFORMED_JSON,
    TRUNCATED_JSON,
    DROP_ITEM,
    EXTRA_ITEM,
    MAINTENANCE,
    RATE_LIMIT,
    ACK_NOT_APPLIED,
    EMPTY_BODY,
    NULL_BODY,
    EMPTY_LIST_BODY,
    EMPTY_OBJECT_BODY,
    HTML_200,
    REDIRECT,
    GARBLED_NOT_APPLIED,
    CLOUDFLARE_520,
    CLOUDFLARE_522,
    CLOUDFLARE_523,
    CLOUDFLARE_524,
    HTTP_504_APPLIED,
    TRICKLE,
    NO_ERROR_CODE,
    CODE_LIST_SHORT,
    CODE_LIST_LONG,
    OK_WITHOUT_ID,
    ECHO_HEADERS,
)
# Faults after which the request's effect (e.g. the cancel) has happened on the server.
APPLIED_FAULTS = frozenset(
    {
        TIMEOUT_APPLIED,
        MALFORMED_JSON,
        TRUNCATED_JSON,
        DROP_ITEM,
        EXTRA_ITEM,
        CLOUDFLARE_524,
        HTTP_504_APPLIED,
        TRICKLE,
        NO_ERROR_CODE,
        CODE_LIST_SHORT,
        CODE_LIST_LONG,
    }
)
BATCH_ONLY_FAULTS = frozenset({DROP_ITEM, EXTRA_ITEM, NO_ERROR_CODE, CODE_LIST_SHORT, CODE_LIST_LONG})
# Fixed bodies served instead of the exchange's answer, nothing applied: (status, content type, body).
_HTML = "text/html"
CANNED_REPLIES: dict[str, tuple[int, str, str]] = {
    EMPTY_BODY: (200, "application/json", ""),
    NULL_BODY: (200, "application/json", "null"),
    EMPTY_LIST_BODY: (200, "application/json", "[]"),
    EMPTY_OBJECT_BODY: (200, "application/json", "{}"),
    HTML_200: (200, _HTML, "<html><head><title>Welcome</title></head><body>Please sign in</body></html>"),
    CLOUDFLARE_520: (520, _HTML, "<html><title>520: Web server is returning an unknown error</title></html>"),
    CLOUDFLARE_522: (522, _HTML, "<html><title>522: Connection timed out</title></html>"),
    CLOUDFLARE_523: (523, _HTML, "<html><title>523: Origin is unreachable</title></html>"),
}
# Gateway pages served after the exchange's answer was computed (and so applied).
LOST_REPLIES: dict[str, tuple[int, str, str]] = {
    CLOUDFLARE_524: (524, _HTML, "<html><title>524: A timeout occurred</title></html>"),
    HTTP_504_APPLIED: (504, _HTML, "<html><head><title>504 Gateway Time-out</title></head></html>"),
}
DEFAULT_HOLD_S = 3.0


@attrs.frozen
class Fault:
    kind: str
    hold_s: float  # for the timeout faults: how long the response is held


@attrs.define
class _Rule:
    pattern: str
    kind: str
    remaining: int | None  # None: unlimited
    rate: float | None  # None: every matching request
    hold_s: float


class FaultPlan:
    """Rules are tried in the order they were injected; the first one that fires wins."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._rng = random.Random(seed)

    def inject(
        self,
        pattern: str,
        kind: str,
        *,
        times: int | None = 1,
        rate: float | None = None,
        hold_s: float = DEFAULT_HOLD_S,
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 (or None for unlimited)")
        if rate is not None and not 0 < rate <= 1:
            raise ValueError("rate must be in (0, 1]")
        with self._lock:
            self._rules.append(_Rule(pattern, kind, times, rate, hold_s))

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if not fnmatch.fnmatchcase(path, rule.pattern):
                    continue
                if rule.rate is not None and self._rng.random() >= rule.rate:
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                return Fault(rule.kind, rule.hold_s)
        return None

    def pick(self, n: int) -> int:
        """A seeded index in range(n), for choosing which batch item to drop."""
        with self._lock:
            return self._rng.randrange(n)

    def pending(self) -> int:
        with self._lock:
            return len(self._rules)

    def reset(self) -> None:
        with self._lock:
            self._rules.clear()
            self._rng = random.Random(self._seed)


class LatencyPlan:
    """A fixed delay plus uniform jitter in [0, jitter], globally or per path pattern."""

    def __init__(self, latency_ms: float, jitter_ms: float, seed: int) -> None:
        self._initial = (float(latency_ms), float(jitter_ms))
        self._seed = seed
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._default = self._initial
            self._per_path: dict[str, tuple[float, float]] = {}
            self._rng = random.Random(self._seed ^ 0x5EED)

    def set(self, ms: float, jitter_ms: float = 0.0, path: str | None = None) -> None:
        if ms < 0 or jitter_ms < 0:
            raise ValueError("latency and jitter must be >= 0")
        with self._lock:
            if path is None:
                self._default = (float(ms), float(jitter_ms))
            else:
                self._per_path[path] = (float(ms), float(jitter_ms))

    def delay_s(self, path: str) -> float:
        with self._lock:
            fixed, jitter = self._default
            for pattern, setting in self._per_path.items():
                if fnmatch.fnmatchcase(path, pattern):
                    fixed, jitter = setting
            if fixed == 0 and jitter == 0:
                return 0.0
            return (fixed + (self._rng.uniform(0, jitter) if jitter else 0.0)) / 1000.0
