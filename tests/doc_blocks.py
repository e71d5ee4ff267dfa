"""Code blocks read out of the docs, for the tests that run them as written."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def recipe_commands() -> list[str]:
    """The ``$ `` lines of the first console block under docs/hosts/freqtrade.md's recipe heading."""
    doc = (ROOT / "docs/hosts/freqtrade.md").read_text()
    section = doc[doc.index("## Try it on the sandbox") :]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block is not None, "docs/hosts/freqtrade.md: no console block under 'Try it on the sandbox'"
    return [line[2:] for line in block.group(1).splitlines() if line.startswith("$ ")]
