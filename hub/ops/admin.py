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


def save_settings(ctx: Ctx, data: dict) -> dict:
    """Site settings a leader changes often: the lobby notice and the names. A partial update: only the
    fields `data` names change (`{"notice": …}` keeps both names; `"name_en": ""` clears the English one)."""
    cfg = site_config.export(ctx.db, ctx.site.id)
    before = {k: cfg["site"].get(k) for k in ("name", "name_en", "notice")}
    notice = str(data["notice"] or "") if "notice" in data else str(before["notice"] or "")
    if len(notice) > 300:
        raise _bad("notice too long", "Thông báo tối đa 300 ký tự.")
    name = str(data["name"] or "").strip() if "name" in data else str(before["name"] or "")
    if not name or len(name) > 120:
        raise _bad("site name required", "Cần tên đơn vị (tối đa 120 ký tự).")
    name_en = (str(data["name_en"] or "").strip() or None) if "name_en" in data else before["name_en"]
    cfg["site"].update(name=name, name_en=name_en, notice=notice)
    _load(ctx, cfg)
    after = {k: cfg["site"].get(k) for k in ("name", "name_en", "notice")}
    ctx.changed("site.settings", ctx.site.id, before, after)
    return after


def save_officer(ctx: Ctx, data: dict) -> dict:
    """Add or rename an officer, and set (or reset) their counter sign-in: user name and PIN."""
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
    cfg = site_config.export(ctx.db, ctx.site.id)
    before = next((o for o in cfg["officers"] if o["id"] == oid), None)
    if before is None:
        cfg["officers"].append({"id": oid, "name": name})
    else:
        cfg["officers"] = [{**o, "name": name} if o["id"] == oid else o for o in cfg["officers"]]
    _load(ctx, cfg)
    if username or pin:
        officer_store.set_credentials(ctx.db, ctx.site.id, oid, pin=pin or None, username=username)
    active = data.get("active")
    if active is not None:
        was = officer_store.is_active(ctx.db, ctx.site.id, oid)
        officer_store.set_active(ctx.db, ctx.site.id, oid, bool(active))
        if was and not active:  # signed out everywhere at once; a ticket being served stays on its counter
            from hub.store import signin as signin_store
            from hub.store import sites as site_store

            signin_store.end_sessions(ctx.db, ctx.site.id, officer_id=oid)
            for c in site_store.list_counters(ctx.db, ctx.site.id):
                if c.officer == oid:
                    site_store.update_counter(ctx.db, ctx.site.id, c.number, officer=None,
                                              status=c.status if c.current_ticket is not None else "closed")
            ctx.effects.display_sites.add(ctx.site.id)
    after = {"id": oid, "name": name, **({"username": username} if username else {}),
             **({"pin": "đã đặt lại"} if pin else {}), **({"active": bool(active)} if active is not None else {})}
    ctx.changed("officer.add" if before is None else "officer.change", oid, before, after)
    return after


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
