"""The Redis fixture's policy: skip with a reason on a developer's machine, fail in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ONE_TEST = "tests/shared_budget/test_redis_store.py::test_grants_what_the_window_has_left_and_no_more"


def run_without_redis_server(ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(ROOT / "no-such-dir")  # no redis-server on PATH
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", ONE_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("ci", [None, "false"])
def test_without_a_server_the_tests_skip_and_say_why(ci):
    result = run_without_redis_server(ci)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "redis-server is not on PATH" in result.stdout


def test_in_ci_a_missing_server_fails_the_run():
    result = run_without_redis_server("true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CI=true and no Redis server" in result.stdout
