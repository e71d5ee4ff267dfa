"""Before anything is sent: drop duplicates and resolve symbols against the loaded markets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from batchcancel.model import CancelRequest


@attrs.frozen
class Distinct:
    """The distinct requests of a call, and which distinct one each given request is."""

    requests: tuple[CancelRequest, ...]
    """One per distinct order, the first of its duplicates."""
    positions: tuple[int, ...]
    """For each request as given, the index of its distinct request."""


def distinct(requests: Sequence[CancelRequest]) -> Distinct:
    seen: dict[Any, int] = {}
    unique: list[CancelRequest] = []
    positions = []
    for request in requests:
        identity = request.identity
        if identity not in seen:
            seen[identity] = len(unique)
            unique.append(request)
        positions.append(seen[identity])
    return Distinct(tuple(unique), tuple(positions))


def resolve_market(
    symbol: str, markets: Mapping[str, Any], markets_by_id: Mapping[str, Any] | None
) -> tuple[Mapping[str, Any] | None, str]:
    """The ccxt market for ``symbol``, or None and why not.

    A unified symbol is looked up directly. An exchange-native one such as ``BTCUSDT`` is accepted
    when it names exactly one market; on Bybit ``BTCUSDT`` is both the spot pair and the USDT
    perpetual, so it is refused as ambiguous rather than guessed.
    """
    market = markets.get(symbol)
    if market is not None:
        return market, ""
    candidates = list((markets_by_id or {}).get(symbol) or [])
    if len(candidates) == 1:
        return candidates[0], ""
    if len(candidates) > 1:
        names = ", ".join(sorted(str(m.get("symbol")) for m in candidates))
        return None, f"ambiguous exchange symbol {symbol!r}: it names {names}; use the unified symbol"
    return None, f"unknown symbol {symbol!r}: not in the exchange's loaded markets"
