"""Office administration from the console: services, counters and site settings.

Each form edits the site's configuration document (hub.store.site_config) and loads it again with
`load_site`, the same operation `motcua hub site load` runs: one validation, one set of writes, and the
lobby screens, kiosks and counters follow once it commits. Every refusal is explained in Vietnamese."""

from __future__ import annotations

import re

from hub.ops.context import Ctx
from hub.ops.sites import load_site
from hub.store import site_config
from hub.store.sites import SiteConfigError
from motcua_core.errors import DomainError

CODE_RE = re.compile(r"^[A-Z0-9]{1,8}$")


def _bad(message: str, message_vi: str) -> DomainError:
    return DomainError("bad_request", message, message_vi)


def _int(data: dict, key: str, label_vi: str, lo: int, hi: int, default: int | None = None) -> int:
    raw = data.get(key, default)
    try:
        value = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad(f"{key} must be a whole number", f"{label_vi} phải là số nguyên.") from None
    if not lo <= value <= hi:
        raise _bad(f"{key} must be within {lo}–{hi}", f"{label_vi} phải trong khoảng {lo}–{hi}.")
    return value


def _load(ctx: Ctx, cfg: dict) -> None:
    try:
        load_site(ctx, cfg)
    except SiteConfigError as exc:
        raise _bad(str(exc), f"Cấu hình không hợp lệ: {exc}") from None


def save_service(ctx: Ctx, data: dict) -> dict:
    """Add or change a service: code, name, field, ticket numbering, wait target and service time (minutes;
    the service time sets the seats of each booking slot and the wait estimate before any is measured)."""
    code = str(data.get("code") or "").strip().upper()
    if not CODE_RE.match(code):
        raise _bad("bad service code", "Mã dịch vụ gồm 1–8 chữ in hoa không dấu hoặc số (ví dụ HT, DD).")
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 80:
        raise _bad("service name required", "Cần tên dịch vụ (tối đa 80 ký tự).")
    cfg = site_config.export(ctx.db, ctx.site.id)
    fields = {f["code"] for f in cfg["fields"]}
    field = str(data.get("field") or "").strip()
    if field not in fields:
        raise _bad("unknown field", "Hãy chọn lĩnh vực của dịch vụ trong danh sách.")
    prefix = str(data.get("prefix") or "").strip().upper()
    if len(prefix) > 3 or not prefix.isalpha() and prefix:
        raise _bad("bad prefix", "Tiền tố số vé gồm tối đa 3 chữ cái không dấu.")
    start = _int(data, "start", "Số đầu", 0, 99999, 1)
    end = _int(data, "end", "Số cuối", 1, 999999, 999)
    if end <= start:
        raise _bad("end must exceed start", "Số cuối phải lớn hơn số đầu.")
    width = max(len(str(end)), _int(data, "width", "Số chữ số", 1, 6, len(str(end))))
    target = _int(data, "wait_target_min", "Thời gian chờ mục tiêu (phút)", 1, 240, 15)
    before = next((s for s in cfg["services"] if s["code"] == code), None)
    service_s = (before or {}).get("avg_service_s")
    if data.get("service_min") not in (None, ""):
        service_s = _int(data, "service_min", "Thời gian phục vụ một người (phút)", 1, 120) * 60
    svc = {**(before or {}), "avg_service_s": service_s, "code": code, "name": name, "name_en": str(data.get("name_en") or "").strip() or None,
           "field": field, "numbering": {"prefix": prefix, "start": start, "end": end, "width": width},
           "wait_target_s": target * 60}
    svc = {k: v for k, v in svc.items() if v is not None}
    if before is None:
        cfg["services"].append(svc)
    else:
        cfg["services"] = [svc if s["code"] == code else s for s in cfg["services"]]
    _load(ctx, cfg)
    site_config.set_wait_targets(ctx.db, ctx.site.id, {code: target * 60})
    ctx.changed("service.add" if before is None else "service.change", code, before, svc)
    return svc


def save_counter(ctx: Ctx, data: dict) -> dict:
    """Add or change a counter: its number, name and the services it serves."""
    number = _int(data, "number", "Số quầy", 1, 999)
    cfg = site_config.export(ctx.db, ctx.site.id)
    services = data.get("services")
    if isinstance(services, str):
        services = [s.strip().upper() for s in services.split(",") if s.strip()]
    known = {s["code"] for s in cfg["services"]}
    if not isinstance(services, list) or not services:
        raise _bad("a counter serves at least one service", "Quầy phải phục vụ ít nhất một dịch vụ.")
    unknown = [s for s in services if s not in known]
    if unknown:
        raise _bad(f"unknown services {unknown}", f"Không có dịch vụ: {', '.join(map(str, unknown))}.")
    name = str(data.get("name") or "").strip() or f"Quầy {number}"
    before = next((c for c in cfg["counters"] if c["number"] == number), None)
    ctr = {"number": number, "name": name[:40], "services": services}
    if before is None:
        cfg["counters"].append(ctr)
    else:
        cfg["counters"] = [ctr if c["number"] == number else c for c in cfg["counters"]]
    _load(ctx, cfg)
    ctx.changed("counter.add" if before is None else "counter.change", str(number), before, ctr)
    return ctr


