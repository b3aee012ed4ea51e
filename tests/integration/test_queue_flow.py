"""The queue over a real broker: what citizens, officers and the lobby screen would notice."""

from __future__ import annotations

import pytest

from counter_terminal.core import CounterCore
from display_controller.core import DisplayCore
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.hubproc import InProcessHub


def _counter_shows(number: int, ticket: str | None):
    def pred(state: dict) -> bool:
        c = next(c for c in state["counters"] if c["number"] == number)
        return (c["current"] or {}).get("ticket") == ticket
    return pred


def _waiting(state: dict, service: str) -> int:
    return next(s["waiting"] for s in state["services"] if s["code"] == service)


@pytest.mark.clock
def test_issue_call_display_complete(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    counter = CounterCore(hub.device("counter", counter=1))
    display = DisplayCore(hub.device("display"))

    ticket = kiosk.issue_ticket("HT")
    assert ticket["number"] == "1001"
    assert ticket["service_name"] == "Hộ tịch"
    assert ticket["people_ahead"] == 0
    second = kiosk.issue_ticket("HT")
    assert second["number"] == "1002" and second["people_ahead"] == 1
    state = display.wait_state(lambda s: _waiting(s, "HT") == 2, 5)
    assert state is not None, "lobby never showed two people waiting for Hộ tịch"

    counter.login("lan1", "1111")
    counter.open()
    called = counter.next()
    assert called["number"] == "1001" and called["counter"] == 1
    state = display.wait_state(_counter_shows(1, "1001"), 5)
    assert state is not None, "lobby never showed 1001 at counter 1"
    assert state["last_call"]["ticket"] == "1001" and state["last_call"]["counter"] == 1
    assert next(c for c in state["counters"] if c["number"] == 1)["officer"] == "Nguyễn Thị Lan"
    call = display.calls.get(timeout=30)
    assert (call["ticket"], call["counter"], call["kind"]) == ("1001", 1, "call")

    counter.complete()
    assert counter.session.outbox.wait_empty(30)
    state = display.wait_state(_counter_shows(1, None), 5)
    assert state is not None, "counter 1 still shows a ticket after Done"
    st = counter.state()
    assert st["today"]["done"] == 1 and st["waiting"]["HT"] == 1


def test_retried_issue_returns_the_same_ticket(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    rid = kiosk.new_confirmation()
    first = kiosk.issue_ticket("CT", request_id=rid)
    again = kiosk.issue_ticket("CT", request_id=rid)  # a double tap or a retry after a lost answer
    assert first == again
    assert kiosk.issue_ticket("CT")["number"] == "2002"


def test_transfer_to_service_and_to_counter(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    c1 = CounterCore(hub.device("counter", counter=1))  # HT only
    c3 = CounterCore(hub.device("counter", counter=3))  # CT only
    c4 = CounterCore(hub.device("counter", counter=4))  # DD only
    kiosk.issue_ticket("HT")
    c1.login("lan1", "1111")
    c1.open()
    t = c1.next()
    moved = c1.transfer(to_service="CT")
    assert moved["status"] == "waiting" and moved["service"] == "CT" and moved["number"] == t["number"]
    kiosk.issue_ticket("CT")  # a newer citizen: the transferred one keeps their place
    c3.login("trang3", "3333")
    c3.open()
    assert c3.next()["number"] == t["number"]
    c4.login("bao4", "4444")
    c4.open()  # issue #13: a counter with no officer (or closed) would be refused
    c3.transfer(to_counter=4)
    # Counter 4 serves only land (DD) but a citizen sent to it directly is called there.
    assert c4.next()["number"] == t["number"]
    assert c1.state()["current"] is None


def test_transfer_into_a_queue_that_already_issued_that_number_keeps_both_and_numbering_goes_on(
        hub: InProcessHub) -> None:
    """HT 1001 sent to CT, where 2001 was issued already: before, the transfer failed (the two shared CT's
    first place in its series). Now the citizen keeps 1001 in CT's queue, behind 2001, and CT's next
    ticket is 2002 (no number skipped)."""
    kiosk = KioskCore(hub.device("kiosk"))
    c1 = CounterCore(hub.device("counter", counter=1))  # HT only
    c3 = CounterCore(hub.device("counter", counter=3))  # CT only
    assert kiosk.issue_ticket("CT")["number"] == "2001"
    kiosk.issue_ticket("HT")
    c1.login("lan1", "1111")
    c1.open()
    assert c1.next()["number"] == "1001"
    moved = c1.transfer(to_service="CT")
    assert moved["status"] == "waiting" and moved["service"] == "CT" and moved["number"] == "1001"
    assert kiosk.issue_ticket("CT")["number"] == "2002"
    c3.login("trang3", "3333")
    c3.open()
    assert [c3.next()["number"] for _ in range(3)] == ["2001", "1001", "2002"]


def test_no_show_after_recalls(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    counter = CounterCore(hub.device("counter", counter=1))
    display = DisplayCore(hub.device("display"))
    kiosk.issue_ticket("HT")
    counter.login("lan1", "1111")
    counter.open()
    counter.next()
    assert counter.recall()["recalls_left"] == 1
    assert counter.recall()["recalls_left"] == 0
    with pytest.raises(RequestError) as err:
        counter.recall()  # site policy: at most 2 recalls
    assert err.value.code == "recall_limit" and "Đã gọi lại" in err.value.message_vi
    skipped = counter.skip()
    assert skipped["status"] == "no_show"
    kinds = [display.calls.get(timeout=30)["kind"] for _ in range(3)]
    assert kinds == ["call", "recall", "recall"]
    assert counter.state()["today"]["no_show"] == 1
    assert counter.next() is None  # nobody else waiting


def test_priority_interleaving(hub: InProcessHub) -> None:
    """Demo policy: one priority citizen after every 3 regular ones, starting with a priority one."""
    kiosk = KioskCore(hub.device("kiosk"))
    counter = CounterCore(hub.device("counter", counter=1))
    regular = [kiosk.issue_ticket("HT")["number"] for _ in range(7)]
    elderly = [kiosk.issue_ticket("HT", priority="elderly")["number"] for _ in range(2)]
    counter.login("lan1", "1111")
    counter.open()
    order = [counter.next()["number"] for _ in range(9)]
    assert order == [elderly[0], *regular[:3], elderly[1], *regular[3:]]


def test_hold_and_resume(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    counter = CounterCore(hub.device("counter", counter=1))
    display = DisplayCore(hub.device("display"))
    a, b = kiosk.issue_ticket("HT"), kiosk.issue_ticket("HT")
    counter.login("lan1", "1111")
    counter.open()
    counter.next()
    assert counter.hold()["status"] == "held"  # citizen goes to photocopy a document
    assert counter.next()["number"] == b["number"]
    with pytest.raises(RequestError) as err:
        counter.resume()
    assert err.value.code == "conflict"
    counter.complete()
    assert counter.session.outbox.wait_empty(30)
    assert counter.resume()["number"] == a["number"]
    # The citizen who came back is called again: announced, and shown as the newest call.
    state = display.wait_state(lambda s: (s["last_call"] or {}).get("ticket") == a["number"], 5)
    assert state is not None and state["last_call"]["kind"] == "call"


def test_late_done_never_finishes_another_counters_ticket(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    c1 = CounterCore(hub.device("counter", counter=1))
    c2 = CounterCore(hub.device("counter", counter=2))
    kiosk.issue_ticket("HT")
    c1.login("lan1", "1111")
    c1.open()
    t = c1.next()
    c2.login("hung2", "2222")
    with pytest.raises(RequestError) as err:
        c2.session.request("counter.complete", {"ticket_id": t["id"], "token": c2.session.officer_token})
    assert err.value.code == "not_found"
    assert c1.state()["current"]["number"] == t["number"]


@pytest.mark.clock
def test_daily_reset(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    assert kiosk.issue_ticket("HT")["number"] == "1001"
    assert kiosk.issue_ticket("HT")["number"] == "1002"
    hub.clock.advance(24 * 3600)  # the next day, same office
    today = kiosk.issue_ticket("HT")
    assert today["number"] == "1001"
    counter = CounterCore(hub.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    # Yesterday's two unserved tickets expired overnight: today's 1001 is called, not yesterday's.
    called = counter.next()
    assert called["id"] == today["id"]
    assert counter.next() is None
