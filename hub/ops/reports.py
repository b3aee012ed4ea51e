"""Weekly report and tracking register (Sổ theo dõi hồ sơ, Mẫu 06 TT 01/2018): load rows for a site and period, hand them to the
pure aggregation in hub.domain.reports, add satisfaction from the votes table (issue #3)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import sqlite_utils

from hub.domain import reports as rules
from hub.domain import votes as vote_rules
from hub.ops import dossiers as ops
from hub.store import dossier_files as file_store
from hub.store import dossiers as dossier_store
from hub.store.db import get_meta
from hub.store.sites import Site

SATISFIED_AT_LEAST = 3  # "Hài lòng" or "Rất hài lòng" on the four-level scale


def weekly(db: sqlite_utils.Database, site: Site, week: str) -> dict:
    cal = ops.calendar_for(db, site.id)
    monday, next_monday = rules.week_bounds(week)
    start = datetime.combine(monday, datetime.min.time(), cal.tz)
    end = datetime.combine(next_monday, datetime.min.time(), cal.tz)
    s, e = start.timestamp(), end.timestamp()
    # Only dossiers that can count this week: received in it, finished in it, or falling due in it.
    cur = db.execute(
        "SELECT agency, field, COALESCE(o.name, d.officer, ''), received_at, legal_due_at, finished_at, "
        "first_apology_at, status = 'supplement', code FROM dossiers d "
        "LEFT JOIN officers o ON o.site_id = d.site_id AND o.id = d.officer "
        "WHERE d.site_id = ? AND ((received_at >= ? AND received_at < ?) OR "
        "(finished_at >= ? AND finished_at < ?) OR (legal_due_at >= ? AND legal_due_at < ?))",
        [site.id, s, e, s, e, s, e])
    field_names = {f["code"]: f["name"] for f in _fields(db, site.id)}
    rows = []
    for a, f, o, r, d, fin, ap, p, code in cur:
        row = rules.Row(a, field_names.get(f, f), o, r, d, fin, ap, bool(p), code=code)
        if rules.is_late(row, s, e):  # only late dossiers need their events read
            at = fin if fin is not None and fin < e else e
            row = replace(row, late_agency=rules.late_agency(dossier_store.events(db, code), d, at))
        rows.append(row)
    settings = ops.settings(db, site)
    return {"site": site.id, "week": week, "week_label": rules.week_label(monday), "start": monday.isoformat(),
            "end": date.fromordinal(next_monday.toordinal() - 1).isoformat(),
            "unit_name": settings["unit_name"], "parent_agency": settings["parent_agency"],
            "place": settings["place"], "date": datetime.now(cal.tz).date().isoformat(),
            "report": rules.weekly(rows, start, end), "satisfaction": satisfaction(db, site.id, s, e)}


def _fields(db: sqlite_utils.Database, site_id: str) -> list[dict]:
    return [{"code": r[0], "name": r[1]} for r in db.execute("SELECT code, name FROM fields WHERE site_id = ?",
                                                             [site_id])]


def satisfaction(db: sqlite_utils.Database, site_id: str, since: float, until: float) -> dict:
    """Votes per officer and per agency (through the dossier a vote is linked to)."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='votes'").fetchone():
        return {"by_officer": {}, "by_agency": {}, "reasons": []}
    out: dict[str, dict] = {"by_officer": {}, "by_agency": {}}
    q = {"by_officer": "SELECT COALESCE(o.name, v.officer, '—'), v.rating FROM votes v LEFT JOIN officers o "
                       "ON o.site_id = v.site_id AND o.id = v.officer WHERE v.site_id = ? AND v.at >= ? AND v.at < ?",
         "by_agency": "SELECT d.agency, v.rating FROM votes v JOIN dossiers d ON d.code = v.dossier_code "
                      "WHERE v.site_id = ? AND v.at >= ? AND v.at < ?"}
    for key, sql in q.items():
        acc: dict[str, dict] = {}
        for name, rating in db.execute(sql, [site_id, since, until]):
            a = acc.setdefault(name, {"votes": 0, "satisfied": 0})
            a["votes"] += 1
            a["satisfied"] += rating >= SATISFIED_AT_LEAST
        for a in acc.values():
            a["rate"] = rules.on_time_rate(a["satisfied"], a["votes"])
        out[key] = dict(sorted(acc.items()))
    out["reasons"] = vote_reasons(db, site_id, since, until)
    return out


