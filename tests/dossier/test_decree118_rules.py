"""Decree 118/2025/NĐ-CP's rules as pure functions, case by case: what an office must take in
(Art. 14), supplements (Art. 19(5)), the apology (Art. 19(6)), withdrawal and stop (Art. 21), financial
obligations, corrections (Art. 23). Times are fixed dates on the national calendar."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from hub.domain import dossier as dm
from hub.domain import site_types
from hub.domain import time_limits as limits
from hub.domain.calendar import WorkCalendar
from motcua_core.errors import DomainError

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()


def t(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=VN)


# --- Art. 14: receive anywhere in the province --------------------------------------------------

@pytest.mark.parametrize("site,level,ok", [
    ("commune", "commune", True), ("commune", "province", True), ("commune", "nganh_doc", True),
    ("commune", "ministry_assigned", True), ("commune", "ministry", False),
    ("province", "commune", True), ("province", "nganh_doc", True), ("province", "ministry", False),
    ("ministry", "ministry", True), ("ministry", "commune", False), ("commune", "district", False),
])
def test_what_an_office_takes_in_by_level(site: str, level: str, ok: bool) -> None:
    assert (site_types.intake_problem(site, "xã Hòa An", {"level": level}, outside_area=False) is None) == ok


def test_residence_never_refuses_unless_the_province_list_says_so() -> None:
    # Default: received whatever the residence (Art. 14(2)); the officer's "outside" mark changes nothing.
    assert site_types.intake_problem("commune", "xã Hòa An", {"level": "commune"}, outside_area=True) is None
    assert site_types.intake_problem("province", "tỉnh X", {"level": "nganh_doc"}, outside_area=True) is None
    vi, en = site_types.intake_problem("commune", "xã Hòa An", {"level": "commune", "anywhere": False},
                                       outside_area=True)
    assert "danh mục của tỉnh" in vi and "xã Hòa An" in vi and "province's list" in en
    assert site_types.intake_problem("commune", "xã Hòa An", {"level": "commune", "anywhere": False},
                                     outside_area=False) is None


@pytest.mark.parametrize("reception,word", [("mobile", "lưu động"), ("on_site", "ngoài trụ sở"),
                                            ("online_only", "Cổng Dịch vụ công quốc gia")])
def test_art_14_3_procedures_are_not_taken_in_at_the_counter(reception: str, word: str) -> None:
    vi, _ = site_types.intake_problem("commune", "", {"level": "commune", "reception": reception}, False)
    assert word in vi and "Điều 14 khoản 3" in vi


def test_no_site_type_checks_nothing() -> None:
    assert site_types.intake_problem(None, "", {"level": "district", "anywhere": False}, True) is None


# --- Art. 19(5): supplements ---------------------------------------------------------------------

def test_supplement_must_be_asked_within_3_working_days_of_receipt() -> None:
    # Received Thu 5/11/2026: Fri 6, Mon 9, Tue 10 are the three working days.
    assert limits.supplement_request_by(CAL, t("2026-11-05T09:00")) == t("2026-11-10T17:00")
    assert limits.supplement_request_by(CAL, t("2026-11-05T09:00"), days=5) == t("2026-11-12T17:00")


def test_supplement_not_completed_is_closed_15_days_after_the_notice() -> None:
    assert limits.supplement_close_at(CAL, t("2026-11-02T10:00")) == t("2026-11-17T17:00")
    # The 15th day is a Sunday: the period ends on Monday (Civil Code Art. 148).
    assert limits.supplement_close_at(CAL, t("2026-11-07T10:00")) == t("2026-11-23T17:00")


def test_the_time_limit_counts_again_from_zero_after_the_supplement() -> None:
    # 5 working days, completed Mon 30/11/2026 10:00 → Mon 7/12 17:00 (not what was left before).
    assert limits.due_after_supplement(CAL, t("2026-11-30T10:00"), working_days=5, working_hours=None) \
        == t("2026-12-07T17:00")
    # A same-day procedure completed after its own cut-off: the next working day.
    assert limits.due_after_supplement(CAL, t("2026-11-30T15:30"), working_days=0, working_hours=None,
                                       cutoff=time(15, 0)) == t("2026-12-01T17:00")


T0 = t("2026-11-19T09:00").timestamp()
DUE = t("2026-11-26T17:00").timestamp()


def state(**data) -> dm.DossierState:
    return dm.start("X", dm.Event("received", T0, "a", {"due_at": DUE, "steps": ["UBND xã"], **data}))


def at(s: str) -> float:
    return t(s).timestamp()


def processing(**data) -> dm.DossierState:
    s = state(**data)
    for k in ("transferred", "accepted"):
        s = dm.apply(s, dm.Event(k, T0 + 60, "b", {}))
    return s


def test_only_one_supplement_request() -> None:
    s = processing(supplement_by=at("2026-11-24T17:00"))
    s = dm.apply(s, dm.Event("supplement_requested", at("2026-11-20T09:00"), "c", {"reason": "Thiếu bản vẽ"}))
    s = dm.apply(s, dm.Event("supplement_received", at("2026-11-23T09:00"), "c", {"due_at": at("2026-11-30T17:00")}))
    with pytest.raises(DomainError) as e:
        dm.apply(s, dm.Event("supplement_requested", at("2026-11-23T10:00"), "c", {"reason": "Thiếu nữa"}))
    assert "một lần" in e.value.message_vi and "Điều 19 khoản 5" in e.value.message_vi


def test_supplement_after_3_working_days_is_refused() -> None:
    s = processing(supplement_by=at("2026-11-24T17:00"))
    with pytest.raises(DomainError) as e:
        dm.apply(s, dm.Event("supplement_requested", at("2026-11-25T08:00"), "c", {"reason": "Thiếu bản vẽ"}))
    assert "03 ngày làm việc" in e.value.message_vi
    ok = dm.apply(s, dm.Event("supplement_requested", at("2026-11-24T16:59"), "c", {"reason": "Thiếu bản vẽ"}))
    assert ok.status == dm.SUPPLEMENT


def test_completed_supplement_replaces_the_promise_too() -> None:
    s = processing()
    s = dm.apply(s, dm.Event("supplement_requested", at("2026-11-20T09:00"), "c",
                             {"reason": "Thiếu", "close_at": at("2026-12-07T17:00")}))
    assert s.supplement_close_at == at("2026-12-07T17:00")
    s = dm.apply(s, dm.Event("supplement_received", at("2026-11-30T10:00"), "c", {"due_at": at("2026-12-07T17:00")}))
    assert s.legal_due_at == s.promised_due_at == at("2026-12-07T17:00") and s.supplement_close_at is None


# --- Art. 19(6): apology ------------------------------------------------------------------------

def test_apology_latest_is_the_working_day_before_the_deadline() -> None:
    assert limits.apology_latest(CAL, t("2026-11-26T17:00")) == t("2026-11-25T17:00")
    # Deadline on a Monday: the latest is the Friday before.
    assert limits.apology_latest(CAL, t("2026-11-30T17:00")) == t("2026-11-27T17:00")


def test_apology_too_late_or_twice_is_refused_in_vietnamese() -> None:
    due = t("2026-11-26T17:00")
    assert limits.apology_problem(CAL, now=t("2026-11-25T16:00"), due=due, apologies=0) is None
    vi, en = limits.apology_problem(CAL, now=t("2026-11-26T08:00"), due=due, apologies=0)
    assert "chậm nhất 01 ngày trước ngày hết hạn" in vi and "25/11/2026" in vi and "1 day before" in en
    vi, _ = limits.apology_problem(CAL, now=t("2026-11-20T08:00"), due=due, apologies=1)
    assert "một lần" in vi


def test_state_machine_refuses_a_second_new_date() -> None:
    s = processing()
    s = dm.apply(s, dm.Event("apology_issued", at("2026-11-24T09:00"), "c", {"reason": "Chờ xác minh",
                                                                              "new_due_at": at("2026-12-01T17:00")}))
    with pytest.raises(DomainError) as e:
        dm.apply(s, dm.Event("apology_issued", at("2026-11-30T09:00"), "c", {"reason": "Lại chậm",
                                                                             "new_due_at": at("2026-12-04T17:00")}))
    assert "một lần" in e.value.message_vi


def test_at_risk_threshold_is_whole_working_days() -> None:
    assert limits.at_risk_threshold_s(CAL, 2) == 16 * 3600
    assert limits.at_risk_threshold_s(CAL, 1) == 8 * 3600


# --- Art. 21: withdrawal and stop; financial obligation; Art. 23 correction --------------------------

def test_withdrawal_before_the_decision_ends_the_dossier() -> None:
    s = dm.apply(processing(), dm.Event("withdrawn", T0 + 3600, "cán bộ", {"reason": "Người nộp xin rút"}))
    assert s.status == dm.WITHDRAWN and s.outcome == "withdrawn" and not s.active and s.finished_at == T0 + 3600
    assert s.status_vi() == "Đã rút hồ sơ"


def test_withdrawal_after_the_decision_is_refused() -> None:
    s = dm.apply(processing(), dm.Event("step_done", T0 + 3600, "c", {}))
    with pytest.raises(DomainError) as e:
        dm.apply(s, dm.Event("withdrawn", T0 + 7200, "cán bộ", {}))
    assert "không thể rút hồ sơ" in e.value.message_vi


def test_stop_needs_a_reason() -> None:
    with pytest.raises(DomainError) as e:
        dm.apply(processing(), dm.Event("stopped", T0 + 60, "c", {"reason": " "}))
    assert "lý do" in e.value.message_vi
    s = dm.apply(processing(), dm.Event("stopped", T0 + 60, "c", {"reason": "Không hoàn thiện hồ sơ"}))
    assert s.status == dm.STOPPED and s.outcome == "stopped"


def test_financial_obligation_pauses_and_resumes() -> None:
    s = dm.apply(processing(), dm.Event("obligation_requested", T0 + 60, "c",
                                        {"content": "Nộp tiền sử dụng đất", "remaining_s": 7200}))
    assert s.status == dm.OBLIGATION and s.remaining_s == 7200
    s = dm.apply(s, dm.Event("obligation_paid", T0 + 86400, "c", {"due_at": DUE + 86400}))
    assert s.status == dm.PROCESSING and s.legal_due_at == DUE + 86400


def test_correction_goes_back_to_the_agency_and_is_returned_again() -> None:
    s = dm.apply(processing(), dm.Event("step_done", T0 + 60, "c", {}))
    s = dm.apply(s, dm.Event("transferred", T0 + 120, "c", {}))
    s = dm.apply(s, dm.Event("returned", T0 + 180, "c", {"fees_paid": True}))
    s = dm.apply(s, dm.Event("correction_requested", T0 + 240, "c", {"reason": "Sai ngày sinh",
                                                                    "due_at": at("2026-11-24T17:00")}))
    assert s.status == dm.CORRECTION and s.holder == "UBND xã" and s.correction_due_at == at("2026-11-24T17:00")
    s = dm.apply(s, dm.Event("corrected", T0 + 300, "c", {}))
    s = dm.apply(s, dm.Event("returned", T0 + 360, "c", {"fees_paid": True}))
    assert s.status == dm.RETURNED and s.corrections == 1
    assert limits.correction_due(CAL, t("2026-11-05T09:00")) == t("2026-11-10T17:00")


# --- the portal's status codes and channel ------------------------------------------------------------

def test_every_state_has_its_portal_status_and_the_channel() -> None:
    from zoneinfo import ZoneInfo as Z

    from hub.domain import portal

    row = {"site_id": "s", "code": "X", "procedure_id": "p", "procedure_name": "P", "received_at": T0,
           "applicant_name": "A", "applicant": {}}
    s = processing()
    cases = [
        ("received", state(), 2), ("accepted", s, 4),
        ("supplement_requested", dm.apply(s, dm.Event("supplement_requested", T0 + 99, "c", {"reason": "x"})), 5),
        ("obligation_requested", dm.apply(s, dm.Event("obligation_requested", T0 + 99, "c", {"content": "x"})), 6),
        ("withdrawn", dm.apply(s, dm.Event("withdrawn", T0 + 99, "c", {})), 7),
        ("stopped", dm.apply(s, dm.Event("stopped", T0 + 99, "c", {"reason": "x"})), 8),
    ]
    done = dm.apply(dm.apply(s, dm.Event("step_done", T0 + 99, "c", {})), dm.Event("transferred", T0 + 99, "c", {}))
    cases += [("transferred", done, 9), ("returned", dm.apply(done, dm.Event("returned", T0 + 120, "c",
                                                                              {"fees_paid": True})), 10)]
    for kind, st, code in cases:
        r = portal.record(1, kind, T0, st, row, Z("Asia/Ho_Chi_Minh"))
        assert (r["status"], r["status_vi"]) == (code, portal.PORTAL_STATUSES[code]), kind
        assert r["channel"] == 1
    r = portal.record(1, "received", T0, state(), {**row, "channel": "post"}, Z("Asia/Ho_Chi_Minh"))
    assert (r["channel"], r["channel_vi"]) == (3, "Qua dịch vụ bưu chính công ích")


# --- the forms of Circular 03/2025 (and 2018 for older dossiers) ---------------------------------------

def test_forms_are_numbered_as_circular_03_2025_and_2018_kept_for_older_dossiers() -> None:
    from hub.domain import forms

    expected = {"receipt": ("Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
                "guidance": ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
                "refusal": ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
                "apology": ("Mẫu số 04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"),
                "stop": ("Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
                "control_sheet": ("Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
                "register": ("Mẫu số 07", "SỔ THEO DÕI HỒ SƠ")}
    for name, (no, title) in expected.items():
        t = forms.default(name)
        assert (t["form_no"], t["title"]) == (no, title) and "03/2025/TT-VPCP" in t["legal_ref"], name
        assert t["legal_basis"].startswith("Nghị định 118/2025/NĐ-CP") and t["wording_source"], name
    before = datetime(2025, 6, 30, 16, 0, tzinfo=VN).timestamp()
    assert forms.edition(before) == "2018" and forms.edition(datetime(2025, 7, 1, tzinfo=VN).timestamp()) == "2025"
    old = forms.default("apology", "2018")
    assert old["title"] == "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" and "01/2018" in old["legal_ref"]
    assert forms.default("control_sheet", "2018")["form_no"] == "Mẫu số 05"
    assert forms.default("stop", "2018")["form_no"] == "Mẫu số 05"  # no 2018 counterpart: the 2025 notice
    assert [forms.canonical(x) for x in ("01", "02", "03", "04", "05", "06", "control-sheet", "07")] == \
        ["receipt", "supplement", "refusal", "apology", "stop", "control_sheet", "control_sheet", None]


def test_art_28_code_prefix() -> None:
    from hub.domain.intake import code_prefix
    from motcua_core.dossier_codes import is_code, is_official_id

    ids = {"UBND xã": "H15.50.05.13"}
    assert code_prefix(["UBND xã"], ids, "H15.50.05", "HOAAN") == "H15.50.05.13"
    assert code_prefix(["UBND xã", "Công an xã"], ids, "H15.50.05", "HOAAN") == "H15.50.05"
    assert code_prefix(["Công an xã"], ids, None, "HOAAN") == "HOAAN"
    assert is_code("H15.50.05.13-261008-0975") and is_code("000.00.21.H56-230512-0001")
    assert is_code("HOAAN-261123-0007") and not is_code("H15..50-261008-0975")
    assert is_official_id("H15.50.05.13") and not is_official_id("Hòa An")


# --- Art. 18, 20: transfer ----------------------------------------------------------------------------

@pytest.mark.parametrize("received,sent", [
    ("2026-11-25T10:00", "2026-11-25T10:00"),  # at once within the working day
    ("2026-11-25T14:59", "2026-11-25T14:59"),
    ("2026-11-25T15:00", "2026-11-26T07:30"),  # after 15:00: the start of the next working day
    ("2026-11-27T16:00", "2026-11-30T07:30"),  # Friday afternoon → Monday morning
    ("2026-11-25T06:50", "2026-11-25T07:30"),  # before office hours: when they open
    ("2026-11-28T09:00", "2026-11-30T07:30"),  # received on a Saturday morning → Monday
])
def test_transfer_at_once_or_next_morning_after_15h(received: str, sent: str) -> None:
    from hub.domain import transfer

    assert transfer.transfer_at(CAL, t(received)) == t(sent)


def test_other_level_paper_within_one_working_day_and_the_slip() -> None:
    from hub.domain import transfer

    assert transfer.other_level("commune", "province") and transfer.other_level("commune", "nganh_doc")
    assert not transfer.other_level("commune", "commune") and not transfer.other_level(None, "province")
    assert transfer.paper_by(CAL, t("2026-11-25T14:00")) == t("2026-11-26T14:00")
    slip = transfer.routing_slip([{"agency": "A", "content": "Thẩm định", "days": 3},
                                  {"agency": "B", "content": "Xác nhận", "days": 2}], [1.0, 2.0])
    assert [(x["order"], x["agency"], x["task"], x["days"], x["due_at"], x["lead"]) for x in slip] == \
        [(1, "A", "Thẩm định", 3, 1.0, True), (2, "B", "Xác nhận", 2, 2.0, False)]


# --- reception hours are not working days ---------------------------------------------------------------

def test_saturday_reception_does_not_count_toward_deadlines() -> None:
    from hub.domain.appointments import bookable_days, day_slots

    sat = WorkCalendar.from_config({"reception": {"5": [["07:30", "11:30"]]}})
    assert sat.receives_on(t("2026-11-28T09:00").date()) and not sat.is_working_day(t("2026-11-28T09:00").date())
    assert not sat.receives_on(t("2026-11-29T09:00").date())  # Sunday
    # Received on a Friday, 1 working day → Monday (Saturday's reception does not count) ...
    assert sat.due_working_days(t("2026-11-27T10:00"), 1) == t("2026-11-30T17:00")
    # ... and received on the Saturday morning itself, counting starts on Monday.
    assert sat.due_working_days(t("2026-11-28T09:00"), 1) == t("2026-11-30T17:00")
    assert sat.due_working_days(t("2026-11-28T09:00"), 0) == t("2026-11-30T17:00")
    # Citizens may book the Saturday morning, in its hours only.
    slots = day_slots(sat, t("2026-11-28T09:00").date(), 60)
    assert [(a.hour, b.hour) for a, b in slots] == [(7, 8), (8, 9), (9, 10), (10, 11)]
    assert t("2026-11-28T09:00").date() in bookable_days(sat, t("2026-11-27T09:00").date(), 3)
    assert t("2026-11-28T09:00").date() not in bookable_days(CAL, t("2026-11-27T09:00").date(), 3)
    # A day off the site announced that falls on a reception weekday is closed.
    off = WorkCalendar.from_config({"reception": {"5": [["07:30", "11:30"]]}, "days_off": ["2026-11-28"]})
    assert not off.receives_on(t("2026-11-28T09:00").date())
