"""The Decision 766/QĐ-TTg figures: the portal's method case by case (pure), then the report over a real
hub — CLI, the leaders' HTTP route (authorised by role and site), the PDF with its formulas."""

from __future__ import annotations

import argparse
import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from hub.cli import tokens as token_cli
from hub.domain import index766 as ix
from tests.dossier.conftest import AGENCY_1, APPLICANT, DossierHub

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def ts(s: str) -> float:
    return datetime.fromisoformat(s).replace(tzinfo=VN).timestamp()


S, E = ts("2026-11-01T00:00"), ts("2026-12-01T00:00")
NOW = ts("2026-12-05T09:00")


def d(code: str, received: str, due: str, finished: str | None = None, outcome: str | None = None, **kw) -> ix.Dossier:
    return ix.Dossier(code, ts(received), ts(due), ts(finished) if finished else None, outcome, **kw)


def test_periods() -> None:
    assert ix.period_bounds("2026-11") == (date(2026, 11, 1), date(2026, 12, 1), "Tháng 11 năm 2026")
    assert ix.period_bounds("2026-q4") == (date(2026, 10, 1), date(2027, 1, 1), "Quý IV năm 2026")
    assert ix.period_bounds("2026") == (date(2026, 1, 1), date(2027, 1, 1), "Năm 2026")
    for bad in ("2026-13", "11/2026", "2026-Q5", ""):
        with pytest.raises(ValueError, match="không hợp lệ"):
            ix.period_bounds(bad)


def test_on_time_counts_finished_and_in_progress_with_ends_and_second_supplements() -> None:
    rows = [
        d("A", "2026-11-02T08:00", "2026-11-09T17:00", "2026-11-06T10:00", "done"),  # on time
        d("B", "2026-11-02T08:00", "2026-11-09T17:00", "2026-11-10T10:00", "done"),  # late
        d("C", "2026-11-20T08:00", "2026-12-10T17:00"),  # in progress, still in time: on time
        d("D", "2026-11-10T08:00", "2026-11-20T17:00"),  # in progress, overdue: late
        d("E", "2026-11-10T08:00", "2026-11-20T17:00", "2026-11-12T09:00", "withdrawn"),  # an end, on time
        d("F", "2026-11-10T08:00", "2026-11-20T17:00", "2026-11-25T09:00", "stopped"),  # an end after due: late
        d("G", "2026-11-03T08:00", "2026-11-25T17:00", "2026-11-20T09:00", "done", supplements=2),  # late
        d("H", "2026-11-03T08:00", "2026-11-12T17:00", waiting=True, supplements=1),  # with the citizen: on time
        d("I", "2026-10-20T08:00", "2026-11-03T17:00", "2026-11-02T09:00", "rejected"),  # carried over, on time
        d("J", "2026-10-01T08:00", "2026-10-10T17:00", "2026-10-09T09:00", "done"),  # ended before: out
        d("K", "2026-12-02T08:00", "2026-12-09T17:00"),  # received after: out
    ]
    f = ix.compute(rows, S, E, NOW)
    p = f["progress"]
    assert (p["in_scope"], p["received"], p["carried_over"]) == (9, 8, 1)
    assert (p["ended"], p["in_progress"]) == (6, 3)
    assert p["ended_by"] == {"done": 3, "rejected": 1, "stopped": 1, "withdrawn": 1}
    assert (p["on_time"], p["late"], p["second_supplement"]) == (5, 4, 1)
    assert p["on_time_rate"] == round(5 / 9, 4) and p["late_rate"] == round(4 / 9, 4)
    assert p["ended_on_time_rate"] == round(3 / 6, 4)
    assert p["late_codes"] == ["B", "D", "F", "G"]


def test_in_progress_is_judged_at_the_period_end_or_now_if_earlier() -> None:
    row = d("X", "2026-11-20T08:00", "2026-11-27T17:00")
    assert ix.is_late(row, E, NOW)  # period over, due passed
    assert not ix.is_late(row, E, ts("2026-11-26T09:00"))  # a report of the current month, asked before due


def test_dossier_satisfaction_is_100_minus_late_and_unhappy() -> None:
    rows = [d("A", "2026-11-02T08:00", "2026-11-09T17:00", "2026-11-06T10:00", "done"),
            d("B", "2026-11-02T08:00", "2026-11-09T17:00", "2026-11-10T10:00", "done"),
            d("C", "2026-11-02T08:00", "2026-11-09T17:00", "2026-11-06T10:00", "done", unsatisfied=True),
            d("D", "2026-11-02T08:00", "2026-11-09T17:00", "2026-11-06T10:00", "done", documents=4,
              documents_electronic=1)]
    f = ix.compute(rows, S, E, NOW, votes=10, votes_satisfied=9)
    s = f["satisfaction"]
    assert (s["unsatisfied_rate"], s["dossier_satisfaction"], s["votes_rate"]) == (0.25, 0.5, 0.9)
    assert f["digitisation"] == {"documents": 4, "documents_electronic": 1, "rate": 0.25,
                                 "dossiers_with_electronic": 1, "dossiers_received": 4}
    empty = ix.compute([], S, E, NOW)
    assert empty["progress"]["on_time_rate"] is None and empty["satisfaction"]["dossier_satisfaction"] is None


