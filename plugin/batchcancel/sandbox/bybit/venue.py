"""Bybit v5's slice of the sandbox state as its handlers use it: budgets per UID and group
(the public ones per IP), and Bybit's error for an unknown symbol."""

from __future__ import annotations

from ..venue import Venue
from ..wire import RequestContext
from .rules import EXCHANGE_ID, PARAM_ERROR, RATE_LIMITED, BybitError, base_limit, group_of


class BybitVenue(Venue):
    name = EXCHANGE_ID

    def unknown_symbol(self) -> Exception:
        return BybitError(PARAM_ERROR, "params error: symbol invalid")

    @staticmethod
    def public_key() -> tuple[str, ...]:
        return (EXCHANGE_ID, "ip", "public")

    def public_limit(self) -> int:
        return self.ctx.budgets.limit(EXCHANGE_ID, "public", None, base_limit("public"))

    def charge_public(self, call: RequestContext) -> None:
        call.grant = self.ctx.limiter.take(self.public_key(), self.public_limit())
        if not call.grant.granted:
            raise BybitError(403, "access too frequent")

    def charge(self, call: RequestContext, group: str | None = None, units: int = 1) -> int:
        """Draw ``units`` from the caller's budget; returns how many fit (a batch may get fewer)."""
        assert call.account is not None
        path = call.request.path
        limit = self.ctx.budgets.limit(EXCHANGE_ID, path, group, base_limit(path, group))
        key = (EXCHANGE_ID, call.account.uid, path, group)
        call.grant = self.ctx.limiter.take(key, limit, units, partial=True)
        if not call.grant.granted:
            raise BybitError(*RATE_LIMITED)
        return call.grant.granted

    def charge_order_endpoint(self, call: RequestContext, category: str, units: int = 1) -> int:
        return self.charge(call, group_of(category), units)
