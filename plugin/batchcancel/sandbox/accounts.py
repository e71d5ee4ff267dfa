"""Sandbox accounts (one UID each, with its own API credentials) and the server clock."""

from __future__ import annotations

import secrets
import threading
import time

import attrs


@attrs.frozen
class Account:
    """One exchange user (UID) with API credentials valid on both dialects.

    ``secret`` and ``password`` stay out of ``repr``, and the key shows only its last four
    characters, so that an account printed in a test failure or a log line leaks nothing.
    """

    uid: str
    api_key: str = attrs.field(repr=lambda key: f"'…{key[-4:]}'")
    secret: str = attrs.field(repr=False)
    password: str = attrs.field(repr=False)


class AccountRegistry:
    """Accounts by UID and by API key; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_uid: dict[str, Account] = {}
        self._by_key: dict[str, Account] = {}
        self._next_uid = 100001

    def create(
        self, *, api_key: str | None = None, secret: str | None = None, password: str | None = None
    ) -> Account:
        with self._lock:
            uid = str(self._next_uid)
            self._next_uid += 1
            account = Account(
                uid=uid,
                api_key=api_key or "sbx" + secrets.token_hex(9),
                secret=secret or secrets.token_hex(18),
                password=password or "pass" + secrets.token_hex(6),
            )
            if account.api_key in self._by_key:
                raise ValueError("an account with this api_key already exists")
            self._by_uid[uid] = account
            self._by_key[account.api_key] = account
            return account

    def by_key(self, api_key: str | None) -> Account | None:
        if not api_key:
            return None
        return self._by_key.get(api_key)

    def by_uid(self, uid: str) -> Account:
        try:
            return self._by_uid[uid]
        except KeyError:
            raise KeyError(f"no sandbox account with uid {uid!r}") from None

    def all(self) -> list[Account]:
        with self._lock:
            return list(self._by_uid.values())


class ServerClock:
    """The exchange's clock: wall time shifted by an adjustable skew (to provoke 10002 / 40008)."""

    def __init__(self) -> None:
        self.skew_ms = 0

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.skew_ms
