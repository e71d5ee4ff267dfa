"""The shared budget store on Redis: one atomic server-side script per reservation.

Each budget (exchange, account, budget name) is two keys with one hash tag, so a Redis Cluster
keeps them on one node: a sorted set of the window's entries (member ``cost|token``, score the
millisecond from which the entry ages out over the window) and a hash of what the exchange said
(``limit``, ``blocked_until``). Time is Redis's own clock (``TIME``), so bots on machines whose
clocks differ still share one window. The Redis client is imported here only, and only when a
``budget_store`` is set (the ``redis`` extra). This module knows nothing of the engine; the
engine's ``SharedBudgetBook`` (engine/shared_budget.py) uses it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import attrs

from batchcancel.redact import Redactor
from batchcancel.store_url import display_url, password_of

KEY_PREFIX = "batchcancel:budget"
SOCKET_TIMEOUT_S = 0.25
"""A store slower than this is treated as down for the call (loopback and LAN answer in ~1 ms)."""
FACTS_TTL_MS = 3_600_000
"""A learned limit is kept an hour after the last use; idle budgets leave nothing behind."""

# KEYS[1]: the window's entries; KEYS[2]: the facts. ARGV[1]: the operation, then its arguments.
# Every write refreshes both keys' expiry, so an idle budget vanishes from the store by itself.
SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op = ARGV[1]
local function used(window)
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local total = 0
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    total = total + tonumber(string.match(member, '^([^|]+)'))
  end
  return total
end
local function keep()
  -- Entries are trimmed on every read; the expiry only clears a budget no bot uses any more.
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[#ARGV]))
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[#ARGV]))
end
if op == 'reserve' then
  -- token, max_items, per_call, per_item, limit, window_ms, hold_ms, unheard, facts_ttl
  local window, hold = tonumber(ARGV[7]), tonumber(ARGV[8])
  local stored = redis.call('HGET', KEYS[2], 'limit')
  local limit = tonumber(stored or ARGV[6])
  local heard = stored and 1 or 0
  local blocked = tonumber(redis.call('HGET', KEYS[2], 'blocked_until') or '0')
  if blocked > now then
    return {0, tostring(limit), blocked - now, heard, ''}
  end
  local spent = used(window)
  local max_items, per_call, per_item = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
  local items = 0
  if spent == 0 and heard == 0 and ARGV[9] == '1' then
    items = max_items  -- the limit is not known yet: the first request goes at full size
  else
    local free = limit - spent
    if per_item <= 0 then
      if free + 1e-9 >= per_call then items = max_items end
    else
      items = math.min(max_items, math.floor((free - per_call + 1e-9) / per_item))
    end
  end
  if items > 0 then
    -- In flight: counted until an answer settles it, or (never answered) ``hold`` past now.
    -- The sequence makes every entry its own, whatever token a caller sends.
    local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
    local member = tostring(per_call + per_item * items) .. '|' .. ARGV[2] .. '|' .. seq
    redis.call('ZADD', KEYS[1], now + hold, member)
    keep()
    return {items, tostring(limit), 0, heard, member}
  end
  -- Units free up when the oldest answered entry ages out; one still in flight is answered no
  -- earlier than now, so it ages out no earlier than a window from now.
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
  local wait = window
  if oldest[2] then wait = tonumber(oldest[2]) + window - now end
  return {0, tostring(limit), math.max(1, wait), heard, ''}
elseif op == 'record' then
  -- token, cost, hold_ms: a request paced by the bot alone (no reservation asked for it) still
  -- counts for every bot
  local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
  local member = ARGV[3] .. '|' .. ARGV[2] .. '|' .. seq
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), member)
  keep()
  return member
elseif op == 'settle' then
  -- member: from now on the entry ages out like an answered request (gone already: nothing)
  redis.call('ZADD', KEYS[1], 'XX', now, ARGV[2])
  return 1
elseif op == 'observe' then
  -- token, limit|'', remaining|'', reset_in_ms|'', default_limit, window_ms, facts_ttl
  local window = tonumber(ARGV[7])
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'limit', ARGV[3]) end
  if ARGV[4] ~= '' then
    local limit = tonumber(redis.call('HGET', KEYS[2], 'limit') or ARGV[6])
    local remaining = tonumber(ARGV[4])
    -- Spent beyond what the bots sharing this store reserved (another program on the account):
    -- count the difference as spent now.
    local gap = (limit - used(window)) - remaining
    if gap > 0 then
      local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
      redis.call('ZADD', KEYS[1], now, tostring(gap) .. '|fill:' .. ARGV[2] .. '|' .. seq)
    end
    if remaining <= 0 and ARGV[5] ~= '' then
      local till = now + math.min(tonumber(ARGV[5]), window)
      local blocked = tonumber(redis.call('HGET', KEYS[2], 'blocked_until') or '0')
      if till > blocked then redis.call('HSET', KEYS[2], 'blocked_until', till) end
    end
  end
  keep()
  return 1
elseif op == 'block' then
  -- until_in_ms, window_ms, facts_ttl
  local till = now + math.min(tonumber(ARGV[2]), tonumber(ARGV[3]))
  local blocked = tonumber(redis.call('HGET', KEYS[2], 'blocked_until') or '0')
  if till > blocked then redis.call('HSET', KEYS[2], 'blocked_until', till) end
  keep()
  return 1
end
return redis.error_reply('unknown operation ' .. tostring(op))
"""


