"""Dossier operations: intake, routing between agencies, specialists' actions, deadlines, apology, return.

Each function loads rows, asks the pure rules (hub.domain.dossier, .calendar, .cccd) and appends one
event per change; the state is always what `replay(events)` says. Callers (MQTT handlers, the web API,
the CLI, the hub's timers) own the transaction.
"""

from __future__ import annotations

import re
import weakref
from datetime import date, datetime

import sqlite_utils

from hub.domain import catalogue as cat_rules
from hub.domain import digital, refusals, site_types
from hub.domain import dossier as dm
from hub.domain import forms as forms_text
from hub.domain import intake as rules
from hub.domain import time_limits as limits
from hub.domain import transfer as routing
from hub.domain.calendar import WorkCalendar, due_time, parse_cutoff
from hub.domain.ratelimit import RateLimiter
from hub.domain.sync_down import merged_calendar, merged_form_texts
from hub.ops import datastore, dossier_files, links, security, sync_route
from hub.ops.context import Ctx
from hub.store import catalogue as cat_store
from hub.store import dossier_lists
from hub.store import dossiers as store
from hub.store import refusals as refusal_store
from hub.store import sync as sync_store
from hub.store import sync_docs as province_docs
from hub.store.sites import list_fields
from motcua_core.dossier_codes import agency_code, make_code, mask_name, normalise
from motcua_core.errors import DomainError

UNIT_NAME = "Bộ phận tiếp nhận và trả kết quả"


def _bad(message: str, message_vi: str) -> DomainError:
    return DomainError("bad_request", message, message_vi)


def calendar_for(db: sqlite_utils.Database, site_id: str, tz: str | None = None) -> WorkCalendar:
    """The site's calendar, with the days off and make-up days its province published laid in."""
    return WorkCalendar.from_config(merged_calendar(store.get_settings(db, site_id)["calendar"],
                                                    province_docs.layer(db, province_docs.CALENDAR)), tz)


def settings(db: sqlite_utils.Database, ctx_site) -> dict:
    s = _with_province_forms(db, store.get_settings(db, ctx_site.id))
    s["agency_code"] = s["agency_code"] or agency_code(ctx_site.id)
    s["unit_name"] = s["unit_name"] or ctx_site.name
    return s


def iso(ts: float | None, cal: WorkCalendar) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, cal.tz).isoformat(timespec="minutes")


# --- intake -----------------------------------------------------------------------------------------

def _form_head(s: dict, name: str, received_at: float | None = None) -> dict:
    """What every form starts with: the unit, its parent agency, the place, and the form's wording in the
    edition in force when the dossier was received (Circular 03/2025; 01/2018 before 1 July 2025)."""
    return {"unit_name": s["unit_name"], "parent_agency": s["parent_agency"], "place": s["place"],
            "text": forms_text.merged(name, s.get("form_texts"), forms_text.edition(received_at))}


def _with_province_forms(db: sqlite_utils.Database, s: dict) -> dict:
    """Settings whose form wording has the province's published layer under the site's own."""
    layer = province_docs.layer(db, province_docs.FORMS)
    return {**s, "form_texts": merged_form_texts(s.get("form_texts"), layer["form_texts"])} if layer else s


def _year_start(cal: WorkCalendar, ts: float) -> float:
    return datetime(datetime.fromtimestamp(ts, cal.tz).year, 1, 1, tzinfo=cal.tz).timestamp()


def guidance(ctx: Ctx, proc: dict, applicant: dict, missing: list[dict], officer: str | None) -> dict:
    """Supplement request data (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ): everything to add, in one go."""
    s = settings(ctx.db, ctx.site)
    return {"form": "supplement", **_form_head(s, "guidance"),
            "date": iso(ctx.now, calendar_for(ctx.db, ctx.site.id))[:10], "applicant": applicant,
            "procedure": {"id": proc["id"], "code": proc.get("code"), "name": proc["name"]},
            "missing": [f"{d['name']} ({d.get('copies', 1)} bản)" for d in missing],
            "contact": {"name": officer or "", "phone": s["hotline"]}}


def _procedure(db: sqlite_utils.Database, procedure_id: object) -> dict:
    proc = cat_store.get(db, str(procedure_id or ""))
    if proc is None:
        raise DomainError("not_found", "This administrative procedure is not in the catalogue.",
                          "Không tìm thấy thủ tục hành chính này trong danh mục.")
    return proc


