"""The Bitget dialect on its own: payload shapes, planning, and how answers become outcomes.

No I/O here; the exceptions come from ccxt's own bitget error handler fed Bitget bodies.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import attrs
import ccxt
import ccxt.async_support
import pytest

from batchcancel import CancelRequest, Settings, Status
from batchcancel.engine import CancelJob, Kind, MalformedResponse, Verdict, WorkItem
from batchcancel.engine.ccxt_single import CcxtSingleCancel
from batchcancel.exchanges import bitget
from batchcancel.exchanges.bitget import (
    MIX_BATCH,
    MIX_BATCH_CANCEL,
    MIX_CANCEL,
    MIX_SINGLE,
    SPOT_BATCH,
    SPOT_BATCH_CANCEL,
    SPOT_CANCEL,
    SPOT_SINGLE,
    BitgetDialect,
    MixGroup,
    SpotGroup,
)
from batchcancel.exchanges.bitget_uta_api import UTA_BATCH, UTA_SINGLE

SEED = json.loads((Path(__file__).parent / "data" / "bitget_batch_cancel_seed003.json").read_text())


def spot(base: str) -> dict[str, Any]:
    return {"id": f"{base}USDT", "symbol": f"{base}/USDT", "type": "spot", "spot": True, "swap": False}


def swap(symbol: str, market_id: str, settle: str) -> dict[str, Any]:
    return {"id": market_id, "symbol": symbol, "type": "swap", "spot": False, "swap": True,
            "settle": settle, "settleId": settle}  # fmt: skip


BASES = ["BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "LTC"]
MARKETS: dict[str, dict[str, Any]] = {f"{b}/USDT": spot(b) for b in BASES}
MARKETS.update(
    {
        "BTC/USDT:USDT": swap("BTC/USDT:USDT", "BTCUSDT", "USDT"),
        "ETH/USDT:USDT": swap("ETH/USDT:USDT", "ETHUSDT", "USDT"),
        "BTC/USD:BTC": swap("BTC/USD:BTC", "BTCUSD", "BTC"),
        "BTC/USDC:USDC": swap("BTC/USDC:USDC", "BTCPERP", "USDC"),
        "BTC-OPT": {"id": "BTC-OPT", "symbol": "BTC-OPT", "type": "option", "spot": False, "swap": False},
    }
)


def item(symbol: str, key: int = 0, **ids: Any) -> WorkItem:
    return WorkItem(key, CancelRequest(symbol, **ids), MARKETS[symbol])


def batch_call(dialect: BitgetDialect, items: list[WorkItem]):
    group = dialect.group_of(items[0])
    route = dialect.routes(group)[0]
    call = dialect.build(route, group, items)
    return attrs.evolve(call, route=route, group=group)


def ok(data: Any) -> dict[str, Any]:
    return {"code": "00000", "msg": "success", "requestTime": 1695808949356, "data": data}


def ccxt_error(body: dict[str, Any], status: int = 400) -> ccxt.BaseError:
    """The exception ccxt 4.5.90's bitget raises for this body (its real error handler)."""
    exchange = ccxt.bitget()
    text = json.dumps(body)
    with pytest.raises(ccxt.BaseError) as raised:
        exchange.handle_errors(status, "Bad Request", "https://x/api/v2", "POST", {}, text, body, {}, "")
        exchange.handle_http_status_code(status, "Bad Request", "https://x/api/v2", "POST", text)
    return raised.value


# -- the seed 003 example -----------------------------------------------------------------------


def test_seed_003_request_shape_is_what_the_dialect_builds():
    # The documented request: one order, named by orderId (and clientOid), in multiple mode.
    (example,) = SEED["request"]["orderList"]
    dialect = BitgetDialect()
    call = batch_call(dialect, [item("BTC/USDT", order_id=example["orderId"], client_order_id="x")])
    assert call.method == SPOT_BATCH_CANCEL
    (params,) = call.args
    assert params["batchMode"] == SEED["request"]["batchMode"] == "multiple"
    # orderId takes precedence and the two kinds are never mixed: clientOid is not sent with it.
    assert params["orderList"] == [{"symbol": example["symbol"], "orderId": example["orderId"]}]


