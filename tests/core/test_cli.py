"""The ``batchcancel`` command line as a user meets it: ``--version``, and every mistake one line
on stderr with exit status 2, never a traceback (subprocesses, as a shell runs them)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import batchcancel

COMMAND = [sys.executable, "-m", "batchcancel"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=60)


def test_version():
    result = run("--version")
    assert (result.returncode, result.stdout) == (0, f"batchcancel {batchcancel.__version__}\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuchcommand"], "batchcancel: argument COMMAND: invalid choice: 'nosuchcommand'"),
        (["--orders"], "batchcancel: unrecognized arguments: --orders"),
        (["demo", "--orders", "0"], "batchcancel demo: argument --orders: must be at least 1, got 0"),
        (["demo", "--latency-ms", "-5"], "batchcancel demo: argument --latency-ms: must be 0 or more"),
        (["demo", "--orders", "ten"], "batchcancel demo: argument --orders: 'ten' is not a whole number"),
        (
            ["bench", "--budget-scale", "0"],
            "batchcancel bench: argument --budget-scale: must be greater than 0",
        ),
        (["bench", "--latency-ms", "-1"], "batchcancel bench: argument --latency-ms: must be 0 or more"),
        (["bench", "--exchange", "kraken"], "batchcancel bench: argument --exchange: invalid choice"),
        (["bench", "--methods", "nope", "--quiet"], "batchcancel bench: unknown method"),
        (["plugins", "--tables"], "batchcancel: unrecognized arguments: --tables"),
        (
            [
                "bench",
                *["--orders", "4", "--symbols", "2", "--repeats", "1", "--latency-ms", "0", "--quiet"],
                "--json",
                "/no/dir/r.json",
            ],
            "batchcancel bench: No such file or directory: /no/dir/r.json",
        ),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(args, message):
    result = run(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(message), result.stderr