def intake(ctx: Ctx, data: dict, *, officer: str | None = None, counter: int | None = None,
           ticket_id: int | None = None) -> dict:
    """Check a dossier at the counter. Incomplete → {"complete": False, "guidance": supplement request data};
    complete → a new dossier with code and due time, and {"receipt": receipt data} (None when solved on
    the spot, which needs no receipt)."""
    proc = _procedure(ctx.db, data.get("procedure"))
    cal = calendar_for(ctx.db, ctx.site.id, ctx.site.tz.key)
    now_local = datetime.fromtimestamp(ctx.now, cal.tz)
    s = settings(ctx.db, ctx.site)
    outside = bool(data.get("outside_area"))
    problem = site_types.intake_problem(s["site_type"], s["area"], proc, outside)
    if problem:
        raise DomainError("conflict", problem[1], problem[0])
    applicant = rules.applicant(data.get("applicant") or {}, now_local.year)
    scans = digital.scans(proc, data.get("scans"))
    reused = digital.reused(proc, data.get("reused"))
    # a document the state already holds as data is not asked for on paper (Decree 118/2025 Art. 5(1)(i));
    # a scanned one was on the desk
    handed = list(data.get("documents") or []) + [i for i, _ in reused] + [x.doc_index for x in scans]
    missing = rules.missing_documents(proc, handed, data.get("applies"))
    if missing:
        return {"complete": False, "missing": [d["name"] for d in missing],
                "guidance": guidance(ctx, proc, applicant, missing, officer)}
    sets, method, post_address = rules.return_options(proc, data)
    days = data.get("processing_days", proc.get("processing_days"))
    hours = proc.get("processing_hours")
    if days is None and hours is None:
        total = [d for d in cat_rules.step_days(proc) if d is not None]
        days = sum(total) if total and len(total) == len(cat_rules.step_days(proc)) else None
    if days is None and hours is None:
        raise _bad("The catalogue gives no time limit for this procedure; type the time limit from the "
                   "province's decision that publishes it.",
                   "Thủ tục chưa có thời hạn giải quyết trong danh mục; "
                   "nhập thời hạn theo quyết định công bố của tỉnh.")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int | float) or not 0 <= days <= 365):
        raise _bad("The time limit must be from 0 to 365 working days.",
                   "Thời hạn giải quyết phải từ 0 đến 365 ngày làm việc.")
    due = due_time(cal, now_local, working_days=None if hours is not None else days, working_hours=hours,
                   cutoff=parse_cutoff(proc.get("same_day_cutoff")))
    steps = cat_rules.step_agencies(proc)
    if data.get("competent"):  # the officer named the competent agency (another commune's, Art. 14(2))
        steps = sync_route.competent_steps(ctx.db, proc, steps, data["competent"])
    on_spot = (days == 0 or (hours is not None and hours == 0)) and len(steps) == 1 \
        and data.get("on_spot", True) is not False
    fees = data.get("fees_vnd", proc.get("fee_vnd") or 0)
    if not isinstance(fees, int) or isinstance(fees, bool) or fees < 0:
        raise _bad("Fees must be an amount of money (đồng) that is not negative.",
                   "Phí, lệ phí phải là số tiền (đồng) không âm.")
    day = now_local.date()
    prefix = rules.code_prefix(steps, s.get("agency_ids") or {}, s.get("unit_id"), s["agency_code"])
    seq = store.next_seq(ctx.db, ctx.site.id, day.isoformat())
    code = make_code(prefix, day, seq)
    docs = digital.annotate(proc, rules.received_documents(proc, handed), scans, reused)
    reg_no = store.next_register_no(ctx.db, ctx.site.id, day.year, proc["field"])
    row = {"code": code, "site_id": ctx.site.id, "day": day.isoformat(), "seq": seq, "procedure_id": proc["id"],
           "register_year": day.year, "register_no": reg_no,
           "procedure_name": proc["name"], "field": proc["field"],
           "agency": steps[0] if data.get("competent") else proc["agency"],
           "applicant_name": applicant["name"], "applicant": {**applicant, "post_address": post_address},
           "documents": docs, "sets": sets, "return_method": method, "fees_vnd": fees, "officer": officer,
           "counter": counter, "ticket_id": ticket_id, "received_at": ctx.now}
    if outside:  # received where the applicant does not live (the procedure allows it): said on the receipt
        row["applicant"]["outside_area"] = True
    step_due = _step_dues(cal, now_local, proc)
    send_at = routing.transfer_at(cal, now_local)  # Art. 18(2): at once, or next morning after 15:00
    routing_data = {"transfer_at": send_at.timestamp()}
    if routing.other_level(s["site_type"], proc.get("level")):  # Art. 20(1)(a): paper within 1 working day
        routing_data["paper_by"] = routing.paper_by(cal, now_local).timestamp()
    if len(steps) > 1:  # Art. 20(2)(a): the slip naming each agency's task and time limit
        routing_data["slip"] = routing.routing_slip(proc.get("steps") or [], step_due)
    first = dm.Event("received", ctx.now, officer or "", {**routing_data,
        "procedure": proc["id"], "due_at": due.timestamp(), "steps": steps, "on_spot": on_spot,
        "step_due": step_due, "processing_days": days, "processing_hours": hours,
        "channel": "post" if data.get("channel") == "post" else "counter",  # how it came (Art. 15)
        "supplement_by": limits.supplement_request_by(cal, now_local, proc.get("supplement_days")).timestamp()})
    store.insert(ctx.db, row, first)
    dossier_files.declare_intake(ctx, code, proc, scans, reused)
    if not on_spot and send_at.timestamp() <= ctx.now + 1:  # (a float round trip may add a microsecond)
        transfer(ctx, code, by=officer or UNIT_NAME)  # at once within the working day (Art. 18(2))
    # On the spot: no receipt unless the citizen asks for one (Decree 118/2025, Art. 17(4)).
    wants_receipt = not on_spot or bool(data.get("receipt_requested"))
    return {"complete": True, "code": code, "on_spot": on_spot, "due_at": iso(due.timestamp(), cal),
            "status_url": links.status_url(ctx.db, ctx.site.id, code), "lookup_key": links.lookup_key(ctx.db, code),
            "receipt": receipt(ctx.db, ctx.site, code) if wants_receipt else None}


def _step_dues(cal: WorkCalendar, start: datetime, proc: dict) -> list[float | None]:
    """Cumulative due time of each liên thông step (for 'before due / on time / late' on the control sheet)."""
    out: list[float | None] = []
    total = 0.0
    for d in cat_rules.step_days(proc):
        if d is None:
            out.append(None)
            continue
        total += d
        out.append(due_time(cal, start, working_days=total).timestamp())
    return out


# --- views --------------------------------------------------------------------------------------------

def _load(db: sqlite_utils.Database, code: str) -> dict:
    row = store.get(db, normalise(code))
    if row is None:
        raise DomainError("not_found", f"There is no dossier with the code {code}.",
                          "Không tìm thấy hồ sơ có mã này.")
    return row


def public_view(db: sqlite_utils.Database, code: str, now: float) -> dict:
    """What anyone holding the code may see (kiosk, phone, status page): no personal data but a masked
    name. Same object for MQTT `dossier.lookup` and GET /api/v1/dossiers/{code}."""
    row = _load(db, code)
    cal = calendar_for(db, row["site_id"])
    s = dm.DossierState(**{**row["state"], "steps": tuple(row["state"]["steps"])})
    timeline = []
    for ev in store.events(db, row["code"]):
        label = timeline_label(ev)
        if label:
            timeline.append({"at": iso(ev.at, cal), "status_vi": label})
    return {"code": row["code"], "procedure": row["procedure_name"], "status": s.status,
            "status_vi": s.status_vi(), "received_at": iso(row["received_at"], cal),
            "due_at": iso(s.promised_due_at, cal), "ready": s.status == dm.READY, "where": s.holder,
            "applicant": mask_name(row["applicant_name"]), "apologised": s.apologised, "timeline": timeline,
            "electronic_result": next((f["doc_code"] for f in dossier_files.listing(db, row["code"])["files"]
                                       if f["kind"] == "result" and f["doc_code"]), None)}


# Public lookups per client address (HTTP) or device (MQTT): a citizen checks a few times, a stranger
# trying keys one after another gets 429 / `rate_limited` (final: an outbox does not retry it).
LOOKUPS_PER_MINUTE = 20
_limiters: weakref.WeakKeyDictionary[sqlite_utils.Database, RateLimiter] = weakref.WeakKeyDictionary()


