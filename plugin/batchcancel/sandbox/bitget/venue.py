"""Bitget v2's slice of the sandbox state as its handlers use it: budgets per UID and endpoint
(the public ones per IP), and Bitget's error for an unknown symbol."""

from __future__ import annotations

from ..venue import Venue
from ..wire import RequestContext
from .rules import EXCHANGE_ID, RATE_LIMITED, BitgetError, base_limit
from .uta_rules import base_limit as uta_base_limit


class BitgetVenue(Venue):
    name = EXCHANGE_ID
    limit_of = staticmethod(base_limit)
    """The documented budget of a path (``"public"``: per IP) before scaling; UTA mode adds v3's."""

    def unknown_symbol(self) -> Exception:
        return BitgetError("40034", "Parameter symbol does not exist")

    def charge(self, call: RequestContext, private: bool) -> None:
        """One request from the caller's budget for this endpoint (per IP when ``private`` is false)."""
        path = call.request.path
        if private:
            assert call.account is not None
            key: tuple[str, ...] = (EXCHANGE_ID, call.account.uid, path)
            limit = self.ctx.budgets.limit(EXCHANGE_ID, path, None, self.limit_of(path))
        else:
            key = (EXCHANGE_ID, "ip", path)
            limit = self.ctx.budgets.limit(EXCHANGE_ID, "public", None, self.limit_of("public"))
        call.grant = self.ctx.limiter.take(key, limit)  # Bitget sends no header; the log shows it
        if not call.grant.granted:
            raise RATE_LIMITED


class BitgetUtaVenue(BitgetVenue):
    """The same state for unified trading accounts: v3's budgets besides v2's."""

    limit_of = staticmethod(uta_base_limit)