def vote_reasons(db: sqlite_utils.Database, site_id: str, since: float, until: float) -> list[dict]:
    """Why citizens were not satisfied (issue #13): each reason given, most frequent first, with the
    officers it was given about: [{"id", "label", "count", "by_officer": {name: count}}]."""
    labels = {k: vi for k, (vi, _en) in vote_rules.REASONS.items()}
    raw = get_meta(db, f"vote_questions:{site_id}", None)
    for q in json.loads(raw) if raw else []:  # a site's own questions name their own reasons
        labels.update({r["id"]: r.get("vi") or r["id"] for r in q.get("reasons") or []})
    acc: dict[str, dict] = {}
    for reason, officer in db.execute(
            "SELECT j.value, COALESCE(o.name, v.officer, '—') FROM votes v, json_each(v.reasons) j "
            "LEFT JOIN officers o ON o.site_id = v.site_id AND o.id = v.officer "
            "WHERE v.site_id = ? AND v.at >= ? AND v.at < ?", [site_id, since, until]):
        a = acc.setdefault(reason, {"id": reason, "label": labels.get(reason, reason), "count": 0, "by_officer": {}})
        a["count"] += 1
        a["by_officer"][officer] = a["by_officer"].get(officer, 0) + 1
    return sorted(acc.values(), key=lambda a: (-a["count"], a["label"]))


def register_books(db: sqlite_utils.Database, site: Site, start: date, end: date,
                   field: str | None = None) -> list[dict]:
    """The tracking register (Sổ theo dõi hồ sơ) for dossiers received in [start, end]: one book per
    year and field ({"year", "field", "field_code", "book", "rows"}), rows of 14 columns in book order.
    TT is the dossier's Số thứ tự in its book, the number printed on its receipt."""
    cal = ops.calendar_for(db, site.id)
    lo = datetime.combine(start, datetime.min.time(), cal.tz).timestamp()
    hi = datetime.combine(date.fromordinal(end.toordinal() + 1), datetime.min.time(), cal.tz).timestamp()
    sql = ("SELECT code, procedure_name, sets, applicant_name, applicant, agency, received_at, legal_due_at, "
           "ready_at, returned_at, status, postal_tracking, apologies, register_no, register_year, field "
           "FROM dossiers WHERE site_id = ? AND received_at >= ? AND received_at < ?")
    args: list = [site.id, lo, hi]
    if field:
        sql += " AND field = ?"
        args.append(field)

    def d(ts: float | None) -> str:
        return "" if ts is None else datetime.fromtimestamp(ts, cal.tz).strftime("%H:%M %d/%m/%Y")

    names = {f["code"]: f["name"] for f in _fields(db, site.id)}
    books: dict[tuple[int, str], dict] = {}
    for r in db.execute(sql + " ORDER BY register_year, field, register_no", args):
        a = json.loads(r[4])
        first_transfer = db.execute("SELECT MIN(at) FROM dossier_events WHERE code = ? AND kind = 'transferred'",
                                    [r[0]]).fetchone()[0]
        notes = []
        if r[12]:
            notes.append("Có phiếu xin lỗi")
        if r[11]:
            notes.append(f"BCCI {r[11]}")
        e_result = file_store.result_code(db, r[0])
        if e_result:  # the electronic result issued, by its document code
            notes.append(f"Kết quả điện tử {e_result}")
        name = names.get(r[15], r[15])
        book = books.setdefault((r[14], r[15]), {"year": r[14], "field_code": r[15], "field": name,
                                                 "book": f"{r[14]} – {name}", "rows": []})
        book["rows"].append([r[13], r[0], r[1], r[2], r[3], ", ".join(x for x in (a.get("address"), a.get("phone"))
                                                                      if x),
                             r[5], d(r[6]), d(r[7]), d(first_transfer), d(r[8]), d(r[9]),
                             "Đã ký" if r[10] == "returned" else "", "; ".join(notes)])
    return list(books.values())


def register_export(db: sqlite_utils.Database, site: Site, start: date, end: date, field: str | None = None,
                    *, fmt: str) -> tuple[bytes, int, list[dict]]:
    """The tracking register as a file (`fmt` "csv" or "pdf"), for the CLI and the console alike:
    (content, number of dossiers, books). CSV: one file for several books, each row naming its book
    ("Quyển số"), with a BOM so that Excel opens the Vietnamese right."""
    import csv
    import io

    from hub.domain import forms as form_texts

    books = register_books(db, site, start, end, field)
    s = ops.settings(db, site)
    text = form_texts.merged("register", s.get("form_texts"))
    n = sum(len(b["rows"]) for b in books)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["Quyển số", *text["heads"]])
        for b in books:
            w.writerows([b["book"], *r] for r in b["rows"])
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), n, books
    from motcua_core.documents import pdf

    return pdf.register({"unit_name": s["unit_name"], "parent_agency": s["parent_agency"],
                         "title": f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
                         "books": books, "text": text}), n, books
