"""The ``batchcancel`` command line (stdlib argparse).

Each subcommand lives in its own module exposing ``register(subparsers)``; this module only
collects them, so adding a subcommand never touches another one's code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

SUBCOMMAND_MODULES: tuple[str, ...] = (
    "batchcancel.cli_plugins",
    "batchcancel.sandbox.cli",
    "batchcancel.bench.demo",
    "batchcancel.bench.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="batchcancel",
        description="Native batch order cancellation for ccxt-based bots (Bybit v5, Bitget v2).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
