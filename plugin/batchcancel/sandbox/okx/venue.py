"""OKX v5's slice of the sandbox state as its handlers use it: budgets per UID (and instrument,
where OKX counts so) over 2 s, and OKX's error for an unknown instrument."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..venue import Venue
from ..wire import RequestContext
from .rules import BUDGET_WINDOWS, CANCEL, EXCHANGE_ID, RATE_LIMITED, OkxError, base_limit


class OkxVenue(Venue):
    name = EXCHANGE_ID

    def unknown_symbol(self) -> Exception:
        return OkxError("51001", "Instrument ID does not exist")

    def _limit(self, path: str) -> int:
        return self.ctx.budgets.limit(EXCHANGE_ID, path, None, base_limit(path))

    def charge_public(self, call: RequestContext) -> None:
        limit = self.ctx.budgets.limit(EXCHANGE_ID, "public", None, base_limit("public"))
        call.grant = self.ctx.limiter.take(
            (EXCHANGE_ID, "ip", call.request.path), limit, windows=BUDGET_WINDOWS
        )
        if not call.grant.granted:
            raise OkxError(*RATE_LIMITED)

    def charge(self, call: RequestContext, path: str | None = None) -> None:
        """One request from the caller's budget for ``path`` (default: the request's)."""
        assert call.account is not None
        path = path or call.request.path
        key = (EXCHANGE_ID, call.account.uid, path)
        call.grant = self.ctx.limiter.take(key, self._limit(path), windows=BUDGET_WINDOWS)
        if not call.grant.granted:
            raise OkxError(*RATE_LIMITED)

    def charge_instruments(self, call: RequestContext, inst_ids: Iterable[str]) -> None:
        """Orders per instrument from the caller's budget for the request's path; all or nothing.

        A one-order batch spends the single endpoint's budget, as OKX documents."""
        assert call.account is not None
        counts = Counter(inst_ids)
        path = CANCEL if sum(counts.values()) == 1 else call.request.path
        limit, limiter = self._limit(path), self.ctx.limiter
        keys = {inst: (EXCHANGE_ID, call.account.uid, path, inst) for inst in counts}
        if any(limiter.peek(keys[i], limit, windows=BUDGET_WINDOWS).remaining < n for i, n in counts.items()):
            raise OkxError(*RATE_LIMITED)
        for inst, units in counts.items():
            call.grant = limiter.take(keys[inst], limit, units, partial=True, windows=BUDGET_WINDOWS)
