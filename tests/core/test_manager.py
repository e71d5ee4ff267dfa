"""Entry-point discovery, the disabling switches, and registering plugins by hand."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import pluggy
import pytest

import batchcancel
from batchcancel import CancelReport, Settings, get_plugin_manager, hookimpl
from batchcancel.manager import PluginManager


def install_fake_distribution(root, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """Lay out a real installed distribution (dist-info with entry_points.txt) under ``root``."""
    dist_info = root / "thirdparty_plugins-2.5.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty-plugins\nVersion: 2.5\n")
    lines = "\n".join(f"{name} = {target}" for name, target in entry_points.items())
    (dist_info / "entry_points.txt").write_text(f"[batchcancel]\n{lines}\n")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))


GOOD_PLUGIN = """
    from batchcancel import hookimpl

    @hookimpl
    def cancel_orders(exchange, requests, settings):
        return None
"""


@pytest.fixture
def thirdparty(tmp_path, monkeypatch):
    install_fake_distribution(
        tmp_path,
        {"goodone": "tp_good", "broken": "tp_broken", "misspelt": "tp_misspelt"},
        {
            "tp_good": GOOD_PLUGIN,
            "tp_broken": "raise ImportError('needs a library that is not installed')\n",
            "tp_misspelt": """
                from batchcancel import hookimpl

                @hookimpl
                def cancel_order(exchange, requests, settings):
                    return None
            """,
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for module in ("tp_good", "tp_broken", "tp_misspelt"):
        sys.modules.pop(module, None)


def states() -> dict[str, str]:
    return {info.name: info.state for info in get_plugin_manager().plugins()}


def test_builtin_plugins_are_registered_by_the_manager_with_the_package_version():
    infos = {info.name: info for info in get_plugin_manager().plugins()}
    for name in ("bybit", "bitget", "okx", "binanceusdm", "ccxt"):
        assert (infos[name].state, infos[name].distribution) == ("active", "batchcancel")
        assert infos[name].version == batchcancel.__version__


def test_third_party_plugins_load_and_broken_ones_are_skipped_with_a_warning(thirdparty, caplog):
    with caplog.at_level(logging.WARNING, logger="batchcancel"):
        found = states()
    assert found["goodone"] == "active"
    assert found["broken"] == "failed"
    assert found["misspelt"] == "failed"
    assert found["ccxt"] == "active"
    assert "broken" in caplog.text and "needs a library that is not installed" in caplog.text
    assert "cancel_order" in caplog.text  # the misspelt hook is named in the error
    infos = {info.name: info for info in get_plugin_manager().plugins()}
    assert (infos["goodone"].distribution, infos["goodone"].version) == ("thirdparty-plugins", "2.5")


def test_env_switch_blocks_named_plugins_before_they_load(thirdparty, monkeypatch):
    monkeypatch.setenv("BATCHCANCEL_DISABLE_PLUGINS", "broken, ccxt")
    found = states()
    assert found["broken"] == "blocked" and found["ccxt"] == "blocked"
    assert "tp_broken" not in sys.modules  # never imported
    assert not get_plugin_manager().has_plugin("ccxt")


def test_env_switch_names_are_trimmed_and_case_insensitive_and_typos_warned_once(monkeypatch, caplog):
    monkeypatch.setenv("BATCHCANCEL_DISABLE_PLUGINS", " bybit , Bitget ,bitgte")
    with caplog.at_level(logging.WARNING, logger="batchcancel"):
        found = states()
        get_plugin_manager()  # loaded once: the warning is not repeated
    assert (found["bybit"], found["bitget"], found["ccxt"]) == ("blocked", "blocked", "active")
    assert "bitgte" not in found and "Bitget" not in found
    assert get_plugin_manager().register(object(), name="BYBIT") is None  # blocked by hand, too
    warnings = [r.getMessage() for r in caplog.records if "no known plugin" in r.getMessage()]
    assert warnings == [
        "batchcancel: BATCHCANCEL_DISABLE_PLUGINS names no known plugin: 'bitgte'; "
        "known plugins: binanceusdm, bitget, bybit, ccxt, okx"
    ]


def test_settings_plugin_names_are_trimmed_case_insensitive_and_typos_warned_once(sandbox, caplog):
    settings = Settings.from_config({"batch_cancel": {"disabled_plugins": [" ByBit ", "bybt"]}})
    assert settings.disabled_plugins == ("bybit", "bybt")
    sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    ex = sandbox.client("bybit")
    ex.load_markets()
    ids = [o.order_id for o in sandbox.open_orders("bybit")]
    with caplog.at_level(logging.WARNING, logger="batchcancel"):
        requests = [batchcancel.CancelRequest("BTC/USDT", i) for i in ids]
        first = batchcancel.cancel_orders(ex, requests, settings)
        batchcancel.cancel_orders(ex, [batchcancel.CancelRequest("BTC/USDT", ids[0])], settings)
    assert {o.via for o in first.outcomes} == {"ccxt:single"}  # the bybit plugin was kept out
    assert [o.status.value for o in first.outcomes] == ["canceled", "canceled"]
    warnings = [r.getMessage() for r in caplog.records if "no known plugin" in r.getMessage()]
    assert len(warnings) == 1 and "'bybt'" in warnings[0]
    assert "known plugins: binanceusdm, bitget, bybit, ccxt, okx" in warnings[0]


def test_env_switch_turns_off_autoload_of_third_party_plugins_only(thirdparty, monkeypatch):
    monkeypatch.setenv("BATCHCANCEL_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert states() == {
        "bybit": "active",
        "bitget": "active",
        "okx": "active",
        "binanceusdm": "active",
        "ccxt": "active",
    }
    assert "tp_good" not in sys.modules


def test_a_built_in_is_blocked_by_name_even_with_autoload_off(monkeypatch):
    monkeypatch.setenv("BATCHCANCEL_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("BATCHCANCEL_DISABLE_PLUGINS", "bybit")
    assert states() == {
        "bybit": "blocked",
        "bitget": "active",
        "okx": "active",
        "binanceusdm": "active",
        "ccxt": "active",
    }
    assert not get_plugin_manager().has_plugin("bybit")


def test_a_built_in_also_declared_as_an_entry_point_is_registered_once(tmp_path, monkeypatch, caplog):
    # An install made before the built-ins left the entry-point group still declares them; and a
    # third party may reuse a built-in's name: the built-in keeps it and the other is skipped, loudly.
    install_fake_distribution(
        tmp_path,
        {"bybit": "batchcancel.exchanges.bybit", "bitget": "tp_impostor"},
        {"tp_impostor": GOOD_PLUGIN},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("tp_impostor", None)
    with caplog.at_level(logging.WARNING, logger="batchcancel"):
        manager = get_plugin_manager()
    implementations = [impl.plugin_name for impl in manager.pm.hook.cancel_orders.get_hookimpls()]
    assert sorted(implementations) == ["binanceusdm", "bitget", "bybit", "ccxt", "okx"]
    assert "tp_impostor" not in sys.modules
    assert "'bitget' from thirdparty-plugins is skipped" in caplog.text
    assert states() == {
        "bybit": "active",
        "bitget": "active",
        "okx": "active",
        "binanceusdm": "active",
        "ccxt": "active",
    }


def test_a_registered_plugin_is_asked_first_and_can_be_unregistered():
    calls = []

    class Recorder:
        @hookimpl
        def cancel_orders(self, exchange, requests, settings):
            calls.append(len(requests))
            return CancelReport(())

    manager = get_plugin_manager()
    manager.register(Recorder(), name="recorder")
    assert manager.cancel_orders(object(), [1, 2], Settings()) == CancelReport(())
    assert calls == [2]
    assert (
        manager.cancel_orders(object(), [1], Settings(), exclude=["recorder"]) is None
    )  # ccxt declines non-exchanges
    manager.unregister("recorder")
    assert not manager.has_plugin("recorder")


def test_registering_a_misspelt_hook_by_hand_is_an_error():
    class Misspelt:
        @hookimpl
        def cancel_order(self, exchange, requests, settings):
            return None

    with pytest.raises(pluggy.PluginValidationError):
        PluginManager().register(Misspelt())


def test_cli_lists_plugins_with_distribution_and_version_and_shows_blocked(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "BATCHCANCEL_DISABLE_PLUGINS": "ccxt"}
    listed = subprocess.run(
        [sys.executable, "-m", "batchcancel", "plugins"], capture_output=True, text=True, check=True
    ).stdout
    blocked = subprocess.run(
        [sys.executable, "-m", "batchcancel", "plugins"], capture_output=True, text=True, check=True, env=env
    ).stdout
    no_autoload = subprocess.run(
        [sys.executable, "-m", "batchcancel", "plugins"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "BATCHCANCEL_DISABLE_PLUGIN_AUTOLOAD": "1"},
    ).stdout
    for output in (listed, no_autoload):
        for name in ("bybit", "bitget", "okx", "binanceusdm", "ccxt"):
            line = next(line for line in output.splitlines() if line.startswith(name))
            assert "batchcancel" in line and batchcancel.__version__ in line and "active" in line
    assert "only the built-in plugins are loaded" in no_autoload
    assert "blocked" in next(line for line in blocked.splitlines() if line.startswith("ccxt"))
