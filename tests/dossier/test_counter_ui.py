"""The counter terminal's dossier screens at 800×480 on Xvfb, against a real hub: sign in, call the
citizen, intake with a missing document (guidance), then complete (receipt), route, and return by
scanning the code. Screenshots in test-artifacts/counter/dossier-*.png."""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from kiosk.core import KioskCore
from tests.dossier.conftest import AGENCY_1, AGENCY_2, APPLICANT, DossierHub
from tests.support.code128 import read as read_barcode
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file

PROC = "cap-phep-xay-dung-lien-thong"


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
        {"taps": ["doc:1", "doc:2"]}, {"wait_text": ["doc:2", "\u2611"]},
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
    printed = sorted((h.data / "device-state").glob("*/printed/receipt-*-1.png"))
    assert printed and read_barcode(Image.open(printed[0])) == code
    assert sorted((h.data / "device-state").glob("*/printed/guidance-1.png"))
    # Late: on Tue 1 Dec, the day before the deadline (Decree 118/2025 Art. 19(6): at least 1 day ahead),
    # the dossier is still at the first agency; the counter prints the apology.
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    dhub.set_time("2026-12-01T14:00")
    run.go("go")
    run.wait_mark("apologised")
    apology = sorted((h.data / "device-state").glob(f"*/printed/apology-{code}.pdf"))
    assert apology and "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in PdfReader(str(apology[0])).pages[0].extract_text()
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


def _ready_dossiers(dhub: DossierHub, tmp_path: Path, n: int) -> list[str]:
    """`n` two-agency dossiers taken in at another counter and routed through both agencies: ready to
    collect on Fri 27 Nov."""
    desk_counter = CounterCore(dhub.h.device("counter", counter=2))
    desk_counter.login("hung2", "2222")
    desk = DossierCore(desk_counter.session, tmp_path / "desk")
    codes = [desk.intake(PROC, APPLICANT, [0, 1, 2])["code"] for _ in range(n)]
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    for at, agency in (("2026-11-25T10:40", AGENCY_1), ("2026-11-26T10:31", AGENCY_2)):
        dhub.set_time(at)
        dhub.tick()
        for code in codes:
            dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=dhub.tokens[agency])
            dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=dhub.tokens[agency])
    dhub.set_time("2026-11-27T10:31")  # the next transfer slot brings both back to the counter
    dhub.tick()
    assert all(dhub.public(code)[1]["ready"] for code in codes)
    return codes


def _return(code: str) -> list[dict]:
    """The officer's steps on the return screen: scan the code, tick fees and signature, hand over."""
    return [{"tap": "open:return"}, {"wait": "return_code"}, {"text": ["return_code", code], "enter": True},
            {"wait_text": ["return_message", "Kết quả đã sẵn sàng"]},
            {"taps": ["return_fees", "return_signed"]}, {"wait_text": ["return_signed", "[x]"]},
            {"tap": "return_submit"}, {"wait_text": ["return_message", f"Đã trả kết quả hồ sơ {code}."]}]


def test_return_invites_a_vote_only_when_a_ticket_is_served(dhub: DossierHub, xvfb, artifacts_dir: Path,
                                                            tmp_path: Path) -> None:
    """Issue #13: after returning a walk-in's result (no ticket served) the counter said to invite a vote
    that never opens. Now a walk-in's return says nothing of a vote; a return while serving a ticket asks
    the officer to press Done, and Done opens the vote on the counter's tablet, stored against the dossier."""
    h = dhub.h
    walk_in, queued = _ready_dossiers(dhub, tmp_path, 2)
    ticket = KioskCore(h.device("kiosk")).issue_ticket("HT")
    tablet = h.device("voting", counter=1)
    opened: list[dict] = []
    tablet.on_command = lambda cmd: opened.append(cmd) if cmd.get("cmd") == "vote.open" else None
    config = device_file(h, "counter", counter=1)
    run = KivyRun("counter_terminal.app:make_test_app", [str(config)], [
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]}, {"wait_text": ["current", "—"]},  # no one called yet
        *_return(walk_in), {"state": "walk_in"}, {"screenshot": "dossier-return-walk-in"},
        {"mark": "walk_in"}, {"await": "go"},
        {"tap": "return_back"}, {"wait": "act:next"}, {"tap": "act:next"}, {"wait_text": ["current", ticket["number"]]},
        *_return(queued), {"wait_text": ["return_message", "để công dân đánh giá"]},
        {"state": "serving"}, {"screenshot": "dossier-return-serving"},
        {"tap": "return_back"}, {"wait": "act:done"}, {"tap": "act:done"},
        {"wait_text": ["message", f"Đã hoàn thành số {ticket['number']}"]}, {"mark": "done"}, {"await": "end"},
    ], xvfb.env(), artifacts_dir / "counter", tmp_path / "ui-vote", size=(800, 480), timeout=180).start()
    run.wait_mark("walk_in")
    time.sleep(1.0)  # a vote.open would have arrived by now
    assert opened == [], "a walk-in's return opened a vote"
    run.go("go")
    run.wait_mark("done")
    deadline = time.monotonic() + 30
    while not opened and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(c["ticket_id"], c["ticket"], c["counter"]) for c in opened] == [(ticket["id"], ticket["number"], 1)]
    tablet.request("vote.submit", {"ticket_id": ticket["id"], "rating": 4})
    run.go("end")
    states = run.finish()["states"]
    said = states["walk_in"]["return_message"]
    assert said == f"Đã trả kết quả hồ sơ {walk_in}." and "đánh giá" not in said, said
    assert states["serving"]["return_message"] == (f"Đã trả kết quả hồ sơ {queued}. Bấm Hoàn thành để công dân "
                                                   "đánh giá sự hài lòng.")  # the Done button's own label
    voted = h.hub.db.execute("SELECT dossier_code, rating FROM votes WHERE ticket_id = ?", [ticket["id"]]).fetchall()
    assert [tuple(r) for r in voted] == [(queued, 4)], "the citizen's vote is stored against the dossier returned"
    for code in (walk_in, queued):
        assert dhub.public(code)[1]["status"] == "returned"


