"""The kiosk core against a real hub and broker: printing, printer and hub failures, crash recovery,
votes through the outbox across a hub restart, and the hub's checks on votes."""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_terminal.core import CounterCore
from devicekit.drivers.printer import SimPrinter
from devicekit.session import DeviceSession
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.hubproc import InProcessHub, prepare, register


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[InProcessHub]:
    prepare(tmp_path)
    h = InProcessHub(tmp_path).start()
    yield h
    if h.thread is not None:
        h.stop()


def _kiosk(hub: InProcessHub, printer=None, session: DeviceSession | None = None) -> KioskCore:
    session = session or hub.device("kiosk", start=False)
    core = KioskCore(session, printer)
    session.start()
    assert session.wait_connected(10) and core.wait_config(10)
    return core


def _ticket_count(hub: InProcessHub) -> int:
    return hub.hub.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]


def test_ticket_printed_with_qr_to_the_hub(hub, tmp_path: Path) -> None:
    core = _kiosk(hub, SimPrinter(tmp_path / "paper"))
    issued = core.take_ticket("CT", "none", "vi", core.new_confirmation())
    assert issued.print_error is None and issued.png is not None
    assert issued.ticket["number"] == "2001"
    import numpy as np
    from PIL import Image

    from devicekit.drivers.camera import decode_qr

    url = decode_qr(np.asarray(Image.open(issued.png).convert("RGB")))
    assert url == f"http://127.0.0.1:{hub.http_port}/t/demo/{issued.ticket['id']}"
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as r:  # what the citizen's phone opens
        page = r.read().decode()
    assert "2001" in page and "Chứng thực" in page and "Không có ai chờ trước ông/bà." in page
    core.issue_ticket("CT")
    counter = CounterCore(hub.device("counter", counter=3))
    counter.login("lan1", "1111")
    counter.open()
    counter.next()
    with urllib.request.urlopen(url, timeout=5) as r:
        assert "Đã đến lượt: xin mời đến Quầy 3." in r.read().decode()
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"http://127.0.0.1:{hub.http_port}/t/demo/99999", timeout=5)
    assert err.value.code == 404


def test_printer_down_still_gives_the_number_and_reports_health(hub, tmp_path: Path) -> None:
    core = _kiosk(hub, SimPrinter(tmp_path / "paper", state="paper_out"))
    issued = core.take_ticket("HT", "none", "vi", core.new_confirmation())
    assert issued.ticket["number"] == "1001" and issued.print_error == "paper_out"
    deadline = time.monotonic() + 30
    health = None
    while time.monotonic() < deadline:
        row = hub.hub.db.execute("SELECT health FROM devices WHERE id = ?", [core.session.config.device_id]).fetchone()
        health = json.loads(row[0]) if row[0] else None
        if health and health.get("printer", {}).get("state") == "paper_out":
            break
        time.sleep(0.1)
    assert health and health["printer"]["state"] == "paper_out", "the technician must see the paper is out"


def test_crash_before_printing_reprints_the_same_ticket(hub, tmp_path: Path) -> None:
    paper = tmp_path / "paper"
    core = _kiosk(hub, SimPrinter(paper))
    rid = core.new_confirmation()
    core.journal.begin(rid, "HT", "elderly", "vi")  # written down, sent, answered … then the power went out
    ticket = core.issue_ticket("HT", "elderly", "vi", rid)
    core.session.stop()
    core.journal.close()
    again = KioskCore(DeviceSession(core.session.config), SimPrinter(paper))
    again.session.start()
    assert again.wait_config(10)
    recovered = again.recover()
    assert [r.ticket["number"] for r in recovered] == [ticket["number"]]
    assert _ticket_count(hub) == 1, "recovery must reprint, never issue a second ticket"
    assert len(list(paper.glob("*.png"))) == 1
    assert again.recover() == [], "printed once, recovered once"
    again.session.stop()


def test_hub_down_then_retry_gives_one_ticket(tmp_path: Path) -> None:
    prepare(tmp_path)
    h1 = InProcessHub(tmp_path).start()
    cfg = register(tmp_path, "kiosk", h1.mqtt_port)
    h1.stop()
    session = DeviceSession(cfg)
    core = KioskCore(session, SimPrinter(tmp_path / "paper"))
    session.start()
    rid = core.new_confirmation()
    with pytest.raises(RequestError) as err:
        core.take_ticket("HT", "none", "vi", rid)
    assert err.value.code == "timeout"
    h2 = InProcessHub(tmp_path, http_port=h1.http_port, mqtt_port=h1.mqtt_port).start()
    try:
        assert session.wait_connected(15) and core.wait_config(10)
        issued = core.take_ticket("HT", "none", "vi", rid)  # the citizen taps again: same confirmation
        again = core.take_ticket("HT", "none", "vi", rid)
        assert issued.ticket["number"] == again.ticket["number"] == "1001"
        assert h2.hub.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1
    finally:
        session.stop()
        h2.stop()


