"""The Bitget dialect's futures plan orders (trigger, trailing, TP/SL): requests that say so
(``planType``, or ccxt's ``trigger`` / ``stop``) go to ``cancel-plan-order`` with their planType,
up to 50 ids of one symbol a request; anything else stays as before."""

from __future__ import annotations

import ccxt
import ccxt.async_support

from batchcancel.engine import WorkItem
from batchcancel.exchanges.bitget import BitgetDialect
from batchcancel.exchanges.bitget_plan import CANCEL_PLAN, CANCEL_PLAN_ROUTE, PLAN_PENDING, MixPlanGroup
from batchcancel.model import CancelRequest
from tests.exchanges.test_bitget_dialect import MARKETS


def plan_item(params: dict, order_id: str = "1") -> WorkItem:
    return WorkItem(0, CancelRequest("BTC/USDT:USDT", order_id, params=params), MARKETS["BTC/USDT:USDT"])


def test_plan_requests_route_to_cancel_plan_order_with_their_plan_type():
    for params, plan_type in (
        ({"planType": "pos_loss"}, "pos_loss"),
        ({"trigger": True}, "normal_plan"),
        ({"stop": True, "productType": "USDT-FUTURES"}, "normal_plan"),
    ):
        group = BitgetDialect().group_of(plan_item(params))
        assert isinstance(group, MixPlanGroup) and group.plan_type == plan_type
        assert BitgetDialect().routes(group) == (CANCEL_PLAN_ROUTE,)
    # trigger False is an ordinary order; params only ccxt knows still go to ccxt
    assert not isinstance(BitgetDialect().group_of(plan_item({"trigger": False})), MixPlanGroup)
    odd = plan_item({"planType": "pos_loss", "foo": 1})
    assert BitgetDialect().routes(BitgetDialect().group_of(odd)) == ()


def test_one_request_names_its_symbol_product_type_plan_type_and_ids():
    dialect = BitgetDialect()
    items = [plan_item({"planType": "pos_loss"}, str(i)) for i in range(3)]
    group = dialect.group_of(items[0])
    call = dialect.build(CANCEL_PLAN_ROUTE, group, items)
    assert call.method == CANCEL_PLAN
    assert call.args == (
        {
            "symbol": "BTCUSDT",
            "productType": "USDT-FUTURES",
            "planType": "pos_loss",
            "marginCoin": "USDT",
            "orderIdList": [{"orderId": "0"}, {"orderId": "1"}, {"orderId": "2"}],
        },
    )
    assert CANCEL_PLAN_ROUTE.max_items == 50
    answer = {
        "code": "00000",
        "data": {
            "successList": [{"orderId": "0"}],
            "failureList": [{"orderId": "1", "errorMsg": "notExistend"}],
        },
    }
    verdicts = dialect.read(call, answer)
    assert [v.status.value if v.status else None for v in verdicts][:2] == ["canceled", "already_closed"]
    assert dialect.build_state_read(items[0]) is None  # no read by id knows plan orders


def test_ccxt_has_the_plan_methods():
    for exchange in (ccxt.bitget(), ccxt.async_support.bitget()):
        for method in (PLAN_PENDING, CANCEL_PLAN):
            assert callable(getattr(exchange, method)), method
