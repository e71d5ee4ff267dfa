"""``batchcancel plugins``: what was discovered, from which distribution, and what is blocked."""

from __future__ import annotations

import argparse
import json

import attrs

from batchcancel.manager import DISABLE_AUTOLOAD_ENV, autoload_disabled, get_plugin_manager


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("plugins", help="list the discovered plugins and which are blocked")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    infos = get_plugin_manager().plugins()
    if args.json:
        print(json.dumps([attrs.asdict(info) for info in infos], indent=2))
        return 0
    if autoload_disabled():
        print(f"entry-point autoload is off ({DISABLE_AUTOLOAD_ENV}): only the built-in plugins are loaded")
    header = ("name", "distribution", "version", "state")
    rows = [header] + [
        (i.name, i.distribution, i.version, i.state + (f" ({i.reason})" if i.reason else "")) for i in infos
    ]
    widths = [max(len(row[col]) for row in rows) for col in range(3)]  # the last column is free-form
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
        )
    return 0
