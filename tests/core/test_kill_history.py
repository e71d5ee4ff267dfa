"""The kill switch reads the order history of orders gone unnamed (engine/kill_history.py), with
scripted pages: what a page decides, how far it pages, and what it leaves to the state reads."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from batchcancel import Status
from batchcancel.engine import Call, Route
from batchcancel.engine.reading import HistoryPage, OpenOrder, OrderState
from tests.core.test_kill_job import ReadingKillFake, listing, new_kill, outcomes, page, run

HISTORY = Route("history", 1)


class HistoryKillFake(ReadingKillFake):
    """...whose spot orders also have an order history, read a scripted page at a time."""

    def history_scope(self, order: OpenOrder, market: Mapping[str, Any]) -> Hashable | None:
        return "spot-history" if market["type"] == "spot" else None

    def build_history(self, scope: Hashable, cursor: str | None) -> Call:
        return Call("history", (scope, cursor), route=HISTORY)

    def read_history(self, call: Call, response: Any) -> HistoryPage:
        if not isinstance(response, HistoryPage):
            raise ValueError("not a page")
        return response


def scripted(history: Any, states: Mapping[str, OrderState] | None = None, *pages: list[Any]) -> Any:
    lists = listing(*(pages or (page("1", "2", "3", "4"), page(), page())))

    def answer(sent: Any, n: int) -> Any:
        if sent.method == "cancel_all":
            return {"ids": []}  # like Bitget spot's cancel-symbol-order: names nothing
        if sent.method == "history":
            return history(sent.args[1], n)
        if sent.method == "state":
            return (states or {})[sent.args[0]]
        return lists(sent, n)

    return answer


C, F, LIVE = OrderState.CANCELED, OrderState.FILLED, OrderState.OPEN


def test_one_page_decides_cancelled_and_filled_and_leaves_the_rest_to_state_reads():
    # "3" is listed still open in the history (not yet cancelled there), "4" not listed at all:
    # the history says nothing of either, so each is read by id.
    first = HistoryPage((("1", C), ("2", F), ("3", LIVE), ("9", C)), None)
    job = new_kill(HistoryKillFake())
    calls = run(job, scripted(lambda cursor, n: first, {"3": C, "4": F}))
    assert outcomes(job) == {
        "1": (Status.CANCELED, "toy:order-history"),
        "2": (Status.ALREADY_CLOSED, "toy:order-history"),
        "3": (Status.CANCELED, "toy:order-state"),
        "4": (Status.ALREADY_CLOSED, "toy:order-state"),
    }
    methods = [c.method for c in calls]
    assert methods.count("history") == 1 and methods.count("state") == 2
    assert all(o.verified for o in job.report(0.0).outcomes)


def test_pages_follow_the_cursor_until_every_gone_order_is_found():
    pages = {
        None: HistoryPage((("8", C), ("4", C)), "4"),
        "4": HistoryPage((("3", F), ("2", C)), "2"),
        "2": HistoryPage((("1", C),), "1"),
    }
    job = new_kill(HistoryKillFake())
    calls = run(job, scripted(lambda cursor, n: pages[cursor]))
    assert {order_id: status for order_id, (status, _) in outcomes(job).items()} == {
        "1": Status.CANCELED,
        "2": Status.CANCELED,
        "3": Status.ALREADY_CLOSED,
        "4": Status.CANCELED,
    }
    assert [c.method for c in calls].count("history") == 3  # not a fourth: nothing left to find


def test_paging_stops_at_its_allowance_and_on_a_cursor_that_comes_round_again():
    # A busy account: page after page of other orders. Four gone orders allow 1 + 3 spare pages.
    endless = run_history(lambda cursor, n: HistoryPage((("100", C),), str(1000 - n)))
    assert endless == 4
    stuck = run_history(lambda cursor, n: HistoryPage((("100", C),), "7"))  # the same cursor again
    assert stuck == 2


def run_history(history: Any) -> int:
    job = new_kill(HistoryKillFake())
    calls = run(job, scripted(history, dict.fromkeys("1234", C)))
    assert {via for _, via in outcomes(job).values()} == {"toy:order-state"}
    return [c.method for c in calls].count("history")


def test_a_history_that_keeps_failing_leaves_every_order_to_its_state_read():
    def broken(cursor: Any, n: int) -> Any:
        return "<html>"

    job = new_kill(HistoryKillFake(), max_retries=2)
    calls = run(job, scripted(broken, {"1": C, "2": F, "3": C, "4": C}))
    assert outcomes(job)["2"] == (Status.ALREADY_CLOSED, "toy:order-state")
    methods = [c.method for c in calls]
    assert methods.count("history") == 3 and methods.count("state") == 4


def test_orders_without_a_history_are_read_by_id_at_once():
    # Swap orders have no history scope in this dialect: straight to their state reads.
    book = page("1", symbol="BTC/USDT") + page("5", symbol="BTC/USDT:USDT")
    first = HistoryPage((("1", C),), None)
    job = new_kill(HistoryKillFake())
    run(job, scripted(lambda cursor, n: first, {"5": F}, book, page(), page()))
    assert outcomes(job) == {
        "1": (Status.CANCELED, "toy:order-history"),
        "5": (Status.ALREADY_CLOSED, "toy:order-state"),
    }
