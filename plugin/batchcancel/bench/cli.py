"""``batchcancel bench``: every method against the sandbox, measured against the rate budget's bound."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import attrs

from batchcancel.bench.kill import KILL_METHODS, KILL_WORKLOAD, ORDERS_WORKLOAD, WORKLOADS
from batchcancel.bench.methods import METHODS, parse_methods
from batchcancel.bench.workload import CATEGORIES, EXCHANGES, parse_categories
from batchcancel.cli_args import not_negative_float, positive_float, positive_int

ALL = "all"


@attrs.frozen
class Sizes:
    """Default workload sizes when the command line names none."""

    orders: int
    """Orders per exchange."""
    symbols: int
    """Symbols they are spread over."""
    repeats: int
    """Runs per row."""


QUICK = Sizes(orders=100, symbols=10, repeats=1)
"""Plain ``batchcancel bench``: every method on both exchanges in well under a minute (ccxt's own
loop, paced by its limiter at 10 to 20 cancels per second, takes most of it)."""
FULL = Sizes(orders=1000, symbols=20, repeats=3)
"""``--cpu`` and ``--bots``, and docs/performance.md's main run (named there in full)."""


def fill_defaults(args: argparse.Namespace) -> None:
    """Sizes the command line left out: quick for the plain bench, full for --cpu and --bots."""
    sizes = FULL if (args.cpu or args.bots or args.suite) else QUICK
    for name in ("orders", "symbols", "repeats"):
        if getattr(args, name) is None:
            setattr(args, name, getattr(sizes, name))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="benchmark plain ccxt against batchcancel on the in-process sandbox",
        description=(
            "Seed the in-process sandbox exchange, cancel with each method on a fresh book, and print "
            "one row per method and exchange: requests, median wall time, orders/s, the lower bound "
            "the sandbox's rate budgets and latency allow, efficiency = bound / wall, and orders left "
            "unaccounted. See docs/performance.md."
        ),
    )
    parser.add_argument("--exchange", default=ALL, choices=(*EXCHANGES, ALL), help="default: all")
    parser.add_argument(
        "--orders",
        type=positive_int,
        default=None,
        help=f"orders per exchange (default {QUICK.orders}; {FULL.orders} with --cpu or --bots)",
    )
    parser.add_argument(
        "--symbols",
        type=positive_int,
        default=None,
        help=f"symbols per exchange (default {QUICK.symbols}; {FULL.symbols} with --cpu or --bots)",
    )
    parser.add_argument(
        "--categories",
        action="append",
        metavar="[EXCHANGE:]LIST",
        help="Bybit categories / Bitget product types, comma-separated, e.g. 'bybit:spot,linear,inverse' "
        "or 'bitget:spot,USDT-FUTURES' (repeatable; default: bybit spot,linear, bitget "
        "spot,USDT-FUTURES, okx SPOT,SWAP and binanceusdm linear; 'futures' means USDT-FUTURES)",
    )
    parser.add_argument(
        "--latency-ms", type=not_negative_float, default=50.0, help="sandbox latency (default 50)"
    )
    parser.add_argument(
        "--budget-scale",
        type=positive_float,
        default=1.0,
        help="multiply the sandbox's rate limits (default 1: the documented budgets)",
    )
    parser.add_argument(
        "--bitget-account",
        choices=("classic", "uta"),
        default="classic",
        help="Bitget account kind: classic (v2, default) or uta (unified trading account, v3)",
    )
    parser.add_argument(
        "--repeats",
        type=positive_int,
        default=None,
        help=f"runs per row; wall_s is the median (default {QUICK.repeats}; {FULL.repeats} with --bots)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for the book and the latency jitter")
    parser.add_argument(
        "--workload",
        choices=WORKLOADS,
        default=ORDERS_WORKLOAD,
        help="orders: cancel the seeded orders by id (default); kill-switch: flatten the whole account "
        f"(every category unless --categories; methods {', '.join(KILL_METHODS)})",
    )
    parser.add_argument(
        "--methods",
        default=None,
        help=f"comma-separated, from: {', '.join(METHODS)} (kill-switch: {', '.join(KILL_METHODS)})",
    )
    parser.add_argument(
        "--filled", type=int, default=0, help="orders marked filled before cancelling (default 0)"
    )
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=None,
        help="batchcancel max_concurrency (default: Settings')",
    )
    parser.add_argument(
        "--ccxt-limiter",
        choices=("on", "off"),
        default="on",
        help="enableRateLimit of batchcancel's ccxt clients (default on, ccxt's default; the ccxt "
        "methods always run with it on)",
    )
    parser.add_argument("--json", metavar="PATH", help="write the rows as JSON ('-' for stdout)")
    parser.add_argument(
        "--plot", metavar="PATH", help="write a PNG plot (needs the 'plot' extra: matplotlib)"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="instead: measure batchcancel's own CPU per order with cProfile at zero latency",
    )
    parser.add_argument(
        "--bots",
        type=positive_int,
        default=None,
        metavar="N",
        help="instead: N bot processes, each cancelling its own --orders orders on one sandbox account "
        "at once; a row for in-process pacing (and one for --budget-store). See docs/shared-budget.md",
    )
    parser.add_argument(
        "--budget-store",
        metavar="URL",
        default=None,
        help="with --bots: the shared budget store (redis://host:port/db) for the shared row",
    )
    parser.add_argument(
        "--bot-mode", choices=("sync", "async"), default="sync", help="with --bots: each bot's ccxt client"
    )
    parser.add_argument(
        "--suite",
        metavar="PATH",
        default=None,
        help="instead: every workload of docs/performance.md's targets, batchcancel sync and async, "
        "ccxt's limiter on and off (--repeats each, default 3); a Markdown table on stdout, the rows "
        "as JSON to PATH",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=run)


