"""Appointment check-in on the real dispenser app (issue #12): the citizen types the booking code on the
screen keyboard the day of the booking and gets a printed appointment ticket; a wrong code is refused in
Vietnamese, or in English when the citizen chose it (issue #13), and issues nothing; the keyboard's edit
keys follow the language button. Real hub (clock moved to the booking day), broker, Kivy on Xvfb."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.ops.dossiers import calendar_for
from tests.ui.conftest import device_file, kiosk_run

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _get(hub, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{hub.http_port}{path}", timeout=10) as r:
        return json.loads(r.read())


def _book(hub, day: str, start: int) -> dict:
    body = {"service": "HT", "day": day, "slot_start": start, "name": "Đỗ Thị Mai", "phone": "0977000111"}
    req = urllib.request.Request(f"http://127.0.0.1:{hub.http_port}/api/v1/sites/demo/appointments",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["appointment"]


@pytest.mark.clock
@pytest.mark.slow  # a Kivy app or a browser: not in make test-days
def test_type_the_booking_code_and_get_an_appointment_ticket(hub, xvfb, artifacts_dir: Path,
                                                             tmp_path: Path) -> None:
    cal = calendar_for(hub.hub.db, "demo", TZ.key)
    day = cal.next_working_day(datetime.fromtimestamp(hub.clock(), TZ).date()).isoformat()
    slot = next(s for s in _get(hub, f"/api/v1/sites/demo/appointments/slots?service=HT&day={day}")["slots"]
                if s["time"] == "09:00")
    booked = _book(hub, day, slot["start"])
    hub.clock.advance(slot["start"] - 5 * 60 - hub.clock())  # the booking day, 08:55
    printed = tmp_path / "printed"
    cfg = device_file(hub, "kiosk", hardware={"printer": {"type": "sim", "dir": str(printed)}})
    run = kiosk_run(xvfb, artifacts_dir, tmp_path, "checkin", cfg, [
        {"wait": "checkin_open"}, {"screenshot": "checkin-1-home"},
        {"tap": "checkin_open"}, {"wait": "checkin"},
        {"keys": "hk7m2q"}, {"tap": "checkin"}, {"wait": "message", "timeout": 15}, {"state": "wrong"},
        {"screenshot": "checkin-2-wrong-code"},
        # Issue #13: a citizen who chose English reads the hub's refusal and confirmation in English.
        {"tap": "hdr:lang"}, {"wait_text": ["message", "There is no booking"]}, {"state": "wrong_en"},
        {"bounds": "wrong_en"}, {"screenshot": "checkin-2b-wrong-code-english"},
        {"tap": "key:clear"}, {"keys": booked["code_display"].lower()}, {"wait_text": ["code", booked["code_display"]]},
        {"screenshot": "checkin-3-typed"},
        {"tap": "checkin"}, {"wait": "number", "timeout": 15}, {"state": "result_en"},
        {"screenshot": "checkin-4-ticket-english"},
        {"tap": "hdr:lang"}, {"wait_text": ["appointment", "Đã xác nhận"]}, {"state": "result"},
        {"screenshot": "checkin-4-ticket"},
    ])
    result = run.finish()
    assert "Không tìm thấy lịch hẹn" in result["states"]["wrong"]["message"]
    assert result["states"]["wrong_en"]["message"] == "There is no booking with this code."
    keys = ("key:space", "key:backspace", "key:clear")  # the keyboard follows the language button too
    assert [result["states"]["wrong"][k] for k in keys] == ["Cách", "Xóa", "Xóa hết"]
    assert [result["states"]["wrong_en"][k] for k in keys] == ["Space", "Delete", "Clear"]
    for k in keys:
        x, y, w, h, tw, th = result["bounds"]["wrong_en"][k][:6]
        assert tw <= w and th <= h, f"{k} is cut off"
    message = result["bounds"]["wrong_en"]["message"]
    assert message[4] <= message[2] + 1 and message[5] <= message[3] + 1, "the English refusal is cut off"
    english = result["states"]["result_en"]
    assert english["your_number"] == "Your number" and english["number"] == "1001"
    assert english["appointment"] == "Your booking at 09:00 is confirmed. You will be called at your time."
    shown = result["states"]["result"]
    assert shown["number"] == "1001" and "Hộ tịch" in shown["service"]
    assert "Đã xác nhận lịch hẹn lúc 09:00" in shown["appointment"]
    rows = hub.hub.db.execute("SELECT status, ticket_id FROM appointments").fetchall()
    assert rows[0][0] == "checked_in" and rows[0][1] is not None
    assert hub.hub.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1  # the wrong code issued nothing
    assert len(list(printed.glob("*.png"))) == 1
