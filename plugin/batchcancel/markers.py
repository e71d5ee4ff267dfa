"""The project's pluggy marker pair. Third-party plugins decorate their hooks with ``hookimpl``."""

import pluggy

PROJECT_NAME = "batchcancel"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