def _serve(hub: InProcessHub, counter: DeviceSession, kiosk: DeviceSession, service: str = "HT") -> dict:
    ticket = kiosk.request("ticket.issue", {"service": service})["ticket"]
    counter.request("counter.next", {"token": counter.officer_token})
    counter.request("counter.complete", {"token": counter.officer_token})
    return ticket


def test_vote_survives_a_hub_restart(tmp_path: Path) -> None:
    prepare(tmp_path)
    h1 = InProcessHub(tmp_path).start()
    kiosk = h1.device("kiosk")
    counter = h1.device("counter", counter=1)
    CounterCore(counter).login("lan1", "1111")
    CounterCore(counter).open()
    voting = KioskCore(h1.device("voting", counter=1, start=False))
    opened: queue.Queue[dict] = queue.Queue()
    voting.on_vote_open = opened.put
    voting.session.start()
    assert voting.session.wait_connected(10) and voting.wait_config(10)
    ticket = _serve(h1, counter, kiosk)
    cmd = opened.get(timeout=10)
    assert (cmd["ticket_id"], cmd["ticket"], cmd["counter"], cmd["officer_name"]) == (
        ticket["id"], "1001", 1, "Nguyễn Thị Lan")
    assert [o["vi"] for o in cmd["questions"][0]["options"]] == ["Rất hài lòng", "Hài lòng", "Bình thường",
                                                                  "Không hài lòng"]
    h1.thread.stop()  # the hub goes down (its broker with it) just as the citizen votes
    voting.submit_vote(ticket["id"], 2)
    assert voting.session.outbox.pending() == 1
    h2 = InProcessHub(tmp_path, http_port=h1.http_port, mqtt_port=h1.mqtt_port).start()
    try:
        assert voting.session.outbox.wait_empty(30), "the vote never reached the restarted hub"
        row = h2.hub.db.execute("SELECT ticket_id, counter, officer, service, rating FROM votes").fetchall()
        assert row == [(ticket["id"], 1, "nguyen-thi-lan", "HT", 2)]
    finally:
        for s in h1.sessions:
            s.stop()
        h2.stop()


def test_hub_refuses_bad_votes_and_counts_one_per_ticket(hub) -> None:
    kiosk = hub.device("kiosk")
    c1 = hub.device("counter", counter=1)
    CounterCore(c1).login("lan1", "1111")
    CounterCore(c1).open()
    tablet1 = hub.device("voting", counter=1)
    tablet2 = hub.device("voting", counter=2)
    served = _serve(hub, c1, kiosk)
    waiting = kiosk.request("ticket.issue", {"service": "HT"})["ticket"]

    def refused(session, data) -> RequestError:
        with pytest.raises(RequestError) as err:
            session.request("vote.submit", data)
        return err.value

    assert refused(tablet2, {"ticket_id": served["id"], "rating": 4}).code == "not_found"  # another counter
    assert refused(tablet1, {"ticket_id": waiting["id"], "rating": 4}).code == "not_found"  # not served yet
    err = refused(tablet1, {"ticket_id": served["id"], "rating": 9})
    assert (err.code, err.message_vi) == ("bad_request", "Mức đánh giá không hợp lệ.")
    assert refused(tablet1, {"ticket_id": served["id"], "rating": 1, "reasons": ["bribe"]}).code == "bad_request"
    assert refused(tablet1, {"ticket_id": served["id"], "rating": 4, "reasons": ["attitude"]}).code == "bad_request"
    assert refused(kiosk, {"ticket_id": served["id"], "rating": 4}).code == "forbidden"
    first = tablet1.request("vote.submit", {"ticket_id": served["id"], "rating": 1, "reasons": ["attitude"]})
    second = tablet1.request("vote.submit", {"ticket_id": served["id"], "rating": 4})
    assert first["vote"]["rating"] == 1 and second == {"vote": first["vote"], "already": True}
    assert hub.hub.db.execute("SELECT COUNT(*) FROM votes").fetchone()[0] == 1
    import argparse
    import contextlib
    import io
    import urllib.request

    from hub.cli.tokens import cmd_token_add

    out = io.StringIO()  # the KPIs, votes per officer included, are a leader's (issue #10 item 9)
    with contextlib.redirect_stdout(out):
        assert cmd_token_add(argparse.Namespace(data=hub.data, role="leader", site="demo", agency=None,
                                                name="kpi")) == 0
    req = urllib.request.Request(f"http://127.0.0.1:{hub.http_port}/api/v1/sites/demo/kpis",
                                 headers={"Authorization": f"Bearer {json.loads(out.getvalue())['token']}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        votes = json.loads(r.read())["votes"]
    assert votes["overall"] == {"votes": 1, "by_rating": {"4": 0, "3": 0, "2": 0, "1": 1}, "satisfied_pct": 0.0}
    assert votes["by_officer"]["nguyen-thi-lan"]["votes"] == 1 and "1" in votes["by_counter"]
