"""``batchcancel cancel-all``: the kill switch for operators.

Credentials come from the environment only (``BATCHCANCEL_API_KEY``, ``BATCHCANCEL_SECRET``,
``BATCHCANCEL_PASSWORD``), never from the command line, and are never printed. It lists what is
open in scope first; ``--dry-run`` stops there. Otherwise it asks before cancelling when stdin is
a terminal, and refuses without ``--yes`` when it is not. Exit status: 0 when nothing in scope is
left open, 1 when something may be, 2 for a usage error or a refusal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from typing import Any

from batchcancel.cli_args import fail, positive_float

PROG = "batchcancel cancel-all"
ENV = {"apiKey": "BATCHCANCEL_API_KEY", "secret": "BATCHCANCEL_SECRET", "password": "BATCHCANCEL_PASSWORD"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cancel-all",
        help="the kill switch: cancel every open order of the account (or of some symbols)",
        description=(
            "Cancel every open order the API keys can see (all market kinds), or only those of "
            "the --symbol options. Credentials from BATCHCANCEL_API_KEY, BATCHCANCEL_SECRET and "
            "BATCHCANCEL_PASSWORD. Exit 0 only when nothing in scope is left open."
        ),
    )
    parser.add_argument(
        "--exchange", required=True, help="ccxt exchange id: bybit, bitget, binanceusdm, or another"
    )
    parser.add_argument(
        "--symbol", action="append", dest="symbols", metavar="SYMBOL", help="a unified symbol (repeatable)"
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be cancelled; touch nothing")
    parser.add_argument("--yes", action="store_true", help="cancel without asking")
    parser.add_argument(
        "--base-url", help="send every API request to this base URL (the sandbox), with its lean ccxt options"
    )
    parser.add_argument("--json", metavar="PATH", help="write the outcomes (or the dry run's list) as JSON")
    parser.add_argument(
        "--deadline",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="give up after this (default 120)",
    )
    parser.set_defaults(func=run)


def _exchange(args: argparse.Namespace) -> Any:
    import ccxt

    if args.exchange not in ccxt.exchanges:
        raise LookupError(f"unknown exchange {args.exchange!r} (not a ccxt exchange id)")
    config: dict[str, Any] = {key: os.environ[name] for key, name in ENV.items() if os.environ.get(name)}
    if args.base_url:
        from batchcancel.sandbox import LEAN_OPTIONS

        config["options"] = dict(LEAN_OPTIONS.get(args.exchange, {}))
    exchange = getattr(ccxt, args.exchange)(config)
    if args.base_url:
        from batchcancel.sandbox import sandbox_urls

        # Each base URL's origin becomes the given one; a path in it stays (Binance's /fapi/v1).
        exchange.urls["api"] = sandbox_urls(exchange.urls["api"], args.base_url.rstrip("/"))
        exchange.has["fetchCurrencies"] = False
    return exchange


def _say(text: str) -> None:
    if sys.stderr.isatty():  # progress on a terminal only
        print(text, file=sys.stderr, flush=True)


def _write_json(path: str, payload: Any) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=2)
        out.write("\n")


def run(args: argparse.Namespace) -> int:
    from batchcancel import Settings, Status
    from batchcancel.errors import BatchCancelError
    from batchcancel.kill_api import cancel_all_orders, list_open_orders
    from batchcancel.redact import Redactor

    if not os.environ.get(ENV["apiKey"]) or not os.environ.get(ENV["secret"]):
        return fail(PROG, f"set {ENV['apiKey']} and {ENV['secret']} (and {ENV['password']} where needed)")
    redact = Redactor([os.environ.get(name, "") for name in ENV.values()])
    try:
        exchange = _exchange(args)
        _say(f"listing the open orders on {args.exchange}...")
        exchange.load_markets()
        open_now = list_open_orders(exchange, args.symbols)
    except (BatchCancelError, LookupError, ValueError, TypeError) as error:
        return fail(PROG, redact(str(error)))
    except Exception as error:  # ccxt's own errors (auth, network) while loading or listing
        return fail(PROG, redact(f"{type(error).__name__}: {error}"))
    where = "every market" if not args.symbols else ", ".join(args.symbols)
    print(f"{len(open_now)} open order(s) on {args.exchange} in scope ({where})")
    if args.dry_run:
        for request in open_now:
            print(f"  would cancel {request.describe()}")
        if args.json:
            _write_json(args.json, {"dry_run": True, "open": [_request(r) for r in open_now]})
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            return fail(PROG, "refusing to cancel without --yes: stdin is not a terminal")
        answer = input(f"Cancel every open order in scope on {args.exchange}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing cancelled")
            return 2
    _say("cancelling...")
    try:
        settings = Settings(deadline_s=args.deadline) if args.deadline else None
        report = cancel_all_orders(exchange, args.symbols, settings=settings)
    except (BatchCancelError, ValueError, TypeError) as error:
        return fail(PROG, redact(str(error)))
    counts = Counter(outcome.status.value for outcome in report.outcomes)
    print(f"{'status':<16}{'orders':>8}")
    for status in Status:
        print(f"{status.value:<16}{counts.get(status.value, 0):>8}")
    print(f"{len(report.outcomes)} order(s), {report.requests_sent} request(s), {report.elapsed_s:.3f} s")
    for outcome in report.outcomes:
        if outcome.status not in (Status.CANCELED, Status.ALREADY_CLOSED):
            print(f"  {outcome.status.value}: {outcome.request.describe()}: {outcome.message}")
    # Exit 0 only when a read after the call finds nothing in scope open (an order placed during
    # the call, or a listing the call could not finish, shows here).
    try:
        left = list_open_orders(exchange, args.symbols)
    except Exception as error:
        left = None
        print(f"could not read the open orders after cancelling: {redact(str(error))}")
    if left:
        print(f"{len(left)} order(s) still open in scope:")
        for request in left:
            print(f"  {request.describe()}")
    if args.json:
        payload = {"outcomes": [_outcome(o) for o in report.outcomes], "ok": report.ok}
        payload["still_open"] = None if left is None else [_request(r) for r in left]
        _write_json(args.json, payload)
    return 0 if report.ok and left == [] else 1


def _request(request: Any) -> dict[str, Any]:
    return {
        "symbol": request.symbol,
        "order_id": request.order_id,
        "client_order_id": request.client_order_id,
    }


def _outcome(outcome: Any) -> dict[str, Any]:
    return {
        **_request(outcome.request),
        "status": outcome.status.value,
        "code": outcome.code,
        "message": outcome.message,
        "via": outcome.via,
    }
