"""The counter terminal with appointments (issue #12) at 800×480 on Xvfb, against a real hub: the officer
calls a booked citizen and sees the booking and its procedure; the CCCD card's QR, read by a
keyboard-wedge scanner into the CCCD field, pre-fills the intake; a misread card fills nothing."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.ops.dossiers import calendar_for
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CARD = "001090012345|123456789|Trần Văn Bình|15031990|Nam|Số 5 đường Lê Lợi, Hòa An|01072021"


def _book(hub: InProcessHub, day: str, start: int) -> dict:
    body = {"service": "HT", "day": day, "slot_start": start, "name": "Trần Văn Bình", "phone": "0987654321",
            "procedure": "khai-sinh"}
    req = urllib.request.Request(f"http://127.0.0.1:{hub.http_port}/api/v1/sites/demo/appointments",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["appointment"]


@pytest.mark.clock
@pytest.mark.slow  # a Kivy app or a browser: not in make test-days
def test_officer_sees_the_booking_and_the_cccd_qr_fills_the_intake(ahub: InProcessHub, xvfb, artifacts_dir: Path,
                                                                   tmp_path: Path) -> None:
    day = calendar_for(ahub.hub.db, "demo", TZ.key).next_working_day(datetime.fromtimestamp(ahub.clock(), TZ).date())
    start = int(datetime.combine(day, datetime.min.time().replace(hour=9), TZ).timestamp())
    booked = _book(ahub, day.isoformat(), start)
    ahub.clock.advance(start + 60 - ahub.clock())
    KioskCore(ahub.device("kiosk")).check_in(booked["code"])
    config = device_file(ahub, "counter", counter=1)
    run = KivyRun("counter_terminal.app:make_test_app", [str(config)], [
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "act:next"}, {"wait_text": ["current", "1001"]}, {"wait_text": ["current_service", "LỊCH HẸN"]},
        {"state": "serve"}, {"screenshot": "appointment-serve"},
        {"tap": "open:intake"}, {"wait_text": ["intake_header", "số 1001"]},
        {"text": ["intake_cccd", CARD.replace("15031990", "15031991")]},
        {"wait_text": ["intake_message", "không khớp với số CCCD"]}, {"state": "bad_card"},
        {"text": ["intake_cccd", CARD]}, {"wait_text": ["intake_name", "Trần Văn Bình"]},
        {"wait_text": ["intake_message", "Đã đọc thẻ CCCD"]}, {"state": "card"},
        {"screenshot": "appointment-intake-cccd"},
        # Back another day with the missing documents: the officer books it from the intake screen.
        {"tap": "open:booking"}, {"wait": "bslot:10:00"}, {"wait_text": ["booking_name", "Trần Văn Bình"]},
        {"tap": "booking_submit"}, {"wait_text": ["booking_message", "Hãy chọn ngày và giờ"]},
        {"tap": "bslot:10:00"}, {"tap": "booking_submit"},
        {"wait_text": ["booking_message", "Số điện thoại phải có 10 chữ số"]},
        {"text": ["booking_phone", "0911 222 333"]}, {"tap": "booking_submit"},
        {"wait_text": ["booking_message", "Mã lịch hẹn"]}, {"state": "booked"},
        {"screenshot": "appointment-counter-booking"},
    ], xvfb.env(), artifacts_dir / "counter", tmp_path / "ui-appointment", size=(800, 480), timeout=120).start()
    result = run.finish()
    serve = result["states"]["serve"]
    assert f"LỊCH HẸN 09:00 · {booked['code_display']} — Đăng ký khai sinh" in serve["current_service"]
    bad = result["states"]["bad_card"]
    assert bad["intake_cccd"] == "" and bad["intake_name"] == ""  # nothing kept from a bad scan
    card = result["states"]["card"]
    assert (card["intake_name"], card["intake_cccd"], card["intake_address"]) == (
        "Trần Văn Bình", "001090012345", "Số 5 đường Lê Lợi, Hòa An")
    assert "15/03/1990" in card["intake_message"]
    row = ahub.hub.db.execute("SELECT code, name, phone, cccd, source, slot_start - ? FROM appointments "
                              "WHERE source = 'counter'", [start]).fetchone()
    assert row[1:] == ("Trần Văn Bình", "0911222333", "001090012345", "counter", 3600.0)
    assert f"{row[0][:3]}-{row[0][3:]}" in result["states"]["booked"]["booking_message"]
