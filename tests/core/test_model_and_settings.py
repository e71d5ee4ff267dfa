"""The public value types and the config section: clear errors before anything is sent."""

from __future__ import annotations

import ast
import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

import batchcancel
from batchcancel import (
    CancelFailures,
    CancelOutcome,
    CancelReport,
    CancelRequest,
    ConfigError,
    Settings,
    Status,
    errors,
)
from batchcancel.model import coerce_requests

PUBLIC_NAMES = [
    "CancelRequest",
    "Status",
    "CancelOutcome",
    "CancelReport",
    "Settings",
    "cancel_orders",
    "cancel_orders_async",
    "get_plugin_manager",
    "hookimpl",
]


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_public_names_import_from_the_package(name):
    assert getattr(batchcancel, name) is not None


def test_a_request_without_ids_says_what_is_missing():
    with pytest.raises(ValueError, match="needs an order_id or a client_order_id"):
        CancelRequest(symbol="BTC/USDT")


@pytest.mark.parametrize("symbol", ["", "   ", None, 42])
def test_a_request_without_a_symbol_says_so(symbol):
    with pytest.raises(ValueError, match="non-empty symbol"):
        CancelRequest(symbol=symbol, order_id="1")


def test_integer_ids_are_kept_as_strings_and_blank_ids_count_as_missing():
    request = CancelRequest("BTC/USDT", order_id=12345, client_order_id="  ")
    assert request.order_id == "12345" and request.client_order_id is None
    with pytest.raises(TypeError, match="str or int"):
        CancelRequest("BTC/USDT", order_id=1.5)
    with pytest.raises(TypeError, match="str or int"):
        CancelRequest("BTC/USDT", order_id=True)


def test_ccxt_cancellation_dicts_are_accepted_and_mistakes_name_their_position():
    coerced = coerce_requests(
        [{"id": "1", "symbol": "BTC/USDT"}, {"clientOrderId": "c", "symbol": "ETH/USDT"}]
    )
    assert coerced == (
        CancelRequest("BTC/USDT", order_id="1"),
        CancelRequest("ETH/USDT", client_order_id="c"),
    )
    with pytest.raises(ValueError, match=r"requests\[1\]: .*order_id or a client_order_id"):
        coerce_requests([{"id": "1", "symbol": "BTC/USDT"}, {"symbol": "BTC/USDT"}])
    with pytest.raises(ValueError, match=r"requests\[0\]: unknown keys .*'orderId'"):
        coerce_requests([{"orderId": "1", "symbol": "BTC/USDT"}])
    with pytest.raises(TypeError, match=r"requests\[0\]: expected CancelRequest or dict, got int"):
        coerce_requests([7])
    for bad in (None, "BTC/USDT", {"id": "1", "symbol": "BTC/USDT"}, 5):
        with pytest.raises(TypeError, match="requests must be a list"):
            coerce_requests(bad)


def test_params_are_frozen_and_part_of_identity():
    params = {"orderFilter": "StopOrder"}
    request = CancelRequest("BTC/USDT", order_id="1", params=params)
    params["orderFilter"] = "Order"
    assert request.params["orderFilter"] == "StopOrder"
    assert request.identity != CancelRequest("BTC/USDT", order_id="1").identity
    with pytest.raises(TypeError):
        request.params["x"] = 1  # type: ignore[index]


