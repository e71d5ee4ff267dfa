"""API keys, secrets and passphrases never appear in our logs, reprs, exception messages or reports."""

from __future__ import annotations

import logging
import os

import pytest

from batchcancel import CancelFailures, CancelRequest, Settings, cancel_orders
from tests.helpers import run_cancel

# Distinctive credentials, so that a hit can only be a leak.
KEY, SECRET, PASSPHRASE = "KEY-7f3a9c1e2b4d", "SECRET-a1b2c3d4e5f6a7b8c9d0", "PASS-0d9c8b7a6f5e"


class Everything(logging.Handler):
    """Every record from every logger, formatted with its arguments and any traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def everything():
    handler = Everything()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def ours(handler: Everything) -> str:
    # ccxt's own logger ("ccxt.base.exchange") prints request headers, API key and Bitget
    # passphrase included, at DEBUG; that is ccxt's behaviour, documented in docs/reliability.md.
    return "\n".join(line for line in handler.lines if not line.startswith("ccxt."))


def leaks(text: str) -> list[str]:
    return [
        name
        for name, value in (("key", KEY), ("secret", SECRET), ("passphrase", PASSPHRASE))
        if value in text
    ]


def test_a_full_run_with_failures_leaks_no_credential(sandbox, everything, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    account = sandbox.add_account(api_key=KEY, secret=SECRET, password=PASSPHRASE)
    texts: list[str] = []

    for exchange_id, quote in (
        ("bybit", "USDT"),
        ("bitget", "USDT"),
        ("okx", "USDT"),
        ("binanceusdm", "USDT:USDT"),
    ):
        symbols = {f"BTC/{quote}": 6, f"ETH/{quote}": 4}
        orders = sandbox.seed_orders(exchange_id, symbols, account=account)
        sandbox.fill(exchange_id, [orders[0].order_id])
        requests = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
        requests.append(CancelRequest(f"NOPE/{quote}", order_id="1"))
        cancels = "/fapi/v1/batchOrders" if exchange_id == "binanceusdm" else "*cancel*"
        sandbox.inject(cancels, "http_500", times=2)
        sandbox.inject(cancels, "malformed_json", times=1)
        exchange = sandbox.client(exchange_id, account=account, enableRateLimit=False)
        report = cancel_orders(exchange, requests, Settings(backoff_base_s=0.01, max_retries=5))
        texts += [repr(report), str(report.outcomes), repr(exchange_id)]
        try:
            report.raise_for_failures()
        except CancelFailures as exc:
            texts.append(str(exc))

        # Wrong secret: every order rejected, the error message quoted in the outcomes.
        wrong = sandbox.client(exchange_id, account=account, secret=SECRET[::-1], enableRateLimit=False)
        refused = cancel_orders(wrong, requests[:3])
        texts += [repr(refused)]
        try:
            refused.raise_for_failures()
        except CancelFailures as exc:
            texts.append(str(exc))

        again = [CancelRequest(o.symbol, order_id=o.order_id) for o in orders]
        texts.append(repr(run_cancel(sandbox, exchange_id, "async", again, account=account)))

    texts += [repr(sandbox), repr(account), repr(Settings())]
    assert not leaks(ours(everything)), "a credential reached a log record"
    assert not leaks("\n".join(texts)), "a credential reached a repr, report or exception message"
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(leaks(p.read_text(errors="replace")) for p in written)
    assert any("batchcancel" in line for line in everything.lines)  # the run did log, at DEBUG
    assert os.getcwd() == str(tmp_path)
