"""`motcua hub catalog|calendar|report|register|specialist|dossier …` (issue #5). Each command is a plain
function over the library API, so tests call them directly."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from datetime import date, datetime
from pathlib import Path

from hub.domain import catalogue as cat_rules
from hub.domain.calendar import CalendarConfigError, WorkCalendar, due_time
from hub.domain.errors import DomainError

PROGRESS_EVERY = 0.1


def add_parsers(hsub: argparse._SubParsersAction, data_arg) -> None:
    cat = hsub.add_parser("catalog", help="procedure (TTHC) catalogue")
    csub = cat.add_subparsers(dest="catalog_cmd", required=True)
    imp = csub.add_parser("import", help="import procedures from a JSON or CSV file (docs/dossiers.md)")
    data_arg(imp)
    imp.add_argument("file", type=Path)
    imp.add_argument("--format", choices=["json", "csv"], help="default: from the file name")
    imp.add_argument("--replace", action="store_true",
                     help="the file is the whole catalogue: withdraw procedures it does not list")
    imp.set_defaults(func=cmd_catalog_import)

    cal = hsub.add_parser("calendar", help="working calendar")
    calsub = cal.add_subparsers(dest="calendar_cmd", required=True)
    due = calsub.add_parser("due", help="print the due time of a period counted on the site's calendar")
    data_arg(due)
    due.add_argument("--site", help="site whose calendar to use (default: the national calendar)")
    due.add_argument("--received", required=True, help="e.g. 2026-02-13T09:00")
    g = due.add_mutually_exclusive_group(required=True)
    g.add_argument("--working-days", type=float)
    g.add_argument("--working-hours", type=float)
    due.set_defaults(func=cmd_calendar_due)

    ds = hsub.add_parser("dossier", help="dossier settings and operations")
    dsub = ds.add_subparsers(dest="dossier_cmd", required=True)
    st = dsub.add_parser("settings", help="load a site's dossier settings (calendar, agency code, transfer "
                                          "times, complaints officer) from JSON")
    data_arg(st)
    st.add_argument("--site", required=True)
    st.add_argument("file", type=Path)
    st.set_defaults(func=cmd_dossier_settings)
    tr = dsub.add_parser("transfer", help="run the transfer batch now (normally at the configured times)")
    data_arg(tr)
    tr.add_argument("--site", required=True)
    tr.set_defaults(func=cmd_dossier_transfer)
    fm = dsub.add_parser("form", help="write a dossier's form as PDF: 03 receipt, 04 control sheet, apology")
    data_arg(fm)
    fm.add_argument("--site", required=True)
    fm.add_argument("code")
    fm.add_argument("--form", required=True, choices=["03", "04", "apology"])
    fm.add_argument("--pdf", type=Path, required=True)
    fm.set_defaults(func=cmd_dossier_form)

    rep = hsub.add_parser("report", help="reports")
    rsub = rep.add_subparsers(dest="report_cmd", required=True)
    wk = rsub.add_parser("weekly", help="received / on time / late / late with apology, per agency, field, officer")
    data_arg(wk)
    wk.add_argument("--site", required=True)
    wk.add_argument("--week", required=True, help="ISO week, e.g. 2026-W47")
    wk.add_argument("--pdf", type=Path)
    wk.add_argument("--json", action="store_true")
    wk.set_defaults(func=cmd_report_weekly)

    reg = hsub.add_parser("register", help="tracking register (form 02)")
    regsub = reg.add_subparsers(dest="register_cmd", required=True)
    ex = regsub.add_parser("export", help="export the register to CSV and/or PDF")
    data_arg(ex)
    ex.add_argument("--site", required=True)
    ex.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
    ex.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
    ex.add_argument("--field", help="one field (lĩnh vực) code")
    ex.add_argument("--csv", type=Path)
    ex.add_argument("--pdf", type=Path)
    ex.set_defaults(func=cmd_register_export)

    sp = hsub.add_parser("specialist", help="agency specialists (API and /agency page)")
    spsub = sp.add_subparsers(dest="specialist_cmd", required=True)
    sa = spsub.add_parser("add", help="add a specialist (or re-issue a token) and print the token once")
    data_arg(sa)
    sa.add_argument("--site", required=True)
    sa.add_argument("--id", dest="specialist_id", required=True)
    sa.add_argument("--agency", required=True, help="exactly as the catalogue names it")
    sa.add_argument("--name", required=True)
    sa.set_defaults(func=cmd_specialist_add)


def _db(args: argparse.Namespace):
    from hub.app import open_data_dir
    from hub.cli import _data

    return open_data_dir(_data(args))


def _err(msg: str) -> int:
    print(f"lỗi: {msg}", file=sys.stderr)
    return 2


class Progress:
    """A one-line progress bar on stderr (redrawn at most every 0.1 s)."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.last = max(total, 1), label, 0.0

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        frac = done / self.total
        bar = "█" * int(frac * 30) + "·" * (30 - int(frac * 30))
        print(f"\r{self.label} [{bar}] {done}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        self.update(self.total, force=True)
        print(file=sys.stderr)


def read_catalogue_file(path: Path, fmt: str | None = None) -> tuple[list[dict], list[dict], list[tuple[str, list[str]]]]:
    """(fields, procedures, errors) from a JSON or CSV file; errors are (where, Vietnamese problems)."""
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "json")
    errors: list[tuple[str, list[str]]] = []
    procs: list[dict] = []
    fields: list[dict] = []
    text = path.read_text(encoding="utf-8-sig")
    if fmt == "json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [], [("tệp", [f"JSON không hợp lệ: dòng {exc.lineno}, cột {exc.colno}: {exc.msg}"])]
        if not isinstance(doc, dict) or not isinstance(doc.get("procedures"), list):
            return [], [], [("tệp", ["cần một đối tượng JSON có danh sách \"procedures\""])]
        fields = [f for f in doc.get("fields", []) if isinstance(f, dict) and f.get("code") and f.get("name")]
        for i, p in enumerate(doc["procedures"], 1):
            problems = cat_rules.validate(p)
            where = f"thủ tục {i}" + (f" ({p.get('id')})" if isinstance(p, dict) and p.get("id") else "")
            if problems:
                errors.append((where, problems))
            else:
                procs.append(p)
    else:
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None:
            return [], [], [("tệp", ["tệp CSV rỗng"])]
        missing = [c for c in cat_rules.CSV_REQUIRED if c not in reader.fieldnames]
        if missing:
            return [], [], [("tiêu đề", [f"thiếu cột {', '.join(missing)}"])]
        for row in reader:
            where = f"dòng {reader.line_num}" + (f" ({row.get('id')})" if row.get("id") else "")
            try:
                procs.append(cat_rules.from_csv_row(row))
            except cat_rules.RowError as exc:
                errors.append((where, exc.problems))
    seen: set[str] = set()
    unique = []
    for p in procs:
        if p["id"] in seen:
            errors.append((f"thủ tục {p['id']}", ["mã định danh bị trùng trong tệp"]))
            continue
        seen.add(p["id"])
        unique.append(p)
    return fields, unique, errors


