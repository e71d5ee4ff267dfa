"""A ccxt class for the toy exchange, sync and async: what ccxt itself ships for a real exchange.

Built the way ccxt builds its own: implicit API methods declared as ``Entry`` descriptors, ``sign``
adding the exchange's auth headers, ``fetch_markets`` reading the exchange's market list.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import ccxt
import ccxt.async_support
from ccxt.base.types import Entry


class _ToyApi:
    """What the sync and async classes share: the endpoints, the signature, the market records."""

    public_get_toy_v1_markets = publicGetToyV1Markets = Entry("toy/v1/markets", "public", "GET", {"cost": 1})
    private_post_toy_v1_cancel_batch = privatePostToyV1CancelBatch = Entry(
        "toy/v1/cancel-batch", "private", "POST", {"cost": 1}
    )

    def describe(self) -> Any:
        return self.deep_extend(
            super().describe(),
            {
                "id": "toy",
                "name": "Toy",
                "has": {"cancelOrder": True, "fetchCurrencies": False},
                "urls": {"api": {"public": "http://127.0.0.1:9", "private": "http://127.0.0.1:9"}},
            },
        )

    def sign(self, path, api="public", method="GET", params=None, headers=None, body=None):
        url = f"{self.urls['api'][api]}/{path}"
        headers = {"Content-Type": "application/json"}
        body = self.json(params or {}) if method == "POST" else None
        if api == "private":
            self.check_required_credentials()
            timestamp = str(self.milliseconds())
            prehash = (timestamp + method + "/" + path + (body or "")).encode()
            headers["X-TOY-KEY"] = self.apiKey
            headers["X-TOY-TS"] = timestamp
            headers["X-TOY-SIGN"] = hmac.new(self.secret.encode(), prehash, hashlib.sha256).hexdigest()
        return {"url": url, "method": method, "body": body, "headers": headers}

    def parse_markets(self, response: Any) -> list[dict[str, Any]]:
        return [
            self.safe_market_structure(
                {
                    "id": row["id"],
                    "symbol": f"{row['base']}/{row['quote']}",
                    "base": row["base"],
                    "quote": row["quote"],
                    "baseId": row["base"],
                    "quoteId": row["quote"],
                    "type": "spot",
                    "spot": True,
                    "active": True,
                    "precision": {"amount": 0.001, "price": 0.001},
                    "info": row,
                }
            )
            for row in response["markets"]
        ]


class ToyExchange(_ToyApi, ccxt.Exchange):
    def fetch_markets(self, params=None):
        return self.parse_markets(self.publicGetToyV1Markets(params or {}))


class AsyncToyExchange(_ToyApi, ccxt.async_support.Exchange):
    async def fetch_markets(self, params=None):
        return self.parse_markets(await self.publicGetToyV1Markets(params or {}))


def client_class(async_: bool) -> type:
    return AsyncToyExchange if async_ else ToyExchange