POLICY_MODES = ("interleave", "strict", "fifo")


def save_settings(ctx: Ctx, data: dict) -> dict:
    """Site settings an administrator changes: the lobby notice, the names, when the kiosks give tickets
    (from, the last one, which weekdays; empty: at any time) and the ordering rule of the queue. A partial
    update: only the fields `data` names change (`{"notice": …}` keeps both names; `"name_en": ""` clears
    the English one)."""
    cfg = site_config.export(ctx.db, ctx.site.id)
    keys = ("name", "name_en", "notice", "ticket_hours", "policy")
    before = {k: cfg["site"].get(k) for k in keys}
    if "ticket_opens" in data or "ticket_last" in data or "ticket_days" in data:
        opens, last = str(data.get("ticket_opens") or "").strip(), str(data.get("ticket_last") or "").strip()
        days = data.get("ticket_days") or []
        if not opens and not last:
            cfg["site"].pop("ticket_hours", None)  # tickets at any time
        else:
            if not all(isinstance(d, int) and 0 <= d <= 6 for d in days) or not days:
                raise _bad("ticket days must be weekdays 0–6", "Hãy chọn ít nhất một ngày trong tuần cấp số.")
            cfg["site"]["ticket_hours"] = {"opens": opens, "last_ticket": last, "weekdays": sorted(set(days))}
    if data.get("policy_mode"):
        mode = str(data["policy_mode"])
        if mode not in POLICY_MODES:
            raise _bad("unknown ordering rule", "Quy tắc thứ tự phải là xen kẽ, ưu tiên tuyệt đối hoặc theo thứ tự đến.")
        every = _int(data, "policy_every", "Số người thường giữa hai người ưu tiên", 1, 20,
                     (cfg["site"].get("policy") or {}).get("every", 3))
        cfg["site"]["policy"] = {**(cfg["site"].get("policy") or {}), "mode": mode, "every": every}
    notice = str(data["notice"] or "") if "notice" in data else str(before["notice"] or "")
    if len(notice) > 300:
        raise _bad("notice too long", "Thông báo tối đa 300 ký tự.")
    name = str(data["name"] or "").strip() if "name" in data else str(before["name"] or "")
    if not name or len(name) > 120:
        raise _bad("site name required", "Cần tên đơn vị (tối đa 120 ký tự).")
    name_en = (str(data["name_en"] or "").strip() or None) if "name_en" in data else before["name_en"]
    cfg["site"].update(name=name, name_en=name_en, notice=notice)
    if "notice" in data:  # the single notice of earlier forms: the text of the first notice (the list stays)
        cfg.pop("notices", None)
    _load(ctx, cfg)
    after = {k: cfg["site"].get(k) for k in keys}
    ctx.changed("site.settings", ctx.site.id, before, after)
    return after


def _signed_out(ctx: Ctx, oid: str) -> None:
    """An officer who no longer works here is signed out everywhere at once; a ticket being served stays
    on its counter."""
    from hub.store import signin as signin_store
    from hub.store import sites as site_store

    signin_store.end_sessions(ctx.db, ctx.site.id, officer_id=oid)
    for c in site_store.list_counters(ctx.db, ctx.site.id):
        if c.officer == oid:
            site_store.update_counter(ctx.db, ctx.site.id, c.number, officer=None,
                                      status=c.status if c.current_ticket is not None else "closed")
    ctx.effects.display_sites.add(ctx.site.id)