def public_lookup(db: sqlite_utils.Database, code: str, key: str | None, client: str, now: float,
                  per_minute: int | None = None) -> dict:
    """`public_view` for whoever holds the code and its lookup key (printed on the receipt, carried by
    its QR) or the applicant's CCCD last digits. A wrong key and an unknown code get the same answer, and
    count against the code (hub.ops.security: the CCCD digits stop working, then the code locks). Run it
    in a transaction (the runner) so that the count is kept.
    `per_minute` (the hub's `--lookup-limit`) changes the limit for every later caller too."""
    limiter = _limiters.get(db)
    if limiter is None:
        limiter = _limiters[db] = RateLimiter(per_minute or LOOKUPS_PER_MINUTE, 60.0)
    elif per_minute:
        limiter.limit = per_minute
    if not limiter.allow(client, now):
        wait = int(limiter.retry_after(client, now)) + 1
        raise DomainError("rate_limited", f"Too many lookups. Please try again in {wait} seconds.",
                          f"Tra cứu quá nhiều lần. Xin thử lại sau {wait} giây.")
    if not key or not str(key).strip():
        raise _bad("Type the lookup key printed on the receipt (or the last 4 digits of the "
                   "applicant's citizen ID).", "Cần nhập mã tra cứu in trên giấy hẹn (hoặc 4 số cuối CCCD "
                   "của người nộp hồ sơ).")
    code = normalise(code)
    locked, cccd_ok = security.lookup_state(db, code, now)
    if locked:
        raise security.locked_error()
    row = store.get(db, code)
    if row is None or not links.key_matches(db, row["code"], row["applicant"].get("cccd"), str(key), cccd_ok):
        site_id = row["site_id"] if row is not None else None
        raise DomainError("not_found", "No dossier has this dossier code and lookup key.",
                          "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này.",
                          keep=lambda: security.lookup_failed(db, code, site_id, now))
    return public_view(db, row["code"], now)


def timeline_label(ev: dm.Event) -> str | None:
    """What an event was, in the citizen's words (the public timeline; the province's flagged events)."""
    d = ev.data
    return {
        "received": "Tiếp nhận hồ sơ",
        "transferred": f"Chuyển đến {d.get('to', '')}".strip(),
        "accepted": f"{d.get('agency', 'Cơ quan giải quyết')} nhận hồ sơ",
        "supplement_requested": "Yêu cầu bổ sung hồ sơ",
        "supplement_received": "Đã nhận hồ sơ bổ sung",
        "step_done": f"{d.get('agency', 'Cơ quan giải quyết')} giải quyết xong",
        "rejected": "Từ chối giải quyết (có văn bản nêu lý do)",
        "resolved_on_spot": "Giải quyết ngay",
        "apology_issued": "Xin lỗi và đề nghị gia hạn thời gian giải quyết",
        "returned": "Đã trả kết quả",
        "withdrawn": "Người nộp rút hồ sơ",
        "stopped": "Dừng giải quyết hồ sơ",
        "obligation_requested": "Yêu cầu thực hiện nghĩa vụ tài chính",
        "obligation_paid": "Đã thực hiện nghĩa vụ tài chính",
        "correction_requested": "Chuyển lại cơ quan giải quyết để đính chính kết quả",
        "corrected": "Đã đính chính kết quả",
    }.get(ev.kind)


def site_of(db: sqlite_utils.Database, code: str) -> str:
    return _load(db, code)["site_id"]


def agency_detail(db: sqlite_utils.Database, code: str, now: float, site_id: str, agency: str) -> dict:
    """The full dossier for a specialist, only when it is of their site and passes through their agency
    (detail, control sheet and apology alike: one check for every view of it)."""
    d = detail(db, code, now)
    here = _load(db, code)["site_id"] == site_id or sync_store.held(db, normalise(code)) is not None
    if not here or agency not in d["steps"]:
        raise DomainError("forbidden", "This dossier does not belong to your agency.",
                          "Hồ sơ không thuộc cơ quan của bạn.")
    return d


def detail(db: sqlite_utils.Database, code: str, now: float) -> dict:
    """The full dossier for officers and specialists (personal data included: authenticated callers only)."""
    row = _load(db, code)
    cal = calendar_for(db, row["site_id"])
    s = store.state(db, row["code"])
    left = cal.working_seconds_between(datetime.fromtimestamp(now, cal.tz),
                                       datetime.fromtimestamp(s.legal_due_at, cal.tz))
    return {**public_view(db, code, now), "applicant": row["applicant"], "documents": row["documents"],
            "sets": row["sets"], "fees_vnd": row["fees_vnd"], "return_method": row["return_method"],
            "procedure_id": row["procedure_id"], "field": row["field"], "agency": row["agency"],
            "officer": row["officer"], "steps": list(s.steps), "step": s.step, "outcome": s.outcome,
            "reason": s.reason, "legal_due_at": iso(s.legal_due_at, cal),
            "risk": dm.open_risk(s, now, left, risk_threshold_s(db, row["site_id"], cal)),
            "timeliness": dm.timeliness(s, now), "lateness": dm.lateness_class(s, now),
            "supplements": s.supplements, "supplement_close_at": iso(s.supplement_close_at, cal),
            "supplement_by": iso(s.supplement_by, cal), "correction_due_at": iso(s.correction_due_at, cal),
            "apology_latest": iso(limits.apology_latest(cal, datetime.fromtimestamp(s.legal_due_at, cal.tz)).timestamp(),
                                  cal) if s.active else None,
            "postal_tracking": row["postal_tracking"], "electronic": dossier_files.listing(db, row["code"]),
            "datastore": datastore.status_for(db, row["code"]),
            "events": [{"kind": e.kind, "at": iso(e.at, cal), "by": e.by, "data": e.data}
                       for e in store.events(db, row["code"])]}


def _field_name(db: sqlite_utils.Database, site_id: str, code: str) -> str:
    return next((f["name"] for f in list_fields(db, site_id) if f["code"] == code), code)


def receipt(db: sqlite_utils.Database, site, code: str) -> dict:
    """Receipt data (Giấy tiếp nhận hồ sơ và hẹn trả kết quả). Its number is the dossier's Số thứ tự in
    the register book of its year and field, the TT of its row in the exported register."""
    row = _load(db, code)
    cal = calendar_for(db, site.id)
    s = settings(db, site)
    ev0 = store.events(db, row["code"])[0]
    field_name = _field_name(db, site.id, row["field"])
    return {"form": "receipt", "code": row["code"], **_form_head(s, "receipt", row["received_at"]),
            "register_book": f"{row['register_year']} – {field_name}", "field_name": field_name,
            "lookup_key": links.lookup_key(db, row["code"]),
            "applicant": row["applicant"], "procedure": row["procedure_name"],
            "documents": row["documents"], "sets": row["sets"],
            "processing_days": ev0.data.get("processing_days"), "processing_hours": ev0.data.get("processing_hours"),
            "received_at": iso(row["received_at"], cal), "due_at": iso(row["legal_due_at"], cal),
            "return_method": row["return_method"], "post_address": row["applicant"].get("post_address", ""),
            "register_no": row["register_no"], "officer": row["officer"] or "", "complaints": s["complaints"],
            "status_url": links.status_url(db, site.id, row["code"]), "fees_vnd": row["fees_vnd"],
            "transfer": fee_transfer(s, row["code"], row["fees_vnd"])}


