"""The project's pluggy marker pair (third-party plugins decorate their hooks with ``hookimpl``), and
how plugin names are compared."""

import pluggy

PROJECT_NAME = "batchcancel"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


def plugin_key(name: str) -> str:
    """How plugin names are compared everywhere: trimmed and case-insensitive (``" Bitget "`` is
    ``bitget``), so a switch never misses a plugin over spelling it the way a human would."""
    return name.strip().casefold()
