"""``batchcancel sandbox``: run the loopback exchange until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any, TextIO

from .core import LEAN_OPTIONS, Sandbox
from .server import check_loopback


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a loopback Bybit v5 + Bitget v2 exchange for testing bots",
        description="Serve a local Bybit v5 and Bitget v2 exchange on loopback until Ctrl-C. "
        "Real ccxt and pybit talk to it unchanged; see docs/sandbox.md.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        type=_loopback_host,
        help="loopback address to bind (default 127.0.0.1; others are refused)",
    )
    parser.add_argument("--port", default=0, type=int, help="port (default 0: pick a free one)")
    parser.add_argument("--latency-ms", default=0.0, type=float, help="delay added to every response")
    parser.add_argument("--jitter-ms", default=0.0, type=float, help="extra uniform random delay, up to this")
    parser.add_argument("--seed", default=0, type=int, help="seed for jitter and probabilistic faults")
    parser.add_argument(
        "--budget-scale",
        default=1.0,
        type=float,
        help="multiply every rate limit (e.g. 10 for ten times the documented budgets)",
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
) -> int:
    """Serve until Ctrl-C (or until ``stop`` is set, for tests)."""
    out = out or sys.stdout
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        seed=args.seed,
        budget_scale=args.budget_scale,
    )
    try:  # Ctrl-C may come at any point, even while the banner is still being written
        with sandbox:
            out.write(banner(sandbox))
            out.flush()
            if ready is not None:
                ready.set()
            (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        out.write("\nsandbox stopped\n")
    return 0


def banner(sb: Sandbox) -> str:
    # Printing the generated credentials is the point here: they are this local sandbox's own.
    return f"""batchcancel sandbox: Bybit v5 + Bitget v2 on {sb.url}  (Ctrl-C stops it)

  api key   {sb.api_key}
  secret    {sb.secret}
  password  {sb.password}   (Bitget passphrase)

ccxt (sync; for async use ccxt.async_support the same way):

import ccxt

bybit = ccxt.bybit({{"apiKey": "{sb.api_key}", "secret": "{sb.secret}",
                    "options": {LEAN_OPTIONS["bybit"]!r}}})
bybit.urls["api"] = {{key: "{sb.url}" for key in bybit.urls["api"]}}
bybit.has["fetchCurrencies"] = False

bitget = ccxt.bitget({{"apiKey": "{sb.api_key}", "secret": "{sb.secret}", "password": "{sb.password}",
                      "options": {LEAN_OPTIONS["bitget"]!r}}})
bitget.urls["api"] = {{key: "{sb.url}" for key in bitget.urls["api"]}}
bitget.has["fetchCurrencies"] = False

pybit:

from pybit.unified_trading import HTTP
session = HTTP(api_key="{sb.api_key}", api_secret="{sb.secret}")
session.endpoint = "{sb.url}"

The book starts empty: place orders through the API (or use batchcancel.sandbox.Sandbox in-process
to seed thousands at once).
"""
