"""What the province publishes down to its centres besides the catalogue and held dossiers' events
(docs/province.md, "Down"): the province's calendar, the wording of its forms, software releases, the
configuration of a centre's sites it manages, and commands to a centre. Each publication is one row of
the province's down stream (`sync_docs`), numbered province-wide; a centre asks for what is above the
mark it holds and applies each in order. Pure functions: what a publication may say, the envelope,
and how a published layer combines with a site's own settings."""

from __future__ import annotations

from collections.abc import Mapping

from hub.domain import lobby_media
from hub.domain.calendar import CalendarConfigError, WorkCalendar
from hub.domain.forms import check_overrides
from hub.domain.queue import TicketHours
from hub.domain.sync import VERSION
from motcua_core.errors import DomainError
from motcua_core.protocol import ID_RE

DOC_KINDS = ("calendar", "forms", "release", "site_config", "command")
COMMANDS = ("backup", "resync", "resend")  # what a province administrator may ask a centre to do
COMMANDS_VI = {"backup": "sao lưu ngay", "resync": "gửi lại toàn bộ dữ liệu lên tỉnh",
               "resend": "nhận lại toàn bộ dữ liệu tỉnh gửi xuống"}
SITE_SETTINGS = ("unit_id", "agency_ids", "unit_name", "parent_agency", "place", "hotline", "complaints",
                 "public_url", "agency_heads", "area", "at_risk_working_days")  # what the province may set
DOCS_PAGE = 50  # publications per down message


def _bad(message: str, message_vi: str) -> DomainError:
    return DomainError("bad_request", message, message_vi)


def check_calendar(body: object) -> dict:
    """The province's calendar: days off it announces for all (compensatory days, extra holidays) and
    make-up working days. Public holidays themselves come with every hub (hub.domain.calendar)."""
    if not isinstance(body, dict) or set(body) - {"days_off", "working_days", "note"}:
        raise _bad("a calendar has days_off, working_days and note",
                   "Lịch của tỉnh gồm days_off (ngày nghỉ), working_days (ngày làm bù) và note.")
    cal = {"days_off": sorted(set(body.get("days_off") or [])), "working_days": sorted(set(body.get("working_days") or [])),
           "note": str(body.get("note") or "")}
    try:
        WorkCalendar.from_config(cal)
    except CalendarConfigError as exc:
        raise _bad(str(exc), f"Lịch không hợp lệ: {exc}") from None
    both = set(cal["days_off"]) & set(cal["working_days"])
    if both:
        raise _bad("a day cannot be both off and worked", f"Ngày vừa nghỉ vừa làm bù: {', '.join(sorted(both))}")
    return cal


def check_forms(body: object) -> dict:
    """The province's wording of the forms, laid over the shipped templates and under each site's own."""
    if not isinstance(body, dict) or not isinstance(body.get("form_texts"), dict):
        raise _bad("forms need form_texts", "Cần form_texts (nội dung biểu mẫu của tỉnh).")
    problems = check_overrides(body["form_texts"])
    if problems:
        raise _bad("bad form_texts", "; ".join(problems))
    return {"version": str(body.get("version") or ""), "form_texts": body["form_texts"]}