class StoreUnavailable(Exception):
    """The store did not answer in time, or not at all; the message carries no password."""


@attrs.frozen
class Grant:
    """The store's answer to one reservation."""

    items: int
    """Orders the request may carry (0: none now)."""
    limit: float
    """The budget's limit as the store knows it (learned from an exchange's report, if any)."""
    wait_s: float
    """When nothing was granted: how long until units may free up."""
    heard: bool
    """Some bot has heard the exchange report this budget's real limit."""
    ticket: str = ""
    """Names the reservation, to settle it when the answer arrives."""


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


class RedisBudgetStore:
    """The :class:`~batchcancel.engine.shared_budget.BudgetStore` of one Redis URL (thread-safe)."""

    def __init__(self, url: str, *, socket_timeout_s: float = SOCKET_TIMEOUT_S) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.display = display_url(url)
        self._password = password_of(url)
        if self._password:
            Redactor([self._password])  # batchcancel's log filter masks it from now on
        # No client-side retry: a fault must reach the engine at once, which then paces alone.
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=socket_timeout_s,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )
        self._script = self._client.register_script(SCRIPT)
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)

    def __repr__(self) -> str:
        return f"RedisBudgetStore({self.display})"

    @staticmethod
    def keys(budget: str) -> list[str]:
        """The entries and facts keys of one budget (``exchange:account:name``)."""
        return [f"{KEY_PREFIX}:{{{budget}}}:window", f"{KEY_PREFIX}:{{{budget}}}:facts"]

    def _run(self, budget: str, *args: Any) -> Any:
        try:
            return self._script(keys=self.keys(budget), args=[*args, FACTS_TTL_MS])
        except self._errors as error:
            message = f"{type(error).__name__}: {error}"
            if self._password:
                message = message.replace(self._password, "***")  # the log filter is not the only reader
            raise StoreUnavailable(f"{self.display}: {message}") from None

    def reserve(
        self,
        budget: str,
        token: str,
        *,
        max_items: int,
        per_call: float,
        per_item: float,
        limit: float,
        window_s: float,
        hold_s: float,
        unheard: bool,
    ) -> Grant:
        items, limit_text, wait_ms, heard, member = self._run(
            budget, "reserve", token, max_items, per_call, per_item, limit,
            _ms(window_s), _ms(hold_s), int(unheard),
        )  # fmt: skip
        ticket = member.decode() if isinstance(member, bytes) else str(member)
        return Grant(int(items), float(limit_text), int(wait_ms) / 1000.0, bool(heard), ticket)

    def record(self, budget: str, token: str, cost: float, hold_s: float) -> str:
        member = self._run(budget, "record", token, cost, _ms(hold_s))
        return member.decode() if isinstance(member, bytes) else str(member)

    def settle(self, budget: str, ticket: str) -> None:
        self._run(budget, "settle", ticket)

    def observe(
        self,
        budget: str,
        token: str,
        *,
        limit: float | None,
        remaining: float | None,
        reset_in_s: float | None,
        default_limit: float,
        window_s: float,
    ) -> None:
        self._run(
            budget, "observe", token,
            "" if limit is None else limit,
            "" if remaining is None else remaining,
            "" if reset_in_s is None else _ms(reset_in_s),
            default_limit, _ms(window_s),
        )  # fmt: skip

    def block(self, budget: str, until_in_s: float, window_s: float) -> None:
        self._run(budget, "block", _ms(until_in_s), _ms(window_s))


_stores: dict[tuple[int, str], RedisBudgetStore] = {}
_lock = threading.Lock()


def open_store(url: str) -> RedisBudgetStore:
    """One store (one connection pool) per URL and process, made on first use."""
    key = (os.getpid(), url)
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = RedisBudgetStore(url)
        return store
