"""Settings, and how they are read from a host framework's config (its ``batch_cancel`` section)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from batchcancel.errors import ConfigError
from batchcancel.markers import plugin_key
from batchcancel.store_url import check_store_url, display_url

CONFIG_SECTION = "batch_cancel"


def _names(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    names = list(value) if isinstance(value, Iterable) and not isinstance(value, Mapping) else None
    if names is None or not all(isinstance(name, str) for name in names):
        raise ConfigError(f"{CONFIG_SECTION}.disabled_plugins must be a list of plugin names, got {value!r}")
    return tuple(sorted({plugin_key(name) for name in names if name.strip()}))


def _where(attribute: attrs.Attribute) -> str:
    return f"{CONFIG_SECTION}.{attribute.name}"


def _boolean(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    # Truthy strings ("false", "no") must never switch anything on.
    if not isinstance(value, bool):
        raise ConfigError(f"{_where(attribute)} must be true or false, got {value!r}")


def _whole(low: int) -> Callable[[Any, attrs.Attribute, Any], None]:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if attribute.default is None and value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{_where(attribute)} must be a whole number, got {value!r}")
        if value < low:
            raise ConfigError(f"{_where(attribute)} must be {low} or more, got {value!r}")

    return check


def _seconds(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{_where(attribute)} must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        # NaN compares false with everything: a NaN deadline never passes, a call never ends.
        raise ConfigError(f"{_where(attribute)} must be a finite number greater than 0, got {value!r}")


def _store_url(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None:
        check_store_url(_where(attribute), value)


@attrs.frozen
class Settings:
    """How batchcancel behaves for one call. Every field has a default; hosts override them in config."""

    enabled: bool = attrs.field(default=True, validator=_boolean)
    """False: no native plugin runs; every request goes through ccxt's single ``cancel_order``."""
    disabled_plugins: tuple[str, ...] = attrs.field(default=(), converter=_names)
    """Plugin names (as ``batchcancel plugins`` lists them; trimmed, any case) kept out of this call."""
    max_concurrency: int = attrs.field(default=64, validator=_whole(1))
    """At most this many HTTP requests in flight at once (threads for sync, tasks for async)."""
    max_retries: int = attrs.field(default=3, validator=_whole(0))
    """Retries of a transient error (network, 5xx, timeout, malformed answer) before the order's
    state is read and, if it cannot be learned, it ends ``FAILED``."""
    fallback: bool = attrs.field(default=True, validator=_boolean)
    """Use ccxt single cancels for what no native plugin can do; False: reject those instead."""
    max_batch_size: int | None = attrs.field(default=None, validator=_whole(1))
    """Cap on orders per batch request; never raises a plugin above the exchange's documented maximum."""
    backoff_base_s: float = attrs.field(default=0.2, validator=_seconds)
    """First retry waits about this long (exponential, with full jitter)."""
    backoff_max_s: float = attrs.field(default=3.0, validator=_seconds)
    """No single backoff wait is longer than this."""
    deadline_s: float = attrs.field(default=120.0, validator=_seconds)
    """The whole call ends by then, calls in flight included: what is not decided becomes ``FAILED``."""
    verify: bool = attrs.field(default=False, validator=_boolean)
    """After cancelling, read back every open order of the account and cancel again what is still open."""
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
            mistaken = sorted(set(host_config) & set(attrs.fields_dict(cls)))
            if mistaken:
                # The section itself passed in place of the whole config: reading it as "no
                # section" would silently drop e.g. "enabled": false.
                raise ConfigError(
                    f"the config has no {CONFIG_SECTION!r} section but has its keys ({', '.join(mistaken)}): "
                    f"pass the whole host config, or use Settings.from_mapping(section)"
                )
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
        return cls(**section)