def test_seed_003_response_for_the_documented_request_is_canceled():
    # The example lists 121211212122 in successList, and again in failureList (with another
    # clientOid): listed as cancelled, so CANCELED; the failure refers to a repeat of it.
    dialect = BitgetDialect()
    call = batch_call(dialect, [item("BTC/USDT", order_id="121211212122")])
    (verdict,) = dialect.read(call, SEED["response"])
    assert verdict == Verdict.canceled("00000")


def test_seed_003_response_read_as_a_clientoid_batch_gives_each_entry_its_outcome():
    dialect = BitgetDialect()
    items = [
        item("BTC/USDT", 0, client_order_id="121211212122"),
        item("ETH/USDT", 1, client_order_id="xxx001"),
    ]
    canceled, failed = dialect.read(batch_call(dialect, items), SEED["response"])
    assert canceled.status is Status.CANCELED
    # The failure entry has only errorMsg (no errorCode): REJECTED, message kept, code None.
    assert failed == Verdict.rejected(None, "duplicate clientOrderId")


# -- reading batch answers ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["43001", "40768", "40109", "43004", "22001", "43025"])
def test_order_not_open_codes_are_already_closed_with_the_code(code):
    dialect = BitgetDialect()
    items = [item("BTC/USDT", 0, order_id="1"), item("ETH/USDT", 1, order_id="2")]
    answer = ok(
        {
            "successList": [{"orderId": "2", "clientOid": "c2"}],
            "failureList": [{"orderId": "1", "clientOid": "", "errorMsg": "gone", "errorCode": code}],
        }
    )
    gone, canceled = dialect.read(batch_call(dialect, items), answer)
    assert gone == Verdict.already_closed(code, "gone")
    assert canceled.status is Status.CANCELED


@pytest.mark.parametrize(
    ("code", "message", "kind", "status"),
    [
        ("429", "Too Many Requests", Kind.WAIT_BUDGET, None),
        ("1001", "The request is too frequent", Kind.WAIT_BUDGET, None),
        ("40015", "System is abnormal, please try again later", Kind.RETRY, None),
        ("40017", "Parameter verification failed", Kind.FINAL, Status.REJECTED),
        (None, "The order does not exist", Kind.FINAL, Status.ALREADY_CLOSED),
        (None, "订单不存在", Kind.FINAL, Status.ALREADY_CLOSED),
        # The docs' own mix example: errorMsg only, and this spelling.
        (None, "notExistend", Kind.FINAL, Status.ALREADY_CLOSED),
        (None, "The order does not exist!", Kind.FINAL, Status.ALREADY_CLOSED),
        (None, "No order to cancel", Kind.FINAL, Status.ALREADY_CLOSED),
        (None, "Order not exist", Kind.FINAL, Status.ALREADY_CLOSED),
        ("45057", "The order does not exist!", Kind.FINAL, Status.ALREADY_CLOSED),
        ("31007", "Order does not exist", Kind.FINAL, Status.ALREADY_CLOSED),
        ("80011", "Order not exist", Kind.FINAL, Status.ALREADY_CLOSED),
        ("43020", "Stop profit and stop loss order does not exist", Kind.FINAL, Status.ALREADY_CLOSED),
        # Only messages about the order count: a bad symbol or key is not an order that is gone.
        (None, "symbol does not exist", Kind.FINAL, Status.REJECTED),
        (None, "Apikey does not exist", Kind.FINAL, Status.REJECTED),
        (None, "duplicate clientOrderId", Kind.FINAL, Status.REJECTED),
    ],
)
def test_failure_entries_map_by_code_then_by_message(code, message, kind, status):
    dialect = BitgetDialect()
    entry = {"orderId": "7", "clientOid": "c7", "errorMsg": message}
    if code is not None:
        entry["errorCode"] = code
    (verdict,) = dialect.read(
        batch_call(dialect, [item("BTC/USDT", order_id="7")]), ok({"successList": [], "failureList": [entry]})
    )
    assert (verdict.kind, verdict.status, verdict.code, verdict.message) == (kind, status, code, message)


