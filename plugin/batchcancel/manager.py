"""Plugin registration and discovery, and the typed call into the ``cancel_orders`` hook.

The built-in plugins (``bybit``, ``bitget``, ``binanceusdm``, ``ccxt``) are registered by the
manager itself, as pluggy's own example and tox do: they are part of the package, so the
autoload switch cannot take them away. Third-party plugins come through the ``batchcancel``
entry-point group. The disable list (``BATCHCANCEL_DISABLE_PLUGINS``) blocks names of either kind
before they are imported.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Awaitable, Iterable, Sequence
from importlib import metadata
from typing import Any

import attrs
import pluggy

from batchcancel import hookspecs
from batchcancel.markers import PROJECT_NAME, plugin_key

log = logging.getLogger("batchcancel")

ENTRY_POINT_GROUP = PROJECT_NAME
DISABLE_PLUGINS_ENV = "BATCHCANCEL_DISABLE_PLUGINS"
DISABLE_AUTOLOAD_ENV = "BATCHCANCEL_DISABLE_PLUGIN_AUTOLOAD"

# Imported by name, when the manager loads, so that importing the manager alone stays cheap.
BUILTIN_PLUGINS: dict[str, str] = {
    "ccxt": "batchcancel.exchanges.ccxt_fallback",
    "bybit": "batchcancel.exchanges.bybit",
    "bitget": "batchcancel.exchanges.bitget",
    "okx": "batchcancel.exchanges.okx",
    "binanceusdm": "batchcancel.exchanges.binanceusdm",
}


@attrs.frozen
class PluginInfo:
    """What ``batchcancel plugins`` shows about one plugin."""

    name: str
    """The plugin's name (what ``disabled_plugins`` takes): a built-in's or its entry point's."""
    distribution: str
    """The installed distribution that declares it (``batchcancel`` for built-ins)."""
    version: str
    """That distribution's version."""
    state: str
    """``active``, ``blocked`` or ``failed``."""
    reason: str = ""
    """Why it is blocked or failed."""


def env_disabled_plugins() -> tuple[str, ...]:
    raw = os.environ.get(DISABLE_PLUGINS_ENV, "")
    return tuple(sorted({plugin_key(name) for name in raw.split(",") if name.strip()}))


def _installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "?"


def autoload_disabled() -> bool:
    return os.environ.get(DISABLE_AUTOLOAD_ENV, "").strip().lower() not in ("", "0", "false", "no")


