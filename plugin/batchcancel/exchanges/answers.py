"""What reading exchanges' answers shares across dialects: integer codes and numeric headers."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any


def code_of(value: Any) -> int | None:
    """An exchange code as an integer, whether sent as a number or a string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def header_text(headers: Mapping[str, Any], name: str) -> str | None:
    """The header ``name`` (lower case), whatever case the answer used."""
    for key, value in headers.items():
        if str(key).lower() == name:
            return str(value)
    return None


def header_value(headers: Mapping[str, Any], name: str) -> float | None:
    """The header ``name`` (lower case) as a finite number; None when absent or not a number."""
    text = header_text(headers, name)
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None
