"""``batchcancel demo``: the same book cancelled twice, plain ccxt then batchcancel, side by side.

An in-process sandbox with realistic latency and the exchanges' documented rate budgets; a few
hundred open orders on Bybit (spot, linear) and Bitget (spot, USDT futures) by default, or on the
exchanges ``--exchange`` names (OKX: spot and perpetual swaps; Binance USDⓈ-M: perpetuals), a few
already filled.
Each exchange is cancelled on its own thread (their budgets are independent), first by a plain
``cancel_order`` loop, then, on a freshly seeded identical book, by ``batchcancel.cancel_orders``.
Exits non-zero when batchcancel leaves an order open or unaccounted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TextIO

import attrs

from batchcancel.bench.methods import BATCHCANCEL_SYNC, CCXT_LOOP, RunResult, run_method
from batchcancel.bench.report import Progress, format_table
from batchcancel.bench.workload import (
    BINANCEUSDM,
    BITGET,
    BYBIT,
    EXCHANGES,
    OKX,
    Audit,
    Seeded,
    Workload,
    audit,
    ordered_statuses,
    seed,
)
from batchcancel.cli_args import not_negative_float, positive_int

LATENCY_MS = 30.0
ORDERS = 120  # per exchange
SYMBOLS = 12  # per exchange, half spot, half derivatives
FILLED = 4  # per exchange
CATEGORIES = {
    BYBIT: ("spot", "linear"),
    BITGET: ("spot", "USDT-FUTURES"),
    OKX: ("SPOT", "SWAP"),
    BINANCEUSDM: ("linear",),
}
DEFAULT_EXCHANGES = (BYBIT, BITGET)
ALL = "all"
PHASES = ((CCXT_LOOP, "ccxt cancel_order loop"), (BATCHCANCEL_SYNC, "batchcancel"))
_DOING = {CCXT_LOOP: "a plain ccxt cancel_order loop", BATCHCANCEL_SYNC: "batchcancel.cancel_orders"}

Hook = Callable[[Any, str], None]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="cancel a few hundred orders on the in-process sandbox: plain ccxt vs batchcancel",
        description=(
            "Start the sandbox exchange in-process (Bybit v5 + Bitget v2, or OKX v5 or Binance USDⓈ-M "
            "with --exchange; documented rate budgets, "
            f"{LATENCY_MS:g} ms latency), seed open orders, cancel them with a plain ccxt cancel_order "
            "loop and again with batchcancel, print both side by side, and check with the sandbox that "
            "batchcancel left no order open or unaccounted (exit status 1 if it did)."
        ),
    )
    parser.add_argument(
        "--orders", type=positive_int, default=ORDERS, help=f"orders per exchange (default {ORDERS})"
    )
    parser.add_argument(
        "--symbols", type=positive_int, default=SYMBOLS, help=f"symbols per exchange ({SYMBOLS})"
    )
    parser.add_argument("--filled", type=int, default=FILLED, help=f"already filled per exchange ({FILLED})")
    parser.add_argument(
        "--latency-ms", type=not_negative_float, default=LATENCY_MS, help=f"default {LATENCY_MS:g}"
    )
    parser.add_argument(
        "--exchange",
        choices=(*EXCHANGES, ALL),
        default=None,
        help=f"one exchange, or {ALL!r} (default: {' and '.join(DEFAULT_EXCHANGES)})",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        workloads = [
            Workload(exchange, args.orders, args.symbols, CATEGORIES[exchange], args.filled, args.seed)
            for exchange in _exchanges(args.exchange)
        ]
    except ValueError as error:
        print(f"batchcancel demo: {error}", file=sys.stderr)
        return 2
    return run_demo(
        workloads, latency_ms=args.latency_ms, seed=args.seed, progress=Progress(quiet=args.quiet)
    )


def _exchanges(choice: str | None) -> tuple[str, ...]:
    if choice is None:
        return DEFAULT_EXCHANGES
    return EXCHANGES if choice == ALL else (choice,)


@attrs.frozen
class PhaseResult:
    seeded: Seeded
    result: RunResult
    audit: Audit


def run_demo(
    workloads: Sequence[Workload],
    *,
    latency_ms: float = LATENCY_MS,
    seed: int = 0,
    progress: Progress | None = None,
    out: TextIO | None = None,
    before_cancel: Hook | None = None,
) -> int:
    """Run the demo and return its exit status.

    ``before_cancel(sandbox, method)`` runs after each phase's seeding (tests inject faults there).
    """
    from batchcancel.sandbox import Sandbox

    out = out or sys.stdout
    progress = progress or Progress()
    started = time.monotonic()
    print(
        f"batchcancel demo: in-process sandbox exchange, {latency_ms:g} ms latency, "
        "the exchanges' documented rate budgets",
        file=out,
    )
    results: dict[str, dict[str, PhaseResult]] = {}
    with Sandbox(latency_ms=latency_ms, seed=seed) as sandbox:
        for method, title in PHASES:
            results[method] = _phase(sandbox, workloads, method, title, progress, before_cancel)
    for workload in workloads:
        print(file=out)
        print(_exchange_table(workload, {m: results[m][workload.exchange] for m, _ in PHASES}), file=out)
    return _verdict(workloads, results[BATCHCANCEL_SYNC], out, time.monotonic() - started)


def _phase(
    sandbox: Any,
    workloads: Sequence[Workload],
    method: str,
    title: str,
    progress: Progress,
    before_cancel: Hook | None,
) -> dict[str, PhaseResult]:
    sandbox.reset()
    seeded = {w.exchange: seed(sandbox, w) for w in workloads}
    if before_cancel is not None:
        before_cancel(sandbox, method)

    def status() -> str:
        parts = [
            f"{name} {len(s.orders) - len(sandbox.open_orders(name))}/{len(s.orders)}"
            for name, s in seeded.items()
        ]
        return f"{title}: {', '.join(parts)} orders closed"

    progress.line(f"cancelling with {_DOING[method]}...")
    with progress.ticking(status), ThreadPoolExecutor(len(seeded), thread_name_prefix="demo") as pool:
        futures = {name: pool.submit(run_method, sandbox, method, s) for name, s in seeded.items()}
        runs = {name: future.result() for name, future in futures.items()}
    phase = {
        name: PhaseResult(seeded[name], run, audit(sandbox, seeded[name], run.reported))
        for name, run in runs.items()
    }
    for name, one in phase.items():
        progress.line(f"  {name}: {one.result.wall_s:.2f} s, {one.result.requests} HTTP requests")
    return phase


def _exchange_table(workload: Workload, phases: Mapping[str, PhaseResult]) -> str:
    columns = [phases[m] for m, _ in PHASES]
    rows: list[list[object]] = [
        ["orders", *(len(p.seeded.orders) for p in columns)],
        ["HTTP requests", *(p.result.requests for p in columns)],
        ["wall time", *(f"{p.result.wall_s:.2f} s" for p in columns)],
        ["orders/s", *(f"{len(p.seeded.orders) / max(p.result.wall_s, 1e-9):.1f}" for p in columns)],
    ]
    for index, (status, _) in enumerate(ordered_statuses(columns[0].audit.statuses)):
        label = status.replace("_", " ")
        rows.append([label, *(ordered_statuses(p.audit.statuses)[index][1] for p in columns)])
    rows.append(["left open", *(p.audit.left_open for p in columns)])
    rows.append(["unaccounted", *(p.audit.unaccounted for p in columns)])
    table = format_table(
        [f"{workload.exchange}", *(title for _, title in PHASES)], rows, (False, *([True] * len(PHASES)))
    )
    notes = [f"{workload.exchange}: {workload.describe()}"]
    loop, ours = columns[0], columns[-1]
    if loop.result.errors:
        errors = ", ".join(f"{name} x{count}" for name, count in sorted(loop.result.errors.items()))
        notes.append(f"  plain ccxt loop errors: {errors}")
    if ours.result.via:
        notes.append(
            "  batchcancel paths: " + ", ".join(f"{v} {n}" for v, n in sorted(ours.result.via.items()))
        )
    if ours.result.wall_s > 0 and ours.result.requests:
        notes.append(
            f"  batchcancel: {loop.result.wall_s / ours.result.wall_s:.1f}x faster, "
            f"{loop.result.requests / ours.result.requests:.1f}x fewer HTTP requests"
        )
    return "\n".join([notes[0], table, *notes[1:]])


def _verdict(
    workloads: Sequence[Workload], ours: Mapping[str, PhaseResult], out: TextIO, elapsed: float
) -> int:
    problems = [
        f"{w.exchange}: {ours[w.exchange].audit.left_open} left open, "
        f"{ours[w.exchange].audit.unaccounted} unaccounted"
        for w in workloads
        if ours[w.exchange].audit.unaccounted or ours[w.exchange].audit.left_open
    ]
    print(file=out)
    if problems:
        print(f"check FAILED: after batchcancel, {'; '.join(problems)} (checked with the sandbox)", file=out)
        return 1
    total = sum(len(ours[w.exchange].seeded.orders) for w in workloads)
    print(
        f"check OK: after batchcancel none of the {total} orders is open in the sandbox, and each\n"
        f"answer matches the sandbox's final state of its order (demo took {elapsed:.1f} s)",
        file=out,
    )
    return 0
