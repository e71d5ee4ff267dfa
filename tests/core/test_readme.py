"""Every code block of the README runs as shown.

* ``python`` blocks run as scripts, in a subprocess (they use the loopback sandbox);
* ``json`` blocks are read by ``Settings.from_config``;
* ``bash`` lines run in a shell, except three kinds that run elsewhere, and this test checks
  that they do: ``pip`` lines appear verbatim in ``.ci/run`` (fresh virtual environments), the
  freqtrade lines are the recipe ``tests/hosts/test_freqtrade_recipe.py`` runs, and the demo
  is ``.ci/run``'s main-job command.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import batchcancel
from batchcancel import Settings
from tests.helpers import recipe_commands

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
CI = (ROOT / ".ci" / "run").read_text()
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```", README, re.S | re.M)
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def blocks(language: str) -> list[str]:
    return [code for lang, code in BLOCKS if lang == language]


def bash_lines() -> list[str]:
    return [line.strip() for code in blocks("bash") for line in code.splitlines() if line.strip()]


def command(line: str) -> str:
    """The line without its trailing comment."""
    return re.split(r"\s+#\s", line, maxsplit=1)[0].strip()


def elsewhere(line: str) -> str:
    """Where a line that this test does not run is run, or "" when this test runs it."""
    cmd = command(line)
    if cmd == "python -m pip install '.[freqtrade]'":
        return "tox -e freqtrade-newest (extras = freqtrade)"
    if cmd in recipe_commands():
        return "tests/hosts/test_freqtrade_recipe.py"
    if cmd.startswith("python -m pip") or cmd == "batchcancel demo":
        return ".ci/run"
    return ""


def test_there_are_blocks_of_each_kind():
    assert len(blocks("python")) == 3 and len(blocks("json")) == 2 and len(bash_lines()) >= 10
    assert {lang for lang, _ in BLOCKS} == {"python", "json", "bash"}


@pytest.mark.parametrize("index", range(3))
def test_python_blocks_run_as_scripts(index, tmp_path):
    code = blocks("python")[index]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=ENV
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    if index == 0:  # the sync quick start: three answers, one of them the unknown SOL order
        assert [line.split()[1:3] for line in out] == [
            ["canceled", "0"],
            ["canceled", "0"],
            ["already_closed", "170213"],
        ]
        assert out[1].startswith("grid-17 ") and out[2].startswith("1812399 ")
    elif index == 1:  # async: 120 canceled in 3 requests
        assert out == ["{'canceled': 120, 'already_closed': 0, 'rejected': 0, 'failed': 0} 3 requests"]
    else:  # the drop-in
        assert out == ["30 closed"]


def test_json_blocks_are_valid_configs():
    toggle, store = (Settings.from_config(json.loads(config)) for config in blocks("json"))
    assert toggle.enabled and toggle.max_concurrency == 64
    assert store.budget_store is not None and "PASSWORD" not in repr(store)


def test_lines_run_elsewhere_are_run_there():
    tox = (ROOT / "tox.ini").read_text()
    for line in bash_lines():
        where = elsewhere(line)
        if where == ".ci/run":
            assert command(line) in CI, f"{line!r} is not in .ci/run"
        elif where.startswith("tox"):
            env = tox[tox.index("[testenv:freqtrade-") :]
            assert re.search(r"newest:\s*freqtrade\b", env) or "freqtrade" in env.split("extras =")[1][:60]
    assert "python -m pip install . && batchcancel demo" in README  # the main job, verbatim
    wheel = f"dist/batchcancel-{batchcancel.__version__}-py3-none-any.whl"
    assert wheel in README and wheel in CI


@pytest.mark.parametrize("line", [line for line in bash_lines() if not elsewhere(line)])
def test_bash_lines_run(line, tmp_path):
    cmd = command(line)
    if cmd.startswith("batchcancel sandbox"):  # runs until Ctrl-C: start it, then press it
        process = subprocess.Popen(
            ["bash", "-c", f"exec {cmd}"], cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, text=True
        )
        try:
            assert process.stdout is not None
            assert "http://127.0.0.1:" in process.stdout.readline()
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
        return
    result = subprocess.run(
        ["bash", "-c", cmd], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if "BATCHCANCEL_DISABLE_PLUGINS=bybit" in cmd:
        assert re.search(r"^bybit .*blocked", result.stdout, re.M)
    if "bench" in cmd:
        assert json.loads((tmp_path / "rows.json").read_text())
