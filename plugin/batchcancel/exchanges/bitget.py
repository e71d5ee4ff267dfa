"""The ``bitget`` plugin: Bitget's v2 (classic account) cancel API, spot and futures.

What Bitget offers, and so what this dialect does (sources: Bitget API docs for
``/api/v2/spot/trade/batch-cancel-order`` and ``/api/v2/mix/order/batch-cancel-orders``, the
project's exchange facts §2.3-2.7, and ccxt 4.5.90 ``bitget.py``):

- **Spot batch** ``POST /api/v2/spot/trade/batch-cancel-order``: up to 50 orders. With
  ``batchMode: "multiple"`` every item carries its own ``symbol``, so one request covers many
  pairs. Each item names the order by ``orderId`` or by ``clientOid``; the two are never mixed
  in one request.
- **Futures batch** ``POST /api/v2/mix/order/batch-cancel-orders``: up to 50 orders of ONE
  symbol, with its ``productType`` (``USDT-FUTURES``, ``COIN-FUTURES``, ``USDC-FUTURES``...) and
  ``marginCoin``; items in ``orderIdList`` (not ``orderList``).
- Both answer ``data.successList`` and ``data.failureList``; entries carry ``orderId`` and
  ``clientOid`` (failures also ``errorMsg`` and, not always, ``errorCode``). They are matched
  back to the requests by the id the request was sent with, never by position; an order in
  neither list is sent again, never assumed cancelled.
- **Single cancels** ``POST /api/v2/spot/trade/cancel-order`` and ``/api/v2/mix/order/cancel-order``
  are the second route; errors come back as ccxt exceptions whose text carries the JSON body.
- **Rate limits**: 10 requests per second per UID, per endpoint; a request costs 1 whatever the
  number of orders in it.

Accounts in Bitget's unified trading account mode (ccxt ``options['uta']`` true) cancel through
the v3 API, which this dialect does not speak: their orders go to ccxt's own ``cancel_order``
(the fallback), which knows the v3 endpoints.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Hashable, Mapping, Sequence
from typing import Any

import attrs

from batchcancel import engine
from batchcancel.engine import Budget, Call, CodeBook, Dialect, MalformedResponse, Route, Verdict, WorkItem
from batchcancel.engine.classify import describe
from batchcancel.exchanges.ccxt_fallback import code_in_message
from batchcancel.markers import hookimpl
from batchcancel.model import CancelReport, CancelRequest
from batchcancel.settings import Settings

log = logging.getLogger("batchcancel")

EXCHANGE_ID = "bitget"

# ccxt implicit API methods (present on ccxt.bitget and ccxt.async_support.bitget 4.5.90).
SPOT_BATCH_CANCEL = "privateSpotPostV2SpotTradeBatchCancelOrder"  # /api/v2/spot/trade/batch-cancel-order
SPOT_CANCEL = "privateSpotPostV2SpotTradeCancelOrder"  # /api/v2/spot/trade/cancel-order
MIX_BATCH_CANCEL = "privateMixPostV2MixOrderBatchCancelOrders"  # /api/v2/mix/order/batch-cancel-orders
MIX_CANCEL = "privateMixPostV2MixOrderCancelOrder"  # /api/v2/mix/order/cancel-order

BATCH_MAX = 50
"""``orderList`` / ``orderIdList`` "maximum length: 50" (spot and mix docs; seed 003; facts §2.4)."""

REQUESTS_PER_SECOND = 10
"""Per UID, per endpoint, for each of the four cancel endpoints (Bitget docs; facts §2.3-2.4)."""

SPOT_BATCH_BUDGET = "spot-batch-cancel"
SPOT_SINGLE_BUDGET = "spot-cancel"
MIX_BATCH_BUDGET = "mix-batch-cancel"
MIX_SINGLE_BUDGET = "mix-cancel"

# A request costs one unit of its endpoint's budget whatever the number of orders in it.
SPOT_BATCH = Route("batch", BATCH_MAX, SPOT_BATCH_BUDGET, cost_per_call=1, cost_per_item=0)
SPOT_SINGLE = Route("single", 1, SPOT_SINGLE_BUDGET, cost_per_call=1, cost_per_item=0)
MIX_BATCH = Route("batch", BATCH_MAX, MIX_BATCH_BUDGET, cost_per_call=1, cost_per_item=0)
MIX_SINGLE = Route("single", 1, MIX_SINGLE_BUDGET, cost_per_call=1, cost_per_item=0)

SPOT_BATCH_MODE = "multiple"
"""``single`` (the default) uses the top-level symbol for every item; ``multiple`` each item's own."""

ORDER_ID = "orderId"
CLIENT_OID = "clientOid"

OK_CODE = "00000"

