"""Weekly report and tracking register (Sổ theo dõi hồ sơ, Mẫu 06 TT 01/2018): load rows for a site and period, hand them to the
pure aggregation in hub.domain.reports, add satisfaction from the votes table (issue #3)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime

import sqlite_utils

from hub.domain import kpi, official, periods
from hub.domain import reports as rules
from hub.domain import votes as vote_rules
from hub.ops import dossier_files
from hub.ops import dossiers as ops
from hub.ops.context import Ctx
from hub.store import dossier_files as file_store
from hub.store import dossiers as dossier_store
from hub.store import reports as report_store
from hub.store import site_config
from hub.store.db import get_meta
from hub.store.sites import Site
from motcua_core import clock as wallclock
from motcua_core.collation import vi_key, vi_sorted
from motcua_core.errors import DomainError

SUPPLEMENTS = re.compile(r'"supplements":\s*(\d+)')
SATISFIED_AT_LEAST = 3  # "Hài lòng" or "Rất hài lòng" on the four-level scale


def weekly(db: sqlite_utils.Database, site: Site, week: str, now: float | None = None) -> dict:
    """The week's dossier figures. Given `now`, a week not over yet is judged at `now`: a dossier due
    later this week is not late yet (the dashboard's week)."""
    cal = ops.calendar_for(db, site.id)
    monday, next_monday = rules.week_bounds(week)
    start = datetime.combine(monday, datetime.min.time(), cal.tz)
    end = datetime.combine(next_monday, datetime.min.time(), cal.tz)
    s, e = start.timestamp(), end.timestamp()
    if now is not None and now < e:
        end = datetime.fromtimestamp(max(now, s), cal.tz)
    rows = _dossier_rows(db, site.id, s, end.timestamp())  # those received, finished or falling due in the week
    settings = ops.settings(db, site)
    return {"site": site.id, "week": week, "week_label": rules.week_label(monday), "start": monday.isoformat(),
            "end": date.fromordinal(next_monday.toordinal() - 1).isoformat(),
            "unit_name": settings["unit_name"], "parent_agency": settings["parent_agency"],
            "place": settings["place"], "date": datetime.fromtimestamp(wallclock.time() if now is None else now, cal.tz).date().isoformat(),
            "report": rules.weekly(rows, start, end),
            "satisfaction": satisfaction(db, site.id, s, e, unit=settings["unit_name"])}


def _fields(db: sqlite_utils.Database, site_id: str) -> list[dict]:
    return [{"code": r[0], "name": r[1]} for r in report_store.field_names(db, site_id)]


def satisfaction(db: sqlite_utils.Database, site_id: str, since: float, until: float, *,
                 unit: str = rules.UNIT_HOLDER) -> dict:
    """The counter votes per officer and per agency — the same votes in both: a vote is about the linked
    dossier's agency, or else about `unit`, the reception unit whose counter was rated — and, apart, the
    ratings of a dossier's handling per agency (Decree 118/2025 Art. 33)."""
    out: dict[str, dict] = {}
    q = {"by_officer": report_store.ratings_by_officer,
         "by_agency": lambda *a: report_store.ratings_by_counter_agency(*a, unit),
         "handling_by_agency": report_store.dossier_ratings_by_agency}
    for key, query in q.items():
        acc: dict[str, dict] = {}
        for name, rating in query(db, site_id, since, until):
            a = acc.setdefault(name or "—", {"votes": 0, "satisfied": 0})
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
        items = json.loads(docs) if docs and docs != "[]" else []
        # the one number needed from the cached state, read without parsing the whole of it (a year's
        # dossiers: 123,000 states)
        m = SUPPLEMENTS.search(state or "")
        sup = int(m[1]) if m else (json.loads(state).get("supplements") or 0 if state else 0)
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


# --- reports over any period ------------------------------------------------------------------------

def _bounds(db: sqlite_utils.Database, site: Site, p: periods.Period) -> tuple[float, float, object]:
    """The period's first moment and the moment after it, at midnight in the site's time zone."""
    cal = ops.calendar_for(db, site.id)
    s = datetime.combine(p.first, datetime.min.time(), cal.tz).timestamp()
    e = datetime.combine(p.after, datetime.min.time(), cal.tz).timestamp()
    return s, e, cal


def _dossier_rows(db: sqlite_utils.Database, site_id: str, s: float, e: float) -> list[rules.Row]:
    field_names = {f["code"]: f["name"] for f in _fields(db, site_id)}
    rows = []
    for a, f, o, r, d, fin, ap, p, code in report_store.week_dossiers(db, site_id, s, e):
        row = rules.Row(a, field_names.get(f, f), o, r, d, fin, ap, bool(p), code=code)
        if rules.is_late(row, s, e):  # only late dossiers need their events read
            at = fin if fin is not None and fin < e else e
            row = replace(row, late_agency=rules.late_agency(dossier_store.events(db, code), d, at))
        rows.append(row)
    return rows


def queue_section(db: sqlite_utils.Database, site: Site, p: periods.Period, now: float) -> dict:
    """The tickets of the period's days: totals, per service, counter, officer and hour (hub.domain.kpi,
    the dashboard's rule), each group named for people."""
    times = [kpi.TicketTimes(*r) for r in report_store.period_tickets(db, site.id, p.first.isoformat(),
                                                                        p.last.isoformat())]
    tz = site.tz
    q = kpi.queue_report(times, site_config.wait_targets(db, site.id), now,
                         lambda ts: datetime.fromtimestamp(ts, tz).hour)
    names = report_store.queue_names(db, site.id)

    def named(group: dict[str, dict], label) -> list[dict]:  # noqa: ANN001
        return [{"key": k, "name": label(k), **v} for k, v in group.items()]

    q["by_service"] = sorted(named(q["by_service"], lambda k: names["service"].get(k, k)),
                             key=lambda x: vi_key(x["name"]))
    q["by_counter"] = sorted(named(q["by_counter"], lambda k: names["counter"].get(k) or f"Quầy {k}"),
                             key=lambda x: int(x["key"]) if x["key"].isdigit() else 0)
    q["by_officer"] = sorted(named(q["by_officer"], lambda k: names["officer"].get(k, k)),
                             key=lambda x: vi_key(x["name"]))
    q["by_hour"] = named(q["by_hour"], lambda k: f"{int(k)}h–{int(k) + 1}h")
    q["targets_min"] = {code: round(t / 60) for code, t in site_config.wait_targets(db, site.id).items()}
    return q


def period_report(db: sqlite_utils.Database, site: Site, period: str | periods.Period, now: float) -> dict:
    """A report over any period (week, month, quarter, half-year, year, range of days): the queue, the
    dossiers (the weekly report's rules over the period, with supplement requests, refusals at intake and
    by agencies, ends and dossiers still in progress), satisfaction, and the Decision 766 figures for a
    quarter or a year. Numbers as the dashboard and the per-ticket and per-dossier records give them."""
    p = periods.parse(period) if isinstance(period, str) else period
    s, e, cal = _bounds(db, site, p)
    # a period not over yet is judged now: a dossier due later in it is not late yet
    cut = max(s, min(e, now))
    rows = _dossier_rows(db, site.id, s, cut)
    events = report_store.dossier_event_counts(db, site.id, s, e)
    st = ops.settings(db, site)
    out = {"site": site.id, "period": p.spec, "kind": p.kind, "kind_vi": periods.KIND_VI[p.kind],
           "period_label": p.label, "span_label": p.span_label, "file_part": p.file_part,
           "start": p.first.isoformat(), "end": p.last.isoformat(),
           "unit_name": st["unit_name"], "parent_agency": st["parent_agency"], "place": st["place"],
           "date": datetime.fromtimestamp(now, cal.tz).date().isoformat(),
           "symbol": official.symbol(st), "number": None, "year": None,
           "number_line": official.number_line(None, official.symbol(st)),
           "recipients": official.recipients(st), "signer": official.signer(st),
           "queue": queue_section(db, site, p, now),
           "report": rules.weekly(rows, datetime.fromtimestamp(s, cal.tz), datetime.fromtimestamp(cut, cal.tz)),
           "dossier_events": {"supplement_requests": events.get("supplement_requested", 0),
                              "refused_by_agency": events.get("rejected", 0),
                              "refused_at_intake": report_store.intake_refusals_in(db, site.id, s, e),
                              "withdrawn": events.get("withdrawn", 0), "stopped": events.get("stopped", 0),
                              "apologies": events.get("apology_issued", 0),
                              "in_progress_at_end": report_store.in_progress_at(db, site.id, min(e, now))},
           "satisfaction": satisfaction(db, site.id, s, e, unit=st["unit_name"]),
           "index766": index766(db, site, p.spec, now) if periods.has_index766(p) else None}
    return out


def issue(ctx: Ctx, period: str, *, recipients: list[str] | None = None, signer_title: str | None = None,
          signer_name: str | None = None, issued_by: str = "", report: dict | None = None) -> dict:
    """Issue the report of `period` under the next number of the site's series for the current year
    (Số: 05/BC-…): the number and the report's figures are stored in this operation's transaction, so a
    number is neither skipped nor given twice, and the issued report reads the same ever after. The
    signed PDF is made afterwards (`issued_pdf`), from what was stored. `report`: the period's report
    computed just before, outside the transaction (a year's takes seconds: the console computes it in a
    worker thread and does not hold the write lock meanwhile)."""
    rep = dict(report) if report is not None else period_report(ctx.db, ctx.site, period, ctx.now)
    st = ops.settings(ctx.db, ctx.site)
    year = datetime.fromtimestamp(ctx.now, ctx.site.tz).year
    number = report_store.next_report_number(ctx.db, ctx.site.id, year)
    title = f"Báo cáo {rep['period_label'][:1].lower()}{rep['period_label'][1:]}"
    line = official.number_line(number, rep["symbol"])
    rep.update(number=number, year=year, number_line=line, recipients=official.recipients(st, recipients),
               date=datetime.fromtimestamp(ctx.now, ctx.site.tz).date().isoformat(),
               signer=official.signer(st, signer_title, signer_name), issued_by=issued_by)
    report_store.add_issued(ctx.db, site_id=ctx.site.id, year=year, number=number, symbol=rep["symbol"],
                            period=rep["period"], title=title, issued_at=ctx.now, issued_by=issued_by,
                            data=json.dumps(rep, ensure_ascii=False))
    ctx.changed("report.issue", f"báo cáo {line.removeprefix('Số: ')}", None, {"period": rep["period"]})
    return {"year": year, "number": number, "number_line": line, "period": rep["period"], "title": title}


def issued_data(db: sqlite_utils.Database, site: Site, year: int, number: int) -> tuple[dict, bytes | None]:
    """A numbered report as it was issued, and its signed PDF when made; not_found for another number."""
    row = report_store.issued(db, site.id, year, number)
    if row is None:
        raise DomainError("not_found", f"no report {number}/{year}", "Không có báo cáo mang số này.")
    return json.loads(row[5]), row[6]


def sign_job(rep: dict, data_dir, unit: str, signer=None) -> bytes:  # noqa: ANN001 (a Path, a pyHanko signer)
    """The issued report as PDF, archival (as the forms the centre issues) and signed (PAdES) with the
    centre's certificate, or with `signer` (the signer's own certificate: motcua_core.signing's PKCS#12 or
    PKCS#11 signer): no database, so a worker thread may run it."""
    from hub import signing_keys
    from motcua_core import archive, signing
    from motcua_core.documents import report_pdf

    doc = archive.archival(report_pdf.period_report(rep), title=f"{rep['number_line']} – Báo cáo {rep['period_label']}",
                           author=unit)
    role = unit if signer is None else f"{(rep.get('signer') or {}).get('title') or ''}, {unit}".strip(", ")
    return signing.sign_pdf(doc, signer or signing_keys.centre_signer_at(data_dir, unit), role=role,
                            reason=f"Phát hành báo cáo {rep['number_line'].removeprefix('Số: ')}", location=rep.get("place") or "")


def keep_pdf(ctx: Ctx, year: int, number: int, made: bytes) -> bytes:
    """Keep `made` as the numbered report's PDF unless one is kept already; the kept one is returned (two
    requests at once both get the first)."""
    report_store.keep_pdf(ctx.db, ctx.site.id, year, number, made)
    return bytes(report_store.issued(ctx.db, ctx.site.id, year, number)[6])


def issued_pdf(runner, site: Site, year: int, number: int, signer=None) -> bytes:  # noqa: ANN001
    """The signed PDF of a numbered report: the one kept, else made now from the stored report — signed by
    `signer` when given, else by the centre — and kept (the CLI, with its `runner`; the HTTP handler signs
    in a worker thread)."""
    from hub import signing_keys

    rep, pdf = issued_data(runner.db, site, year, number)
    if pdf is not None:
        return bytes(pdf)
    made = sign_job(rep, signing_keys.data_dir_of(runner.db), rep.get("unit_name") or site.name, signer)
    return runner.run(site, lambda ctx: keep_pdf(ctx, year, number, made))


def issued_list(db: sqlite_utils.Database, site: Site) -> list[dict]:
    tz = site.tz
    return [{"year": y, "number": n, "number_line": official.number_line(n, sym), "period": per, "title": title,
             "issued_at": datetime.fromtimestamp(at, tz).isoformat(timespec="minutes"), "issued_by": by}
            for y, n, sym, per, title, at, by in report_store.issued_list(db, site.id)]