def import_catalogue(db, path: Path, fmt: str | None = None, progress: bool = True, replace: bool = False) -> dict:
    """Validate every entry, save the valid ones (one transaction, so a crash loses nothing half-way),
    report the others. Kiosks are told through the registry revision (device configs carry the version)."""
    from hub.store import catalogue as cat_store
    from hub.store import devices as device_store
    from hub.store.db import set_meta, transaction

    fields, procs, errors = read_catalogue_file(path, fmt)
    # ids named in the file, valid or not: --replace never withdraws a procedure whose row merely had an error
    procs_seen = {p["id"] for p in procs} | {_id_of(where) for where, _ in errors} - {None}
    known = {r[0] for r in db.execute("SELECT code FROM fields")} | {f["code"] for f in fields}
    known |= {f["code"] for f in cat_store.fields(db)}
    good = []
    for p in procs:
        problems = cat_rules.validate(p, known or None)
        if problems:
            errors.append((f"thủ tục {p['id']}", problems))
        else:
            good.append(p)
    before = cat_store.version(db)
    bar = Progress(len(good), "Nhập danh mục") if progress else None
    with transaction(db):
        if fields:
            cat_store.load(db, {"fields": fields, "procedures": []})
        for i in range(0, len(good), 50):
            cat_store.load(db, {"procedures": good[i:i + 50]})
            if bar:
                bar.update(min(i + 50, len(good)))
        # One version per import, whatever the number of chunks.
        after = cat_store.version(db)
        if after > before + 1:
            db.execute("UPDATE procedures SET version = ? WHERE version > ?", [before + 1, before])
            set_meta(db, "catalog_version", str(before + 1))
        removed = 0
        if replace and procs_seen:
            present = {r[0] for r in db.execute("SELECT id FROM procedures")}
            removed = cat_store.remove(db, sorted(present - procs_seen))
            if removed and cat_store.version(db) > before + 1:  # still one version for the whole import
                db.execute("UPDATE procedures_removed SET version = ? WHERE version > ?", [before + 1, before])
                set_meta(db, "catalog_version", str(before + 1))
        if cat_store.version(db) != before:
            device_store.bump_revision(db)
    if bar:
        bar.close()
    return {"imported": len(good), "errors": errors, "version": cat_store.version(db), "removed": removed}


