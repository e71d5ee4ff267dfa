"""The ``batchcancel`` command line (stdlib argparse).

Each subcommand lives in its own module exposing ``register(subparsers)``; this module only
collects them, so adding a subcommand never touches another one's code. A user's mistake (a bad
option, a bad config value) ends in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from batchcancel.cli_args import OneLineParser, fail
from batchcancel.errors import ConfigError

SUBCOMMAND_MODULES: tuple[str, ...] = (
    "batchcancel.cli_plugins",
    "batchcancel.cli_kill",
    "batchcancel.sandbox.cli",
    "batchcancel.bench.demo",
    "batchcancel.bench.cli",
)


def build_parser() -> argparse.ArgumentParser:
    from batchcancel import __version__

    parser = OneLineParser(
        prog="batchcancel",
        description="Native batch order cancellation for ccxt-based bots (Bybit v5, Bitget v2).",
    )
    parser.add_argument("--version", action="version", version=f"batchcancel {__version__}")
    # Subcommand parsers are OneLineParsers too (argparse reuses the parent's class).
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
    except ConfigError as error:  # a settings value the user gave: theirs to fix, in one line
        return fail(f"batchcancel {args.command}", str(error))
    except OSError as error:  # e.g. --json/--plot into a missing directory: the user's path to fix
        where = f": {error.filename}" if error.filename else ""
        return fail(f"batchcancel {args.command}", f"{error.strerror or error}{where}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
