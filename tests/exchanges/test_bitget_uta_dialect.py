"""The Bitget dialect for a unified trading account (v3), pure: groups, requests, and what each
answer (hostile ones included) means for each order."""

from __future__ import annotations

from typing import Any

import ccxt
import pytest

from batchcancel import CancelRequest, Status
from batchcancel.engine import Kind, MalformedResponse, WorkItem
from batchcancel.engine.reading import OrderState
from batchcancel.exchanges.bitget import BitgetDialect
from batchcancel.exchanges.bitget_api import Unsupported
from batchcancel.exchanges.bitget_uta_api import (
    UTA_BATCH,
    UTA_BATCH_CANCEL,
    UTA_CANCEL,
    UTA_ORDER_INFO,
    UTA_SINGLE,
    UtaGroup,
)

MARKETS: dict[str, dict[str, Any]] = {
    "BTC/USDT": {"id": "BTCUSDT", "symbol": "BTC/USDT", "type": "spot", "spot": True},
    "ETH/USDT": {"id": "ETHUSDT", "symbol": "ETH/USDT", "type": "spot", "spot": True},
    "BTC/USDT:USDT": {
        "id": "BTCUSDT",
        "symbol": "BTC/USDT:USDT",
        "type": "swap",
        "swap": True,
        "settle": "USDT",
    },
    "BTC/USD:BTC": {"id": "BTCUSD", "symbol": "BTC/USD:BTC", "type": "swap", "swap": True, "settle": "BTC"},
    "BTC-OPT": {"id": "BTC-OPT", "symbol": "BTC-OPT", "type": "option", "option": True},
}
UTA = BitgetDialect(lambda: True)


def item(symbol: str, key: int = 0, **ids: Any) -> WorkItem:
    return WorkItem(key, CancelRequest(symbol, **ids), MARKETS[symbol])


def ok(data: Any) -> dict[str, Any]:
    return {"code": "00000", "msg": "success", "requestTime": 1, "data": data}


def batch(*items: WorkItem):
    group = UTA.group_of(items[0])
    return UTA.build(UTA_BATCH, group, list(items))


def test_groups_are_v3_categories_and_symbols_and_id_kinds_share_a_batch():
    assert UTA.group_of(item("BTC/USDT", order_id="1")) == UtaGroup("SPOT")
    assert UTA.group_of(item("BTC/USDT:USDT", order_id="1")) == UtaGroup("USDT-FUTURES")
    assert UTA.group_of(item("BTC/USD:BTC", order_id="1")) == UtaGroup("COIN-FUTURES")
    assert UTA.routes(UtaGroup("SPOT")) == (UTA_BATCH, UTA_SINGLE)
    for unsupported in (
        item("BTC-OPT", order_id="1"),
        WorkItem(0, CancelRequest("BTC/USDT", "1", params={"trigger": True}), MARKETS["BTC/USDT"]),
    ):
        group = UTA.group_of(unsupported)
        assert isinstance(group, Unsupported) and UTA.routes(group) == ()
    call = batch(item("BTC/USDT", order_id="1"), item("ETH/USDT", 1, client_order_id="c2"))
    assert call.method == UTA_BATCH_CANCEL
    assert call.args == ([{"orderId": "1", "category": "SPOT", "symbol": "BTCUSDT"},
                          {"clientOid": "c2", "category": "SPOT", "symbol": "ETHUSDT"}],)  # fmt: skip


def test_budgets_cover_v3_unless_the_account_is_known_classic():
    from batchcancel import Settings

    assert "uta-cancel-batch" in BitgetDialect(lambda: None).budgets(Settings())  # not probed yet
    assert "uta-cancel-batch" in UTA.budgets(Settings())
    assert "uta-cancel-batch" not in BitgetDialect(lambda: False).budgets(Settings())


def test_each_entry_is_matched_by_the_id_it_was_sent_with():
    items = [item("BTC/USDT", 0, order_id="1"), item("BTC/USDT", 1, client_order_id="c2"),
             item("ETH/USDT", 2, order_id="3"), item("ETH/USDT", 3, order_id="4"),
             item("ETH/USDT", 4, order_id="5"), item("ETH/USDT", 5, order_id="6"),
             item("ETH/USDT", 6, order_id="7")]  # fmt: skip
    answer = ok([
        {"orderId": "3", "clientOid": "", "code": "25204", "msg": "Order does not exist"},  # out of order
        {"orderId": "99", "clientOid": "c2"},  # the client id's order
        {"orderId": "1", "clientOid": "x"},
        {"orderId": "4", "clientOid": "", "msg": "notExisted"},  # no code: the message says it
        {"orderId": "5", "clientOid": "", "msg": "something else"},  # no code, no meaning
        {"orderId": "6", "clientOid": "", "code": "429", "msg": "Too Many Requests"},
        {"orderId": "8", "clientOid": ""},  # nobody asked for it
    ])  # fmt: skip
    verdicts = UTA.read(batch(*items), answer)
    assert [(v.status, v.code) for v in verdicts[:4]] == [
        (Status.CANCELED, "00000"), (Status.CANCELED, "00000"),
        (Status.ALREADY_CLOSED, "25204"), (Status.ALREADY_CLOSED, None),
    ]  # fmt: skip
    assert verdicts[4].kind is Kind.RETRY and verdicts[4].state_unknown
    assert verdicts[5].kind is Kind.WAIT_BUDGET
    assert verdicts[6].kind is Kind.RETRY and "missing" in verdicts[6].message  # sent again