def check_site_config(body: object, site: str) -> dict:
    """What the province manages of a centre's site: its unit's identity in the dossier settings, its
    lobby notices (the single `notice`, or `notices` set by id) and its ticket hours (the rest stays the
    centre's)."""
    if not isinstance(body, dict) or not ID_RE.match(site):
        raise _bad("site configuration is an object", "Cấu hình đơn vị phải là một đối tượng JSON.")
    unknown = set(body) - {"settings", "notice", "notices", "ticket_hours"}
    settings = body.get("settings") or {}
    if unknown or not isinstance(settings, dict) or set(settings) - set(SITE_SETTINGS):
        extra = sorted(unknown | (set(settings) - set(SITE_SETTINGS)) if isinstance(settings, dict) else unknown)
        raise _bad(f"the province does not set {extra}", f"Tỉnh không đặt được các mục: {', '.join(map(str, extra))}")
    out: dict = {"site": site, "settings": settings}
    if "notice" in body:
        if not isinstance(body["notice"], str) or len(body["notice"]) > 300:
            raise _bad("notice: text of at most 300 characters", "Thông báo tối đa 300 ký tự.")
        out["notice"] = body["notice"]
    if "notices" in body:  # [{"id": 1, "text": …, "active_from", "active_until", "retired"}], set by id
        items = body["notices"]
        if not isinstance(items, list) or len(items) > lobby_media.NOTICES_MAX or not all(
                isinstance(n, dict) and isinstance(n.get("id"), int) and not isinstance(n["id"], bool) and n["id"] >= 1
                for n in items):
            raise _bad("notices: a list of notices, each with a whole-number id from 1",
                       f"Danh sách thông báo: tối đa {lobby_media.NOTICES_MAX} mục, mỗi mục có mã là số.")
        out["notices"] = [{**lobby_media.check_notice(n), "id": n["id"], "retired": bool(n.get("retired"))}
                          for n in items]
    if "ticket_hours" in body:
        th = body["ticket_hours"]
        if th is not None:
            try:
                TicketHours(**{**th, "weekdays": tuple(th.get("weekdays", (0, 1, 2, 3, 4)))})
            except (TypeError, ValueError, AttributeError) as exc:
                raise _bad(f"ticket_hours: {exc}", f"Giờ cấp số không hợp lệ: {exc}") from None
        out["ticket_hours"] = th
    return out


def check_command(command: str, site: str) -> dict:
    if command not in COMMANDS:
        raise _bad(f"unknown command {command!r} (one of {', '.join(COMMANDS)})",
                   f"Lệnh không hợp lệ: {command} (một trong {', '.join(COMMANDS)}).")
    return {"command": command, "site": site}


def docs_message(centre: str, epoch: str, after: int, rows: list[dict], since: float | None = None) -> dict:
    """Publications above `after` for one centre, in sequence. The sequence is the province's (shared by
    every centre), so it has holes for a centre: `after` tells the centre which mark the page continues
    from, and it applies a page only from the mark it holds. `since`: when the centre's epoch began —
    a command given before it (to the database that died, or before a restore) is passed over."""
    return {"v": VERSION, "type": "docs", "centre": centre, "epoch": epoch, "after": after,
            "to_seq": rows[-1]["seq"], "since": since, "rows": rows}


def stale_command(row: Mapping, since: object) -> bool:
    """A command given before the centre's current epoch began: recorded, not carried out."""
    return row.get("kind") == "command" and isinstance(since, int | float) and float(row.get("at") or 0) < since


def check_docs(msg: Mapping, epoch: str, hwm: int) -> list[dict] | None:
    """The rows of a docs message to apply at a centre holding `hwm` (None: not for this epoch or not
    from this mark — a page sent before the last one applied; the next hello asks again)."""
    if msg.get("v") != VERSION or msg.get("epoch") != epoch or msg.get("after") != hwm \
            or not isinstance(msg.get("rows"), list):
        return None
    rows = [r for r in msg["rows"] if isinstance(r, dict) and isinstance(r.get("seq"), int) and r["seq"] > hwm
            and r.get("kind") in DOC_KINDS and isinstance(r.get("body"), dict)]
    return sorted(rows, key=lambda r: r["seq"])


def merged_calendar(site_cal: Mapping | None, province: Mapping | None) -> dict:
    """A site's calendar with the province's days laid in: the province's days off and make-up days are
    added to the site's own; a day the site itself declares worked stays worked (its own make-up)."""
    cal = dict(site_cal or {})
    if not province:
        return cal
    cal["days_off"] = sorted(set(cal.get("days_off") or []) | set(province.get("days_off") or []))
    cal["working_days"] = sorted(set(cal.get("working_days") or []) | set(province.get("working_days") or []))
    return cal


def merged_form_texts(site: Mapping | None, province: Mapping | None) -> dict:
    """The forms' wording: the province's layer, then the site's own over it, form by form."""
    out: dict = {name: dict(v) for name, v in (province or {}).items() if isinstance(v, dict)}
    for name, v in (site or {}).items():
        out[name] = {**out.get(name, {}), **(v or {})}
    return out


def retired(held: list[str], listed: list[str]) -> list[str]:
    """After a full catalogue resend: the centre's procedures the province no longer lists. A centre of
    a province has no catalogue of its own (docs/province.md): whatever the province does not list goes."""
    keep = set(listed)
    return sorted(p for p in held if p not in keep)
