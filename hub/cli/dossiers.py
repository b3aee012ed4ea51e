"""`motcua hub catalog|calendar|report|register|specialist|dossier …`. Each command is a plain function
over the library API, so tests call them directly; changes go through the runner (hub.cli.common)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

from hub.cli.common import Progress, data_arg, err, open_db, runner
from hub.domain.calendar import CalendarConfigError, WorkCalendar, due_time, parse_cutoff
from hub.domain.forms import FORM_NAMES, NUMBERS
from motcua_core import clock as wallclock
from motcua_core.errors import DomainError
from motcua_core.text import read_text_nfc


def add_parsers(hsub: argparse._SubParsersAction) -> None:
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
    due.add_argument("--cutoff", help="the procedure's same-day cut-off, e.g. 15:00 (received later: due the "
                                      "next working day)")
    due.add_argument("--supplement-sent", help="when the agency sent the supplement request (Decree 118/2025 "
                                               "Art. 19(5)), e.g. 2026-02-16T10:00")
    due.add_argument("--supplement-completed", help="when the dossier was completed: the time limit counts "
                                                    "again from here")
    due.add_argument("--json", action="store_true", help="print JSON (ISO times) instead of dd/mm/yyyy")
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
    fm = dsub.add_parser("form", help="write a dossier's form as PDF (Circular 03/2025 forms 01–06)")
    data_arg(fm)
    fm.add_argument("--site", required=True)
    fm.add_argument("code")
    fm.add_argument("--form", required=True, choices=[*FORM_NAMES, *NUMBERS],
                    help="a form of Circular 03/2025: receipt (01), supplement (02), refusal (03), apology (04), "
                         "stop (05), control_sheet (06)")
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
    ix = rsub.add_parser("index766", help="Decision 766/QĐ-TTg figures for a month, quarter or year "
                                          "(progress and results, digitisation, satisfaction), formulas included")
    data_arg(ix)
    ix.add_argument("--site", required=True)
    ix.add_argument("--period", required=True, help="a month 2026-11, a quarter 2026-Q4 or a year 2026")
    ix.add_argument("--pdf", type=Path)
    ix.add_argument("--json", action="store_true")
    ix.set_defaults(func=cmd_report_index766)

    pr = rsub.add_parser("period", help="the report of any period: queue, dossiers, satisfaction (766 figures for a "
                                        "quarter or a year), a draft without number")
    data_arg(pr)
    pr.add_argument("--site", required=True)
    _period_args(pr)
    pr.add_argument("--pdf", type=Path, help="write the PDF (official layout)")
    pr.add_argument("--csv", type=Path, help="write the CSV (UTF-8 with BOM, for Excel)")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_report_period)
    iss = rsub.add_parser("issue", help="issue the report of a period under the next number of the site's series "
                                        "(Số: …/BC-…), signed with the centre's certificate")
    data_arg(iss)
    iss.add_argument("--site", required=True)
    _period_args(iss)
    iss.add_argument("--recipient", action="append", default=[], help="a line of 'Nơi nhận' (repeat)")
    iss.add_argument("--signer-title", help="the signer's position, e.g. GIÁM ĐỐC")
    iss.add_argument("--signer-name", help="the signer's full name")
    iss.add_argument("--pdf", type=Path, required=True, help="write the signed PDF here")
    iss.add_argument("--p12", type=Path, help="sign with the signer's own certificate (PKCS#12; passphrase from "
                                              "$MOTCUA_P12_PASSPHRASE or asked) instead of the centre's")
    iss.set_defaults(func=cmd_report_issue)
    isd = rsub.add_parser("issued", help="the numbered reports issued; with --year and --number, write one's PDF")
    data_arg(isd)
    isd.add_argument("--site", required=True)
    isd.add_argument("--year", type=int)
    isd.add_argument("--number", type=int)
    isd.add_argument("--pdf", type=Path)
    isd.set_defaults(func=cmd_report_issued)

    reg = hsub.add_parser("register", help="tracking register (Sổ theo dõi hồ sơ), per year and field")
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


def cmd_catalog_import(args: argparse.Namespace) -> int:
    from hub.ops import catalogue

    if not args.file.exists():
        return err(f"không có tệp {args.file}")
    db = open_db(args)
    bar: Progress | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or Progress(total, "Nhập danh mục")
        bar.update(done)

    out = catalogue.import_file(runner(db), args.file, args.format, replace=args.replace, progress=progress)
    if bar:
        bar.close()
    for where, problems in out["errors"]:
        for p in problems:
            print(f"  ✗ {where}: {p}", file=sys.stderr)
    print(f"Đã nhập {out['imported']} thủ tục; {len(out['errors'])} mục lỗi (không nhập); "
          + (f"đã rút {out['removed']} thủ tục không còn trong tệp; " if out["removed"] else "")
          + f"phiên bản danh mục {out['version']}.")
    return 1 if out["errors"] else 0


DAYS_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def _vn(at: datetime) -> str:
    return f"{at:%d/%m/%Y %H:%M} ({DAYS_VI[at.weekday()]})"


def cmd_calendar_due(args: argparse.Namespace) -> int:
    """What an officer asks about a date: the due time of a time limit on the site's calendar, with the
    procedure's same-day cut-off, and after a supplement round (the time limit counted again from the
    completion; the 3-working-day and 15-day limits of Decree 118/2025 Art. 19(5) checked)."""
    from hub.domain import time_limits as limits

    times = {}
    for name, text in (("received", args.received), ("supplement_sent", args.supplement_sent),
                       ("supplement_completed", args.supplement_completed)):
        if text is None:
            continue
        try:
            times[name] = datetime.fromisoformat(text)
        except ValueError:
            return err(f"thời điểm {text!r} không hợp lệ (ví dụ 2026-02-13T09:00)")
    if ("supplement_sent" in times) != ("supplement_completed" in times):
        return err("cần cả --supplement-sent và --supplement-completed")
    try:
        cutoff = parse_cutoff(args.cutoff)
    except CalendarConfigError as exc:
        return err(f"--cutoff: {exc}")
    try:
        if args.site:
            from hub.ops.dossiers import calendar_for

            db = open_db(args)
            from hub.store.sites import get_site

            site = get_site(db, args.site)
            cal = calendar_for(db, site.id, site.tz.key)
        else:
            cal = WorkCalendar()
        received = cal.local(times["received"])
        start, notes, out = received, [], {"received": received.isoformat(timespec="minutes")}
        if "supplement_sent" in times:
            sent, done = cal.local(times["supplement_sent"]), cal.local(times["supplement_completed"])
            if not received <= sent <= done:
                return err("thứ tự thời điểm phải là: nhận hồ sơ ≤ gửi yêu cầu bổ sung ≤ hoàn thiện hồ sơ")
            ask_by = limits.supplement_request_by(cal, received)
            close = limits.supplement_close_at(cal, sent)
            out.update(supplement_request_by=ask_by.isoformat(timespec="minutes"),
                       supplement_close_at=close.isoformat(timespec="minutes"))
            if sent > ask_by:
                notes.append(f"yêu cầu bổ sung gửi sau hạn 03 ngày làm việc ({_vn(ask_by)}; Điều 19 khoản 5)")
            if done > close:
                out["closed"] = True
                print(json.dumps(out, ensure_ascii=False) if args.json else
                      f"Hồ sơ đã bị đóng (dừng giải quyết) lúc {_vn(close)}: quá 15 ngày kể từ thông báo "
                      "yêu cầu bổ sung (Nghị định 118/2025/NĐ-CP, Điều 19 khoản 5).")
                return 1
            start = done
            notes.append(f"thời hạn tính lại từ đầu từ lúc hoàn thiện hồ sơ {_vn(done)} (Điều 19 khoản 5)")
        due = due_time(cal, start, working_days=args.working_days, working_hours=args.working_hours, cutoff=cutoff)
    except (DomainError, CalendarConfigError, ValueError) as exc:
        return err(getattr(exc, "message_vi", None) or str(exc))
    out["due_at"] = due.isoformat(timespec="minutes")
    if args.json:
        print(json.dumps({**out, "notes": notes}, ensure_ascii=False))
    else:
        print(f"Hạn trả kết quả: {_vn(due)}")
        for n in notes:
            print(f"# {n}", file=sys.stderr)
    return 0


def cmd_dossier_settings(args: argparse.Namespace) -> int:
    from hub.store import dossiers as store

    db = open_db(args)
    try:
        cfg = json.loads(read_text_nfc(args.file))
        runner(db).run(args.site, lambda ctx: store.set_settings(ctx.db, ctx.site.id, cfg))
    except (OSError, json.JSONDecodeError) as exc:
        return err(f"{args.file}: {exc}")
    except (DomainError, CalendarConfigError) as exc:
        return err(getattr(exc, "message_vi", None) or str(exc))
    print(f"đã lưu thiết lập hồ sơ của {args.site}")
    return 0


def cmd_dossier_transfer(args: argparse.Namespace) -> int:
    from hub.ops import dossiers as ops

    db = open_db(args)
    try:
        moved = runner(db).run(args.site, lambda ctx: ops.run_transfer_batch(ctx, force=True))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    print(f"đã chuyển {len(moved)} hồ sơ")
    return 0


def cmd_dossier_form(args: argparse.Namespace) -> int:
    from hub.ops import forms
    from hub.store.sites import get_site

    db = open_db(args)
    try:
        data = forms.pdf(db, get_site(db, args.site), args.code, args.form)
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    args.pdf.write_bytes(data)
    print(f"đã ghi {args.pdf}")
    return 0


def cmd_report_index766(args: argparse.Namespace) -> int:

    from hub.domain.reports import percent
    from hub.ops import reports
    from hub.store.sites import get_site

    db = open_db(args)
    try:
        rep = reports.index766(db, get_site(db, args.site), args.period, wallclock.time())
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    except ValueError as exc:
        return err(str(exc))
    if args.pdf:
        from motcua_core.documents import pdf

        args.pdf.write_bytes(pdf.index766_report(rep))
        print(f"đã ghi {args.pdf}", file=sys.stderr)
    if args.json:
        print(json.dumps(rep, ensure_ascii=False, indent=2))
        return 0
    p = rep["figures"]["progress"]
    print(f"Chỉ số Quyết định 766/QĐ-TTg — {rep['period_label']}, {rep['unit_name']}")
    print(f"  Hồ sơ tiếp nhận hoặc giải quyết trong kỳ: {p['in_scope']}   Đúng hạn: {p['on_time']}   Trễ hạn: {p['late']}")
    for x in rep["formulas"]:
        print(f"  {x['label']}: {percent(x['value'])}")
    return 0


def _period_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", help="week 2026-W49, month 2026-11, quarter 2026-Q4, half-year 2026-H2, year 2026")
    p.add_argument("--from", dest="start", help="first day of a range, dd/mm/yyyy (with --to)")
    p.add_argument("--to", dest="end", help="last day of a range, dd/mm/yyyy")


def _period(args: argparse.Namespace) -> str:
    if args.period and not (args.start or args.end):
        return args.period
    if args.start and args.end and not args.period:
        return f"{args.start}..{args.end}"
    raise ValueError("cần --period, hoặc --from và --to (dd/mm/yyyy)")


def cmd_report_period(args: argparse.Namespace) -> int:
    from hub.domain.reports import percent
    from hub.ops import reports
    from hub.store.sites import get_site

    db = open_db(args)
    try:
        site = get_site(db, args.site)
        rep = reports.period_report(db, site, _period(args), wallclock.time())
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    except ValueError as exc:
        return err(str(exc))
    if args.pdf:
        from motcua_core.documents import report_pdf

        args.pdf.write_bytes(report_pdf.period_report(rep))
        print(f"đã ghi {args.pdf}", file=sys.stderr)
    if args.csv:
        from motcua_core.documents import report_csv

        args.csv.write_bytes(report_csv.period_report(rep))
        print(f"đã ghi {args.csv}", file=sys.stderr)
    if args.json:
        print(json.dumps(rep, ensure_ascii=False, indent=2))
        return 0
    q, t = rep["queue"]["total"], rep["report"]["total"]
    wait = "—" if q["avg_wait_s"] is None else f"{round(q['avg_wait_s'] / 60)} phút"
    print(f"{rep['period_label']} {rep['span_label']}, {rep['unit_name']}")
    print(f"  Số thứ tự: cấp {q['issued']}, phục vụ {q['served']}, vắng mặt {q['no_show']}, chờ trung bình {wait}, "
          f"gọi đúng hạn {percent(q['on_time_rate'])}")
    print(f"  Hồ sơ: tiếp nhận {t['received']}, đã giải quyết {t['finished']}, đúng hạn {t['on_time']}, "
          f"trễ hạn {t['late'] + t['open_overdue']}, tỷ lệ đúng hạn {percent(t['on_time_rate'])}; "
          f"từ chối tiếp nhận tại quầy {rep['dossier_events']['refused_at_intake']}")
    return 0


def cmd_report_issue(args: argparse.Namespace) -> int:
    from hub.ops import reports
    from hub.store.sites import get_site

    signer = None
    if args.p12:  # opened first: a wrong passphrase takes no number
        import getpass
        import os

        from motcua_core import signing

        phrase = os.environ.get("MOTCUA_P12_PASSPHRASE") or getpass.getpass("Mật khẩu chứng thư số: ")
        try:
            signer = signing.pkcs12_signer(args.p12, phrase.encode())
        except signing.SigningError as exc:
            return err(exc.message_vi)
    db = open_db(args)
    try:
        site = get_site(db, args.site)
        period = _period(args)
        run = runner(db)
        who = run.actor.who if run.actor else "cli"
        out = run.run(site, lambda ctx: reports.issue(
            ctx, period, recipients=args.recipient, signer_title=args.signer_title, signer_name=args.signer_name,
            issued_by=who))
        args.pdf.write_bytes(reports.issued_pdf(run, site, out["year"], out["number"], signer))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    except ValueError as exc:
        return err(str(exc))
    print(f"{out['number_line']} — {out['title']}; đã ghi {args.pdf}")
    return 0


def cmd_report_issued(args: argparse.Namespace) -> int:
    from hub.ops import reports
    from hub.store.sites import get_site

    db = open_db(args)
    try:
        site = get_site(db, args.site)
        if args.number is not None or args.year is not None:
            if args.number is None or args.year is None or args.pdf is None:
                return err("cần --year, --number và --pdf")
            args.pdf.write_bytes(reports.issued_pdf(runner(db), site, args.year, args.number))
            print(f"đã ghi {args.pdf}")
            return 0
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    for r in reports.issued_list(db, site):
        print(f"{r['number_line']:24} {r['issued_at'][:16].replace('T', ' ')}  {r['title']}  ({r['issued_by']})")
    return 0


def cmd_report_weekly(args: argparse.Namespace) -> int:
    from hub.ops import reports
    from hub.store.sites import get_site

    db = open_db(args)
    try:
        site = get_site(db, args.site)
        rep = reports.weekly(db, site, args.week)
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    except ValueError as exc:
        return err(str(exc))
    if args.pdf:
        from motcua_core.documents import report_pdf

        args.pdf.write_bytes(report_pdf.period_report(reports.period_report(db, site, args.week, wallclock.time())))
        print(f"đã ghi {args.pdf}", file=sys.stderr)
    if args.json:
        print(json.dumps(rep, ensure_ascii=False, indent=2))
    else:
        from hub.domain.reports import percent

        t = rep["report"]["total"]
        rate = percent(t["on_time_rate"])
        print(f"{rep['week_label']}, {rep['unit_name']}")
        print(f"  Tiếp nhận: {t['received']}   Đã giải quyết: {t['finished']}   Đúng hạn: {t['on_time']}   "
              f"Trễ hẹn: {t['late'] + t['open_overdue']} (có phiếu xin lỗi: {t['late_with_apology']}, "
              f"không có: {t['late_without_apology']})   Tỷ lệ đúng hạn: {rate}")
        for name, v in rep["report"]["by_agency"].items():
            r = percent(v["on_time_rate"])
            print(f"  {name[:60]:60} {v['received']:5} {v['on_time']:5} {v['late'] + v['open_overdue']:5} {r:>7}")
        reasons = rep["satisfaction"].get("reasons") or []
        if reasons:
            print("  Lý do chưa hài lòng: " + "; ".join(f"{x['label']} ({x['count']})" for x in reasons))
    return 0


def cmd_register_export(args: argparse.Namespace) -> int:
    from hub.ops import reports
    from hub.store.sites import get_site

    if not args.csv and not args.pdf:
        return err("cần --csv và/hoặc --pdf")
    db = open_db(args)
    try:
        site = get_site(db, args.site)
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    except ValueError:
        return err("ngày phải có dạng YYYY-MM-DD")
    for path, fmt in ((args.csv, "csv"), (args.pdf, "pdf")):
        if path:
            content, n, books = reports.register_export(db, site, start, end, args.field, fmt=fmt)
            path.write_bytes(content)
    print(f"{n} hồ sơ trong sổ ({len(books)} quyển: {', '.join(b['book'] for b in books) or '—'})")
    return 0


def cmd_specialist_add(args: argparse.Namespace) -> int:
    from hub.store import specialists

    db = open_db(args)
    try:
        spec, token = runner(db).run(args.site, lambda ctx: specialists.add(
            ctx.db, site_id=ctx.site.id, specialist_id=args.specialist_id, agency=args.agency, name=args.name,
            now=ctx.now))
    except DomainError as exc:
        return err(exc.message_vi or exc.message)
    print("# mã đăng nhập chỉ hiện một lần; chỉ lưu bản băm", file=sys.stderr)
    print(json.dumps({"id": spec.id, "agency": spec.agency, "token": token}, ensure_ascii=False))
    return 0
