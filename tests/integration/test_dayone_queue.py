"""Queue rules a new office expects on its first morning (issue #13 item 4), over the real hub and
broker: a no-show put back in line, a transfer to a closed counter refused unless confirmed, ticket
hours, people ahead under the interleave rule, and the lobby banner dropped once the call is served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from counter_terminal.core import CounterCore
from display_controller.lobby import lobby_view
from hub.cli.common import DEMO_SITE
from kiosk.core import KioskCore
from motcua_core import clock as wallclock
from motcua_core.errors import RequestError
from tests.support.hubproc import InProcessHub, prepare

pytestmark = pytest.mark.clock  # depends on the date or hour: make test-days

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(h: InProcessHub, hhmm: str, weekday: int | None = None) -> None:
    """Set the hub's clock to today's (or the next `weekday`'s) `hhmm`, site-local."""
    day = wallclock.now(VN).date()
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    target = datetime.fromisoformat(f"{day.isoformat()}T{hhmm}").replace(tzinfo=VN)
    h.clock.set(target.timestamp())


@pytest.fixture
def office(tmp_path: Path) -> Iterator[InProcessHub]:
    """The demo unit with ticket hours 07:30–16:30, Monday to Friday, at 09:00 on a Wednesday."""
    site = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    site["site"]["ticket_hours"] = {"opens": "07:30", "last_ticket": "16:30", "weekdays": [0, 1, 2, 3, 4]}
    path = tmp_path / "site.json"
    path.write_text(json.dumps(site, ensure_ascii=False), encoding="utf-8")
    prepare(tmp_path, path)
    h = InProcessHub(tmp_path)
    _at(h, "09:00", weekday=2)
    h.start()
    yield h
    h.stop()


def _refusal(fn, *args, **kw) -> RequestError:
    with pytest.raises(RequestError) as e:
        fn(*args, **kw)
    return e.value


def test_no_show_back_in_line_and_transfer_to_a_closed_counter(office: InProcessHub) -> None:
    kiosk = KioskCore(office.device("kiosk"))
    c1 = CounterCore(office.device("counter", counter=1))
    c2 = CounterCore(office.device("counter", counter=2))
    c1.login("lan1", "1111")
    c1.open()
    first, second = kiosk.issue_ticket("HT"), kiosk.issue_ticket("HT")
    assert c1.next()["id"] == first["id"]
    c1.session.request("counter.skip", {"token": c1.session.officer_token})
    # The citizen turns up a minute later: back in line, called next at this counter, before the others.
    office.clock.advance(60)
    back = c1.session.request("counter.reinstate", {"token": c1.session.officer_token})["ticket"]
    assert back["id"] == first["id"] and back["status"] == "waiting"
    assert c1.next()["id"] == first["id"]
    assert c1.next()["id"] == second["id"]
    c1.session.request("counter.skip", {"token": c1.session.officer_token})
    office.clock.advance(31 * 60)
    late = _refusal(c1.session.request, "counter.reinstate", {"token": c1.session.officer_token})
    assert late.code == "conflict" and "mời công dân lấy số mới" in late.message_vi
    c2.login("hung2", "2222")
    assert _refusal(c2.session.request, "counter.reinstate", {"token": c2.session.officer_token}).code == "not_found"  # not skipped there

    # Transfer: to counter 3 (closed, nobody there) is refused with the reason; confirmed, it goes.
    third = kiosk.issue_ticket("HT")
    assert c1.next()["id"] == third["id"]
    no = _refusal(c1.session.request, "counter.transfer", {"token": c1.session.officer_token, "to_counter": 3})
    assert no.code == "conflict" and no.message_vi.startswith("Quầy 3 đang đóng")
    assert c1.session.request("counter.state")["current"]["id"] == third["id"], "a refused transfer moved nothing"
    c2.login("hung2", "2222")
    c2.open()
    moved = c1.session.request("counter.transfer", {"token": c1.session.officer_token, "to_counter": 2})["ticket"]
    assert moved["status"] == "waiting" and c2.next()["id"] == third["id"]
    fourth = kiosk.issue_ticket("HT")
    c1.next()
    assert c1.session.request("counter.transfer", {"token": c1.session.officer_token, "to_counter": 3, "force": True})["ticket"]["id"] == fourth["id"]


def test_ticket_hours(office: InProcessHub) -> None:
    kiosk = KioskCore(office.device("kiosk"))
    for hhmm, weekday, words in (("06:05", 2, "Chưa đến giờ cấp số"), ("00:00", 2, "Chưa đến giờ cấp số"),
                                 ("16:31", 2, "Đã hết giờ cấp số hôm nay"), ("09:00", 6, "Hôm nay không cấp số")):
        _at(office, hhmm, weekday)
        e = _refusal(kiosk.issue_ticket, "HT")
        assert e.code == "closed" and words in e.message_vi, (hhmm, e.message_vi)
        assert "Giờ cấp số: 07:30–16:30, Thứ Hai đến Thứ Sáu." in e.message_vi
    _at(office, "07:30", 2)
    assert kiosk.issue_ticket("HT")["number"] == "1001"
    _at(office, "16:29", 2)
    assert kiosk.issue_ticket("HT")["number"] == "1002"
    assert office.hub.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 2


def test_people_ahead_follows_the_interleave_rule(office: InProcessHub) -> None:
    """Demo policy: interleave, one priority ticket after every 3 regular ones; a counter that has called
    no one yet starts with a priority ticket. What the kiosk promises is the order the counter calls."""
    kiosk = KioskCore(office.device("kiosk"))
    c1 = CounterCore(office.device("counter", counter=1))  # HT only
    r1, r2 = kiosk.issue_ticket("HT"), kiosk.issue_ticket("HT")
    p1 = kiosk.issue_ticket("HT", "elderly")
    assert p1["people_ahead"] == 0, "a priority ticket is called first at a counter that has called no one"
    c1.login("lan1", "1111")
    c1.open()
    assert c1.next()["id"] == p1["id"]
    r3 = kiosk.issue_ticket("HT")
    p2 = kiosk.issue_ticket("HT", "pregnant")
    assert r3["people_ahead"] == 2 and p2["people_ahead"] == 3
    r4 = kiosk.issue_ticket("HT")
    assert r4["people_ahead"] == 4, "the waiting priority ticket passes this regular one"
    order = [c1.next()["id"] for _ in range(5)]
    assert order == [r1["id"], r2["id"], r3["id"], p2["id"], r4["id"]]
    # And the phone page's count for a waiting ticket follows the same rule.
    r5, p3 = kiosk.issue_ticket("HT"), kiosk.issue_ticket("HT", "elderly")
    status = kiosk.session.request("ticket.status", {"ticket_id": p3["id"]})["ticket"]
    assert status["people_ahead"] == p3["people_ahead"] == 1  # r5: the streak after p2 is 1 (r4)
    # streak 1 → 2 more regulars before the next priority: only r5 waits, so it goes first.
    assert [c1.next()["id"] for _ in range(2)] == [r5["id"], p3["id"]]


def test_lobby_banner_goes_once_the_call_is_served(office: InProcessHub) -> None:
    kiosk = KioskCore(office.device("kiosk"))
    c1 = CounterCore(office.device("counter", counter=1))
    kiosk.issue_ticket("HT")
    c1.login("lan1", "1111")
    c1.open()
    c1.next()
    state = kiosk.session.request("site.state")
    assert lobby_view(state).newest == "Mời số 1001 đến Quầy 1" and state["last_call"]["active"] is True
    c1.session.request("counter.complete", {"token": c1.session.officer_token})
    state = kiosk.session.request("site.state")
    assert state["last_call"]["active"] is False and lobby_view(state).newest == ""
    assert not any(t.newest for t in lobby_view(state).tiles)