def test_an_unknown_code_is_a_rejection_and_a_repeated_id_is_split_up():
    verdicts = UTA.read(
        batch(item("BTC/USDT", 0, order_id="1")), ok([{"orderId": "1", "code": "40017", "msg": "x"}])
    )
    assert (verdicts[0].status, verdicts[0].code) == (Status.REJECTED, "40017")
    twice = batch(item("BTC/USDT", 0, order_id="1"), item("ETH/USDT", 1, order_id="1"))
    assert {v.kind for v in UTA.read(twice, ok([{"orderId": "1"}]))} == {Kind.ISOLATE}


@pytest.mark.parametrize(
    "answer", [ok({}), ok(None), ok([1, 2]), ok("done"), {"code": "40015", "data": []}, None, []]
)
def test_an_unreadable_batch_answer_is_malformed(answer):
    with pytest.raises(MalformedResponse):
        UTA.read(batch(item("BTC/USDT", order_id="1")), answer)


def test_a_single_cancel_counts_only_when_the_answer_names_the_order():
    work = item("BTC/USDT:USDT", client_order_id="c1")
    call = UTA.build(UTA_SINGLE, UTA.group_of(work), [work])
    assert (call.method, call.args) == (UTA_CANCEL, ({"symbol": "BTCUSDT", "clientOid": "c1"},))
    assert UTA.read(call, ok({"orderId": "9", "clientOid": "c1"}))[0].status is Status.CANCELED
    for nothing in (ok({}), ok({"orderId": "9", "clientOid": "other"})):
        assert UTA.read(call, nothing)[0].kind is Kind.RETRY  # sent again, never assumed
    error = ccxt.ExchangeError('bitget {"code":"25204","msg":"Order does not exist","data":null}')
    verdict = UTA.read_error(call, error)
    assert verdict is not None and (verdict.status, verdict.code) == (Status.ALREADY_CLOSED, "25204")
    refused = UTA.read_error(batch(work, item("BTC/USDT:USDT", 1, order_id="2")), error)
    assert refused is not None and refused.kind is Kind.ISOLATE


def test_state_reads_name_the_order_or_say_nothing():
    work = item("BTC/USDT", order_id="7")
    call = UTA.build_state_read(work)
    assert call is not None and call.method == UTA_ORDER_INFO and call.args == ({"orderId": "7"},)
    assert call.route is not None and call.route.budget == "uta-order-info"
    for status, state in (("live", OrderState.OPEN), ("partially_filled", OrderState.OPEN),
                          ("filled", OrderState.FILLED), ("cancelled", OrderState.CANCELED)):  # fmt: skip
        assert UTA.read_state(call, ok({"orderId": "7", "orderStatus": status})) is state
    for hostile in (
        ok({"orderId": "8", "orderStatus": "filled"}),
        ok({}),
        ok({"orderId": "7", "orderStatus": "?"}),
    ):
        with pytest.raises(MalformedResponse):
            UTA.read_state(call, hostile)
    gone = ccxt.ExchangeError('bitget {"code":"25204","msg":"Order does not exist","data":null}')
    assert UTA.read_state_error(call, gone) is OrderState.GONE


def test_an_account_ccxt_has_not_decided_on_goes_to_ccxt_which_decides_per_call():
    # options['uta'] still None once markets are loaded (loaded before the keys were set):
    # neither v2 nor v3 is sent; ccxt's cancel_order probes the account itself.
    undecided = BitgetDialect(lambda: None)
    group = undecided.group_of(item("BTC/USDT", order_id="1"))
    assert isinstance(group, Unsupported) and undecided.routes(group) == ()
    assert "options['uta'] unset" in undecided.unserved_reason(group)
    assert undecided.build_state_read(item("BTC/USDT", order_id="1")) is None
    assert undecided.list_scopes(MARKETS) == ()


def test_which_api_follows_ccxt_and_a_ccxt_without_the_probe_means_classic():
    from types import SimpleNamespace

    from batchcancel.exchanges.bitget import account_is_uta

    def probe(params, method):
        return None

    assert account_is_uta(SimpleNamespace(options={"uta": True})) is True
    assert account_is_uta(SimpleNamespace(options={"uta": False})) is False
    # Not probed yet: ccxt decides on its next call.
    assert account_is_uta(SimpleNamespace(options={}, handle_uta_and_params=probe)) is None
    # ccxt 4.5.59 has no probe and sends v2 unless told: classic.
    assert account_is_uta(SimpleNamespace(options={})) is False
