"""Compare, release by release, the freqtrade methods the integration wraps or calls.

How the supported range in ``batchcancel.hosts.freqtrade.gate`` was decided (docs/hosts/freqtrade.md,
"Supported releases"). Reads freqtrade wheels without installing them:

    python -m pip download --no-deps -d /tmp/ft freqtrade==2025.12 freqtrade==2026.9 ...
    python tests/hosts/freqtrade_shapes.py /tmp/ft/freqtrade-*.whl

One row per release, one column per method: a short hash of the method's source, so equal
columns mean unchanged code. ``--show NAME`` prints one method's source per release.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import re
import zipfile
from pathlib import Path

METHODS = {
    "freqtrade/freqtradebot.py": [
        ("FreqtradeBot", "__init__"),
        ("FreqtradeBot", "cancel_all_open_orders"),
        ("FreqtradeBot", "handle_cancel_enter"),
        ("FreqtradeBot", "handle_cancel_exit"),
    ],
    "freqtrade/rpc/rpc.py": [("RPC", "_rpc_force_exit"), ("RPC", "__exec_force_exit")],
    "freqtrade/exchange/exchange.py": [
        ("Exchange", "fetch_order"),
        ("Exchange", "cancel_order"),
        ("Exchange", "_order_contracts_to_amount"),
    ],
}


def sources(wheel: Path) -> dict[str, str]:
    found = {}
    with zipfile.ZipFile(wheel) as archive:
        for path, wanted in METHODS.items():
            text = archive.read(path).decode()
            classes = {n.name: n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.ClassDef)}
            for cls, name in wanted:
                body = classes[cls].body if cls in classes else []
                node = next((n for n in body if isinstance(n, ast.FunctionDef) and n.name == name), None)
                found[f"{cls}.{name}"] = ast.get_source_segment(text, node) if node else "MISSING"
    return found


def release(wheel: Path) -> tuple[int, ...]:
    match = re.search(r"freqtrade-([\d.]+)-", wheel.name)
    return tuple(int(p) for p in match.group(1).split(".")) if match else ()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("wheels", nargs="+", type=Path)
    parser.add_argument("--show", metavar="CLASS.METHOD", help="print this method's source per release")
    args = parser.parse_args()
    for wheel in sorted(args.wheels, key=release):
        found = sources(wheel)
        version = ".".join(map(str, release(wheel)))
        if args.show:
            print(f"=== {version}\n{found[args.show]}\n")
            continue
        row = [hashlib.sha1(text.encode()).hexdigest()[:8] for text in found.values()]
        print(f"{version:10}", *row)
    if not args.show:
        print("columns:", ", ".join(sources(args.wheels[0])))


if __name__ == "__main__":
    main()
