"""No import circle anywhere in the package (issue #12): data and imports flow one way.

The graph (tests/core/import_graph.py) counts module-level and function-level imports alike and leaves
out ``if TYPE_CHECKING:`` imports.
"""

from __future__ import annotations

from pathlib import Path

import batchcancel
from tests.core.import_graph import cycles, import_graph

ROOT = Path(batchcancel.__file__).resolve().parent.parent


def test_no_import_circle():
    assert cycles(import_graph(ROOT)) == []


def test_the_graph_sees_the_packages_imports():
    # A walker that found nothing would pass the test above for the wrong reason.
    graph = import_graph(ROOT)
    assert "batchcancel.engine.job" in graph
    assert "batchcancel.engine.sent" in graph["batchcancel.engine.job"]
