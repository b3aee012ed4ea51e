"""The counter terminal at 800×480 as an officer uses it: real checkboxes at least 9 mm high for the
documents, papers only shown (xuất trình) listed apart and never asked for in a supplement request, and
"Hoàn tác" after a no-show pressed by mistake.

Screenshots: test-artifacts/counter/look-*.png.
"""

from __future__ import annotations

from pathlib import Path

from devicekit.ui.widgets import TOUCH_MIN_PX
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file
from tests.ui.test_lookup_ui import _load_catalogue

PX_PER_MM = 800 / 154  # a 7-inch 800×480 panel is about 154 mm wide


def test_documents_are_checkboxes_and_shown_papers_are_not_asked_for(hub: InProcessHub, xvfb, artifacts_dir: Path,
                                                                    tmp_path: Path) -> None:
    _load_catalogue(hub)
    kiosk = KioskCore(hub.device("kiosk"))
    for _ in range(3):
        kiosk.issue_ticket("HT")
    config = device_file(hub, "counter", counter=1)
    run = KivyRun("counter_terminal.app:make_test_app", [str(config)], [
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "act:next"}, {"wait_text": ["current", "1001"]},
        {"tap": "act:skip"}, {"wait_text": ["message", "Bấm Hoàn tác"]}, {"state": "skipped"},
        {"screenshot": "look-counter-undo"},
        {"tap": "act:undo_skip"}, {"wait_text": ["message", "Đã hoàn tác"]}, {"state": "undone"},
        {"tap": "act:next"}, {"wait_text": ["current", "1001"]}, {"state": "called_again"},
        {"tap": "open:intake"}, {"wait": "intake_search"},
        {"text": ["intake_search", "dang ky khai sinh"], "enter": True}, {"wait": "proc:khai-sinh"},
        {"tap": "proc:khai-sinh"}, {"wait": "doc:3"},
        {"text": ["intake_name", "Nguyễn Văn An"]}, {"text": ["intake_cccd", "001090012345"]},
        {"text": ["intake_phone", "0912345678"]}, {"text": ["intake_address", "Số 12 Lê Lợi, Hòa An"]},
        {"taps": ["doc:0", "doc:1"]}, {"wait_text": ["doc:1", "\u2611"]}, {"sleep": 0.3},
        {"state": "ticked"}, {"bounds": "ticked"}, {"screenshot": "look-counter-checkboxes"},
        {"tap": "intake_submit"}, {"wait_text": ["intake_message", "Đã tiếp nhận"]}, {"state": "taken"},
    ], xvfb.env(), artifacts_dir / "counter", tmp_path / "ui-counter", size=(800, 480), timeout=180).start()
    result = run.finish()
    st, b = result["states"], result["bounds"]["ticked"]
    # Undo of a no-show: the same citizen is called again, first.
    assert "Hoàn tác" in st["skipped"]["act:undo_skip"]
    assert "1001" in st["undone"]["message"] and st["called_again"]["current"] == "1001"
    # Documents: real checkboxes, each row a touch target of at least 9 mm.
    assert st["ticked"]["doc:0"].startswith("\u2611") and st["ticked"]["doc:2"].startswith("\u2610")
    for i in range(5):
        assert b[f"doc:{i}"][3] >= TOUCH_MIN_PX >= 9 * PX_PER_MM, f"doc:{i} is under 9 mm high"
    # The ID card is only shown: listed apart, unticked, and the dossier is complete without it.
    assert "xuất trình" in st["ticked"]["doc:3"] and st["ticked"]["doc:3"].startswith("\u2610")
    assert "thiếu" not in st["taken"]["intake_message"]
    row = hub.hub.db.execute("SELECT status FROM dossiers ORDER BY rowid DESC LIMIT 1").fetchone()
    assert row is not None and row[0] != "supplement"


def test_reception_desk_issues_a_priority_number_and_prints_it(hub: InProcessHub, xvfb, artifacts_dir: Path,
                                                              tmp_path: Path) -> None:
    """A citizen who does not use the kiosk: the officer takes a number for them at the desk, priority
    included, and the desk's printer gives the ticket."""
    config = device_file(hub, "counter", counter=2, hardware={"printer": {"type": "sim",
                                                                          "dir": str(tmp_path / "desk")}})
    run = KivyRun("counter_terminal.app:make_test_app", [str(config)], [
        {"keys": "hung2"}, {"tap": "pin"}, {"keys": "2222"}, {"tap": "login"},
        {"wait_text": ["header", "Trần Văn Hùng"]},
        {"tap": "open:reception"}, {"wait": "reception_service:HT"},
        {"tap": "reception_service:HT"}, {"tap": "reception_prio:elderly"},
        {"wait_text": ["reception_prio:elderly", "\u2713"]}, {"screenshot": "look-counter-reception"},
        {"tap": "reception_issue"}, {"wait_text": ["reception_message", "Đã cấp số 1001"]}, {"state": "issued"},
        {"screenshot": "look-counter-reception-issued"},
    ], xvfb.env(), artifacts_dir / "counter", tmp_path / "ui-reception", size=(800, 480), timeout=120).start()
    st = run.finish()["states"]["issued"]
    assert "Hộ tịch" in st["reception_message"] and "in" in st["reception_message"]
    rows = hub.hub.db.execute("SELECT number, service, priority FROM tickets").fetchall()
    assert rows == [("1001", "HT", "elderly")]
    assert list((tmp_path / "desk").glob("*1001*.png")), "the ticket was not printed at the desk"
    audit = hub.hub.db.execute("SELECT who, action, target FROM audit_log WHERE action = 'counter.issue'").fetchall()
    assert audit and audit[0][0].startswith("tran-van-hung") and audit[0][2] == "vé 1001"
