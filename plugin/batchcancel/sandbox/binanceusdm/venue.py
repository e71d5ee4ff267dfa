"""Binance USDⓈ-M's slice of the sandbox state as its handlers use it: the request weight per IP
(every account on the loopback shares one IP, as on the exchange), and the per-symbol countdowns."""

from __future__ import annotations

from ..markets import Market
from ..venue import Venue
from ..wire import ExchangeContext, RequestContext
from .countdown import Countdowns
from .rules import CATEGORY, EXCHANGE_ID, WEIGHT, bad_symbol, base_limit, too_many_requests


class BinanceVenue(Venue):
    name = EXCHANGE_ID

    def __init__(self, ctx: ExchangeContext) -> None:
        super().__init__(ctx)
        self.countdowns = Countdowns(ctx)

    def unknown_symbol(self) -> Exception:
        return bad_symbol()

    def linear(self, symbol: object) -> Market:
        return self.market(CATEGORY, symbol)

    def weight_limit(self) -> int:
        return self.ctx.budgets.limit(EXCHANGE_ID, WEIGHT, None, base_limit(WEIGHT))

    def used_weight(self) -> int:
        limit = self.weight_limit()
        return limit - self.ctx.limiter.peek((EXCHANGE_ID, "ip", WEIGHT), limit).remaining

    def charge(self, call: RequestContext, weight: int) -> None:
        """Spend ``weight`` of the IP's request weight; past the limit, Binance's HTTP 429."""
        call.grant = self.ctx.limiter.take((EXCHANGE_ID, "ip", WEIGHT), self.weight_limit(), weight)
        if not call.grant.granted:
            raise too_many_requests()
