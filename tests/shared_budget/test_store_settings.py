"""``budget_store``: checked for type, scheme and shape before any request, shown without its password."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from batchcancel import Settings
from batchcancel.errors import ConfigError
from batchcancel.store_url import display_url


def test_unset_by_default_and_none_allowed():
    assert Settings().budget_store is None
    assert Settings.from_config({"batch_cancel": {"budget_store": None}}).budget_store is None


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:6390/0", "rediss://cache.internal:6380/2", "redis://:pw@h:1/3", "redis://localhost"],
)
def test_redis_urls_are_accepted(url):
    assert Settings(budget_store=url).budget_store == url
    assert Settings.from_config({"batch_cancel": {"budget_store": url}}).budget_store == url


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("http://127.0.0.1:6379/0", "must start with redis:// or rediss://"),
        ("127.0.0.1:6379", "must start with redis:// or rediss://"),
        ("redis://", "names no host"),
        ("redis://h:notaport/0", "not a valid URL"),
        ("redis://h:99999/0", "not a valid URL"),
        ("redis://h:6379/zero", "database must be a whole number"),
        ("redis://h:6379/0?socket_timeout=soon", "Invalid value for 'socket_timeout'"),
        (6379, "must be a redis:// URL"),
        (["redis://h"], "must be a redis:// URL"),
        (float("nan"), "must be a redis:// URL"),
    ],
)
def test_bad_values_name_the_key(value, says):
    with pytest.raises(ConfigError, match="budget_store") as raised:
        Settings.from_config({"batch_cancel": {"budget_store": value}})
    assert says in str(raised.value)
    with pytest.raises(ConfigError, match=says):
        Settings(budget_store=value)


def test_password_is_never_shown():
    url = "redis://user:s3cr3t-pw@127.0.0.1:6390/1"
    settings = Settings(budget_store=url)
    assert "s3cr3t-pw" not in repr(settings)
    assert "redis://127.0.0.1:6390/1" in repr(settings)
    assert display_url(url) == "redis://127.0.0.1:6390/1"
    with pytest.raises(ConfigError) as raised:
        Settings(budget_store="redis://:s3cr3t-pw@h:6379/x")
    assert "s3cr3t-pw" not in str(raised.value)


def test_missing_client_names_the_extra(monkeypatch):
    # The package made unimportable the way Python itself honours (a None entry in sys.modules).
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ConfigError, match=r"batch_cancel.budget_store.*batchcancel\[redis\]"):
        Settings.from_config({"batch_cancel": {"budget_store": "redis://127.0.0.1:6390/0"}})


def test_without_a_store_nothing_of_redis_is_imported():
    # Unset, pacing stays in-process with no new dependency: a whole cancel call imports no redis.
    code = textwrap.dedent(
        """
        import sys
        from batchcancel import CancelRequest, cancel_orders
        from batchcancel.sandbox import Sandbox

        with Sandbox() as sandbox:
            orders = sandbox.seed_orders("bybit", {"BTC/USDT": 3})
            client = sandbox.client("bybit", enableRateLimit=False)
            report = cancel_orders(client, [CancelRequest(o.symbol, order_id=o.order_id) for o in orders])
        assert report.counts()["canceled"] == 3, report
        leaked = [m for m in sys.modules if m == "redis" or m.startswith(("redis.", "batchcancel.redis"))]
        assert not leaked, leaked
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
