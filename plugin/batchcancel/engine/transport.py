"""How the engine sends one call: ccxt's own signing and fetching, without ccxt's throttle.

A dialect names a ccxt implicit API method in ``Call.method`` (``privatePostV5OrderCancelBatch``).
Called as a method, it goes ``request`` -> ``fetch2``, and ``fetch2`` first waits in ccxt's rate
limiter when the exchange object has ``enableRateLimit`` on (ccxt's default): one bucket per
exchange object with a fixed cost per endpoint, which knows nothing of the budgets batchcancel
paces by. So the engine resolves the method to the endpoint ccxt declared for it (path, api,
HTTP method, config), once per exchange class, and sends it the way ``fetch2`` does after its
throttle: ``exchange.sign(path, api, method, params)`` then ``exchange.fetch(url, method, headers,
body)``. Keys, signing, the clock offset (``options['timeDifference']``), proxies, the session,
``handle_errors`` and the HTTP status mapping all stay ccxt's; nothing on the exchange object is
switched or replaced, so the bot's own calls keep ccxt's throttle exactly as before, and ours
leave its state (``lastRestRequestTimestamp``, the async token bucket) alone.

What differs from the method call: ccxt's ``maxRetriesOnFailure`` option (off by default) does not
retry these calls (the engine retries by its own rules), and ``fetchHistoryCache`` does not record
them.

Anything not resolved is called as a method, as before: ccxt's unified methods (the ccxt
single-cancel fallback's ``cancel_order`` and ``fetch_order``, ``load_markets``,
``load_time_difference``), a method patched on the instance or its class, an exchange class that
overrides ``request`` or ``fetch2`` (but ccxt's Binance classes, whose override is replayed here),
and exchanges that are not ccxt's. Those calls go through ccxt's
throttle when the exchange object has it on.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Mapping
from typing import Any

import attrs

from batchcancel.engine.dialect import Call

_BASE_MODULES = frozenset({"ccxt.base.exchange", "ccxt.async_support.base.exchange"})
"""Where ccxt's own ``request`` and ``fetch2`` live (sync and async)."""

_BINANCE_MODULES = frozenset({"ccxt.binance", "ccxt.async_support.binance"})
"""ccxt's Binance classes (binanceusdm inherits them) override ``request`` only to note, after a
private call answered, that the keys worked (``options['hasAlreadyAuthenticatedSuccessfully']``);
the transport does the same after its own send, so those classes need not go through the throttle."""


@attrs.frozen
class Endpoint:
    """A ccxt implicit API method, resolved to what ``fetch2`` receives."""

    path: str
    """The endpoint's path, e.g. ``v5/order/cancel-batch``."""
    api: Any
    """ccxt's api tag(s), e.g. ``['private']`` or ``['private', 'mix']``."""
    http_method: str
    """``GET``, ``POST``..."""
    config: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    """ccxt's per-endpoint config (its limiter cost); kept for reference, not used to send."""
    marker: Any = attrs.field(eq=False, repr=False)
    """What the class attribute looks like while ccxt's entry is still in place (its unbound
    function): a method patched on the class later is seen and called instead."""


_endpoints: dict[tuple[type, str], Endpoint | None] = {}
_lock = threading.Lock()


def _defined_in(cls: type, name: str, modules: frozenset[str]) -> bool:
    for klass in cls.__mro__:
        if name in vars(klass):
            return klass.__module__ in modules
    return False


def _defined_by_ccxt(cls: type, name: str) -> bool:
    return _defined_in(cls, name, _BASE_MODULES)


def _entry(value: Any) -> Endpoint | None:
    """ccxt's ``Entry`` descriptor of an implicit method (read by its attributes, not its class)."""
    path, api, method, function = (
        getattr(value, n, None) for n in ("path", "api", "method", "unbound_method")
    )
    if not (isinstance(path, str) and isinstance(method, str) and callable(function)):
        return None
    config = getattr(value, "config", None)
    return Endpoint(path, api, method, config if isinstance(config, Mapping) else {}, function)