def categories_from(values: list[str] | None, exchanges: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """``--categories`` values; a value without ``exchange:`` applies to every chosen exchange."""
    result: dict[str, tuple[str, ...]] = {}
    for value in values or ():
        exchange, sep, names = value.partition(":")
        if sep and exchange in CATEGORIES:
            result[exchange] = parse_categories(exchange, names)
        else:
            result.update({target: parse_categories(target, value) for target in exchanges})
    return result


def run(args: argparse.Namespace) -> int:
    from batchcancel.bench.report import PLOT_MISSING, Progress, plot, rows_json, rows_table
    from batchcancel.bench.runner import BenchConfig, run_bench

    fill_defaults(args)
    exchanges = EXCHANGES if args.exchange == ALL else (args.exchange,)
    try:
        methods = parse_methods(args.methods, KILL_METHODS if args.workload == KILL_WORKLOAD else METHODS)
        categories = categories_from(args.categories, exchanges)
    except ValueError as error:
        print(f"batchcancel bench: {error}", file=sys.stderr)
        return 2
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print(f"batchcancel bench: {PLOT_MISSING}", file=sys.stderr)
            return 2
    if args.bitget_account == "uta" and (args.bots or args.cpu):
        print("batchcancel bench: --bitget-account uta measures the methods table only", file=sys.stderr)
        return 2
    progress = Progress(quiet=args.quiet)
    if not (args.cpu or args.bots or args.suite):
        progress.line(
            f"batchcancel bench: {len(exchanges)} exchange(s) x {len(methods)} method(s) x {args.repeats} "
            f"run(s), {args.orders} orders over {args.symbols} symbols, {args.latency_ms:g} ms latency, "
            f"ccxt's limiter {args.ccxt_limiter} for batchcancel's clients"
        )
    if args.bots:
        return run_bots(args, exchanges, categories, progress)
    if args.budget_store:
        print("batchcancel bench: --budget-store needs --bots", file=sys.stderr)
        return 2
    if args.suite:
        from batchcancel.bench.suite import run_suite, suite_table, write_suite

        suite = run_suite(repeats=args.repeats, seed=args.seed, progress=progress)
        write_suite(suite, args.suite)
        print(suite_table(suite))
        return 1 if any(r.row.unaccounted for r in suite) else 0
    if args.cpu:
        from batchcancel.bench.cpu import cpu_table, measure_cpu

        results = measure_cpu(
            exchanges, orders=args.orders, symbols=args.symbols, categories=categories, seed=args.seed,
            progress=progress,
        )  # fmt: skip
        print(cpu_table(results))
        return 0
    config = BenchConfig(
        exchanges=exchanges,
        orders=args.orders,
        symbols=args.symbols,
        categories=categories,
        latency_ms=args.latency_ms,
        budget_scale=args.budget_scale,
        repeats=args.repeats,
        seed=args.seed,
        methods=methods,
        filled=args.filled,
        concurrency=args.concurrency,
        ccxt_limiter=args.ccxt_limiter == "on",
        kind=args.workload,
        bitget_uta=args.bitget_account == "uta",
    )
    try:
        rows = run_bench(config, progress)
    except ValueError as error:
        print(f"batchcancel bench: {error}", file=sys.stderr)
        return 2
    to_stdout = args.json == "-"
    table = rows_table(rows)
    print(table, file=sys.stderr if to_stdout else sys.stdout)
    if args.json:
        if to_stdout:
            print(rows_json(rows))
        else:
            Path(args.json).write_text(rows_json(rows) + "\n", encoding="utf-8")
    if args.plot:
        title = (
            f"latency {args.latency_ms:g} ms, budgets x{args.budget_scale:g}, {args.symbols} symbols"
            + (f", {args.filled} pre-filled" if args.filled else "")
            + f", median of {args.repeats}"
        )
        plot(rows, args.plot, title)
    bad = [r for r in rows if r.method.startswith("batchcancel") and r.unaccounted]
    for row in bad:
        print(
            f"batchcancel bench: {row.method} on {row.exchange} left {row.unaccounted} order(s) unaccounted",
            file=sys.stderr,
        )
    return 1 if bad else 0


def run_bots(
    args: argparse.Namespace,
    exchanges: tuple[str, ...],
    categories: dict[str, tuple[str, ...]],
    progress: Any,
) -> int:
    """``--bots N``: the in-process row and the shared-store row per exchange (bench/bots.py)."""
    import json

    from batchcancel.bench.bots import bots_table, run_bots_bench
    from batchcancel.bench.workload import DEFAULT_CATEGORIES, Workload
    from batchcancel.errors import ConfigError
    from batchcancel.sandbox import Sandbox
    from batchcancel.store_url import check_store_url

    if args.budget_store is not None:
        try:
            check_store_url("--budget-store", args.budget_store)
        except ConfigError as error:
            print(f"batchcancel bench: {error}", file=sys.stderr)
            return 2
    workloads = [
        Workload(
            exchange, args.orders, args.symbols,
            tuple(categories.get(exchange) or DEFAULT_CATEGORIES[exchange]), args.filled, args.seed,
        )
        for exchange in exchanges
    ]  # fmt: skip
    with Sandbox(latency_ms=args.latency_ms, seed=args.seed, budget_scale=args.budget_scale) as sandbox:
        rows = run_bots_bench(
            sandbox, workloads, args.bots, args.budget_store, repeats=args.repeats,
            rtt_s=args.latency_ms / 1000, async_=args.bot_mode == "async", progress=progress,
        )  # fmt: skip
    table = bots_table(rows)
    to_stdout = args.json == "-"
    print(table, file=sys.stderr if to_stdout else sys.stdout)
    if args.json:
        text = json.dumps([row.as_dict() for row in rows], indent=2)
        if to_stdout:
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    bad = [row for row in rows if row.unaccounted]
    for row in bad:
        print(
            f"batchcancel bench: {row.pacing} on {row.exchange} left {row.unaccounted} unaccounted",
            file=sys.stderr,
        )
    return 1 if bad else 0