def test_officer_refuses_papers_at_intake_and_the_sheet_is_printed(dhub: DossierHub, xvfb, artifacts_dir: Path,
                                                                   tmp_path: Path) -> None:
    """Issue #16's gap: papers that cannot be taken in are refused on the intake screen — the reasons typed
    (one on the touch keyboard, lower case, one on the physical keyboard), none refused in Vietnamese
    first — and the refusal sheet is printed on the counter's thermal printer with the applicant's name
    and every reason; the hub keeps the refusal and makes no dossier."""
    from hub.ops.dossiers import intake_refusal_form
    from hub.store.sites import get_site
    from motcua_core.documents import thermal

    h = dhub.h
    ticket = KioskCore(h.device("kiosk")).issue_ticket("HT")
    paper = tmp_path / "paper"
    config = device_file(h, "counter", counter=1, hardware={"printer": {"type": "sim", "dir": str(paper)}})
    typed = ["key:k", "key:h", "key:ô", "key:n", "key:g", "key:space", "key:c", "key:o", "key:sắc", "key:space",
             "key:b", "key:a", "key:hỏi", "key:n", "key:space", "key:c", "key:h", "key:i", "key:sắc", "key:n",
             "key:h"]
    run = KivyRun("counter_terminal.app:make_test_app", [str(config)], [
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "act:next"}, {"wait_text": ["current", ticket["number"]]},
        {"tap": "open:intake"}, {"wait": "intake_refuse"},
        {"text": ["intake_search", "giay phep xay dung lien thong"], "enter": True},
        {"wait": f"proc:{PROC}"}, {"tap": f"proc:{PROC}"}, {"wait": "doc:0"},
        {"text": ["intake_name", "Trần Thị Bình"]},
        {"tap": "intake_refuse"}, {"wait": "refuse_submit"},
        {"wait_text": ["refuse_name", "Trần Thị Bình"]},
        {"wait_text": ["refuse_request", "Cấp giấy phép xây dựng nhà ở riêng lẻ"]},
        {"tap": "refuse_submit"},
        {"wait_text": ["refuse_message", "Cần ghi lý do từ chối tiếp nhận hồ sơ (ít nhất một lý do)."]},
        {"tap": "refuse_keyboard"}, {"wait": "key:ngã"}, {"tap": "kbd_field:reason1"},
        {"taps": typed, "gap": 0.05}, {"wait_text": ["kbd_preview", "không có bản chính"]},
        {"tap": "kbd_done"}, {"wait_gone": "key:ngã"},
        {"text": ["refuse_reason2", "Thửa đất không thuộc địa bàn quản lý của huyện Hòa An"]},
        {"screenshot": "dossier-refuse-at-intake"},
        {"tap": "refuse_submit"}, {"wait_gone": "refuse_submit"},
        {"wait_text": ["intake_message", "Đã từ chối tiếp nhận hồ sơ của Trần Thị Bình: đã in Phiếu từ chối số "
                                         "1/TCHS."]},
        {"screenshot": "dossier-refused"}, {"state": "refused"},
    ], xvfb.env(), artifacts_dir / "counter", tmp_path / "ui-refuse", size=(800, 480), timeout=180).start()
    states = run.finish()["states"]
    assert states["refused"]["intake_name"] == "", "the refused citizen's name stayed on the form"
    # The hub kept the refusal, made no dossier.
    (rid, name, reasons), = dhub.on_loop(lambda: [tuple(r) for r in dhub.db.execute(
        "SELECT id, applicant_name, reasons FROM intake_refusals").fetchall()])
    assert name == "Trần Thị Bình"
    assert dhub.on_loop(lambda: dhub.db.execute("SELECT COUNT(*) FROM dossiers").fetchone()[0]) == 0
    # What came out of the thermal printer (the simulated one: PNG + its ESC/POS bytes) is the refusal
    # sheet of that record, pixel for pixel; the A4 copy's text has the name and both reasons.
    (png,) = sorted(paper.glob(f"*-intake-refusal-{rid}-1.png"))
    assert png.with_suffix(".escpos").stat().st_size > 1000
    sheet = dhub.on_loop(lambda: intake_refusal_form(dhub.db, get_site(dhub.db, "demo"), rid))
    assert sheet["reasons"] == ["Không có bản chính", "Thửa đất không thuộc địa bàn quản lý của huyện Hòa An"]
    printed, expected = Image.open(png).convert("1"), thermal.refusal(sheet)
    assert printed.size == expected.size and printed.tobytes() == expected.tobytes()
    (pdf,) = sorted((h.data / "device-state").glob(f"*/printed/intake-refusal-{rid}.pdf"))
    text = " ".join(PdfReader(str(pdf)).pages[0].extract_text().split())
    for part in ("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Số: 1/TCHS", "tiếp nhận hồ sơ của: Trần Thị Bình",
                 "1. Không có bản chính", "2. Thửa đất không thuộc địa bàn quản lý của huyện Hòa An"):
        assert part in text, part
    assert (artifacts_dir / "counter" / "dossier-refuse-at-intake.png").is_file()