def _id_of(where: str) -> str | None:
    """'dòng 4 (thu-tuc-c)' → 'thu-tuc-c'."""
    if "(" in where and where.endswith(")"):
        return where[where.rindex("(") + 1:-1]
    if where.startswith("thủ tục "):
        return where[len("thủ tục "):]
    return None


def cmd_catalog_import(args: argparse.Namespace) -> int:
    if not args.file.exists():
        return _err(f"không có tệp {args.file}")
    db = _db(args)
    out = import_catalogue(db, args.file, args.format, progress=True, replace=args.replace)
    for where, problems in out["errors"]:
        for p in problems:
            print(f"  ✗ {where}: {p}", file=sys.stderr)
    print(f"Đã nhập {out['imported']} thủ tục; {len(out['errors'])} mục lỗi (không nhập); "
          + (f"đã rút {out['removed']} thủ tục không còn trong tệp; " if out["removed"] else "")
          + f"phiên bản danh mục {out['version']}.")
    return 1 if out["errors"] else 0


def cmd_calendar_due(args: argparse.Namespace) -> int:
    try:
        received = datetime.fromisoformat(args.received)
    except ValueError:
        return _err(f"thời điểm nhận {args.received!r} không hợp lệ (ví dụ 2026-02-13T09:00)")
    try:
        if args.site:
            from hub.ops.dossiers import calendar_for

            db = _db(args)
            from hub.store.sites import get_site

            site = get_site(db, args.site)
            cal = calendar_for(db, site.id, site.tz.key)
        else:
            cal = WorkCalendar()
        due = due_time(cal, cal.local(received), working_days=args.working_days, working_hours=args.working_hours)
    except (DomainError, CalendarConfigError, ValueError) as exc:
        return _err(getattr(exc, "message_vi", None) or str(exc))
    days = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
    print(due.isoformat(timespec="minutes"))
    print(f"# hạn trả: {due:%H:%M} {days[due.weekday()]} {due:%d/%m/%Y}", file=sys.stderr)
    return 0


def cmd_dossier_settings(args: argparse.Namespace) -> int:
    from hub.store import dossiers as store
    from hub.store.db import transaction
    from hub.store.sites import get_site

    db = _db(args)
    try:
        cfg = json.loads(args.file.read_text(encoding="utf-8"))
        get_site(db, args.site)
        with transaction(db):
            store.set_settings(db, args.site, cfg)
    except (OSError, json.JSONDecodeError) as exc:
        return _err(f"{args.file}: {exc}")
    except (DomainError, CalendarConfigError) as exc:
        return _err(getattr(exc, "message_vi", None) or str(exc))
    print(f"đã lưu thiết lập hồ sơ của {args.site}")
    return 0


def _ctx(db, site_id: str):
    from hub.ops.context import Ctx, Effects
    from hub.store.sites import get_site

    return Ctx(db, get_site(db, site_id), None, time.time(), Effects())


def cmd_dossier_transfer(args: argparse.Namespace) -> int:
    from hub.ops import dossiers as ops
    from hub.store.db import transaction

    db = _db(args)
    with transaction(db):
        moved = ops.run_transfer_batch(_ctx(db, args.site), force=True)
    print(f"đã chuyển {len(moved)} hồ sơ")
    return 0