def fee_transfer(s: dict, code: str, amount: int) -> dict | None:
    """The VietQR payload for the fees (the centre's account from the `bank` setting, the amount, the dossier
    code as the message); None for a free procedure (no fee step at all) or when no account is set."""
    from motcua_core import vietqr

    bank = s.get("bank") or {}
    if not amount or not bank.get("bin") or not bank.get("account"):
        return None
    return {"payload": vietqr.payload(bank["bin"], bank["account"], amount, code),
            "bank_name": bank.get("name", ""), "account": bank["account"], "account_name": bank.get("account_name", ""),
            "amount_vnd": amount, "message": code}


def control_sheet(db: sqlite_utils.Database, site, code: str) -> dict:
    """Control sheet data (Phiếu kiểm soát quá trình giải quyết hồ sơ, Mẫu 05 TT 01/2018): each handover (giver, receiver, time) and the result of each step."""
    row = _load(db, code)
    cal = calendar_for(db, site.id)
    evs = store.events(db, row["code"])
    step_due = evs[0].data.get("step_due") or []
    entries: list[dict] = []
    for i, ev in enumerate(evs):
        if ev.kind != "transferred":
            continue
        receiver = ""
        for later in evs[i + 1:]:
            if later.kind == "accepted":
                receiver = later.by
                break
            if later.kind == "transferred":
                break
        step = ev.data.get("step", dm.UNIT)
        entries.append({"at": iso(ev.at, cal), "giver": ev.by, "from": ev.data.get("from", ""),
                        "to": ev.data.get("to", ""), "receiver": receiver if step != dm.UNIT else ev.data.get(
                            "receiver", UNIT_NAME), "result": ev.data.get("result", ""), "note": ""})
    s = store.state(db, row["code"])
    return {"form": "control_sheet", "code": row["code"],
            **_form_head(settings(db, site), "control_sheet", row["received_at"]),
            "register_no": row["register_no"], "date": iso(row["received_at"], cal)[:10], "lead_agency": s.steps[0],
            "partners": list(s.steps[1:]), "entries": entries, "step_due": [iso(x, cal) for x in step_due],
            "slip": [{**line, "due_at": iso(line.get("due_at"), cal)} for line in evs[0].data.get("slip") or []],
            "paper_by": iso(evs[0].data.get("paper_by"), cal), "electronic": electronic_lines(db, row["code"])}


def electronic_lines(db: sqlite_utils.Database, code: str) -> list[str]:
    """What the dossier holds electronically, one line each, for the control sheet."""
    files = dossier_files.listing(db, code)
    out = [f"Bản điện tử: {f['name']} ({f['pages']} trang, SHA-256 {f['sha256'][:16]}…)"
           + ("" if f["complete"] else " — đang tải lên") for f in files["files"] if f["kind"] == "scan"]
    out += [f"Đã có dữ liệu điện tử: {r['name']}" for r in files["reused"]]
    out += [f"Kết quả điện tử: mã {f['doc_code']}" for f in files["files"] if f["kind"] == "result" and f["doc_code"]]
    return out


# --- routing ------------------------------------------------------------------------------------------

def _step_result(ev_at: float, due: float | None) -> str:
    if due is None:
        return ""
    if ev_at > due:
        return "Quá hạn"
    return "Trước hạn" if due - ev_at >= 24 * 3600 else "Đúng hạn"


def transfer(ctx: Ctx, code: str, by: str) -> dm.DossierState:
    """Hand the dossier to the next holder the procedure's steps name (a control sheet entry)."""
    s = store.state(ctx.db, code)
    dest = s.next_destination()
    if dest is None:
        raise dm.IllegalTransition("transferred", s.status)
    evs = store.events(ctx.db, code)
    step_due = evs[0].data.get("step_due") or []
    result = ""
    if s.step >= 0 and s.step < len(step_due):  # judging the step that just finished
        done = next((e.at for e in reversed(evs) if e.kind in ("step_done", "rejected")), ctx.now)
        result = _step_result(done, step_due[s.step])
    new = store.append(ctx.db, code, dm.Event("transferred", ctx.now, by, {
        "step": dest[0], "to": dest[1], "from": s.holder, "result": result}))
    sync_route.after_handover(ctx, code)  # at a provincial hub: to the centre whose agency it now is
    if s.status == dm.RECEIVED:
        _route_electronically(ctx, code, evs[0].data)
    if new.status == dm.READY:  # results are announced the day they arrive (001 L361)
        what = "có thông báo từ chối giải quyết" if new.outcome == "rejected" else "đã có kết quả"
        row = _load(ctx.db, code)
        where = ("sẽ được gửi qua bưu chính" if row["return_method"] == "post"
                 else "mời ông (bà) đến Bộ phận một cửa nhận, mang theo giấy hẹn")
        _notify_citizen(ctx, code, "ready", "Hồ sơ đã có kết quả", f"Hồ sơ {code} {what}; {where}.")
        ctx.effects.display_sites.add(ctx.site.id)  # the lobby's progress board lists results ready
    return new


def _route_electronically(ctx: Ctx, code: str, received: dict) -> None:
    """Liên thông: every agency gets the electronic dossier at once with its task and time limit, and may
    work on it as soon as it has it (Decree 118/2025 Art. 20(2)); the paper goes to the lead agency with
    the slip. An agency of another level is told when the paper reaches it (Art. 20(1)(a))."""
    cal = calendar_for(ctx.db, ctx.site.id)
    for line in received.get("slip") or []:
        due = iso(line.get("due_at"), cal)
        _internal_to(ctx, code, "routed", line["agency"],
                     f"Hồ sơ liên thông {code}: {'cơ quan chủ trì; ' if line['lead'] else ''}nội dung: "
                     f"{line['task'] or 'theo quy trình'}; thời hạn {line['days']} ngày làm việc"
                     + (f" (đến {due[11:16]} ngày {due[8:10]}/{due[5:7]}/{due[:4]})" if due else "") + ".")
    if received.get("paper_by"):
        at = datetime.fromtimestamp(received["paper_by"], cal.tz)
        steps = store.state(ctx.db, code).steps
        _internal_to(ctx, code, "routed", steps[0], f"Hồ sơ {code} (tiếp nhận không phụ thuộc địa giới hành "
                     f"chính): hồ sơ điện tử đã chuyển; hồ sơ giấy chuyển đến chậm nhất {at:%H:%M} ngày {at:%d/%m/%Y}.")


def _giver(db: sqlite_utils.Database, code: str) -> str:
    """Who hands the dossier over: the specialist who finished the last step, or the receiving officer."""
    evs = store.events(db, code)
    for ev in reversed(evs):
        if ev.kind in ("step_done", "rejected") and ev.by:
            return ev.by
        if ev.kind == "transferred":
            break
    return evs[0].by or UNIT_NAME


