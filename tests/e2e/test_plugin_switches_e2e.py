"""The plugin switches end to end: with entry-point autoload off the built-ins still cancel, and
when no plugin claims an exchange the answer says what was switched off."""

from __future__ import annotations

import pytest

from batchcancel import CancelRequest, Settings, Status, cancel_orders


def requests_for(orders) -> list[CancelRequest]:
    return [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]


@pytest.mark.parametrize(("exchange_id", "symbol"), [("bybit", "BTC/USDT:USDT"), ("bitget", "BTC/USDT")])
def test_with_autoload_off_the_built_ins_still_cancel(sandbox, monkeypatch, exchange_id, symbol):
    monkeypatch.setenv("BATCHCANCEL_DISABLE_PLUGIN_AUTOLOAD", "1")
    orders = sandbox.seed_orders(exchange_id, {symbol: 3})
    report = cancel_orders(sandbox.client(exchange_id, enableRateLimit=False), requests_for(orders))
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 3
    assert {o.via for o in report.outcomes} == {f"{exchange_id}:batch"}
    assert sandbox.open_orders(exchange_id) == []


def test_with_autoload_off_the_ccxt_fallback_still_serves_what_no_native_plugin_claims(sandbox, monkeypatch):
    monkeypatch.setenv("BATCHCANCEL_DISABLE_PLUGIN_AUTOLOAD", "1")
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 2})
    report = cancel_orders(
        sandbox.client("bybit", enableRateLimit=False),
        requests_for(orders),
        Settings(disabled_plugins=("bybit",)),
    )
    assert [o.status for o in report.outcomes] == [Status.CANCELED] * 2
    assert {o.via for o in report.outcomes} == {"ccxt:single"}


@pytest.mark.parametrize(
    ("blocked", "settings", "said"),
    [
        (
            "",
            Settings(disabled_plugins=("bybit",), fallback=False),
            "the ccxt fallback is off (settings.fallback); disabled for this call: bybit",
        ),
        ("ccxt", Settings(disabled_plugins=("bybit",)), "blocked: ccxt (BATCHCANCEL_DISABLE_PLUGINS)"),
    ],
)
def test_when_no_plugin_claims_the_exchange_the_answer_says_why(
    sandbox, monkeypatch, blocked, settings, said
):
    monkeypatch.setenv("BATCHCANCEL_DISABLE_PLUGINS", blocked)
    orders = sandbox.seed_orders("bybit", {"BTC/USDT": 1})
    sandbox.clear_log()
    report = cancel_orders(sandbox.client("bybit", enableRateLimit=False), requests_for(orders), settings)
    (outcome,) = report.outcomes
    assert outcome.status is Status.REJECTED
    assert outcome.message.startswith("no batchcancel plugin handles bybit (") and said in outcome.message
    assert sandbox.count(exchange="bybit") == 0 and len(sandbox.open_orders("bybit")) == 1