def save_officer(ctx: Ctx, data: dict) -> dict:
    """Add or rename an officer, name the agency that seconded them, and set (or reset) their counter
    sign-in: user name and PIN."""
    from hub.store import officers as officer_store
    from motcua_core.protocol import ID_RE

    oid = str(data.get("id") or "").strip().lower()
    if not ID_RE.match(oid):
        raise _bad("bad officer id", "Mã cán bộ gồm chữ thường không dấu, số và '-' (ví dụ nguyen-van-a).")
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 80:
        raise _bad("officer name required", "Cần họ tên cán bộ (tối đa 80 ký tự).")
    pin = str(data.get("pin") or "")
    if pin and not officer_store.PIN_RE.match(pin):
        raise _bad("bad PIN", "Mã PIN phải gồm toàn chữ số, độ dài theo quy định (ít nhất 4).")
    username = str(data.get("username") or "").strip().lower() or None
    agency = (str(data["agency"] or "").strip()[:120] or None) if "agency" in data else None
    cfg = site_config.export(ctx.db, ctx.site.id)
    before = next((o for o in cfg["officers"] if o["id"] == oid), None)
    if before is None:
        cfg["officers"].append({"id": oid, "name": name})
    else:
        cfg["officers"] = [{**o, "name": name} if o["id"] == oid else o for o in cfg["officers"]]
    _load(ctx, cfg)
    if username or pin:
        officer_store.set_credentials(ctx.db, ctx.site.id, oid, pin=pin or None, username=username)
    if "agency" in data:
        officer_store.set_agency(ctx.db, ctx.site.id, oid, agency)
    active = data.get("active")
    if active is not None:
        was = officer_store.is_active(ctx.db, ctx.site.id, oid)
        officer_store.set_active(ctx.db, ctx.site.id, oid, bool(active))
        if was and not active:
            _signed_out(ctx, oid)
    after = {"id": oid, "name": name, **({"username": username} if username else {}),
             **({"agency": agency} if "agency" in data else {}),
             **({"pin": "đã đặt lại"} if pin else {}), **({"active": bool(active)} if active is not None else {})}
    ctx.changed("officer.add" if before is None else "officer.change", oid, before, after)
    return after


def retire(ctx: Ctx, data: dict) -> dict:
    """Retire a service, a counter or an officer (`retired: true`), or bring one back (`false`). Nothing is
    deleted: tickets, dossiers, votes and reports keep naming it. A retired service leaves the kiosks and
    the counters that served it; a retired counter leaves the lobby, the dashboard and the devices'
    choices; a retired officer cannot sign in (signed out at once). Audited as `<kind>.retire|restore`."""
    from hub.domain import retirement as rules

    kind, key, retired = data.get("kind"), str(data.get("key") or "").strip(), data.get("retired", True)
    if kind not in rules.KINDS or not key or not isinstance(retired, bool):
        raise _bad("kind (service, counter, officer), key and retired (true/false) required",
                   "Hãy chọn dịch vụ, quầy hoặc cán bộ cần ngừng hay khôi phục.")
    change = {"service": _retire_service, "counter": _retire_counter, "officer": _retire_officer}[kind]
    key, name = change(ctx, key, retired)
    ctx.changed(f"{kind}.{'retire' if retired else 'restore'}", key, {"retired": not retired},
                {"retired": retired, "name": name})
    return {"kind": kind, "key": key, "name": name, "retired": retired}


def _retire_service(ctx: Ctx, key: str, retired: bool) -> tuple[str, str]:
    """Out of the site's document (the load marks it inactive; no counter serves it), or back in it."""
    from hub.domain import retirement as rules
    from hub.store import appointments as appt_store
    from hub.store import sites as site_store
    from hub.store import tickets as ticket_store

    sid, code = ctx.site.id, key.upper()
    cfg = site_config.export(ctx.db, sid)
    live = next((s for s in cfg["services"] if s["code"] == code), None)
    gone = next((s for s in site_store.service_docs(ctx.db, sid, active=False) if s["code"] == code), None)
    if retired:
        if live is None:
            raise _missing(gone is not None, f"service {code}", f"Dịch vụ {code} đã ngừng rồi.",
                           f"Không có dịch vụ {code}.")
        problem = rules.service_problem(code, ticket_store.waiting_counts(ctx.db, sid, ctx.day).get(code, 0),
                                        [(c["number"], tuple(c["services"])) for c in cfg["counters"]],
                                        appt_store.booked_ahead(ctx.db, sid, code, ctx.day))
        if problem:
            raise problem
        cfg["services"] = [s for s in cfg["services"] if s["code"] != code]
        cfg["counters"] = rules.without_service(code, cfg["counters"])
    else:
        if gone is None:
            raise _missing(live is not None, f"service {code}", f"Dịch vụ {code} đang hoạt động rồi.",
                           f"Không có dịch vụ {code}.")
        cfg["services"].append(gone)
    _load(ctx, cfg)
    return code, (live or gone or {}).get("name", code)


def _retire_counter(ctx: Ctx, key: str, retired: bool) -> tuple[str, str]:
    """A closed, idle counter leaves the lobby and the choices; back, it serves what is still in service."""
    from hub.domain import retirement as rules
    from hub.store import devices as device_store
    from hub.store import sites as site_store

    sid = ctx.site.id
    try:
        number = int(key)
        c = site_store.get_counter(ctx.db, sid, number)
    except (ValueError, DomainError):
        raise DomainError("not_found", f"no counter {key}", f"Không có quầy {key}.") from None
    if c.active != retired:
        raise _bad(f"counter {number} is already {'retired' if retired else 'in service'}",
                   f"Quầy {number} {'đã ngừng' if retired else 'đang hoạt động'} rồi.")
    if retired:
        problem = rules.counter_problem(number, c.status, c.current_ticket is not None)
        if problem:
            raise problem
        site_store.set_counter_active(ctx.db, sid, number, False)
    else:
        active = {s["code"] for s in site_store.service_docs(ctx.db, sid)}
        site_store.set_counter_active(ctx.db, sid, number, True, rules.restored_services(c.services, active))
    device_store.bump_revision(ctx.db)  # its devices and the lobby are told
    ctx.effects.display_sites.add(sid)
    return str(number), c.name