def _token(dhub: DossierHub, capsys, role: str) -> str:
    args = argparse.Namespace(data=dhub.h.data, role=role, site="demo", agency=None, name="lãnh đạo")
    assert token_cli.cmd_token_add(args) == 0
    return json.loads(capsys.readouterr().out)["token"]


def test_the_766_report_over_a_real_hub(dhub: DossierHub, tmp_path, capsys, artifacts_dir) -> None:
    from counter_terminal.core import CounterCore
    from counter_terminal.dossier_core import DossierCore
    from motcua.cli import main

    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    dhub.morning_sign_in.append((counter, "lan1", "1111"))
    desk = DossierCore(counter.session, tmp_path / "printed")
    proc = "cap-phep-xay-dung-lien-thong"  # due Wed 2/12 17:00
    on_time, late, withdrawn = (desk.intake(proc, APPLICANT, [0, 1, 2])["code"] for _ in range(3))
    t1, t2 = dhub.tokens[AGENCY_1], dhub.tokens["Phòng Tài nguyên và Môi trường"]
    for code in (on_time, late):
        assert dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=t1)[0] == 200
    counter.session.request("dossier.withdraw", {"token": counter.session.officer_token, "code": withdrawn})
    dhub.set_time("2026-11-27T09:00")
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{on_time}/finish", {}, token=t1)[0] == 200
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{on_time}/accept", {}, token=t2)[0] == 200
    assert dhub.http("POST", f"/api/v1/agency/dossiers/{on_time}/finish", {}, token=t2)[0] == 200
    dhub.set_time("2026-12-05T09:00")  # `late` is still with agency 1, overdue since 2/12

    leader, officer = _token(dhub, capsys, "leader"), _token(dhub, capsys, "officer")
    status, rep = dhub.http("GET", "/api/v1/sites/demo/reports/index766.json?period=2026-Q4", token=leader)
    assert status == 200, rep
    p = rep["figures"]["progress"]
    assert (p["in_scope"], p["on_time"], p["late"], p["ended_by"]["withdrawn"]) == (3, 2, 1, 1)
    assert p["late_codes"] == [late] and rep["period_label"] == "Quý IV năm 2026"
    # November alone: the late one was not yet due at the month's end, so it counts as in time.
    status, nov = dhub.http("GET", "/api/v1/sites/demo/reports/index766.json?period=2026-11", token=leader)
    assert nov["figures"]["progress"]["late"] == 0 and nov["period_label"] == "Tháng 11 năm 2026"
    assert dhub.http("GET", "/api/v1/sites/demo/reports/index766.json?period=2026-11", token=officer)[0] == 403
    assert dhub.http("GET", "/api/v1/sites/demo/reports/index766.json?period=2026-11")[0] == 401
    assert dhub.http("GET", "/api/v1/sites/other/reports/index766.json?period=2026-11", token=leader)[0] in (403, 404)
    status, err = dhub.http("GET", "/api/v1/sites/demo/reports/index766.json?period=11-2026", token=leader)
    assert status == 400 and "không hợp lệ" in err["error"]["message_vi"]
    status, raw = dhub.http("GET", "/api/v1/sites/demo/reports/index766.pdf?period=2026-Q4", token=leader)
    assert status == 200 and raw[:5] == b"%PDF-"
    (artifacts_dir / "index766").mkdir(parents=True, exist_ok=True)
    (artifacts_dir / "index766" / "chi-so-766-2026-Q4.pdf").write_bytes(raw)
    text = " ".join("\n".join(pg.extract_text() for pg in PdfReader(io.BytesIO(raw)).pages).split())
    for part in ("BÁO CÁO CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP", "Quyết định số 766/QĐ-TTg",
                 "Quý IV năm 2026 (từ 01/10/2026 đến 31/12/2026)", "Tỷ lệ hồ sơ đúng hạn: 66,7%",
                 "đã kết thúc đúng hạn + đang giải quyết còn trong hạn", "yêu cầu bổ sung lần thứ hai tính là trễ hạn",
                 "Mức độ hài lòng về giải quyết hồ sơ: 66,7%", "100% − (Tỷ lệ hồ sơ trễ hạn",
                 "NHÓM CHỈ SỐ HỆ THỐNG KHÔNG TÍNH ĐƯỢC"):
        assert part in text, part
    # The same from the command line.
    out = tmp_path / "766.pdf"
    assert main(["hub", "report", "index766", "--data", str(dhub.h.data), "--site", "demo", "--period", "2026-11",
                 "--pdf", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Tháng 11 năm 2026" in printed and out.read_bytes()[:5] == b"%PDF-"
