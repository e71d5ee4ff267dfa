"""The freqtrade release range, without freqtrade installed (the shape check needs it: see
test_freqtrade.py, run by tox -e freqtrade-oldest,freqtrade-newest)."""

from __future__ import annotations

import pytest

from batchcancel.hosts.freqtrade import NEWEST_FREQTRADE, OLDEST_FREQTRADE, supported_range, version_refusal
from batchcancel.hosts.freqtrade.gate import in_range


def test_the_range_covers_at_least_the_last_six_releases_through_2026_9():
    releases = ["2026.4", "2026.5", "2026.5.1", "2026.6", "2026.7", "2026.8", "2026.9"]
    assert all(in_range(v) for v in releases)
    assert (OLDEST_FREQTRADE, NEWEST_FREQTRADE) == ("2025.12", "2026.9")
    assert supported_range() == ">=2025.12,<2026.10"


@pytest.mark.parametrize(
    ("version", "inside"),
    [
        ("2025.12", True),
        ("2026.1", True),
        ("2026.9", True),
        ("2026.9.1", True),  # a patch of the newest: the shape check still decides
        ("2025.11.2", False),
        ("2026.10", False),
        ("2027.1", False),
        ("develop", False),
        ("2026.9-dev-abc", False),
    ],
)
def test_in_range(version, inside):
    assert in_range(version) is inside
    assert (version_refusal(version) == "") is inside
