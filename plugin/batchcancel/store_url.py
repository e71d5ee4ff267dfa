"""The ``budget_store`` URL: checked when settings are made, shown without its password."""

from __future__ import annotations

import importlib.util
from typing import Any
from urllib.parse import urlsplit

from batchcancel.errors import ConfigError

SCHEMES = ("redis", "rediss")
EXTRA_HINT = "pip install 'batchcancel[redis]'"


def check_store_url(where: str, value: Any) -> None:
    """Raise :class:`ConfigError` naming ``where`` unless ``value`` is a usable Redis URL.

    Checked before any request is sent: a typo must not silently turn shared pacing off.
    """
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a redis:// URL, got {type(value).__name__}")
    shown = display_url(value)
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError on a port that is no number or out of range
    except ValueError as error:
        raise ConfigError(f"{where} is not a valid URL ({error}): {shown}") from None
    if parts.scheme not in SCHEMES:
        raise ConfigError(f"{where} must start with redis:// or rediss://, got {shown}")
    if not parts.hostname:
        raise ConfigError(f"{where} names no host: {shown}")
    if port == 0:
        raise ConfigError(f"{where} has port 0: {shown}")
    db = parts.path.strip("/")
    if db and not (db.isdigit() and len(db) <= 5):
        raise ConfigError(f"{where} database must be a whole number (redis://host:port/0), got {db!r}")
    try:
        found = importlib.util.find_spec("redis") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ConfigError(f"{where} needs the Redis client, which is not installed: {EXTRA_HINT}")
    from redis.connection import parse_url  # the client's own reading, query options included

    try:
        parse_url(value)
    except ValueError as error:
        raise ConfigError(f"{where}: {error} ({shown})") from None


def display_url(value: Any) -> str:
    """The URL without user name or password: safe for logs, reprs and reports."""
    if value is None:
        return "None"
    text = str(value)
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    if not parts.scheme or not host:
        return "<invalid URL>"
    host = f"[{host}]" if ":" in host else host
    where = f"{host}:{port}" if port else host
    return f"{parts.scheme}://{where}{parts.path}"


def password_of(value: str) -> str | None:
    """The password in the URL (to scrub it from messages a Redis client might echo)."""
    try:
        return urlsplit(value).password
    except ValueError:
        return None
