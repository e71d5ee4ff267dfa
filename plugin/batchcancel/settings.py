"""Settings, and how they are read from a host framework's config (its ``batch_cancel`` section)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from batchcancel.errors import ConfigError
from batchcancel.store_url import check_store_url, display_url

CONFIG_SECTION = "batch_cancel"


def _names(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(sorted({name.strip() for name in value if name.strip()}))


def _positive(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None and value <= 0:
        raise ConfigError(f"{CONFIG_SECTION}.{attribute.name} must be greater than 0, got {value!r}")


def _not_negative(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value < 0:
        raise ConfigError(f"{CONFIG_SECTION}.{attribute.name} must be 0 or more, got {value!r}")


def _store_url(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None:
        check_store_url(f"{CONFIG_SECTION}.{attribute.name}", value)


@attrs.frozen
class Settings:
    """How batchcancel behaves for one call. Every field has a default; hosts override them in config."""

    enabled: bool = True
    """False: no native plugin runs; every request goes through ccxt's single ``cancel_order``."""
    disabled_plugins: tuple[str, ...] = attrs.field(default=(), converter=_names)
    """Plugin names (as ``batchcancel plugins`` lists them) that must not handle this call."""
    max_concurrency: int = attrs.field(default=8, validator=_positive)
    """At most this many HTTP requests in flight at once (threads for sync, tasks for async)."""
    max_retries: int = attrs.field(default=3, validator=_not_negative)
    """Retries of a transient error (network, 5xx, timeout, malformed answer) before ``FAILED``."""
    fallback: bool = True
    """Use ccxt single cancels for what no native plugin can do; False: reject those instead."""
    max_batch_size: int | None = attrs.field(default=None, validator=_positive)
    """Cap on orders per batch request; never raises a plugin above the exchange's documented maximum."""
    backoff_base_s: float = attrs.field(default=0.2, validator=_positive)
    """First retry waits about this long (exponential, with full jitter)."""
    backoff_max_s: float = attrs.field(default=3.0, validator=_positive)
    """No single backoff wait is longer than this."""
    deadline_s: float = attrs.field(default=120.0, validator=_positive)
    """The whole call ends by then: what is still waiting for rate budget becomes ``FAILED``."""
    verify: bool = False
    """After cancelling, re-read the affected symbols' open orders and cancel again what is still open."""
    budget_store: str | None = attrs.field(default=None, validator=_store_url, repr=display_url)
    """``redis://host:port/db`` (or ``rediss://``): share each account's rate budgets with every bot
    using the same store (needs the ``redis`` extra); None paces in this process only. See
    docs/shared-budget.md."""

    @classmethod
    def from_config(cls, host_config: Mapping[str, Any] | None) -> Settings:
        """Read the ``batch_cancel`` section of a host's config dict; a missing section means defaults.

        Unknown keys and values of the wrong type raise :class:`ConfigError` naming the key.
        """
        if host_config is None:
            return cls()
        if not isinstance(host_config, Mapping):
            raise ConfigError(f"host config must be a mapping, got {type(host_config).__name__}")
        section = host_config.get(CONFIG_SECTION)
        if section is None:
            return cls()
        if not isinstance(section, Mapping):
            raise ConfigError(f"{CONFIG_SECTION} must be a mapping, got {type(section).__name__}")
        return cls.from_mapping(section)

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any]) -> Settings:
        fields = attrs.fields_dict(cls)
        unknown = sorted(set(section) - set(fields))
        if unknown:
            raise ConfigError(
                f"unknown key(s) in {CONFIG_SECTION}: {', '.join(map(repr, unknown))}; "
                f"known keys: {', '.join(sorted(fields))}"
            )
        values = {}
        for key, value in section.items():
            values[key] = _checked(key, value, _KINDS[key])
        return cls(**values)


_KINDS: Mapping[str, str] = {
    "enabled": "bool",
    "disabled_plugins": "names",
    "max_concurrency": "int",
    "max_retries": "int",
    "fallback": "bool",
    "max_batch_size": "int?",
    "backoff_base_s": "number",
    "backoff_max_s": "number",
    "deadline_s": "number",
    "verify": "bool",
    "budget_store": "url?",
}


def _checked(key: str, value: Any, kind: str) -> Any:
    where = f"{CONFIG_SECTION}.{key}"
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {value!r}")
    elif kind in ("int", "int?"):
        if value is None and kind == "int?":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a whole number, got {value!r}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a number, got {value!r}")
        return float(value)
    elif kind == "url?":
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where} must be a redis:// URL or null, got {type(value).__name__}")
    elif kind == "names":
        ok = isinstance(value, str) or (
            isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
        )
        if not ok:
            raise ConfigError(f"{where} must be a list of plugin names, got {value!r}")
    return value