def test_entries_are_matched_by_id_never_by_position_and_absent_orders_go_again():
    dialect = BitgetDialect()
    items = [item("BTC/USDT", i, order_id=str(100 + i)) for i in range(4)]
    answer = ok(
        {
            # Reversed, with an entry nobody asked for; 101 is in neither list.
            "successList": [{"orderId": "103"}, {"orderId": "999"}, {"orderId": "100"}],
            "failureList": [{"orderId": "102", "errorMsg": "The order does not exist", "errorCode": "43001"}],
        }
    )
    verdicts = dialect.read(batch_call(dialect, items), answer)
    assert [v.status for v in verdicts] == [Status.CANCELED, None, Status.ALREADY_CLOSED, Status.CANCELED]
    assert verdicts[1] == Verdict.missing()


def test_clientoid_batches_match_on_clientoid():
    dialect = BitgetDialect()
    items = [item("BTC/USDT", 0, client_order_id="a"), item("BTC/USDT", 1, client_order_id="b")]
    answer = ok({"successList": [{"orderId": "1", "clientOid": "b"}], "failureList": None})
    first, second = dialect.read(batch_call(dialect, items), answer)
    assert first == Verdict.missing() and second.status is Status.CANCELED


def test_one_id_named_twice_in_a_batch_is_isolated_not_guessed():
    dialect = BitgetDialect()
    items = [item("BTC/USDT", 0, order_id="5"), item("ETH/USDT", 1, order_id="5")]
    answer = ok({"successList": [{"orderId": "5"}], "failureList": [{"orderId": "5", "errorCode": "43001"}]})
    assert [v.kind for v in dialect.read(batch_call(dialect, items), answer)] == [Kind.ISOLATE] * 2


@pytest.mark.parametrize(
    "response",
    [
        None,
        [],
        ok(None),
        ok({}),
        ok({"successList": {"orderId": "1"}, "failureList": []}),
        ok({"successList": ["1"], "failureList": []}),
        {"code": "40015", "msg": "System error", "data": None},
    ],
)
def test_bad_shapes_raise_malformed_response(response):
    dialect = BitgetDialect()
    with pytest.raises(MalformedResponse):
        dialect.read(batch_call(dialect, [item("BTC/USDT", order_id="1")]), response)


def test_single_cancel_answer_is_canceled():
    dialect = BitgetDialect()
    group = dialect.group_of(item("BTC/USDT", order_id="1"))
    call = dialect.build(SPOT_SINGLE, group, [item("BTC/USDT", order_id="1")])
    assert dialect.read(call, ok({"orderId": "1", "clientOid": "c1"})) == [Verdict.canceled("00000")]


# -- errors raised by ccxt -----------------------------------------------------------------------


def single_call(symbol: str = "BTC/USDT"):
    dialect = BitgetDialect()
    it = item(symbol, order_id="1")
    group = dialect.group_of(it)
    return dialect, dialect.build(dialect.routes(group)[1], group, [it])


CLOSED = (Kind.FINAL, Status.ALREADY_CLOSED)
RETRY = (Kind.RETRY, None)
WAIT = (Kind.WAIT_BUDGET, None)


@pytest.mark.parametrize(
    ("code", "msg", "ccxt_class", "expected"),
    [
        ("43001", "The order does not exist", ccxt.OrderNotFound, CLOSED),
        ("40768", "Order does not exist", ccxt.OrderNotFound, CLOSED),
        # ccxt does not map these to OrderNotFound; the dialect reads the code from the message.
        ("43004", "There is no order to cancel", ccxt.ExchangeError, CLOSED),
        ("22001", "No order to cancel", ccxt.ExchangeError, CLOSED),
        ("40015", "System is abnormal, please try again later", ccxt.ExchangeError, RETRY),
        ("1001", "The request is too frequent", ccxt.RateLimitExceeded, WAIT),
        ("429", "Too Many Requests", ccxt.DDoSProtection, WAIT),
    ],
)
def test_single_cancel_errors_map_by_the_code_in_ccxts_message(code, msg, ccxt_class, expected):
    error = ccxt_error({"code": code, "msg": msg, "requestTime": 1, "data": None})
    assert type(error) is ccxt_class
    dialect, call = single_call()
    assert dialect.error_code(error) == code
    verdict = dialect.read_error(call, error)
    assert verdict is not None
    assert (verdict.kind, verdict.status, verdict.code) == (*expected, code)


