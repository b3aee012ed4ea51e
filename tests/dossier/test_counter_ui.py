"""The counter terminal's dossier screens at 800×480 on Xvfb, against a real hub: sign in, call the
citizen, intake with a missing document (guidance), then complete (receipt), route, and return by
scanning the code. Screenshots in test-artifacts/counter/dossier-*.png."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from kiosk.core import KioskCore
from tests.dossier.conftest import AGENCY_1, AGENCY_2, DossierHub
from tests.support.code128 import read as read_barcode
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file


def test_intake_and_return_on_the_counter_screen(dhub: DossierHub, xvfb, artifacts_dir: Path,
                                                 tmp_path: Path) -> None:
    h = dhub.h
    kiosk = KioskCore(h.device("kiosk"))
    kiosk.issue_ticket("HT")
    config = device_file(h, "counter", counter=1)
    fill = [{"text": ["intake_name", "Nguyễn Văn An"]}, {"text": ["intake_cccd", "003090012345"]},
            {"wait_text": ["intake_message", "mã tỉnh 003 không tồn tại"]},
            {"text": ["intake_cccd", "001090012345"]}, {"wait_text": ["intake_message", "Số CCCD hợp lệ"]},
            {"text": ["intake_phone", "0912345678"]}, {"text": ["intake_address", "Số 12 Lê Lợi, Hòa An"]}]
    run = KivyRun("counter_terminal.app:make_test_app", [str(config)], [
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "act:next"}, {"wait_text": ["current", "1001"]},
        {"tap": "open:intake"}, {"wait_text": ["intake_header", "số 1001"]},
        {"text": ["intake_search", "zzqqxx"], "enter": True},
        {"wait_text": ["intake_message", "Không tìm thấy thủ tục phù hợp"]},
        {"text": ["intake_search", "giay phep xay dung lien thong"], "enter": True},
        {"wait": "proc:cap-phep-xay-dung-lien-thong"}, {"wait_text": ["intake_message", "thủ tục phù hợp:"]},
        {"state": "found"}, {"tap": "proc:cap-phep-xay-dung-lien-thong"},
        {"wait": "doc:2"}, {"tap": "doc:0"},
        *fill,
        {"tap": "intake_submit"}, {"wait_text": ["intake_message", "thiếu 2 giấy tờ"]},
        {"screenshot": "dossier-intake-guidance"},
        {"taps": ["doc:1", "doc:2"]}, {"wait_text": ["doc:2", "[x]"]},
        {"screenshot": "dossier-intake-ticked"},
        {"tap": "intake_submit"}, {"wait_text": ["intake_message", "Đã tiếp nhận HOAAN-261125-0001"]},
        {"screenshot": "dossier-intake-done"}, {"state": "intake"},
        {"tap": "intake_back"}, {"wait": "act:next"},
        {"mark": "routed"}, {"await": "go"},
        # A week on, the terminal's sign-in has expired (it lasts a working day): the officer's next
        # action brings the sign-in screen back, and she signs in again.
        {"tap": "logout"}, {"wait": "login"}, {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "open:return"}, {"wait": "return_code"},
        {"text": ["return_code", "hoaan-261125-0001"], "enter": True},
        {"wait_text": ["return_message", "Hồ sơ chưa có kết quả"]},
        {"tap": "return_apology"}, {"wait_text": ["return_message", "lý do chậm trễ"]},
        {"text": ["return_reason", "Chờ xác minh hiện trạng đất"]}, {"tap": "return_apology"},
        {"wait_text": ["return_message", "Nhập ngày hẹn trả mới"]},
        {"text": ["return_new_due", "7/12/2026"]}, {"tap": "return_apology"},
        {"wait_text": ["return_message", "hẹn trả mới: 17:00 ngày 07/12/2026"]},
        {"screenshot": "dossier-apology"},
        {"mark": "apologised"}, {"await": "go2"},
        {"tap": "return_back"}, {"wait": "logout"},  # two days on: signed in again, back to the return screen
        {"tap": "logout"}, {"wait": "login"}, {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "open:return"}, {"wait": "return_code"}, {"text": ["return_code", "hoaan-261125-0001"]},
        {"tap": "return_find"},
        {"wait_text": ["return_message", "Kết quả đã sẵn sàng"]},
        {"tap": "return_submit"}, {"wait_text": ["return_message", "thu phí, lệ phí"]},
        {"taps": ["return_fees", "return_signed"]}, {"wait_text": ["return_signed", "[x]"]},
        {"wait_text": ["return_message", "Đã xác nhận thu phí và ký nhận"]},  # the red warning is gone
        {"screenshot": "dossier-return"},
        {"tap": "return_submit"}, {"wait_text": ["return_message", "Đã trả kết quả hồ sơ HOAAN-261125-0001"]},
        {"state": "returned"},
    ], xvfb.env(), artifacts_dir / "counter", tmp_path / "ui-dossier", size=(800, 480), timeout=180).start()
    run.wait_mark("routed")
    code = "HOAAN-261125-0001"
    printed = sorted((h.data / "device-state").glob("*/printed/receipt-*-2.png"))
    assert printed and read_barcode(Image.open(printed[0])) == code
    assert sorted((h.data / "device-state").glob("*/printed/guidance-1.png"))
    # Late: on Wed 2 Dec the dossier is still at the first agency; the counter prints the apology.
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    dhub.set_time("2026-12-02T14:00")
    run.go("go")
    run.wait_mark("apologised")
    apology = sorted((h.data / "device-state").glob(f"*/printed/apology-{code}.pdf"))
    assert apology and "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in PdfReader(str(apology[0])).pages[0].extract_text()
    for t, agency in (("2026-12-02T14:05", AGENCY_1), ("2026-12-03T10:31", AGENCY_2)):
        dhub.set_time(t)
        dhub.tick()
        tok = dhub.tokens[agency]
        dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=tok)
        dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=tok)
    dhub.set_time("2026-12-04T10:31")
    dhub.tick()
    assert dhub.public(code)[1]["ready"] is True
    run.go("go2")
    result = run.finish()
    assert "hẹn trả 17:00 ngày 02/12/2026" in result["states"]["intake"]["intake_message"]
    assert "Nguyễn Văn An" in result["states"]["returned"]["return_details"] or \
        "Đã trả kết quả" in result["states"]["returned"]["return_details"]
    assert dhub.public(code)[1]["status"] == "returned"
    rep = dhub.public(code)[1]
    assert rep["apologised"] and rep["due_at"] == "2026-12-07T17:00+07:00"  # the date the officer chose
    for name in ("dossier-intake-guidance", "dossier-intake-done", "dossier-apology", "dossier-return"):
        assert (artifacts_dir / "counter" / f"{name}.png").is_file()