def run_transfer_batch(ctx: Ctx, force: bool = False) -> list[str]:
    """Move every waiting dossier whose time has come (Decree 118/2025 Art. 18(2)): one received after
    15:00 at the start of the next working day, one between agencies at once; `force`: all now."""
    moved = []
    for code in store.codes_in_status(ctx.db, ctx.site.id, (dm.RECEIVED, dm.AWAITING_TRANSFER)):
        evs = store.events(ctx.db, code)
        send_at = evs[0].data.get("transfer_at")
        if not force and evs[-1].kind == "received" and send_at is not None and send_at > ctx.now:
            continue
        if evs[0].data.get("on_spot") and evs[-1].kind == "received":
            continue  # solved at the counter: nothing to send
        transfer(ctx, code, by=_giver(ctx.db, code))
        moved.append(code)
    return moved


# --- specialists --------------------------------------------------------------------------------------

def _check_holder(s: dm.DossierState, agency: str | None) -> None:
    if agency is not None and s.holder != agency:
        raise DomainError("forbidden", f"The dossier is held by {s.holder}, not by your agency.",
                          f"Hồ sơ đang do {s.holder} giữ, không thuộc cơ quan của bạn.")


def _restart_due(cal: WorkCalendar, db: sqlite_utils.Database, code: str, at: float) -> float:
    """The due time counted again from `at` with the procedure's whole time limit (Art. 19(5))."""
    ev0 = store.events(db, code)[0]
    proc = cat_store.get(db, ev0.data.get("procedure") or "") or {}
    due = limits.due_after_supplement(cal, datetime.fromtimestamp(at, cal.tz),
                                      working_days=ev0.data.get("processing_days"),
                                      working_hours=ev0.data.get("processing_hours"),
                                      cutoff=parse_cutoff(proc.get("same_day_cutoff")))
    return float(round(due.timestamp() / 60) * 60)