class PluginManager:
    """A small wrapper over :class:`pluggy.PluginManager` with typed methods."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self._infos: dict[str, PluginInfo] = {}
        self._blocked: frozenset[str] = frozenset()
        self._warned: set[str] = set()  # unknown names already warned about (once per name)

    def load_entry_points(self, blocked: Iterable[str] = (), autoload: bool = True) -> None:
        """Register the built-ins, then (``autoload``) every entry point in the group; blocked names
        are never imported, and a broken entry point is logged and skipped.

        ``blocked`` names are compared trimmed and case-insensitively; a name that matches no
        plugin is warned about once (a typo must not look like a working switch).
        """
        self._blocked = frozenset(plugin_key(name) for name in blocked if name.strip())
        self._register_builtins()
        if autoload:
            for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
                self._load(entry_point)
        self.warn_unknown(self._blocked, DISABLE_PLUGINS_ENV)
        self._drop_invalid()

    def known_names(self) -> list[str]:
        """Every plugin name this manager has seen: loaded, blocked or failed."""
        return sorted(self._infos)

    def resolve(self, names: Iterable[str]) -> list[str]:
        """The registered names that ``names`` mean (trimmed, case-insensitive)."""
        wanted = {plugin_key(name) for name in names}
        return [name for name in self._infos if plugin_key(name) in wanted]

    def warn_unknown(self, names: Iterable[str], where: str) -> None:
        """Warn, once per name, about names that match no plugin, listing the known ones."""
        known = {plugin_key(name) for name in self._infos}
        unknown = sorted({plugin_key(n) for n in names} - known - self._warned)
        if unknown:
            self._warned.update(unknown)
            log.warning(
                "batchcancel: %s names no known plugin: %s; known plugins: %s",
                where,
                ", ".join(map(repr, unknown)),
                ", ".join(self.known_names()) or "(none)",
            )

    def _register_builtins(self) -> None:
        version = _installed_version(PROJECT_NAME)
        for name, module in BUILTIN_PLUGINS.items():
            if plugin_key(name) in self._blocked:
                self.pm.set_blocked(name)
                self._infos[name] = PluginInfo(name, PROJECT_NAME, version, "blocked", DISABLE_PLUGINS_ENV)
                continue
            self.pm.register(importlib.import_module(module), name=name)
            self._infos[name] = PluginInfo(name, PROJECT_NAME, version, "active")

    def _drop_invalid(self) -> None:
        """A discovered plugin implementing an unknown (e.g. misspelt) hook is an error: drop it, loudly."""
        while True:
            try:
                self.pm.check_pending()
                return
            except pluggy.PluginValidationError as exc:
                name = self.pm.get_name(exc.plugin) or repr(exc.plugin)
                log.error("batchcancel plugin %r is not loaded: %s", name, exc)
                self.pm.unregister(exc.plugin)
                old = self._infos.get(name)
                self._infos[name] = PluginInfo(
                    name, old.distribution if old else "?", old.version if old else "?", "failed", str(exc)
                )

    def _load(self, entry_point: metadata.EntryPoint) -> None:
        dist = entry_point.dist
        dist_name = dist.metadata["Name"] if dist is not None else "?"
        version = dist.version if dist is not None else "?"
        name = entry_point.name
        if plugin_key(name) in self._blocked:
            self.pm.set_blocked(name)  # before loading: a blocked plugin's module is never imported
            self._infos[name] = PluginInfo(name, dist_name, version, "blocked", DISABLE_PLUGINS_ENV)
            return
        if BUILTIN_PLUGINS.get(name) == entry_point.value:
            return  # an install that still declares a built-in as an entry point: registered already
        if self.pm.get_plugin(name) is not None:
            log.warning(
                "batchcancel plugin %r from %s is skipped: a plugin of that name is registered already",
                name,
                dist_name,
            )
            return
        try:
            plugin = entry_point.load()
            self.pm.register(plugin, name=name)
        except Exception as exc:  # a broken third-party plugin must not stop a kill switch
            log.warning(
                "batchcancel plugin %r from %s failed to load and is skipped: %r", name, dist_name, exc
            )
            self._infos[name] = PluginInfo(name, dist_name, version, "failed", f"{type(exc).__name__}: {exc}")
            return
        self._infos[name] = PluginInfo(name, dist_name, version, "active")

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register a plugin object directly (tests, or hosts that do not use entry points).

        A name blocked by ``BATCHCANCEL_DISABLE_PLUGINS`` is not registered (returns None).
        """
        if name is not None and plugin_key(name) in self._blocked:
            return None
        registered = self.pm.register(plugin, name=name)
        self.pm.check_pending()
        if registered is not None:
            self._infos.setdefault(registered, PluginInfo(registered, "(registered)", "-", "active"))
        return registered

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self._infos.pop(name, None)

    def plugins(self) -> list[PluginInfo]:
        return sorted(self._infos.values(), key=lambda info: info.name)

    def has_plugin(self, name: str) -> bool:
        return any(self.pm.get_plugin(found) is not None for found in self.resolve([name]))

    def why_unclaimed(self, exclude: Iterable[str], fallback: bool) -> str:
        """Why no plugin claimed an exchange: what was switched off, blocked or broken."""
        reasons = []
        if not fallback:
            reasons.append("the ccxt fallback is off (settings.fallback)")
        excluded = sorted(name for name in set(exclude) if self.has_plugin(name))
        if excluded:
            reasons.append(f"disabled for this call: {', '.join(excluded)} (settings.disabled_plugins)")
        for state, why in (("blocked", DISABLE_PLUGINS_ENV), ("failed", "failed to load")):
            names = sorted(info.name for info in self._infos.values() if info.state == state)
            if names:
                reasons.append(f"{state}: {', '.join(names)} ({why})")
        if not reasons:
            reasons.append("no registered plugin serves it")
        return "; ".join(reasons)

    def cancel_orders(
        self,
        exchange: Any,
        requests: Sequence[Any],
        settings: Any,
        exclude: Iterable[str] = (),
    ) -> Any | Awaitable[Any] | None:
        """Ask the plugins, last registered first, until one claims the exchange.

        ``exclude`` names are trimmed and case-insensitive; unknown ones are warned about once.
        """
        return self._hook("cancel_orders", exclude)(exchange=exchange, requests=requests, settings=settings)

    def cancel_all_orders(
        self, exchange: Any, symbols: tuple[str, ...] | None, settings: Any, exclude: Iterable[str] = ()
    ) -> Any | Awaitable[Any] | None:
        """The kill switch: ask the plugins, last registered first, until one claims the exchange."""
        return self._hook("cancel_all_orders", exclude)(exchange=exchange, symbols=symbols, settings=settings)

    def _hook(self, name: str, exclude: Iterable[str]) -> Any:
        exclude = list(exclude)
        if exclude:
            self.warn_unknown(exclude, "batch_cancel.disabled_plugins")
        excluded = [self.pm.get_plugin(name) for name in self.resolve(exclude)]
        excluded = [plugin for plugin in excluded if plugin is not None]
        return self.pm.subset_hook_caller(name, excluded) if excluded else getattr(self.pm.hook, name)


_manager: PluginManager | None = None
_lock = threading.Lock()


def get_plugin_manager() -> PluginManager:
    """The process-wide manager, loaded once on first use (honouring the two environment switches)."""
    global _manager
    with _lock:
        if _manager is None:
            manager = PluginManager()
            manager.load_entry_points(blocked=env_disabled_plugins(), autoload=not autoload_disabled())
            _manager = manager
        return _manager


def reset_plugin_manager() -> None:
    """Forget the loaded manager so the next use discovers plugins again (tests, long-lived hosts)."""
    global _manager
    with _lock:
        _manager = None
