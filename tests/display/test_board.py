"""Progress board lines from the hub's board and KPI answers (either may be missing)."""

from __future__ import annotations

from display_controller.board import board_view


def test_queue_statistics_alone() -> None:
    v = board_view(None, {"overall": {"served": 12, "issued": 20, "waiting_now": 5, "wait_avg_s": 500,
                                      "wait_within_target": 0.75}})
    assert not v.has_dossiers and v.ready == []
    assert v.queue == ["Đã phục vụ hôm nay: 12 / 20 lượt", "Đang chờ: 5", "Thời gian chờ trung bình: 8 phút",
                       "Chờ không quá 15 phút: 75%"]


def test_dossiers_ready_and_on_time_rates() -> None:
    board = {"ready": [{"code": f"HS{i}", "applicant": "Nguyễn V** A**", "procedure": "Khai sinh"}
                       for i in range(11)],
             "today": {"finished": 4, "on_time": 4, "rate": 1.0}, "week": {"finished": 40, "on_time": 38}}
    v = board_view(board, None)
    assert v.has_dossiers and v.ready_total == 11 and len(v.ready) == 8
    assert v.ready[0] == "HS0 · Nguyễn V** A** · Khai sinh"
    assert v.on_time_today == "100% (4/4 hồ sơ)" and v.on_time_week == "95% (38/40 hồ sơ)"
    assert board_view({"ready": [], "today": {"finished": 0}}, None).on_time_today == "—"