def _retire_officer(ctx: Ctx, key: str, retired: bool) -> tuple[str, str]:
    """No sign-in from then on (signed out at once), or signing in again."""
    from hub.store import officers as officer_store

    officer = officer_store.find(ctx.db, ctx.site.id, key)
    if officer is None:
        raise DomainError("not_found", f"no officer {key}", "Không tìm thấy cán bộ.")
    if officer["active"] == (not retired):
        raise _bad(f"officer {key} is already {'retired' if retired else 'working'}",
                   f"Cán bộ {officer['name']} {'đã ngừng' if retired else 'đang làm việc'} rồi.")
    officer_store.set_active(ctx.db, ctx.site.id, key, not retired)
    if retired:
        _signed_out(ctx, key)
    return key, officer["name"]


def _missing(other_state: bool, what: str, already_vi: str, unknown_vi: str) -> DomainError:
    """An item asked to become what it already is (a 400 saying so), or one that does not exist."""
    if other_state:
        return _bad(f"{what}: nothing to change", already_vi)
    return DomainError("not_found", f"no {what}", unknown_vi)


def save_vote_question(ctx: Ctx, data: dict) -> dict:
    """The satisfaction question the voting tablets ask (its four levels and reasons stay the standard ones)."""
    import json

    from hub.domain import votes as vote_rules
    from hub.ops.votes import questions
    from hub.store.db import set_meta

    text_vi = str(data.get("text_vi") or "").strip()
    if not text_vi or len(text_vi) > 200:
        raise _bad("question text required", "Cần nội dung câu hỏi bằng tiếng Việt (tối đa 200 ký tự).")
    text_en = str(data.get("text_en") or "").strip()[:200] or vote_rules.DEFAULT_QUESTIONS[0]["text_en"]
    current = questions(ctx)
    before = {"text_vi": current[0]["text_vi"], "text_en": current[0]["text_en"]}
    new = [{**current[0], "text_vi": text_vi, "text_en": text_en}, *current[1:]]
    set_meta(ctx.db, f"vote_questions:{ctx.site.id}", json.dumps(new, ensure_ascii=False))
    after = {"text_vi": text_vi, "text_en": text_en}
    ctx.changed("vote_question.change", ctx.site.id, before, after)
    return after


def _list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[,;\s]+", str(value or "")) if v.strip()]


def save_calendar(ctx: Ctx, data: dict) -> dict:
    """The working calendar dossiers are counted on (days off, make-up working days, office hours) and
    the dossier settings printed on forms (unit name, hotline)."""
    from hub.domain.calendar import CalendarConfigError
    from hub.store import dossiers as dossier_store

    cfg = dossier_store.get_settings(ctx.db, ctx.site.id)
    before = {"calendar": cfg.get("calendar") or {}, "unit_name": cfg.get("unit_name"), "hotline": cfg.get("hotline")}
    cal = dict(cfg.get("calendar") or {})
    if "days_off" in data:
        cal["days_off"] = sorted(set(_list(data["days_off"])))
    if "working_days" in data:
        cal["working_days"] = sorted(set(_list(data["working_days"])))
    if data.get("hours"):
        try:
            cal["hours"] = [list(span.split("-")) for span in _list(data["hours"])]
        except ValueError:
            raise _bad("bad hours", "Giờ làm việc có dạng 07:30-11:30, 13:30-17:00.") from None
        if any(len(h) != 2 for h in cal["hours"]):
            raise _bad("bad hours", "Giờ làm việc có dạng 07:30-11:30, 13:30-17:00.")
    cfg["calendar"] = cal
    for key in ("unit_name", "hotline"):
        if data.get(key) is not None:
            cfg[key] = str(data[key]).strip()[:120] or None
    try:
        dossier_store.set_settings(ctx.db, ctx.site.id, cfg)
    except CalendarConfigError as exc:
        raise _bad(str(exc), f"Lịch làm việc không hợp lệ: {exc}.") from None
    after = {"calendar": cal, "unit_name": cfg.get("unit_name"), "hotline": cfg.get("hotline")}
    ctx.changed("calendar.change", ctx.site.id, before, after)
    return after