def test_params_that_are_sent_differently_are_different_requests_with_one_identity():
    ints, floats = CancelRequest("X", "1", params={"x": 1}), CancelRequest("X", "1", params={"x": 1.0})
    assert ints != floats and ints.identity != floats.identity
    assert len({ints, floats}) == 2
    reordered = CancelRequest("X", "1", params={"b": [1, {"c": 2}], "a": True})
    same = CancelRequest("X", "1", params={"a": True, "b": [1, {"c": 2}]})
    assert reordered == same and hash(reordered) == hash(same) and reordered.identity == same.identity


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-3, 3) | st.sampled_from(["", "a", "1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=8,
)
_requests = st.builds(
    CancelRequest,
    symbol=st.sampled_from(["BTC/USDT", "ETH/USDT"]),
    order_id=st.sampled_from(["1", "2"]),
    client_order_id=st.sampled_from([None, "c"]),
    params=st.dictionaries(st.sampled_from(["x", "y"]), _json, max_size=2),
)


@given(_requests, _requests)
def test_equal_requests_hash_alike_and_name_the_same_order(first, second):
    if first == second:
        assert hash(first) == hash(second) and first.identity == second.identity


def test_errors_is_a_leaf_module_even_for_type_checkers():
    tree = ast.parse(inspect.getsource(errors))
    names = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    names += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert names and not [name for name in names if name.startswith("batchcancel")]


def report_of(*statuses: Status) -> CancelReport:
    return CancelReport(
        tuple(
            CancelOutcome(CancelRequest("BTC/USDT", order_id=str(i)), status, code="1", message="m")
            for i, status in enumerate(statuses)
        ),
        requests_sent=1,
    )


def test_report_views_and_raise_for_failures():
    good = report_of(Status.CANCELED, Status.ALREADY_CLOSED)
    assert good.ok and len(good.canceled) == 1 and len(good.already_closed) == 1
    good.raise_for_failures()
    bad = report_of(Status.CANCELED, Status.REJECTED, Status.FAILED)
    assert not bad.ok and len(bad.rejected) == 1 and len(bad.failed) == 1
    assert bad.counts() == {"canceled": 1, "already_closed": 0, "rejected": 1, "failed": 1}
    with pytest.raises(CancelFailures, match="2 cancel") as raised:
        bad.raise_for_failures()
    assert [o.status for o in raised.value.outcomes] == [Status.REJECTED, Status.FAILED]


def test_settings_from_a_host_config():
    assert Settings.from_config({}) == Settings()
    assert Settings.from_config({"exchange": {"name": "bybit"}}) == Settings()
    settings = Settings.from_config(
        {
            "batch_cancel": {
                "enabled": False,
                "disabled_plugins": ["bybit"],
                "max_concurrency": 4,
                "deadline_s": 30,
            }
        }
    )
    assert (settings.enabled, settings.disabled_plugins, settings.max_concurrency) == (False, ("bybit",), 4)
    assert settings.deadline_s == 30.0


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"enabeld": True}, "unknown key.*'enabeld'"),
        ({"enabled": "yes"}, r"batch_cancel\.enabled must be true or false"),
        ({"max_retries": "3"}, r"batch_cancel\.max_retries must be a whole number"),
        ({"max_retries": -1}, r"batch_cancel\.max_retries must be 0 or more"),
        ({"max_concurrency": 0}, r"batch_cancel\.max_concurrency must be 1 or more"),
        ({"disabled_plugins": [1]}, r"batch_cancel\.disabled_plugins must be a list of plugin names"),
        ({"deadline_s": True}, r"batch_cancel\.deadline_s must be a number"),
    ],
)
def test_settings_errors_name_the_key(section, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_config({"batch_cancel": section})


def test_a_config_section_of_the_wrong_type_is_named():
    with pytest.raises(ConfigError, match="batch_cancel must be a mapping"):
        Settings.from_config({"batch_cancel": True})
    assert issubclass(ConfigError, ValueError)


# Issue #11, case 10: values Python's json reads happily, and types that merely look right.
NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("key", ["deadline_s", "backoff_base_s", "backoff_max_s"])
@pytest.mark.parametrize("value", [NAN, INF, -INF, 0, -1.0, "30", None])
def test_seconds_must_be_finite_positive_numbers(key, value):
    with pytest.raises(ConfigError, match=rf"batch_cancel\.{key} must be a finite number|must be a number"):
        Settings(**{key: value})
    with pytest.raises(ConfigError, match=rf"batch_cancel\.{key}"):
        Settings.from_config({"batch_cancel": {key: value}})


def test_nan_from_json_text_is_refused_before_anything_is_sent():
    import json

    config = json.loads('{"batch_cancel": {"deadline_s": NaN}}')  # valid JSON to Python
    with pytest.raises(ConfigError, match="deadline_s must be a finite number"):
        Settings.from_config(config)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"enabled": "false"}, r"batch_cancel\.enabled must be true or false, got 'false'"),
        ({"verify": "no"}, r"batch_cancel\.verify must be true or false"),
        ({"fallback": 1}, r"batch_cancel\.fallback must be true or false"),
        ({"max_retries": 2.5}, r"batch_cancel\.max_retries must be a whole number"),
        ({"max_concurrency": "8"}, r"batch_cancel\.max_concurrency must be a whole number, got '8'"),
        ({"max_concurrency": True}, r"batch_cancel\.max_concurrency must be a whole number"),
        ({"max_batch_size": 0}, r"batch_cancel\.max_batch_size must be 1 or more"),
        ({"disabled_plugins": 5}, r"batch_cancel\.disabled_plugins must be a list of plugin names"),
    ],
)
def test_the_constructor_checks_types_and_ranges_naming_the_key(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Settings(**kwargs)


def test_the_section_passed_as_the_whole_config_is_refused_not_read_as_defaults():
    with pytest.raises(ConfigError, match="has no 'batch_cancel' section but has its keys \\(enabled\\)"):
        Settings.from_config({"enabled": False, "exchange": {"name": "bybit"}})
    assert Settings.from_mapping({"enabled": False}).enabled is False


def test_every_setting_is_checked_from_config():
    import attrs

    for name in attrs.fields_dict(Settings):
        with pytest.raises(ConfigError, match=rf"batch_cancel\.{name}"):
            Settings.from_config({"batch_cancel": {name: object()}})
