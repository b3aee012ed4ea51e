"""Bad input at the counter and from agencies gets a clear Vietnamese refusal and loses nothing; the
same-day and supplement paths keep the law's time rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from motcua_core.errors import RequestError
from tests.dossier.conftest import AGENCY_1, APPLICANT, DossierHub

PROC = "cap-phep-xay-dung-lien-thong"


def refusal(fn, *args, **kw) -> RequestError:
    with pytest.raises(RequestError) as e:
        fn(*args, **kw)
    return e.value


def count(d: DossierHub) -> int:
    return d.on_loop(lambda: d.db.execute("SELECT COUNT(*) FROM dossiers").fetchone()[0])


def test_counter_refusals(dhub: DossierHub, tmp_path: Path) -> None:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path)
    e = refusal(desk.intake, "khong-co-thu-tuc-nay", APPLICANT, [0])
    assert e.code == "not_found" and e.message_vi == "Không tìm thấy thủ tục hành chính này trong danh mục."
    e = refusal(desk.intake, "ket-hon", APPLICANT, [0, 1, 2, 3], return_method="post", post_address="12 Lê Lợi, Hòa An")
    assert "không trả kết quả qua dịch vụ bưu chính" in e.message_vi
    e = refusal(desk.intake, PROC, APPLICANT, [0, 1, 2], return_method="post", post_address="")
    assert "cần địa chỉ nhận đầy đủ" in e.message_vi
    e = refusal(desk.intake, PROC, {**APPLICANT, "phone": "12345"}, [0, 1, 2])
    assert "Số điện thoại '12345' không hợp lệ" in e.message_vi
    e = refusal(desk.intake, PROC, {**APPLICANT, "email": "an@"}, [0, 1, 2])
    assert "email 'an@' không hợp lệ" in e.message_vi
    e = refusal(desk.intake, PROC, {**APPLICANT, "name": " "}, [0, 1, 2])
    assert e.message_vi == "Cần nhập họ và tên người nộp hồ sơ."
    e = refusal(desk.intake, "ket-hon-luu-dong", APPLICANT, list(range(10)))
    assert "chưa có thời hạn giải quyết" in e.message_vi
    e = refusal(counter.session.request, "dossier.intake", {"procedure": PROC, "applicant": "Nguyễn Văn An",
                                                            "documents": [0]})
    assert e.code == "bad_request"
    e = refusal(desk.scan, "ABC123")
    assert e.message_vi == "Mã vừa quét không phải mã hồ sơ."
    e = refusal(desk.scan, "HOAAN-261125-0042")
    assert e.code == "not_found"
    e = refusal(counter.session.request, "dossier.lookup", {"code": "'; DROP TABLE dossiers; --", "key": "ABC234"})
    assert e.code == "not_found"
    assert count(dhub) == 0, "a refused intake left a dossier behind"
    # The officer may give a time limit the catalogue lacks (from the province's published decision).
    r = desk.intake("ket-hon-luu-dong", APPLICANT, list(range(10)), processing_days=3)
    assert r["complete"] and r["due_at"] == "2026-11-30T17:00+07:00"
    voting = dhub.h.device("voting", counter=1)
    e = refusal(voting.request, "dossier.intake", {"procedure": PROC, "applicant": APPLICANT, "documents": [0]})
    assert e.code == "forbidden"


def test_same_day_procedure_goes_to_the_agency_at_once(dhub: DossierHub, tmp_path: Path) -> None:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path)
    # Birth registration: 0 days, one agency → solved on the spot: no receipt, returned at once.
    r = desk.intake("khai-sinh", APPLICANT, [0, 1, 2, 3, 4])
    assert r["complete"] and r["on_spot"] and r["receipt"] is None and "printed" not in r
    done = desk.give_back(r["code"], fees_paid=True, signed=True)
    assert done["status"] == "returned" and done["timeliness"] in ("early", "on_time")


def test_supplement_counts_the_time_limit_again_from_the_completion(dhub: DossierHub, tmp_path: Path) -> None:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path)
    code = desk.intake(PROC, APPLICANT, [0, 1, 2])["code"]  # due Wed 2 Dec 17:00
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    t1 = dhub.tokens[AGENCY_1]
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t1)
    status, err = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/supplement", {"reason": ""}, token=t1)
    assert status == 400 and err["error"]["message_vi"] == "Cần ghi rõ nội dung yêu cầu bổ sung."
    status, err = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/nonsense", {}, token=t1)
    assert status == 400 and err["error"]["message_vi"] == "Thao tác không hợp lệ."
    # Asked on Mon 30 Nov at 07:30: the last of the 3 working days an agency has to ask (Decree 118/2025,
    # Art. 19(5)).
    dhub.set_time("2026-11-30T07:30")
    status, d = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/supplement",
                          {"reason": "Bổ sung bản vẽ mặt bằng có chữ ký"}, token=t1)
    assert status == 200 and d["status"] == "supplement" and d["status_vi"] == "Chờ bổ sung hồ sơ"
    # The citizen brings it a week later (Mon 7 Dec 09:00): the 5 working days count again from zero.
    dhub.set_time("2026-12-07T09:00")
    status, d = dhub.http("POST", f"/api/v1/agency/dossiers/{code}/supplement_received", {}, token=t1)
    assert status == 200 and d["legal_due_at"] == "2026-12-14T17:00+07:00"
    assert dhub.public(code)[1]["due_at"] == "2026-12-14T17:00+07:00"
    notes = dhub.on_loop(lambda: dhub.db.execute(
        "SELECT channel, body FROM notifications WHERE kind = 'supplement'").fetchall())
    assert notes and all("Bổ sung bản vẽ mặt bằng" in b for _, b in notes)


def test_a_retried_intake_makes_one_dossier(dhub: DossierHub, tmp_path: Path) -> None:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    data = {"procedure": PROC, "applicant": APPLICANT, "documents": [0, 1, 2],
            "token": counter.session.officer_token}
    first = counter.session.request("dossier.intake", data, request_id="intake-retry-1")
    again = counter.session.request("dossier.intake", data, request_id="intake-retry-1")
    assert first == again and first["code"] == "HOAAN-261125-0001"
    assert count(dhub) == 1
