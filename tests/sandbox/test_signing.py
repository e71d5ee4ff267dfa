"""Every private request is verified like the exchange does: over the raw body bytes, the GET
query percent-decoded, within the timestamp window; each failure answers with its own code."""

from __future__ import annotations

from typing import Any

import ccxt
import pytest

from batchcancel.sandbox import Sandbox
from batchcancel.sandbox.signing import now_ms
from tests.sandbox.sandbox_http import RawClient

BYBIT_CANCEL = "/v5/order/cancel"
BITGET_CANCEL = "/api/v2/spot/trade/cancel-order"


def _timestamped(signing: dict[str, Any]) -> dict[str, Any]:
    """A clock offset becomes a timestamp when the request is sent, not when the tests are collected:
    a timestamp taken at collection is no longer ahead of the server when a slow run reaches it."""
    signing = dict(signing)
    if "clock_offset_ms" in signing:
        signing["timestamp_ms"] = now_ms() + signing.pop("clock_offset_ms")
    return signing


def _bybit_cancel(raw: RawClient, **signing: Any) -> dict[str, Any]:
    signing = _timestamped(signing)
    order = raw.sandbox.seed_orders("bybit", {"BTC/USDT": 1})[0]
    response = raw.bybit(
        "POST", BYBIT_CANCEL, {"category": "spot", "symbol": "BTCUSDT", "orderId": order.order_id}, **signing
    )
    assert response.status_code == 200
    return dict(response.json())


def _bitget_cancel(raw: RawClient, **signing: Any) -> tuple[int, dict[str, Any]]:
    signing = _timestamped(signing)
    order = raw.sandbox.seed_orders("bitget", {"BTC/USDT": 1})[0]
    response = raw.bitget("POST", BITGET_CANCEL, {"symbol": "BTCUSDT", "orderId": order.order_id}, **signing)
    return response.status_code, dict(response.json())


def test_bybit_accepts_a_correct_signature(raw: RawClient) -> None:
    assert _bybit_cancel(raw)["retCode"] == 0


@pytest.mark.parametrize(
    ("signing", "code"),
    [
        ({"api_key": "no-such-key"}, 10003),
        ({"secret": "wrong-secret"}, 10004),
        ({"drop": ("X-BAPI-SIGN",)}, 10004),
        ({"clock_offset_ms": -60_000}, 10002),  # older than recv_window (5000)
        ({"clock_offset_ms": 30_000}, 10002),  # a second or more ahead of the server
    ],
)
def test_bybit_signature_failures(raw: RawClient, signing: dict[str, Any], code: int) -> None:
    reply = _bybit_cancel(raw, **signing)
    assert reply["retCode"] == code
    assert raw.sandbox.open_orders("bybit")  # nothing was cancelled


def test_bitget_accepts_a_correct_signature(raw: RawClient) -> None:
    assert _bitget_cancel(raw)[1]["code"] == "00000"


@pytest.mark.parametrize(
    ("signing", "code"),
    [
        ({"api_key": "no-such-key"}, "40006"),
        ({"secret": "wrong-secret"}, "40009"),
        ({"password": ""}, "40011"),  # missing passphrase
        ({"password": "wrong"}, "40012"),
        ({"drop": ("ACCESS-KEY",)}, "40001"),
        ({"clock_offset_ms": -60_000}, "40008"),  # outside ±30 s
    ],
)
def test_bitget_signature_failures(raw: RawClient, signing: dict[str, Any], code: str) -> None:
    status, reply = _bitget_cancel(raw, **signing)
    assert (status, reply["code"], reply["data"]) == (400, code, None)
    assert raw.sandbox.open_orders("bitget")


def test_the_raw_body_is_verified_not_a_reserialisation(raw: RawClient) -> None:
    order = raw.sandbox.seed_orders("bybit", {"ETH/USDT": 1})[0]
    # pybit-style spacing and a key order nobody would re-create: signed as sent.
    body = '{"orderId": "' + order.order_id + '",  "symbol": "ETHUSDT", "category": "spot"}'
    assert raw.bybit("POST", BYBIT_CANCEL, body=body).json()["retCode"] == 0


@pytest.mark.parametrize("exchange", ["bybit", "bitget", "okx"])
def test_ccxt_wrong_secret_raises_authentication_error(sandbox: Sandbox, exchange: str) -> None:
    ex = sandbox.client(exchange, secret="not-the-secret", enableRateLimit=False)
    ex.load_markets()  # public calls still work
    with pytest.raises(ccxt.AuthenticationError):
        ex.fetch_open_orders("BTC/USDT")


@pytest.mark.parametrize("exchange", ["bitget", "okx"])
def test_ccxt_wrong_passphrase_raises_authentication_error(sandbox: Sandbox, exchange: str) -> None:
    ex = sandbox.client(exchange, password="not-the-passphrase", enableRateLimit=False)
    ex.load_markets()
    with pytest.raises(ccxt.AuthenticationError):
        ex.fetch_open_orders("BTC/USDT")


@pytest.mark.parametrize("exchange", ["bybit", "bitget"])
def test_get_query_is_verified_percent_decoded(
    exchange: str, bybit_client: Any, bitget_client: Any, sandbox: Sandbox
) -> None:
    # ccxt signs the unencoded query while requests re-quotes the URL (facts §0.2).
    ex = bybit_client if exchange == "bybit" else bitget_client
    odd = "a b,c:d/é"
    key = "orderLinkId" if exchange == "bybit" else "clientOid"
    assert ex.fetch_open_orders("BTC/USDT", params={key: odd}) == []
    assert sandbox.log[-1].code in ("0", "00000")


@pytest.mark.parametrize(
    ("exchange", "skew_ms"), [("bybit", 20_000), ("bybit", -20_000), ("bitget", 60_000), ("okx", -60_000)]
)
def test_clock_skew_until_the_client_resyncs(sandbox: Sandbox, exchange: str, skew_ms: int) -> None:
    ex = sandbox.client(exchange, enableRateLimit=False)
    ex.load_markets()
    sandbox.set_clock_skew(skew_ms)
    with pytest.raises(ccxt.InvalidNonce):
        ex.fetch_open_orders("BTC/USDT")
    ex.load_time_difference()  # reads the (skewed) server time from the public time endpoint
    assert ex.fetch_open_orders("BTC/USDT") == []


def test_okx_verifies_the_get_query_as_sent_percent_encoded(sandbox: Sandbox) -> None:
    # ccxt okx signs "?" + urlencode(query): the encoded form, which is also what goes on the wire.
    ex = sandbox.client("okx", enableRateLimit=False)
    ex.load_markets()
    assert ex.fetch_open_orders("BTC/USDT", params={"ordType": "a b,c:d/é"}) == []
    entry = sandbox.log[-1]
    assert (entry.path, entry.code) == ("/api/v5/trade/orders-pending", "0")
