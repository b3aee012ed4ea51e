"""The lobby screen marks an appointment ticket (issue #12): on Xvfb, over a real hub and broker, a booked
citizen called at counter 1 next to a walk-in at counter 3. Screenshot: test-artifacts/display/lobby-appointment.png."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from counter_terminal.core import CounterCore
from display_controller.lobby import lobby_view
from hub.ops.dossiers import calendar_for
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_lobby_view_marks_appointment_tickets() -> None:
    state = {"site_name": "x", "services": [{"code": "HT", "name": "Hộ tịch"}], "last_call": None,
             "counters": [{"number": 1, "status": "open", "current": {"ticket": "1001", "service": "HT",
                                                                      "appointment": True}},
                          {"number": 2, "status": "open", "current": {"ticket": "1002", "service": "HT",
                                                                      "appointment": False}}]}
    booked, walk_in = lobby_view(state).tiles
    assert booked.appointment and booked.service == "Lịch hẹn · Hộ tịch"
    assert not walk_in.appointment and walk_in.service == "Hộ tịch"


@pytest.mark.clock
@pytest.mark.slow  # a Kivy app or a browser: not in make test-days
def test_lobby_shows_the_appointment_ticket_distinctly(ahub: InProcessHub, xvfb, artifacts_dir: Path,
                                                       tmp_path: Path) -> None:
    day = calendar_for(ahub.hub.db, "demo", TZ.key).next_working_day(datetime.fromtimestamp(ahub.clock(), TZ).date())
    start = int(datetime.combine(day, datetime.min.time().replace(hour=9), TZ).timestamp())
    body = {"service": "HT", "day": day.isoformat(), "slot_start": start, "name": "Trần Văn Bình",
            "phone": "0987654321"}
    req = urllib.request.Request(f"http://127.0.0.1:{ahub.http_port}/api/v1/sites/demo/appointments",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        code = json.loads(r.read())["appointment"]["code"]
    ahub.clock.advance(start + 60 - ahub.clock())
    kiosk = KioskCore(ahub.device("kiosk"))
    kiosk.issue_ticket("CT")
    kiosk.check_in(code)
    c1, c3 = CounterCore(ahub.device("counter", counter=1)), CounterCore(ahub.device("counter", counter=3))
    c1.login("lan1", "1111")
    c3.login("trang3", "3333")
    config = device_file(ahub, "display")
    run = KivyRun("display_controller.app:make_test_app", [str(config), json.dumps({})], [
        {"wait_text": ["site", "Hòa An"]}, {"mark": "ready"}, {"await": "called"},
        {"wait_text": ["service:1", "Lịch hẹn · Hộ tịch"]}, {"wait_text": ["counter:3", "2001"]},
        {"sleep": 0.5}, {"screenshot": "lobby-appointment"}, {"state": "lobby"},
    ], xvfb.env(), artifacts_dir / "display", tmp_path / "ui-lobby-appt", size=(1280, 720), timeout=120).start()
    run.wait_mark("ready")
    assert c1.next()["appointment"] is not None
    assert c3.next()["appointment"] is None
    run.go("called")
    s = run.finish()["states"]["lobby"]
    assert s["counter:1"] == "1001" and s["service:1"] == "Lịch hẹn · Hộ tịch"
    assert s["counter:3"] == "2001" and s["service:3"] == "Chứng thực"