def _resume_due(cal: WorkCalendar, at: float, remaining_s: float | None) -> float:
    """The due time when only the working time that was left runs again from `at` (a paused clock)."""
    # Whole minutes on both ends: seconds' crumbs must not spill a due time of 17:00 into tomorrow's 07:30.
    minutes = round((remaining_s or 0) / 60)
    due = cal.add_working_hours(datetime.fromtimestamp(at // 60 * 60, cal.tz), minutes / 60)
    return float(round(due.timestamp() / 60) * 60)  # due times are whole minutes


def specialist_action(ctx: Ctx, code: str, action: str, by: str, agency: str | None, data: dict) -> dict:
    """accept | reject | supplement | supplement_received | obligation | obligation_paid | stop | finish |
    corrected — by the agency holding the dossier."""
    code = normalise(code)
    s = store.state(ctx.db, code)
    _check_holder(s, agency)
    cal = calendar_for(ctx.db, ctx.site.id)
    base = {"agency": s.holder}
    now_local = datetime.fromtimestamp(ctx.now, cal.tz)
    left = max(cal.working_seconds_between(now_local, datetime.fromtimestamp(s.legal_due_at, cal.tz)), 0.0)
    if action == "accept":
        ev = dm.Event("accepted", ctx.now, by, base)
    elif action == "reject":
        ev = dm.Event("rejected", ctx.now, by, {**base, "reason": str(data.get("reason") or "")})
    elif action == "supplement":
        ev = dm.Event("supplement_requested", ctx.now, by, {
            **base, "reason": str(data.get("reason") or ""), "remaining_s": left,
            "close_at": limits.supplement_close_at(cal, now_local).timestamp()})
    elif action == "supplement_received":
        # Decree 118/2025 Art. 19(5): the time limit counts again from zero once the dossier is complete.
        ev = dm.Event("supplement_received", ctx.now, by, {**base, "due_at": _restart_due(cal, ctx.db, code, ctx.now)})
    elif action == "obligation":
        amount = data.get("amount_vnd")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 0):
            raise _bad("The amount must be a whole number of đồng, not negative.",
                       "Số tiền phải là số nguyên đồng không âm.")
        ev = dm.Event("obligation_requested", ctx.now, by, {
            **base, "content": str(data.get("content") or data.get("reason") or "").strip()[:500],
            "amount_vnd": amount, "remaining_s": left})
    elif action == "obligation_paid":
        # The time the citizen takes to pay is not counted: what was left runs again from now.
        ev = dm.Event("obligation_paid", ctx.now, by, {**base, "due_at": _resume_due(cal, ctx.now, s.remaining_s)})
    elif action == "stop":
        ev = dm.Event("stopped", ctx.now, by, {**base, "reason": str(data.get("reason") or "")})
    elif action == "finish":
        ev = dm.Event("step_done", ctx.now, by, {**base, "note": str(data.get("note") or "")[:500]})
    elif action == "corrected":
        ev = dm.Event("corrected", ctx.now, by, {**base, "note": str(data.get("note") or "")[:500]})
    else:
        raise _bad(f"This action is not valid ({action!r}).", "Thao tác không hợp lệ.")
    new = store.append(ctx.db, code, ev)
    if ev.kind in ("supplement_received", "obligation_paid"):  # a new due time: its alerts are owed again
        store.set_fields(ctx.db, code, at_risk_alerted_at=None, late_alerted_at=None)
    if ev.kind == "supplement_requested":
        close = datetime.fromtimestamp(ev.data["close_at"], cal.tz)
        _notify_citizen(ctx, code, "supplement", "Yêu cầu bổ sung, hoàn thiện hồ sơ",
                        f"Hồ sơ {code} cần bổ sung: {ev.data['reason']}. Thời hạn giải quyết được tính lại từ "
                        f"đầu khi nhận đủ hồ sơ. Nếu không bổ sung đến hết ngày {close:%d/%m/%Y}, hồ sơ sẽ "
                        "bị dừng giải quyết.")
    if ev.kind == "obligation_requested":
        amount = ev.data.get("amount_vnd")
        _notify_citizen(ctx, code, "obligation", "Thực hiện nghĩa vụ tài chính",
                        f"Hồ sơ {code}: mời ông (bà) thực hiện nghĩa vụ tài chính: {ev.data['content']}"
                        + (f" ({amount:,} đồng)".replace(",", ".") if amount else "") + ".")
    if ev.kind == "stopped":
        _notify_citizen(ctx, code, "stopped", "Thông báo dừng giải quyết hồ sơ",
                        f"Hồ sơ {code} đã dừng giải quyết. Lý do: {ev.data['reason']}. "
                        "Mời ông (bà) đến Bộ phận Một cửa nhận lại hồ sơ.")
    if ev.kind == "corrected":
        _notify_citizen(ctx, code, "ready", "Kết quả đã được đính chính",
                        f"Kết quả của hồ sơ {code} đã được đính chính; mời ông (bà) đến nhận.")
        ctx.effects.display_sites.add(ctx.site.id)
    if new.status == dm.AWAITING_TRANSFER:  # to the next agency, or back to the unit, at once
        transfer(ctx, code, by=by)
    return detail(ctx.db, code, ctx.now)


def withdraw(ctx: Ctx, code: str, by: str, reason: str = "") -> dict:
    """The citizen withdraws the dossier (rút hồ sơ) before the decision is issued (Decree 118/2025,
    Art. 21(1)); recorded at the counter, the papers are handed back."""
    code = normalise(code)
    store.append(ctx.db, code, dm.Event("withdrawn", ctx.now, by, {"reason": str(reason or "").strip()[:500]}))
    _notify_citizen(ctx, code, "withdrawn", "Đã rút hồ sơ",
                    f"Hồ sơ {code} đã được rút theo yêu cầu của ông (bà); hồ sơ giấy được trả lại.")
    return detail(ctx.db, code, ctx.now)


def request_correction(ctx: Ctx, code: str, reason: str, by: str) -> dict:
    """The citizen found an error in the result: the unit sends it back to the agency, which must return
    the corrected result within 3 working days (Decree 118/2025, Art. 23(1))."""
    code = normalise(code)
    cal = calendar_for(ctx.db, ctx.site.id)
    due = limits.correction_due(cal, datetime.fromtimestamp(ctx.now, cal.tz))
    new = store.append(ctx.db, code, dm.Event("correction_requested", ctx.now, by, {
        "reason": str(reason or "").strip()[:500], "due_at": due.timestamp()}))
    _internal(ctx, code, "correction", new.holder,
              f"Hồ sơ {code}: kết quả có sai sót ({new.reason}); chuyển lại kết quả đã đính chính chậm nhất "
              f"{due:%H:%M} ngày {due:%d/%m/%Y} (Nghị định 118/2025/NĐ-CP, Điều 23).")
    return detail(ctx.db, code, ctx.now)


# --- deadlines, apology ---------------------------------------------------------------------------------

MAX_EXTRA_DAYS = 60


def apologise(ctx: Ctx, code: str, reason: str, by: str, *, new_due: str | None = None,
              extra_working_days: int | None = None, agency: str | None = None) -> dict:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả: a new date, the reason, and the citizen is told.
    `agency`, when given, must be the holder (a specialist apologises only for what their agency holds)."""
    if extra_working_days is not None and (isinstance(extra_working_days, bool) or not isinstance(
            extra_working_days, int) or not 1 <= extra_working_days <= MAX_EXTRA_DAYS):
        raise _bad(f"The extra days must be from 1 to {MAX_EXTRA_DAYS}.",
                   f"Số ngày hẹn thêm từ 1 đến {MAX_EXTRA_DAYS}.")
    code = normalise(code)
    s = store.state(ctx.db, code)
    _check_holder(s, agency)
    cal = calendar_for(ctx.db, ctx.site.id)
    problem = limits.apology_problem(cal, now=datetime.fromtimestamp(ctx.now, cal.tz),
                                     due=datetime.fromtimestamp(s.legal_due_at, cal.tz), apologies=s.apologies)
    if problem:
        raise DomainError("conflict", problem[1], problem[0])
    if new_due:
        try:
            d = datetime.fromisoformat(new_due)
        except ValueError:
            raise _bad("The new date is not valid (YYYY-MM-DD or YYYY-MM-DDTHH:MM).",
                       "Ngày hẹn mới không hợp lệ (YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM).") from None
        when = cal.day_end(d.date()) if len(new_due) <= 10 else cal.local(d)
    else:
        base = datetime.fromtimestamp(max(s.promised_due_at, ctx.now), cal.tz)
        when = cal.due_working_days(base, extra_working_days or 1)
    ev = dm.Event("apology_issued", ctx.now, by, {"reason": str(reason or "").strip(),
                                                  "new_due_at": when.timestamp(), "agency": s.holder})
    store.append(ctx.db, code, ev)
    _notify_citizen(ctx, code, "apology", "Xin lỗi và hẹn lại ngày trả kết quả",
                    f"{s.holder} xin lỗi: hồ sơ {code} chưa có kết quả đúng hẹn. Lý do: {ev.data['reason']}. "
                    f"Hẹn trả kết quả lúc {when:%H:%M} ngày {when:%d/%m/%Y}.")
    return apology_form(ctx.db, ctx.site, code)


def _last(db: sqlite_utils.Database, site, code: str, kind: str, missing: str,
          missing_vi: str) -> tuple[dict, WorkCalendar, dm.Event, dict]:
    """The dossier, calendar, latest `kind` event and settings a form about that event is built from."""
    row = _load(db, code)
    evs = [e for e in store.events(db, row["code"]) if e.kind == kind]
    if not evs:
        raise DomainError("not_found", missing, missing_vi)
    return row, calendar_for(db, site.id), evs[-1], settings(db, site)


def apology_form(db: sqlite_utils.Database, site, code: str) -> dict:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả: issued by the agency at fault (the holder when it was
    apologised for), under its own name and numbering (per agency and year), signed by its head."""
    row, cal, ev, s = _last(db, site, code, "apology_issued", "This dossier has no apology letter yet.",
                              "Hồ sơ này chưa có phiếu xin lỗi.")
    agency = ev.data.get("agency") or s["unit_name"]
    head = (s.get("agency_heads") or {}).get(agency) or {}
    number = store.event_rank(db, row["code"], "apology_issued", _year_start(cal, ev.at), agency)
    return {"form": "apology", "code": row["code"], **_form_head(s, "apology", row["received_at"]),
            "date": iso(ev.at, cal)[:10],
            "applicant": row["applicant"], "procedure": row["procedure_name"],
            "received_at": iso(row["received_at"], cal), "due_at": iso(row["legal_due_at"], cal),
            "reason": ev.data["reason"], "new_due_at": iso(ev.data["new_due_at"], cal), "agency": agency,
            "head_name": head.get("name", ""), "head_title": head.get("title", ""), "by": ev.by,
            "number": number}


def refusal_form(db: sqlite_utils.Database, site, code: str) -> dict:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ of a dossier an agency rejected: every reason it wrote
    (one per line or ';'), numbered in the site's one series of refusal sheets for the year."""
    row, cal, ev, s = _last(db, site, code, "rejected", "This dossier was not refused.",
                              "Hồ sơ này không bị từ chối giải quyết.")
    since = _year_start(cal, ev.at)
    number = store.event_rank(db, row["code"], "rejected", since) + refusal_store.before(db, site.id, since, ev.at)
    return refusals.sheet(_form_head(s, "refusal", row["received_at"]), number=number, date=iso(ev.at, cal)[:10],
                          applicant=row["applicant"], procedure=row["procedure_name"],
                          agency=ev.data.get("agency") or s["unit_name"], reasons=refusals.split(ev.data.get("reason")),
                          by=ev.by, code=row["code"])


def stop_form(db: sqlite_utils.Database, site, code: str) -> dict:
    """Thông báo dừng giải quyết hồ sơ (Mẫu 05, Circular 03/2025): why processing stopped (a supplement
    not completed in 15 days, Decree 118/2025 Art. 19(5), or the agency's reason), numbered per site and
    year; laid out as the refusal sheet, with its own wording."""
    row, cal, ev, s = _last(db, site, code, "stopped", "Processing of this dossier was not stopped.",
                              "Hồ sơ này không bị dừng giải quyết.")
    number = store.event_rank(db, row["code"], "stopped", _year_start(cal, ev.at))
    out = refusals.sheet(_form_head(s, "stop", row["received_at"]), number=number, date=iso(ev.at, cal)[:10],
                         applicant=row["applicant"], procedure=row["procedure_name"],
                         agency=ev.data.get("agency") or s["unit_name"], reasons=refusals.split(ev.data.get("reason")),
                         by=ev.by, code=row["code"])
    return {**out, "form": "stop"}


def supplement_form(db: sqlite_utils.Database, site, code: str) -> dict:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02) of an agency's request for a received dossier
    (Decree 118/2025 Art. 19(5)): what to add, and that the time limit then counts again."""
    row, cal, ev, s = _last(db, site, code, "supplement_requested", "No supplement was asked for this dossier.",
                              "Hồ sơ này không có yêu cầu bổ sung.")
    proc = cat_store.get(db, row["procedure_id"]) or {}
    return {"form": "supplement", "code": row["code"], **_form_head(s, "guidance", row["received_at"]),
            "date": iso(ev.at, cal)[:10], "applicant": row["applicant"],
            "procedure": {"id": row["procedure_id"], "code": proc.get("code"), "name": row["procedure_name"]},
            "missing": refusals.split(ev.data.get("reason")), "agency": ev.data.get("agency"),
            "close_at": iso(ev.data.get("close_at"), cal), "contact": {"name": ev.by, "phone": s["hotline"]}}


def refuse_intake(ctx: Ctx, data: dict, *, officer_id: str | None = None, officer: str | None = None,
                  counter: int | None = None, ticket_id: int | None = None) -> dict:
    """Refuse papers at the counter (out of this office's remit, a procedure not handled here, papers the
    citizen cannot supply): no dossier, no code, no register row; the refusal is recorded (who, when,
    which procedure, whose, why) and the sheet for the citizen returned."""
    proc = _procedure(ctx.db, data["procedure"]) if data.get("procedure") else None
    request = refusals.request_text(proc["name"] if proc else None, data.get("request"))
    name = rules.applicant_name(data.get("applicant") or {})  # only the name: the sheet asks no more
    reasons = refusals.reasons(data.get("reasons"))
    rid = refusal_store.insert(ctx.db, {
        "site_id": ctx.site.id, "at": ctx.now, "officer_id": officer_id, "officer": officer or "",
        "counter": counter, "ticket_id": ticket_id, "procedure_id": proc["id"] if proc else None,
        "procedure_name": request, "applicant_name": name, "reasons": reasons})
    form = intake_refusal_form(ctx.db, ctx.site, rid)
    ctx.changed("dossier.refuse_intake", f"{form['number']}/TCHS",
                after={"procedure": proc["id"] if proc else None, "reasons": len(reasons)})
    return {"refusal_id": rid, "refusal": form}


def intake_refusal_form(db: sqlite_utils.Database, site, refusal_id: int) -> dict:
    """The sheet of a refusal at intake: the same form as a refused dossier's, issued by the unit itself,
    without a dossier code."""
    r = refusal_store.get(db, site.id, refusal_id)
    if r is None:
        raise DomainError("not_found", "There is no refusal at intake with this number.",
                          "Không tìm thấy lần từ chối tiếp nhận này.")
    cal, s = calendar_for(db, site.id), settings(db, site)
    number = refusal_store.sheet_number(db, site.id, refusal_id, _year_start(cal, r["at"]))
    return refusals.sheet(_form_head(s, "refusal"), number=number, date=iso(r["at"], cal)[:10],
                          applicant={"name": r["applicant_name"]}, procedure=r["procedure_name"], agency=s["unit_name"],
                          reasons=r["reasons"], by=r["officer"])


def risk_threshold_s(db: sqlite_utils.Database, site_id: str, cal: WorkCalendar) -> float:
    """The site's at-risk threshold in office seconds (`at_risk_working_days`, default 2)."""
    days = store.get_settings(db, site_id).get("at_risk_working_days", dm.AT_RISK_WORKING_DAYS)
    return limits.at_risk_threshold_s(cal, float(days))


