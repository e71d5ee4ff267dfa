"""OKX's ``cancel-all-after``: an account-wide countdown that cancels every open order when it ends.

``{"timeOut": "60"}`` (seconds, 0 or 10 to 120) (re)arms it, ``"0"`` disarms it; the answer is
``[{"triggerTime", "tag", "ts"}]``, triggerTime in seconds ("0" once disarmed). The sandbox's
minimum can be lowered for tests (``Sandbox.set_countdown_minimum("okx", 1)``).
"""

from __future__ import annotations

from typing import Any

from ..book import CANCELED
from ..wire import RequestContext
from .rules import COUNTDOWN_MAX_S, COUNTDOWN_MIN_S, EXCHANGE_ID, OkxError
from .venue import OkxVenue


def cancel_all_after(okx: OkxVenue, call: RequestContext) -> Any:
    okx.charge(call)
    assert call.account is not None
    raw = call.params.get("timeOut")
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    minimum = okx.ctx.countdowns.minimum(EXCHANGE_ID, COUNTDOWN_MIN_S)
    if not text.isdigit() or not (int(text) == 0 or minimum <= int(text) <= COUNTDOWN_MAX_S):
        raise OkxError("51000", f"Parameter timeOut error: 0 or {minimum:g} to {COUNTDOWN_MAX_S:g} seconds")
    seconds = int(text)
    tag = str(call.params.get("tag") or "")
    key = (EXCHANGE_ID, call.account.uid, tag or None)
    now_s = okx.ctx.clock.now_ms() // 1000
    if seconds == 0:
        okx.ctx.countdowns.disarm(key)
        return [{"triggerTime": "0", "tag": tag, "ts": str(now_s)}]
    book, clock = okx.book(call), okx.ctx.clock

    def fire() -> None:  # the timer ran out: every open order of the account is cancelled
        book.mark([o.order_id for o in book.orders(lambda o: o.is_open)], CANCELED, clock.now_ms())

    okx.ctx.countdowns.arm(key, seconds, fire)
    return [{"triggerTime": str(now_s + seconds), "tag": tag, "ts": str(now_s)}]