def cmd_dossier_form(args: argparse.Namespace) -> int:
    from hub.documents import pdf
    from hub.ops import dossiers as ops

    db = _db(args)
    try:
        ctx = _ctx(db, args.site)
        if args.form == "03":
            data = pdf.receipt(ops.receipt(db, ctx.site, args.code))
        elif args.form == "04":
            data = pdf.control_sheet(ops.control_sheet(db, ctx.site, args.code))
        else:
            data = pdf.apology(ops.apology_form(db, ctx.site, args.code))
    except DomainError as exc:
        return _err(exc.message_vi or exc.message)
    args.pdf.write_bytes(data)
    print(f"đã ghi {args.pdf}")
    return 0


def cmd_report_weekly(args: argparse.Namespace) -> int:
    from hub.ops import reports
    from hub.store.sites import get_site

    db = _db(args)
    try:
        site = get_site(db, args.site)
        rep = reports.weekly(db, site, args.week)
    except DomainError as exc:
        return _err(exc.message_vi or exc.message)
    except ValueError as exc:
        return _err(str(exc))
    if args.pdf:
        from hub.documents import pdf

        args.pdf.write_bytes(pdf.weekly_report(rep))
        print(f"đã ghi {args.pdf}", file=sys.stderr)
    if args.json:
        print(json.dumps(rep, ensure_ascii=False, indent=2))
    else:
        t = rep["report"]["total"]
        rate = "—" if t["on_time_rate"] is None else f"{t['on_time_rate'] * 100:.1f}%"
        print(f"Tuần {rep['week']} ({rep['start']} – {rep['end']}), {rep['unit_name']}")
        print(f"  Tiếp nhận: {t['received']}   Đã giải quyết: {t['finished']}   Đúng hạn: {t['on_time']}   "
              f"Trễ hẹn: {t['late'] + t['open_overdue']} (có phiếu xin lỗi: {t['late_with_apology']}, "
              f"không có: {t['late_without_apology']})   Tỷ lệ đúng hạn: {rate}")
        for name, v in rep["report"]["by_agency"].items():
            r = "—" if v["on_time_rate"] is None else f"{v['on_time_rate'] * 100:.1f}%"
            print(f"  {name[:60]:60} {v['received']:5} {v['on_time']:5} {v['late'] + v['open_overdue']:5} {r:>7}")
    return 0


def cmd_register_export(args: argparse.Namespace) -> int:
    from hub.documents.pdf import REGISTER_HEADS
    from hub.ops import dossiers as ops
    from hub.ops import reports
    from hub.store.sites import get_site

    if not args.csv and not args.pdf:
        return _err("cần --csv và/hoặc --pdf")
    db = _db(args)
    try:
        site = get_site(db, args.site)
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except DomainError as exc:
        return _err(exc.message_vi or exc.message)
    except ValueError:
        return _err("ngày phải có dạng YYYY-MM-DD")
    rows = reports.register_rows(db, site, start, end, args.field)
    if args.csv:
        with args.csv.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens Vietnamese right
            w = csv.writer(f)
            w.writerow(REGISTER_HEADS)
            w.writerows(rows)
    if args.pdf:
        from hub.documents import pdf

        s = ops.settings(db, site)
        args.pdf.write_bytes(pdf.register({"unit_name": s["unit_name"], "parent_agency": s["parent_agency"],
                                           "title": f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
                                           "rows": rows}))
    print(f"{len(rows)} hồ sơ trong sổ")
    return 0


def cmd_specialist_add(args: argparse.Namespace) -> int:
    from hub.store import specialists
    from hub.store.db import transaction
    from hub.store.sites import get_site

    db = _db(args)
    try:
        get_site(db, args.site)
        with transaction(db):
            spec, token = specialists.add(db, site_id=args.site, specialist_id=args.specialist_id,
                                          agency=args.agency, name=args.name, now=time.time())
    except DomainError as exc:
        return _err(exc.message_vi or exc.message)
    print("# mã đăng nhập chỉ hiện một lần; chỉ lưu bản băm", file=sys.stderr)
    print(json.dumps({"id": spec.id, "agency": spec.agency, "token": token}, ensure_ascii=False))
    return 0