def test_a_whole_batch_refused_as_not_open_is_isolated():
    dialect = BitgetDialect()
    call = batch_call(dialect, [item("BTC/USDT", 0, order_id="1"), item("ETH/USDT", 1, order_id="2")])
    error = ccxt_error({"code": "43001", "msg": "The order does not exist", "requestTime": 1, "data": None})
    verdict = dialect.read_error(call, error)
    assert verdict is not None and verdict.kind is Kind.ISOLATE and verdict.code == "43001"


def test_auth_errors_and_bare_http_errors_are_left_to_the_engine():
    dialect, call = single_call()
    auth = ccxt_error({"code": "40009", "msg": "sign signature error", "requestTime": 1, "data": None})
    assert isinstance(auth, ccxt.AuthenticationError)
    assert dialect.error_code(auth) == "40009" and dialect.read_error(call, auth) is None
    bare = ccxt.RateLimitExceeded("bitget POST https://x 429 Too Many Requests")
    assert dialect.error_code(bare) is None and dialect.read_error(call, bare) is None


# -- groups, routes, payloads --------------------------------------------------------------------


def test_ccxt_has_the_implicit_methods_the_dialect_calls():
    for exchange in (ccxt.bitget(), ccxt.async_support.bitget()):
        for method in (SPOT_BATCH_CANCEL, SPOT_CANCEL, MIX_BATCH_CANCEL, MIX_CANCEL):
            assert callable(getattr(exchange, method)), method


def test_budgets_are_ten_requests_per_second_per_endpoint_whatever_the_batch_size():
    budgets = BitgetDialect().budgets(Settings())
    cancels = {route.budget: (10, 1.0) for route in (SPOT_BATCH, SPOT_SINGLE, MIX_BATCH, MIX_SINGLE)}
    reads = {"spot-order-info": (20, 1.0), "mix-order-detail": (10, 1.0)}
    reads.update({"spot-open-orders": (20, 1.0), "mix-open-orders": (20, 1.0)})
    kill_switch = {
        "mix-cancel-all": (10, 1.0),
        "spot-cancel-symbol": (5, 1.0),
        "spot-history-orders": (20, 1.0),
    }
    plans = {"mix-plan-pending": (10, 1.0), "mix-cancel-plan": (10, 1.0)}  # futures trigger and TP/SL orders
    assert {key: (b.limit, b.window_s) for key, b in budgets.items()} == {
        **cancels,
        **reads,
        **kill_switch,
        **plans,
    }
    assert SPOT_BATCH.cost(50) == SPOT_BATCH.cost(1) == MIX_BATCH.cost(50) == 1
    assert SPOT_BATCH.max_items == MIX_BATCH.max_items == 50


def test_futures_payloads_carry_symbol_product_type_and_margin_coin():
    dialect = BitgetDialect()
    usdt = item("BTC/USDT:USDT", order_id="1")
    coin = item("BTC/USD:BTC", client_order_id="c2")
    usdc = item("BTC/USDC:USDC", order_id="3")
    assert dialect.group_of(usdt) == MixGroup("BTCUSDT", "USDT-FUTURES", "USDT", "orderId")
    assert dialect.group_of(coin) == MixGroup("BTCUSD", "COIN-FUTURES", "BTC", "clientOid")
    assert dialect.group_of(usdc) == MixGroup("BTCPERP", "USDC-FUTURES", "USDC", "orderId")
    batch = dialect.build(MIX_BATCH, dialect.group_of(coin), [coin])
    assert (batch.method, batch.args) == (
        MIX_BATCH_CANCEL,
        (
            {
                "symbol": "BTCUSD",
                "productType": "COIN-FUTURES",
                "marginCoin": "BTC",
                "orderIdList": [{"clientOid": "c2"}],
            },
        ),
    )
    single = dialect.build(MIX_SINGLE, dialect.group_of(usdt), [usdt])
    assert (single.method, single.args) == (
        MIX_CANCEL,
        ({"symbol": "BTCUSDT", "productType": "USDT-FUTURES", "marginCoin": "USDT", "orderId": "1"},),
    )
    spot_single = dialect.build(SPOT_SINGLE, SpotGroup("clientOid"), [item("ETH/USDT", client_order_id="e")])
    assert (spot_single.method, spot_single.args) == (SPOT_CANCEL, ({"symbol": "ETHUSDT", "clientOid": "e"},))