def _resolve(cls: type, method: str) -> Endpoint | None:
    request_is_known = _defined_in(cls, "request", _BASE_MODULES | _BINANCE_MODULES)
    if not (request_is_known and _defined_by_ccxt(cls, "fetch2")):
        return None  # the class routes its requests its own way: keep calling it as a method
    current = getattr(cls, method, None)
    for klass in cls.__mro__:
        found = _entry(vars(klass).get(method))
        # ccxt's constructor copies each method onto the exchange's class under its camelCase
        # name (the Entry's function itself); anything else there was put by someone else.
        if found is not None:
            return found if current is found.marker else None
    return None


def endpoint(exchange: Any, method: str) -> Endpoint | None:
    """The ccxt endpoint behind ``exchange.<method>``, or None to call it as a method."""
    cls = type(exchange)
    key = (cls, method)
    if key in _endpoints:
        found = _endpoints[key]
    else:
        with _lock:
            found = _endpoints[key] = _resolve(cls, method)
    if found is None:
        return None
    if method in getattr(exchange, "__dict__", ()) or getattr(cls, method, None) is not found.marker:
        return None  # patched on the instance or the class after we looked
    return found


def _params(call: Call) -> dict[str, Any] | list[Any] | None:
    """The one params argument an implicit method takes: a dict, or a list body (Bitget v3's
    cancel-batch; ccxt's ``fetch2`` passes either to ``sign``); None for any other shape."""
    if not call.args:
        return {}
    if len(call.args) == 1 and isinstance(call.args[0], (dict, list)):
        return call.args[0]
    return None


def send(exchange: Any, call: Call) -> Any:
    """Perform ``call`` on a sync exchange (or start it on an async one: a coroutine)."""
    found = endpoint(exchange, call.method)
    params = _params(call) if found is not None else None
    if found is None or params is None:
        return getattr(exchange, call.method)(*call.args)
    request = exchange.sign(found.path, found.api, found.http_method, params)
    answer = exchange.fetch(request["url"], request["method"], request["headers"], request["body"])
    if not _notes_authentication(type(exchange), found):
        return answer
    if inspect.isawaitable(answer):
        return _noted_after(exchange, answer)
    exchange.options["hasAlreadyAuthenticatedSuccessfully"] = True
    return answer


def _notes_authentication(cls: type, found: Endpoint) -> bool:
    """ccxt's Binance ``request`` notes a private call that answered: ``api[0] == 'private'`` (an
    api list, recent ccxt) or ``api == 'private'`` (an api string, ccxt 4.5.59)."""
    api = found.api
    private = api == "private" or (isinstance(api, (list, tuple)) and api[:1] in (["private"], ("private",)))
    return private and _defined_in(cls, "request", _BINANCE_MODULES)


async def _noted_after(exchange: Any, answer: Awaitable[Any]) -> Any:
    result = await answer
    exchange.options["hasAlreadyAuthenticatedSuccessfully"] = True
    return result


# -- the sync session's connection pool ---------------------------------------------------------


def fit_connection_pool(exchange: Any, width: int) -> None:
    """Let a sync exchange's ``requests`` session keep ``width`` connections per host.

    ``requests`` keeps 10 per host by default; with more threads than that, urllib3 opens the extra
    connections, discards them after one request and warns each time. The pool only ever grows
    (this replaces the adapter's urllib3 pool manager once, keeping its settings; idle connections
    of the old one close). Adapters of another class than ``requests``' own are left alone.
    """
    session = getattr(exchange, "session", None)
    adapters = getattr(session, "adapters", None)
    if not isinstance(adapters, Mapping):
        return
    try:
        from requests.adapters import HTTPAdapter
    except ImportError:  # pragma: no cover - ccxt's sync client needs requests
        return
    for adapter in list(adapters.values()):
        if type(adapter) is not HTTPAdapter or getattr(adapter, "_pool_maxsize", width) >= width:
            continue
        with _lock:
            if adapter._pool_maxsize < width:
                adapter.init_poolmanager(adapter._pool_connections, width, block=adapter._pool_block)