def deadline_scan(ctx: Ctx) -> dict:
    """Alert agency and unit (and tell the citizen) when the dossier comes within the site's at-risk
    threshold (default 2 working days: early enough to apologise at least 1 day before the deadline,
    Decree 118/2025 Art. 19(6)); flag late dossiers without an apology; close (stop, with the Mẫu 05
    notice) dossiers whose supplement was not completed 15 days after the notice (Art. 19(5)). Each
    alert once per dossier. A dossier waiting for the citizen (supplement, financial obligation) is not
    alerted: its time does not run."""
    cal = calendar_for(ctx.db, ctx.site.id)
    now_local = datetime.fromtimestamp(ctx.now, cal.tz)
    threshold = risk_threshold_s(ctx.db, ctx.site.id, cal)
    horizon = ctx.now + 60 * 24 * 3600  # nothing further away is within a few working days
    rows = dossier_lists.open_due_before(ctx.db, ctx.site.id, horizon)
    at_risk, late, closed = [], [], []
    for code, due, holder, risk_at, late_at, apologies in rows:
        left = cal.working_seconds_between(now_local, datetime.fromtimestamp(due, cal.tz))
        if ctx.now > due:
            if late_at is None:
                store.set_fields(ctx.db, code, late_alerted_at=ctx.now)
                late.append(code)
                if not apologies:
                    _internal(ctx, code, "late", holder,
                              f"Hồ sơ {code} đã quá hạn mà chưa có Văn bản xin lỗi và đề nghị gia hạn.")
        elif left < threshold and risk_at is None:
            store.set_fields(ctx.db, code, at_risk_alerted_at=ctx.now)
            at_risk.append(code)
            latest = limits.apology_latest(cal, datetime.fromtimestamp(due, cal.tz))
            _internal(ctx, code, "at_risk", holder,
                      f"Hồ sơ {code} còn {max(left, 0) / 3600:.1f} giờ làm việc đến hạn trả kết quả; nếu không "
                      f"kịp, gửi Văn bản xin lỗi và đề nghị gia hạn chậm nhất {latest:%H:%M} ngày "
                      f"{latest:%d/%m/%Y} (Nghị định 118/2025/NĐ-CP, Điều 19 khoản 6).")
            _notify_citizen(ctx, code, "at_risk", "Hồ sơ sắp đến hạn trả kết quả",
                            f"Hồ sơ {code} sắp đến hạn trả kết quả; cơ quan giải quyết đang xử lý. "
                            "Nếu chậm, chúng tôi sẽ thông báo ngày hẹn mới.")
    for code in store.supplements_expired(ctx.db, ctx.site.id, ctx.now):
        store.append(ctx.db, code, dm.Event("stopped", ctx.now, UNIT_NAME, {
            "reason": SUPPLEMENT_NOT_COMPLETED, "closed": True}))
        closed.append(code)
        _notify_citizen(ctx, code, "stopped", "Thông báo dừng giải quyết hồ sơ",
                        f"Hồ sơ {code} đã dừng giải quyết: {SUPPLEMENT_NOT_COMPLETED}")
    return {"at_risk": at_risk, "late": late, "closed": closed}


