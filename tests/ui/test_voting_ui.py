"""The voting tablet at counter 1: the hub opens a vote when the officer completes a ticket; the citizen
rates, gives reasons when not satisfied, and the vote is stored against ticket, counter, officer, service."""

from __future__ import annotations

import json
from pathlib import Path

from counter_terminal.core import CounterCore
from tests.ui.conftest import device_file, kiosk_run


def test_vote_after_service(hub, xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    kiosk = hub.device("kiosk")
    counter = hub.device("counter", counter=1)
    CounterCore(counter).login("lan1", "1111")
    CounterCore(counter).open()
    first = kiosk.request("ticket.issue", {"service": "HT"})["ticket"]
    second = kiosk.request("ticket.issue", {"service": "HT"})["ticket"]
    cfg = device_file(hub, "voting", counter=1)
    run = kiosk_run(xvfb, artifacts_dir, tmp_path, "voting", cfg, [
        {"wait_text": ["officer", "Nguyễn Thị Lan"]}, {"state": "idle"}, {"screenshot": "voting-1-idle"},
        {"mark": "idle"},
        {"wait": "rate:4"}, {"state": "asking"}, {"screenshot": "voting-2-rate"},
        {"tap": "rate:1"}, {"wait": "reason:waiting_time"}, {"tap": "reason:waiting_time"},
        {"tap": "reason:guidance"}, {"wait_text": ["reason:guidance", "đã chọn"]},
        {"screenshot": "voting-3-reasons"}, {"tap": "send"}, {"wait": "thanks"}, {"screenshot": "voting-4-thanks"},
        {"double_tap": "thanks"},
        {"wait": "counter", "timeout": 15}, {"mark": "second"},
        {"wait": "rate:4"}, {"double_tap": "rate:4"}, {"wait": "thanks"}, {"sleep": 1.0},
    ], size=(1024, 768))
    run.wait_mark("idle")
    counter.request("counter.next", {"token": counter.officer_token})
    counter.request("counter.complete", {"token": counter.officer_token})
    run.wait_mark("second")
    counter.request("counter.next", {"token": counter.officer_token})
    counter.request("counter.complete", {"token": counter.officer_token})
    result = run.finish()
    assert result["states"]["idle"]["counter"] == "Quầy 1"
    asking = result["states"]["asking"]
    assert {asking[f"rate:{v}"] for v in (4, 3, 2, 1)} == {"Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"}
    assert "1001" in asking["context"]
    hub.hub.db.execute("SELECT 1").fetchone()
    rows = hub.hub.db.execute(
        "SELECT ticket_id, counter, officer, service, rating, reasons FROM votes ORDER BY ticket_id").fetchall()
    assert [(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows] == [
        (first["id"], 1, "nguyen-thi-lan", "HT", 1, ["waiting_time", "guidance"]),
        (second["id"], 1, "nguyen-thi-lan", "HT", 4, []),
    ], "one vote per served ticket, with its reasons, against counter, officer and service"