CODES = CodeBook(
    ok={OK_CODE},
    # The order is not open: unknown, filled or cancelled before (facts §2.5; ccxt's exact map).
    not_open={
        "43001",  # the order does not exist (spot)
        "40768",  # order does not exist (futures)
        "40109",  # the data of the order cannot be found
        "43004",  # there is no order to cancel
        "22001",  # no order to cancel
        "43025",  # plan order does not exist
    },
    # Wait for the budget, then send again (facts §2.5).
    rate_limited={
        "429",  # too many requests
        "1001",  # the request is too frequent and has been throttled
    },
    # Send again after a backoff (facts §2.5; ccxt maps 40015 to a plain ExchangeError).
    transient={
        "40015",  # system is abnormal, please try again later
        "40200",  # server upgrade, please try again later
        "40604",  # server is busy, please try again later
        "500",  # system busy
    },
)

NOT_OPEN_MESSAGES = frozenset(
    {
        "the order does not exist",
        "order does not exist",
        "订单不存在",
        "there is no order to cancel",
        "no order to cancel",
        "the data of the order cannot be found, please confirm the order number",
    }
)
"""Exact (case-insensitive) messages of the not-open codes, for failureList entries without errorCode."""

PRODUCT_TYPE_BY_SETTLE: Mapping[str, str] = {
    "USDT": "USDT-FUTURES",
    "USDC": "USDC-FUTURES",
    "SUSDT": "SUSDT-FUTURES",
    "SUSDC": "SUSDC-FUTURES",
    "SBTC": "SCOIN-FUTURES",
    "SETH": "SCOIN-FUTURES",
    "SEOS": "SCOIN-FUTURES",
}
"""Futures ``productType`` from the market's settle coin; any other settle coin is COIN-FUTURES
(the same rule as ccxt's ``handle_product_type_and_params``)."""
COIN_FUTURES = "COIN-FUTURES"

MIX_PARAMS = frozenset({"productType", "marginCoin"})
"""Request ``params`` a futures cancel understands natively; anything else goes to ccxt."""


@attrs.frozen
class SpotGroup:
    """Spot orders named by the same kind of id: one ``multiple``-mode batch may hold any pairs."""

    id_field: str


@attrs.frozen
class MixGroup:
    """Futures orders of one symbol and product type named by the same kind of id."""

    symbol: str
    product_type: str
    margin_coin: str
    id_field: str


@attrs.frozen
class Unsupported:
    """Orders only ccxt's ``cancel_order`` can cancel (UTA account, trigger params, options...)."""

    why: str


def id_field(request: CancelRequest) -> str:
    """``orderId`` when the request has one (it takes precedence), else ``clientOid``."""
    return ORDER_ID if request.order_id is not None else CLIENT_OID


def id_value(request: CancelRequest, field: str) -> str:
    value = request.order_id if field == ORDER_ID else request.client_order_id
    return str(value)


def product_type(market: Mapping[str, Any]) -> str:
    settle = str(market.get("settle") or "").upper()
    return PRODUCT_TYPE_BY_SETTLE.get(settle, COIN_FUTURES)