SUPPLEMENT_NOT_COMPLETED = ("Sau 15 ngày kể từ ngày thông báo yêu cầu bổ sung, hoàn thiện hồ sơ, người nộp "
                            "không hoàn thiện hồ sơ (Nghị định 118/2025/NĐ-CP, Điều 19 khoản 5).")


def _internal_to(ctx: Ctx, code: str, kind: str, agency: str, text: str) -> None:
    from hub.notify import outbox

    outbox.enqueue(ctx.db, ctx.site.id, code, kind, "agency", agency, f"[{code}] {kind}", text, ctx.now)


def _internal(ctx: Ctx, code: str, kind: str, agency: str, text: str) -> None:
    from hub.notify import outbox

    for channel, recipient in (("agency", agency), ("unit", UNIT_NAME)):
        outbox.enqueue(ctx.db, ctx.site.id, code, kind, channel, recipient, f"[{code}] {kind}", text, ctx.now)


def _notify_citizen(ctx: Ctx, code: str, kind: str, subject: str, text: str) -> None:
    from hub.notify import outbox

    row = _load(ctx.db, code)
    a = row["applicant"]
    for channel in a.get("notify") or []:
        recipient = a.get("phone") if channel == "sms" else a.get("email")
        if recipient:
            outbox.enqueue(ctx.db, ctx.site.id, code, kind, channel, recipient, subject, text, ctx.now)


# --- return ---------------------------------------------------------------------------------------------

def return_dossier(ctx: Ctx, code: str, *, fees_paid: bool, signed: bool, by: str,
                   ticket_id: int | None = None, tracking: str | None = None) -> dict:
    """Hand the result over: fees confirmed first (001 L809); in person (signature noted) or by post
    (tracking number). The ticket being served is linked so the citizen's vote lands on this dossier."""
    code = normalise(code)
    row = _load(ctx.db, code)
    post = row["return_method"] == "post"
    tracking = (tracking or "").strip().upper()
    # a transfer the officer recorded is a payment; a free procedure has no fee step at all
    fees_paid = fees_paid or dossier_files.paid(ctx.db, code) or not row["fees_vnd"]
    if not fees_paid:  # checked again by the state machine; first here so the officer hears it first
        raise DomainError("conflict", "Confirm that the fees were paid before returning the result.",
                          "Phải xác nhận đã thu phí, lệ phí trước khi trả kết quả.")
    if post and not re.match(r"^[A-Z0-9]{8,20}$", tracking):
        raise _bad("Returned by post: type the postal tracking number (8–20 letters and digits).",
                   "Trả qua bưu chính: nhập số hiệu bưu gửi (8–20 chữ, số).")
    if not post and not signed:
        raise _bad("The recipient must sign the dossier register before the result is returned.",
                   "Người nhận phải ký nhận vào Sổ theo dõi hồ sơ trước khi trả kết quả.")
    s = store.state(ctx.db, code)
    if s.status == dm.RECEIVED and s.on_spot:
        store.append(ctx.db, code, dm.Event("resolved_on_spot", ctx.now, by, {}))
    store.append(ctx.db, code, dm.Event("returned", ctx.now, by, {
        "fees_paid": bool(fees_paid), "fees_vnd": row["fees_vnd"], "signed": bool(signed),
        "method": row["return_method"], "tracking": tracking or None, "ticket_id": ticket_id}))
    fields: dict = {}
    if ticket_id is not None:
        fields["return_ticket_id"] = ticket_id
        dossier_lists.link_votes(ctx.db, ticket_id, code)
    if tracking:
        fields["postal_tracking"] = tracking
    if fields:
        store.set_fields(ctx.db, code, **fields)
    return detail(ctx.db, code, ctx.now)


# --- board --------------------------------------------------------------------------------------------

def board(db: sqlite_utils.Database, site, now: float) -> dict:
    """The progress board (display controller): results ready to collect, masked, and on-time rates."""
    from hub.domain.reports import on_time_rate

    cal = calendar_for(db, site.id)
    today = datetime.fromtimestamp(now, cal.tz).date()
    week_start = today.toordinal() - today.weekday()
    rows = dossier_lists.ready(db, site.id)
    ready = [{"code": r[0], "applicant": mask_name(r[1]), "procedure": r[2], "ready_at": iso(r[3], cal)}
             for r in rows]

    def rate(start: date) -> dict:
        lo = cal.day_start(start).replace(hour=0, minute=0).timestamp()
        fin = dossier_lists.finished_between(db, site.id, lo, now)
        on_time = sum(1 for f, d in fin if f <= d)
        return {"finished": len(fin), "on_time": on_time, "rate": on_time_rate(on_time, len(fin))}

    return {"site": site.id, "generated_at": iso(now, cal), "ready": ready, "today": rate(today),
            "week": rate(date.fromordinal(week_start))}


def agency_queue(db: sqlite_utils.Database, site_id: str, agency: str, now: float) -> list[dict]:
    """Dossiers an agency holds (or must act on), most urgent first, with their risk."""
    cal = calendar_for(db, site_id)
    rows = dossier_lists.held_by(db, site_id, agency)
    out = []
    now_local = datetime.fromtimestamp(now, cal.tz)
    threshold = risk_threshold_s(db, site_id, cal)
    for code, name, status, due, promised, apologies in rows:
        left = cal.working_seconds_between(now_local, datetime.fromtimestamp(due, cal.tz))
        risk = dm.OVERDUE if now > due else (dm.AT_RISK if left < threshold else dm.ON_TRACK)
        if status == dm.AWAITING_TRANSFER:
            risk = None
        words = limits.due_in_words(cal, now_local, datetime.fromtimestamp(due, cal.tz))
        out.append({"code": code, "procedure": name, "status": status, "status_vi": dm.STATUS_VI[status],
                    "due_at": iso(due, cal), "promised_due_at": iso(promised, cal), "apologised": apologies > 0,
                    "due_vi": words["due_vi"], "due_left_vi": words["left_vi"], "due_left_en": words["left_en"],
                    "working_days_left": words["working_days"],
                    "hours_left": round(left / 3600, 1), "risk": risk,
                    "files": [{"id": f["id"], "name": f["name"], "pages": f["pages"], "kind": f["kind"],
                               "ocr": f["ocr_state"], "ocr_note": f["ocr_note"]}
                              for f in dossier_files.listing(db, code)["files"] if f["complete"]],
                    "datastore": datastore.status_for(db, code)})
    return out
