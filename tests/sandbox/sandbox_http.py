"""Raw signed HTTP requests to the sandbox, for what ccxt does not expose (exact bodies, bad
signatures, per-item results, concurrency with one connection per thread)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import requests

from batchcancel.sandbox import Account, Sandbox
from batchcancel.sandbox.binanceusdm.signing import signed_query
from batchcancel.sandbox.bitget.signing import bitget_headers
from batchcancel.sandbox.bybit.signing import bybit_headers
from batchcancel.sandbox.okx.signing import okx_headers


class RawClient:
    def __init__(self, sandbox: Sandbox, account: Account | None = None, timeout: float = 10.0) -> None:
        self.sandbox = sandbox
        self.account = account or sandbox.default_account
        self.session = requests.Session()
        self.timeout = timeout

    def bybit(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        body: str | None = None,
        secret: str | None = None,
        api_key: str | None = None,
        timestamp_ms: int | None = None,
        drop: tuple[str, ...] = (),
    ) -> requests.Response:
        """A Bybit v5 request signed like ccxt does; ``body`` overrides the JSON of ``params``."""
        key = api_key or self.account.api_key
        query = ""
        if method == "GET":
            query = "&".join(f"{k}={v}" for k, v in (params or {}).items())
            payload = query
        else:
            payload = body if body is not None else json.dumps(params or {}, separators=(",", ":"))
        headers = bybit_headers(key, secret or self.account.secret, payload, timestamp_ms=timestamp_ms)
        for name in drop:
            headers.pop(name)
        url = self.sandbox.url + path + (f"?{query}" if query else "")
        data = payload.encode() if method != "GET" else None
        return self.session.request(method, url, data=data, headers=headers, timeout=self.timeout)

    def bitget(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        body: str | None = None,
        secret: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        timestamp_ms: int | None = None,
        drop: tuple[str, ...] = (),
    ) -> requests.Response:
        """A Bitget v2 request signed like ccxt does (GET params sorted)."""
        query, payload = "", ""
        if method == "GET":
            query = "&".join(f"{k}={v}" for k, v in sorted((params or {}).items()))
        else:
            payload = body if body is not None else json.dumps(params or {}, separators=(",", ":"))
        headers = bitget_headers(
            api_key or self.account.api_key,
            secret or self.account.secret,
            password if password is not None else self.account.password,
            method,
            path,
            query=query,
            body=payload,
            timestamp_ms=timestamp_ms,
        )
        for name in drop:
            headers.pop(name)
        url = self.sandbox.url + path + (f"?{query}" if query else "")
        return self.session.request(
            method, url, data=payload.encode() or None, headers=headers, timeout=self.timeout
        )

    def okx(
        self,
        method: str,
        path: str,
        params: Any = None,
        *,
        secret: str | None = None,
        password: str | None = None,
        timestamp_ms: int | None = None,
    ) -> requests.Response:
        """An OKX v5 request signed like ccxt does (``params`` a dict, or a list for batches)."""
        query, payload = "", ""
        if method == "GET":
            query = "&".join(f"{k}={v}" for k, v in (params or {}).items())
        elif params is not None:
            payload = json.dumps(params, separators=(",", ":"))
        headers = okx_headers(
            self.account.api_key,
            secret or self.account.secret,
            password if password is not None else self.account.password,
            method,
            path,
            query=query,
            body=payload,
            timestamp_ms=timestamp_ms,
        )
        url = self.sandbox.url + path + (f"?{query}" if query else "")
        return self.session.request(
            method, url, data=payload.encode() or None, headers=headers, timeout=self.timeout
        )

    def binance(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        secret: str | None = None,
        api_key: str | None = None,
        timestamp_ms: int | None = None,
        sign: bool = True,
    ) -> requests.Response:
        """A Binance USDⓈ-M request signed like ccxt does: the query (GET, DELETE) or the form body
        (POST), with ``timestamp``, ``recvWindow`` and ``signature`` last."""
        headers: dict[str, str] = {}
        query = "&".join(f"{k}={v}" for k, v in (params or {}).items())
        if sign:
            query, headers = signed_query(
                api_key or self.account.api_key, secret or self.account.secret, params or {},
                timestamp_ms=timestamp_ms,
            )  # fmt: skip
        url = self.sandbox.url + path
        if method in ("GET", "DELETE"):
            return self.session.request(method, f"{url}?{query}", headers=headers, timeout=self.timeout)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.session.request(method, url, data=query, headers=headers, timeout=self.timeout)

    def close(self) -> None:
        self.session.close()


def wait_until(predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Poll until ``predicate()`` holds, e.g. until a held response has been logged."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)