def test_a_product_type_param_overrides_the_one_from_the_market():
    dialect = BitgetDialect()
    demo = WorkItem(0, CancelRequest("BTC/USDT:USDT", "1", params={"productType": "SUSDT-FUTURES"}),
                    MARKETS["BTC/USDT:USDT"])  # fmt: skip
    assert dialect.group_of(demo) == MixGroup("BTCUSDT", "SUSDT-FUTURES", "USDT", "orderId")


def test_what_v2_cannot_cancel_goes_to_the_ccxt_fallback():
    trigger = WorkItem(0, CancelRequest("BTC/USDT", "1", params={"trigger": True}), MARKETS["BTC/USDT"])
    for unsupported in (trigger, item("BTC-OPT", order_id="1")):  # spot trigger: ccxt's spot plan endpoints
        dialect = BitgetDialect()
        assert dialect.routes(dialect.group_of(unsupported)) == ()
    # Futures plan orders: tests/exchanges/test_bitget_plan_dialect.py.
    # A UTA account (ccxt options['uta'], known once ccxt has probed it): v3 routes, never v2.
    options: dict[str, Any] = {"uta": False}
    dialect = BitgetDialect(lambda: bool(options.get("uta")))
    plain = item("BTC/USDT", order_id="1")
    assert dialect.routes(dialect.group_of(plain)) == (SPOT_BATCH, SPOT_SINGLE)
    options["uta"] = True
    assert dialect.routes(dialect.group_of(plain)) == (UTA_BATCH, UTA_SINGLE)


def planned(requests: list[CancelRequest]):
    """The calls the engine starts first for these requests (budgets fresh, no answers yet)."""
    job = CancelJob(BitgetDialect(), requests, Settings(), now=0.0, markets=MARKETS,
                    fallback=CcxtSingleCancel(), rng=random.Random(0))  # fmt: skip
    return job.ready_calls(0.0, 100)


def test_spot_chunks_of_50_over_many_symbols_never_mixing_id_kinds():
    by_id = [CancelRequest(f"{BASES[i % 7]}/USDT", order_id=str(i)) for i in range(120)]
    by_client = [CancelRequest(f"{BASES[i % 7]}/USDT", client_order_id=f"c{i}") for i in range(61)]
    calls = planned(by_id + by_client)
    assert all(call.method == SPOT_BATCH_CANCEL for call in calls)
    assert len(calls) == math.ceil(120 / 50) + math.ceil(61 / 50)
    sent: list[tuple[str, str]] = []
    for call in calls:
        (params,) = call.args
        assert params["batchMode"] == "multiple" and len(params["orderList"]) <= 50
        kinds = {key for entry in params["orderList"] for key in entry if key != "symbol"}
        assert kinds in ({"orderId"}, {"clientOid"})
        assert len({entry["symbol"] for entry in params["orderList"]}) > 1  # many pairs, one request
        for entry, work in zip(params["orderList"], call.items, strict=True):
            assert entry["symbol"] == work.market_id
            sent.append((entry["symbol"], entry.get("orderId") or entry["clientOid"]))
    expected = [(MARKETS[r.symbol]["id"], r.order_id or r.client_order_id) for r in by_id + by_client]
    assert sorted(sent) == sorted(expected)


def test_futures_requests_hold_one_symbol_and_product_type_each():
    reqs = [CancelRequest("BTC/USDT:USDT", order_id=str(i)) for i in range(60)]
    reqs += [CancelRequest("ETH/USDT:USDT", order_id=f"e{i}") for i in range(3)]
    reqs += [CancelRequest("BTC/USD:BTC", order_id=f"b{i}") for i in range(2)]
    calls = planned(reqs)
    shapes = sorted(
        (c.args[0]["symbol"], c.args[0]["productType"], len(c.args[0]["orderIdList"])) for c in calls
    )
    assert shapes == [
        ("BTCUSD", "COIN-FUTURES", 2),
        ("BTCUSDT", "USDT-FUTURES", 10),
        ("BTCUSDT", "USDT-FUTURES", 50),
        ("ETHUSDT", "USDT-FUTURES", 3),
    ]
    assert {c.method for c in calls} == {MIX_BATCH_CANCEL}


def test_hook_claims_bitget_only():
    class Other:
        id = "bybit"

    assert bitget.cancel_orders(exchange=Other(), requests=[], settings=Settings()) is None
