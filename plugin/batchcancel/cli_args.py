"""What every ``batchcancel`` subcommand shares on its command line: one-line usage errors and the
argument types that refuse bad numbers before anything starts."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """A usage mistake is one line on stderr and exit status 2: no usage block, no traceback."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def fail(prog: str, message: str) -> int:
    """Report a user mistake found after parsing (a taken port...) the same way; returns 2."""
    print(f"{prog}: {message}", file=sys.stderr)
    return 2


def _number(value: str, kind: type[int] | type[float]) -> float:
    try:
        number = kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a {'whole ' if kind is int else ''}number"
        ) from None
    if number != number or number in (float("inf"), float("-inf")):  # nan / inf
        raise argparse.ArgumentTypeError(f"{value!r} is not a finite number")
    return number


def positive_int(value: str) -> int:
    number = int(_number(value, int))
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def positive_float(value: str) -> float:
    number = _number(value, float)
    if not number > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {value}")
    return number


def not_negative_float(value: str) -> float:
    number = _number(value, float)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return number


def port(value: str) -> int:
    number = int(_number(value, int))
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 (any free port) to 65535, got {value}")
    return number


def credential(value: str) -> str:
    """A key, secret or passphrase given on the command line: not blank (never echoed back here)."""
    if not value.strip() or value != value.strip():
        raise argparse.ArgumentTypeError("must be non-empty, without leading or trailing spaces")
    return value
