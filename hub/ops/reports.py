"""Weekly report and tracking register (Sổ theo dõi hồ sơ, Mẫu 06 TT 01/2018): load rows for a site and period, hand them to the
pure aggregation in hub.domain.reports, add satisfaction from the votes table (issue #3)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import sqlite_utils

from hub.domain import reports as rules
from hub.domain import votes as vote_rules
from hub.ops import dossier_files
from hub.ops import dossiers as ops
from hub.store import dossier_files as file_store
from hub.store import dossiers as dossier_store
from hub.store import reports as report_store
from hub.store.db import get_meta
from hub.store.sites import Site
from motcua_core import clock as wallclock
from motcua_core.collation import vi_key, vi_sorted

SATISFIED_AT_LEAST = 3  # "Hài lòng" or "Rất hài lòng" on the four-level scale


def weekly(db: sqlite_utils.Database, site: Site, week: str, now: float | None = None) -> dict:
    cal = ops.calendar_for(db, site.id)
    monday, next_monday = rules.week_bounds(week)
    start = datetime.combine(monday, datetime.min.time(), cal.tz)
    end = datetime.combine(next_monday, datetime.min.time(), cal.tz)
    s, e = start.timestamp(), end.timestamp()
    # Only dossiers that can count this week: received in it, finished in it, or falling due in it.
    cur = report_store.week_dossiers(db, site.id, s, e)
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
            "place": settings["place"], "date": datetime.fromtimestamp(wallclock.time() if now is None else now, cal.tz).date().isoformat(),
            "report": rules.weekly(rows, start, end), "satisfaction": satisfaction(db, site.id, s, e)}


def _fields(db: sqlite_utils.Database, site_id: str) -> list[dict]:
    return [{"code": r[0], "name": r[1]} for r in report_store.field_names(db, site_id)]


def satisfaction(db: sqlite_utils.Database, site_id: str, since: float, until: float) -> dict:
    """Votes per officer and per agency (through the dossier a vote is linked to)."""
    out: dict[str, dict] = {"by_officer": {}, "by_agency": {}}
    q = {"by_officer": report_store.ratings_by_officer, "by_agency": report_store.ratings_by_agency}
    for key, query in q.items():
        acc: dict[str, dict] = {}
        for name, rating in query(db, site_id, since, until):
            a = acc.setdefault(name, {"votes": 0, "satisfied": 0})
            a["votes"] += 1
            a["satisfied"] += rating >= SATISFIED_AT_LEAST
        for a in acc.values():
            a["rate"] = rules.on_time_rate(a["satisfied"], a["votes"])
        out[key] = dict(vi_sorted(acc.items(), key=lambda kv: kv[0]))
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
    for reason, officer in report_store.vote_reasons(db, site_id, since, until):
        a = acc.setdefault(reason, {"id": reason, "label": labels.get(reason, reason), "count": 0, "by_officer": {}})
        a["count"] += 1
        a["by_officer"][officer] = a["by_officer"].get(officer, 0) + 1
    return sorted(acc.values(), key=lambda a: (-a["count"], vi_key(a["label"])))


def register_books(db: sqlite_utils.Database, site: Site, start: date, end: date,
                   field: str | None = None) -> list[dict]:
    """The tracking register (Sổ theo dõi hồ sơ) for dossiers received in [start, end]: one book per
    year and field ({"year", "field", "field_code", "book", "rows"}), rows of 14 columns in book order.
    TT is the dossier's Số thứ tự in its book, the number printed on its receipt."""
    cal = ops.calendar_for(db, site.id)
    lo = datetime.combine(start, datetime.min.time(), cal.tz).timestamp()
    hi = datetime.combine(date.fromordinal(end.toordinal() + 1), datetime.min.time(), cal.tz).timestamp()
    rows = report_store.register_rows(db, site.id, lo, hi, field)

    def d(ts: float | None) -> str:
        return "" if ts is None else datetime.fromtimestamp(ts, cal.tz).strftime("%H:%M %d/%m/%Y")

    names = {f["code"]: f["name"] for f in _fields(db, site.id)}
    books: dict[tuple[int, str], dict] = {}
    for r in rows:
        a = json.loads(r[4])
        first_transfer = r[16]
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
    import io

    from hub.domain import forms as form_texts
    from motcua_core import csv_cells

    books = register_books(db, site, start, end, field)
    s = ops.settings(db, site)
    text = form_texts.merged("register", s.get("form_texts"))
    n = sum(len(b["rows"]) for b in books)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv_cells.writer(buf)
        w.writerow(["Quyển số", *text["heads"]])
        for b in books:
            w.writerows([b["book"], *r] for r in b["rows"])
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), n, books
    from motcua_core.documents import pdf

    return pdf.register({"unit_name": s["unit_name"], "parent_agency": s["parent_agency"],
                         "title": f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
                         "books": books, "text": text}), n, books


def _ratio(pct: float | None) -> float | None:
    """A percentage as the 766 figures keep rates (0–1)."""
    return None if pct is None else round(pct / 100, 4)


def index766(db: sqlite_utils.Database, site: Site, period: str, now: float) -> dict:
    """The Decision 766 figures the hub can compute for a month, quarter or year (hub.domain.index766):
    progress and results, digitisation as far as the hub knows it, satisfaction; each with its formula."""
    from hub.domain import index766 as rules766

    first, after, label = rules766.period_bounds(period)
    cal = ops.calendar_for(db, site.id)
    s = datetime.combine(first, datetime.min.time(), cal.tz).timestamp()
    e = datetime.combine(after, datetime.min.time(), cal.tz).timestamp()
    unhappy = report_store.unsatisfied_dossiers(db, site.id, vote_rules.NOT_SATISFIED)
    rows = []
    for code, r, due, fin, outcome, status, state, docs in report_store.dossiers_in_period(db, site.id, s, e):
        items = json.loads(docs or "[]")
        sup = json.loads(state or "{}").get("supplements") or 0
        electronic = sum(1 for x in items if isinstance(x, dict) and (x.get("electronic") or x.get("reused")))
        rows.append(rules766.Dossier(code, r, due, fin, outcome, int(sup), status in ("supplement", "obligation"),
                                     len(items), electronic, code in unhappy))
    votes = report_store.ratings_in(db, site.id, s, e, SATISFIED_AT_LEAST)
    figures = rules766.compute(rows, s, e, now, votes=votes[0], votes_satisfied=votes[1])
    # scans attached and results issued electronically (issue #25's records)
    digital = dossier_files.digitisation_counts(db, site.id, s, e)
    figures["digitisation"].update({
        "dossiers_attached": digital["documents_attached"], "attached_rate": _ratio(digital["documents_attached_rate"]),
        "results_returned": digital["returned"], "results_electronic": digital["results_electronic"],
        "results_electronic_rate": _ratio(digital["results_electronic_rate"])})
    st = ops.settings(db, site)
    return {"site": site.id, "period": period, "period_label": label, "from": first.isoformat(),
            "to": date.fromordinal(after.toordinal() - 1).isoformat(), "unit_name": st["unit_name"],
            "parent_agency": st["parent_agency"], "place": st["place"],
            "date": datetime.fromtimestamp(now, cal.tz).date().isoformat(), "figures": figures,
            "formulas": [{"group": g, "key": k, "label": lab, "formula": f, "value": figures[g][k]}
                         for g, k, lab, f in rules766.FORMULAS],
            "not_computed": [{"group": g, "why": w} for g, w in rules766.NOT_COMPUTED]}
