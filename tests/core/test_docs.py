"""Docs ship with the code: every hook in the spec is documented, and the README's commands match CI."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pluggy

from batchcancel import hookspecs

ROOT = Path(__file__).resolve().parents[2]


def spec_hooks() -> list[str]:
    return [
        name
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, "batchcancel_spec")
    ]


def test_the_spec_has_hooks_and_each_says_where_it_stops():
    hooks = spec_hooks()
    assert hooks == ["cancel_all_orders", "cancel_orders"]
    for name in hooks:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert ":param" in doc and ":return" in doc and "Stops at first non-None result" in doc


def test_every_hook_is_documented_in_the_plugin_reference():
    reference = (ROOT / "docs" / "plugins.md").read_text()
    for name in spec_hooks():
        assert re.search(rf"^### `{name}`$", reference, re.MULTILINE), f"docs/plugins.md lacks hook {name}"
        signature = inspect.signature(getattr(hookspecs, name))
        for parameter in signature.parameters:
            assert f"**{parameter}**" in reference, f"docs/plugins.md lacks parameter {parameter} of {name}"


def test_hookspec_marker_is_the_projects():
    assert isinstance(hookspecs.hookspec, pluggy.HookspecMarker)
    assert hookspecs.hookspec.project_name == "batchcancel"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "python -m pip install -e '.[test]' && python -m pytest"
    assert command in readme and command in ci


def test_ci_runs_the_version_range_environments_and_they_test_the_declared_bounds():
    import pytest

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    ci = (ROOT / ".ci" / "run").read_text()
    tox = (ROOT / "tox.ini").read_text()
    assert "tox -e freqtrade-oldest,freqtrade-newest,ccxt-oldest" in ci
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (ccxt,) = [d for d in project["dependencies"] if d.startswith("ccxt")]
    lowest = re.search(r">=([\d.]+)", ccxt)
    assert lowest and f"deps = ccxt=={lowest.group(1)}" in tox
    (freqtrade,) = project["optional-dependencies"]["freqtrade"]
    oldest = re.search(r">=([\d.]+)", freqtrade)
    assert oldest and f"oldest: freqtrade=={oldest.group(1)}" in tox
