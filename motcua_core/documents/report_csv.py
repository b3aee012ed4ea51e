"""Reports over any period as CSV for a spreadsheet: UTF-8 with a byte-order mark (so that Excel opens the
Vietnamese right), one block per section, each with its own head row, blank lines between blocks; "no
data" left empty, never written as a zero or a judgement. Every cell goes through motcua_core.csv_cells."""

from __future__ import annotations

import io

from motcua_core import csv_cells

QUEUE_COLS = ("issued", "served", "no_show", "avg_wait_s", "longest_wait_s", "on_time_rate")
QUEUE_HEADS = ("số đã cấp", "đã phục vụ", "vắng mặt", "chờ trung bình (phút)", "chờ lâu nhất (phút)",
               "tỷ lệ gọi đúng hạn (%)")
DOSSIER_COLS = ("received", "finished", "on_time", "late", "open_overdue", "late_with_apology", "late_without_apology",
                "on_time_rate")
DOSSIER_HEADS = ("tiếp nhận", "đã giải quyết", "đúng hạn", "trễ hạn", "quá hạn chưa xong", "trễ có xin lỗi",
                 "trễ không xin lỗi", "tỷ lệ đúng hạn (%)")


def _v(key: str, value: object) -> object:
    if value is None:
        return ""
    if key.endswith("_s"):
        return round(float(value) / 60, 1)  # type: ignore[arg-type]
    if key.endswith("rate"):
        return round(float(value) * 100, 1)  # type: ignore[arg-type]
    return value


def period_report(d: dict) -> bytes:
    buf = io.StringIO()
    w = csv_cells.writer(buf)
    w.writerow(["BÁO CÁO", d["period_label"], f"{d['start']} – {d['end']}", d.get("unit_name") or "",
                d.get("number_line") or ""])
    w.writerow([])
    q = d["queue"]
    w.writerow(["I. Số thứ tự", "nhóm", "tên", *QUEUE_HEADS])
    w.writerow(["", "tổng cộng", "", *(_v(c, q["total"][c]) for c in QUEUE_COLS)])
    for key, label in (("by_service", "dịch vụ"), ("by_counter", "quầy"), ("by_officer", "công chức"),
                       ("by_hour", "giờ")):
        for x in q[key]:
            w.writerow(["", label, x["name"], *(_v(c, x[c]) for c in QUEUE_COLS)])
    w.writerow([])
    r = d["report"]
    w.writerow(["II. Hồ sơ", "nhóm", "tên", *DOSSIER_HEADS])
    w.writerow(["", "tổng cộng", "", *(_v(c, r["total"][c]) for c in DOSSIER_COLS)])
    for key, label in (("by_agency", "cơ quan"), ("by_field", "lĩnh vực"), ("by_officer", "công chức")):
        for name, v in r[key].items():
            w.writerow(["", label, name, *(_v(c, v[c]) for c in DOSSIER_COLS)])
    ev = d["dossier_events"]
    for key, label in (("supplement_requests", "yêu cầu bổ sung"), ("refused_at_intake", "từ chối tiếp nhận tại quầy"),
                       ("refused_by_agency", "cơ quan từ chối giải quyết"), ("stopped", "dừng giải quyết"),
                       ("withdrawn", "rút hồ sơ"), ("in_progress_at_end", "đang giải quyết cuối kỳ")):
        w.writerow(["", "số lượng", label, ev[key]])
    w.writerow([])
    sat = d.get("satisfaction") or {}
    w.writerow(["III. Hài lòng", "nhóm", "tên", "số lượt", "hài lòng trở lên", "tỷ lệ hài lòng (%)"])
    for key, label in (("by_officer", "tại quầy, theo công chức"), ("by_agency", "tại quầy, theo cơ quan"),
                       ("handling_by_agency", "giải quyết hồ sơ, theo cơ quan")):
        for name, v in (sat.get(key) or {}).items():
            w.writerow(["", label, name, v["votes"], v["satisfied"], _v("rate", v["rate"])])
    if d.get("index766"):
        w.writerow([])
        w.writerow(["IV. Chỉ số 766", "chỉ tiêu", "giá trị (%)", "công thức"])
        for x in d["index766"]["formulas"]:
            w.writerow(["", x["label"], _v("rate", x["value"]), x["formula"]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
