"""``batchcancel sandbox``: run the loopback exchange until Ctrl-C, SIGINT or SIGTERM.

Scriptable: fixed port and credentials from flags, ``--json`` for one machine-readable line on
stdout, ``-v`` for one stderr line per request, exit status 0 on a signal, and one-line errors
(exit status 2) for what the user can fix: a taken port, a bad number.
"""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from batchcancel.cli_args import credential, fail, not_negative_float, port, positive_float

from .core import LEAN_OPTIONS, Sandbox
from .log import ServedRequest
from .registry import EXCHANGES
from .server import check_loopback

PROG = "batchcancel sandbox"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a loopback Bybit v5 + Bitget v2 + OKX v5 + Binance USDⓈ-M exchange for testing bots",
        description="Serve a local Bybit v5, Bitget v2, OKX v5 and Binance USDⓈ-M exchange on loopback "
        "until Ctrl-C, SIGINT or SIGTERM (exit status 0). Real ccxt and pybit talk to it unchanged; "
        "see docs/sandbox.md.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        type=_loopback_host,
        help="loopback address to bind (default 127.0.0.1; others are refused)",
    )
    parser.add_argument("--port", default=0, type=port, help="port (default 0: pick a free one)")
    parser.add_argument("--api-key", type=credential, help="the account's API key (default: generated)")
    parser.add_argument("--secret", type=credential, help="the account's API secret (default: generated)")
    parser.add_argument(
        "--password", type=credential, help="the account's Bitget passphrase (default: generated)"
    )
    parser.add_argument(
        "--latency-ms", default=0.0, type=not_negative_float, help="delay added to every response"
    )
    parser.add_argument(
        "--jitter-ms", default=0.0, type=not_negative_float, help="extra uniform random delay, up to this"
    )
    parser.add_argument("--seed", default=0, type=int, help="seed for jitter and probabilistic faults")
    parser.add_argument(
        "--budget-scale",
        default=1.0,
        type=positive_float,
        help="multiply every rate limit (e.g. 10 for ten times the documented budgets)",
    )
    parser.add_argument(
        "--bitget-uta",
        action="store_true",
        help="Bitget accounts are unified trading accounts: serve the v3 API (ccxt options uta=True, "
        "or ccxt's own probe) and refuse v2 trading",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON line (url, port, api_key, secret, passphrase, exchanges) and nothing else "
        "on stdout",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="one line per request on stderr: method, path, HTTP status, code, latency, budget left",
    )
    parser.set_defaults(func=run)


def _loopback_host(value: str) -> str:
    try:
        return check_loopback(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run(
    args: argparse.Namespace,
    *,
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Serve until SIGINT / SIGTERM (or until ``stop`` is set, for tests)."""
    out, err = out or sys.stdout, err or sys.stderr
    stop = stop or threading.Event()
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        seed=args.seed,
        budget_scale=args.budget_scale,
        api_key=args.api_key,
        secret=args.secret,
        password=args.password,
        bitget_uta=args.bitget_uta,
    )
    if args.verbose:
        sandbox.on_request(lambda entry: _print_line(err, request_line(entry)))
    with _stopped_by_signals(stop):
        try:
            sandbox.start()
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return fail(PROG, f"port {args.port} on {args.host} is already in use; pick another --port")
            return fail(PROG, f"cannot listen on {args.host}:{args.port}: {error.strerror or error}")
        try:
            out.write(json.dumps(info(sandbox)) + "\n" if args.json else banner(sandbox))
            out.flush()
            if ready is not None:
                ready.set()
            while not stop.wait(0.2):  # a short wait, so a signal is acted on promptly
                pass
        finally:
            sandbox.stop()
    err.write("sandbox stopped\n")
    return 0


@contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop``. Installed explicitly because a script's background job
    starts with SIGINT ignored (so Python's own Ctrl-C handling never fires) and SIGTERM would
    otherwise end the process at once, with status -15 and no clean-up."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread (tests run us elsewhere)
        return
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _print_line(stream: TextIO, line: str) -> None:
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):  # stderr closed by whoever started us: keep serving regardless
        pass


def request_line(entry: ServedRequest) -> str:
    """One ``-v`` line: method, path, HTTP status, the exchange's code, latency and budget left."""
    latency_ms = (entry.finished - entry.started) * 1000
    parts = [
        entry.exchange,
        entry.method,
        entry.path,
        str(entry.status) if entry.status else "dropped",
        f"code={entry.code if entry.code is not None else '-'}",
        f"{latency_ms:.1f}ms",
        f"budget_left={entry.budget_left if entry.budget_left is not None else '-'}",
    ]
    if entry.items:
        parts.append(f"items={entry.items}")
    if entry.fault:
        parts.append(f"fault={entry.fault}")
    return " ".join(parts)


def info(sb: Sandbox) -> dict[str, Any]:
    """What ``--json`` prints: everything a script needs to point a client at this sandbox."""
    account = sb.default_account
    return {
        "url": sb.url,
        "port": sb.port,
        "api_key": account.api_key,
        "secret": account.secret,
        "passphrase": account.password,
        "exchanges": [spec.name for spec in EXCHANGES],  # what Sandbox() serves by default, as here
        **({"bitget_account": "uta"} if sb.bitget_uta else {}),
    }


def banner(sb: Sandbox) -> str:
    # Printing the generated credentials is the point here: they are this local sandbox's own.
    bitget_api, bitget_options = (
        ("v3 (UTA)", {"uta": True}) if sb.bitget_uta else ("v2", LEAN_OPTIONS["bitget"])
    )
    served = f"Bybit v5 + Bitget {bitget_api} + OKX v5 + Binance USDⓈ-M"
    return f"""batchcancel sandbox: {served} on {sb.url}  (Ctrl-C or SIGTERM stops it)

  api key   {sb.api_key}
  secret    {sb.secret}
  password  {sb.password}   (Bitget and OKX passphrase)

ccxt (sync; for async use ccxt.async_support the same way):

import ccxt, re

bybit = ccxt.bybit({{"apiKey": "{sb.api_key}", "secret": "{sb.secret}",
                    "options": {LEAN_OPTIONS["bybit"]!r}}})
bybit.urls["api"] = {{key: "{sb.url}" for key in bybit.urls["api"]}}
bybit.has["fetchCurrencies"] = False

bitget = ccxt.bitget({{"apiKey": "{sb.api_key}", "secret": "{sb.secret}", "password": "{sb.password}",
                      "options": {bitget_options!r}}})
bitget.urls["api"] = {{key: "{sb.url}" for key in bitget.urls["api"]}}
bitget.has["fetchCurrencies"] = False

okx = ccxt.okx({{"apiKey": "{sb.api_key}", "secret": "{sb.secret}", "password": "{sb.password}",
                "options": {LEAN_OPTIONS["okx"]!r}}})
okx.urls["api"] = {{"rest": "{sb.url}"}}
okx.has["fetchCurrencies"] = False
binance = ccxt.binanceusdm({{"apiKey": "{sb.api_key}", "secret": "{sb.secret}",
                            "options": {LEAN_OPTIONS["binanceusdm"]!r}}})
binance.urls["api"] = {{key: re.sub(r"^https://[^/]+", "{sb.url}", url)  # keep each path (/fapi/v1...)
                       for key, url in binance.urls["api"].items()}}
binance.has["fetchCurrencies"] = False

pybit:

from pybit.unified_trading import HTTP
session = HTTP(api_key="{sb.api_key}", api_secret="{sb.secret}")
session.endpoint = "{sb.url}"

The book starts empty: place orders through the API (or use batchcancel.sandbox.Sandbox in-process
to seed thousands at once).
"""