class BitgetDialect(Dialect):
    """Bitget v2 classic-account cancels; pure: it reads ccxt's ``options`` but never sends."""

    name = EXCHANGE_ID

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        # The live ccxt ``options`` dict: whether the account is UTA is only known once ccxt's
        # load_markets has probed it, which the engine may do after this object is made.
        self._options = options if options is not None else {}
        self._told: set[str] = set()

    @property
    def uta(self) -> bool:
        return bool(self._options.get("uta"))

    def budgets(self, settings: Settings) -> Mapping[str, Budget]:
        return {
            key: Budget(REQUESTS_PER_SECOND, 1.0)
            for key in (SPOT_BATCH_BUDGET, SPOT_SINGLE_BUDGET, MIX_BATCH_BUDGET, MIX_SINGLE_BUDGET)
        }

    def group_of(self, item: WorkItem) -> Hashable:
        group = self._group_of(item)
        if isinstance(group, Unsupported) and group.why not in self._told:
            # The engine's outcome only says "no native endpoint"; say once here why not.
            self._told.add(group.why)
            log.info("batchcancel: bitget: %s: left to ccxt's cancel_order", group.why)
        return group

    def _group_of(self, item: WorkItem) -> Hashable:
        if self.uta:
            return Unsupported("the account is in unified trading (UTA) mode; v2 endpoints do not apply")
        market, request = item.market, item.request
        params = dict(request.params)
        field = id_field(request)
        if market.get("spot"):
            if params:
                return Unsupported(f"spot params {sorted(params)} need ccxt's cancel_order")
            return SpotGroup(field)
        if market.get("swap") or market.get("future"):
            extra = set(params) - MIX_PARAMS
            if extra:
                return Unsupported(f"futures params {sorted(extra)} need ccxt's cancel_order")
            return MixGroup(
                symbol=item.market_id,
                product_type=str(params.get("productType") or product_type(market)),
                margin_coin=str(params.get("marginCoin") or market.get("settleId") or market.get("settle")),
                id_field=field,
            )
        return Unsupported(f"{market.get('type')} markets have no v2 batch cancel")

    def routes(self, group: Hashable, settings: Settings) -> Sequence[Route]:
        if isinstance(group, SpotGroup):
            return (SPOT_BATCH, SPOT_SINGLE)
        if isinstance(group, MixGroup):
            return (MIX_BATCH, MIX_SINGLE)
        return ()

    # -- requests ------------------------------------------------------------------------------

    def build(self, route: Route, group: Hashable, items: Sequence[WorkItem]) -> Call:
        if isinstance(group, SpotGroup):
            field = group.id_field
            if route is SPOT_BATCH:
                order_list = [{"symbol": i.market_id, field: id_value(i.request, field)} for i in items]
                params: dict[str, Any] = {"batchMode": SPOT_BATCH_MODE, "orderList": order_list}
                return Call(SPOT_BATCH_CANCEL, (params,), tuple(items))
            (item,) = items
            params = {"symbol": item.market_id, field: id_value(item.request, field)}
            return Call(SPOT_CANCEL, (params,), tuple(items))
        if isinstance(group, MixGroup):
            field = group.id_field
            params = {"symbol": group.symbol, "productType": group.product_type}
            if group.margin_coin:
                params["marginCoin"] = group.margin_coin
            if route is MIX_BATCH:
                params["orderIdList"] = [{field: id_value(i.request, field)} for i in items]
                return Call(MIX_BATCH_CANCEL, (params,), tuple(items))
            (item,) = items
            params[field] = id_value(item.request, field)
            return Call(MIX_CANCEL, (params,), tuple(items))
        raise ValueError(f"no Bitget v2 route for {group!r}")

    # -- answers -------------------------------------------------------------------------------

    def read(self, call: Call, response: Any) -> Sequence[Verdict]:
        if not isinstance(response, Mapping):
            raise MalformedResponse(f"expected a JSON object, got {type(response).__name__}")
        code = _text(response.get("code"))
        if code != OK_CODE:  # ccxt raises for any other code; this answer is not one we know
            raise MalformedResponse(f"top-level code {code!r} where {OK_CODE!r} was expected")
        data = response.get("data")
        if not isinstance(data, Mapping):
            raise MalformedResponse(f"'data' is {type(data).__name__}, not an object")
        if call.method in (SPOT_CANCEL, MIX_CANCEL):
            return [Verdict.canceled(OK_CODE)]
        return self._read_batch(call, data)

    def _read_batch(self, call: Call, data: Mapping[str, Any]) -> list[Verdict]:
        if "successList" not in data and "failureList" not in data:
            raise MalformedResponse("batch answer has neither successList nor failureList")
        field = call.group.id_field if isinstance(call.group, (SpotGroup, MixGroup)) else ORDER_ID
        successes = _ids(data.get("successList"), "successList", field)
        failures = dict(_entries(data.get("failureList"), "failureList", field))
        sent = Counter(id_value(item.request, field) for item in call.items)
        verdicts = []
        for item in call.items:
            value = id_value(item.request, field)
            if sent[value] > 1:
                # The same id twice in one request (e.g. one orderId under two symbols): an
                # entry cannot say which it answers, so each goes again on its own.
                verdicts.append(Verdict.isolate(None, f"{field} {value} named twice in one batch"))
            elif value in successes:
                # Listed as cancelled; a failure entry for the same id refers to a repeat of it.
                verdicts.append(Verdict.canceled(OK_CODE))
            elif value in failures:
                entry = failures[value]
                verdicts.append(item_verdict(_text(entry.get("errorCode")), str(entry.get("errorMsg") or "")))
            else:
                verdicts.append(Verdict.missing())
        unknown = (set(successes) | set(failures)) - set(sent)
        if unknown:
            log.debug("batchcancel: bitget answered for %d order(s) not in the request", len(unknown))
        return verdicts

    def read_error(self, call: Call, error: BaseException) -> Verdict | None:
        code = self.error_code(error)
        if code is None:
            return None
        # Auth, permission, parameters...: None leaves them to the engine's ccxt classification.
        return CODES.request_verdict(code, describe(error), len(call.items))

    def error_code(self, error: BaseException) -> str | None:
        return code_in_message(str(error))


def item_verdict(code: str | None, message: str) -> Verdict:
    """What one failureList entry (or a non-success answer) means for its order."""
    if code is None and message.strip().lower() in NOT_OPEN_MESSAGES:
        return Verdict.already_closed(code, message)
    return CODES.item_verdict(code, message)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _entries(value: Any, name: str, field: str) -> list[tuple[str, Mapping[str, Any]]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, Mapping) for entry in value):
        raise MalformedResponse(f"{name} is not a list of objects")
    return [(key, entry) for entry in value if (key := _text(entry.get(field))) is not None]


def _ids(value: Any, name: str, field: str) -> set[str]:
    return {key for key, _ in _entries(value, name, field)}


def serves(exchange: Any) -> bool:
    return getattr(exchange, "id", None) == EXCHANGE_ID


@hookimpl
def cancel_orders(
    exchange: Any, requests: Sequence[CancelRequest], settings: Settings
) -> CancelReport | Awaitable[CancelReport] | None:
    if not serves(exchange):
        return None
    return engine.run(BitgetDialect(exchange.options), exchange, requests, settings)
