"""Dossier rows, their append-only events and per-site dossier settings.

The `dossiers` row keeps the fields the intake wrote plus a cache of the state derived from the events
(status, due times, …) so that lookups and weekly reports are single indexed queries. The cache is
rewritten from `replay(events)` after every event; `dossier_events` refuses UPDATE and DELETE.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict
from typing import Any

import sqlite_utils

from hub.domain.calendar import WorkCalendar
from hub.domain.dossier import DossierState, Event, replay
from hub.domain.forms import check_overrides
from hub.domain.site_types import SITE_TYPES
from motcua_core.dossier_codes import is_official_id
from motcua_core.errors import DomainError

DEFAULT_SETTINGS: dict[str, Any] = {
    "agency_code": None,  # default: the site id, upper case; used in codes only where no official id is set
    "unit_id": None,  # the one-stop unit's official electronic identifier, e.g. "H15.50.05" (Art. 28)
    "agency_ids": {},  # {"agency as the catalogue names it": "H15.50.05.13"}: its official identifier
    "unit_name": None,  # default: the site name
    "parent_agency": "ỦY BAN NHÂN DÂN",  # TÊN CƠ QUAN above the unit name on every form
    "place": "",  # "....., ngày … tháng … năm" on forms
    "calendar": {},  # hub.domain.calendar.WorkCalendar.from_config
    "transfer_times": [],  # no longer used: Decree 118/2025 Art. 18 sends dossiers at once (kept readable)
    "complaints": {"name": "", "position": "", "phone": ""},  # printed on the receipt (004 L58)
    "hotline": "",
    "public_url": "",  # base of the status page in the receipt QR, e.g. https://motcua.example.vn
    "form_texts": {},  # the office's own wording over hub/data/forms/*.json: {"receipt": {"note": "…"}}
    "agency_heads": {},
    "site_type": None,  # "province" | "commune" | "ministry" (hub.domain.site_types); None: not checked
    "at_risk_working_days": 2,  # warn this many working days before the deadline (apology ≥ 1 day before)
    "bank": {},  # the centre's account for fees by transfer: {"bin": "970436", "account": "…", "name": "…", "account_name": "…"}
    # numbered reports (hub.domain.official): {"symbol": "TTPVHCC", "signer_title": "GIÁM ĐỐC",
    # "signer_name": "…", "recipients": ["UBND tỉnh (để báo cáo)", …]}
    "reports": {},
    "area": "",  # the province or commune the office serves, e.g. "xã Hòa An"  # {"agency as the catalogue names it": {"name": "…", "title": "…"}}: signs its apology
}


def get_settings(db: sqlite_utils.Database, site_id: str) -> dict:
    row = db.execute("SELECT config FROM dossier_settings WHERE site_id = ?", [site_id]).fetchone()
    cfg = copy.deepcopy(DEFAULT_SETTINGS)
    if row:
        cfg.update(json.loads(row[0]))
    return cfg


def own_settings(db: sqlite_utils.Database, site_id: str) -> dict:
    """The settings the site saved (without the defaults filled in)."""
    row = db.execute("SELECT config FROM dossier_settings WHERE site_id = ?", [site_id]).fetchone()
    return json.loads(row[0]) if row else {}


def set_settings(db: sqlite_utils.Database, site_id: str, cfg: dict) -> None:
    """Validate (the calendar must build) and save. Call inside a transaction."""
    unknown = set(cfg) - set(DEFAULT_SETTINGS)
    if unknown:
        raise DomainError("bad_request", f"unknown dossier settings: {sorted(unknown)}",
                          f"Thiết lập không xác định: {', '.join(sorted(unknown))}")
    WorkCalendar.from_config(cfg.get("calendar"))
    problems = check_overrides(cfg.get("form_texts") or {})
    for who, ident in [("unit_id", cfg.get("unit_id")), *((f"agency_ids[{k}]", v) for k, v in
                                                          (cfg.get("agency_ids") or {}).items())]:
        if ident is not None and not is_official_id(ident):
            problems.append(f"{who}: mã định danh {ident!r} không đúng dạng (ví dụ H15.50.05.13)")
    if cfg.get("site_type") not in (None, *SITE_TYPES):
        problems.append(f"site_type phải là một trong {', '.join(SITE_TYPES)}")
    if problems:
        raise DomainError("bad_request", "bad form_texts", "; ".join(problems))
    db.execute("INSERT INTO dossier_settings(site_id, config) VALUES(?, ?) "
               "ON CONFLICT(site_id) DO UPDATE SET config = excluded.config",
               [site_id, json.dumps(cfg, ensure_ascii=False)])


def next_seq(db: sqlite_utils.Database, site_id: str, day: str) -> int:
    """The day's next sequence number at the site (the unit's count of dossiers received that day)."""
    row = db.execute("SELECT MAX(seq) FROM dossiers WHERE site_id = ? AND day = ?", [site_id, day]).fetchone()
    return (row[0] or 0) + 1


def next_register_no(db: sqlite_utils.Database, site_id: str, year: int, field: str) -> int:
    """The next Số thứ tự in the register book of (year, field): the book is kept per year and field."""
    row = db.execute("SELECT MAX(register_no) FROM dossiers WHERE site_id = ? AND register_year = ? AND field = ?",
                     [site_id, year, field]).fetchone()
    return (row[0] or 0) + 1


def _state_cols(s: DossierState) -> dict:
    return {"status": s.status, "holder": s.holder, "outcome": s.outcome, "finished_at": s.finished_at,
            "ready_at": s.ready_at, "returned_at": s.returned_at, "apologies": s.apologies,
            "first_apology_at": s.first_apology_at, "legal_due_at": s.legal_due_at,
            "promised_due_at": s.promised_due_at, "state": json.dumps(asdict(s), ensure_ascii=False)}


def insert(db: sqlite_utils.Database, row: dict, first: Event) -> DossierState:
    """A new dossier with its `received` event. Call inside a transaction."""
    from hub.domain.dossier import start

    state = start(row["code"], first)
    full = {**row, **_state_cols(state)}
    for key in ("applicant", "documents"):
        full[key] = json.dumps(full[key], ensure_ascii=False)
    cols = ", ".join(full)
    db.execute(f"INSERT INTO dossiers({cols}) VALUES({', '.join('?' for _ in full)})", list(full.values()))
    _insert_event(db, row["code"], row["site_id"], first)
    return state


def _insert_event(db: sqlite_utils.Database, code: str, site_id: str, ev: Event, origin: str | None = None) -> None:
    db.execute("INSERT INTO dossier_events(code, site_id, at, kind, by_who, data, origin) VALUES(?,?,?,?,?,?,?)",
               [code, site_id, ev.at, ev.kind, ev.by, json.dumps(ev.data, ensure_ascii=False), origin])


def events(db: sqlite_utils.Database, code: str) -> list[Event]:
    rows = db.execute("SELECT kind, at, by_who, data FROM dossier_events WHERE code = ? ORDER BY id", [code])
    return [Event(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


def append(db: sqlite_utils.Database, code: str, ev: Event, origin: str | None = None) -> DossierState:
    """Check the event against the state replayed from all events, store it, refresh the cache.
    Call inside a transaction (or savepoint): an illegal event raises and nothing is written. `origin`:
    the hub of the province the sync brought the event from (None: appended here)."""
    row = db.execute("SELECT site_id FROM dossiers WHERE code = ?", [code]).fetchone()
    if row is None:
        raise DomainError("not_found", f"no dossier {code}", "Không tìm thấy hồ sơ có mã này.")
    from hub.domain.dossier import apply

    state = apply(replay(code, events(db, code)), ev)
    _insert_event(db, code, row[0], ev, origin)
    cols = _state_cols(state)
    db.execute(f"UPDATE dossiers SET {', '.join(f'{k} = ?' for k in cols)} WHERE code = ?",
               [*cols.values(), code])
    return state


def get(db: sqlite_utils.Database, code: str) -> dict | None:
    cur = db.execute("SELECT * FROM dossiers WHERE code = ?", [code])
    row = cur.fetchone()
    if row is None:
        return None
    d = dict(zip([c[0] for c in cur.description], row, strict=True))
    d["applicant"] = json.loads(d["applicant"])
    d["documents"] = json.loads(d["documents"])
    d["state"] = json.loads(d["state"])
    return d


def state(db: sqlite_utils.Database, code: str) -> DossierState:
    return replay(code, events(db, code))


def set_fields(db: sqlite_utils.Database, code: str, **values: Any) -> None:
    """Bookkeeping columns that are not dossier state (alert stamps, the return ticket, tracking no.)."""
    allowed = {"at_risk_alerted_at", "late_alerted_at", "return_ticket_id", "postal_tracking"}
    assert set(values) <= allowed, values
    db.execute(f"UPDATE dossiers SET {', '.join(f'{k} = ?' for k in values)} WHERE code = ?",
               [*values.values(), code])


def codes_in_status(db: sqlite_utils.Database, site_id: str, statuses: tuple[str, ...]) -> list[str]:
    q = ",".join("?" for _ in statuses)
    return [r[0] for r in db.execute(
        f"SELECT code FROM dossiers WHERE site_id = ? AND status IN ({q}) ORDER BY received_at",
        [site_id, *statuses])]


def for_return_ticket(db: sqlite_utils.Database, ticket_id: int) -> str | None:
    """The dossier returned while serving this ticket (how a vote finds its dossier)."""
    row = db.execute("SELECT code FROM dossiers WHERE return_ticket_id = ? ORDER BY returned_at DESC LIMIT 1",
                     [ticket_id]).fetchone()
    return row[0] if row else None


def event_rank(db: sqlite_utils.Database, code: str, kind: str, since: float, agency: str | None = None) -> int:
    """The number of a dossier's latest `kind` event among the site's events of that kind since `since`
    (and of that agency): the own number (Số) of the apology or refusal sheet it produced."""
    row = db.execute(
        "WITH me AS (SELECT id, site_id FROM dossier_events WHERE code = ? AND kind = ? ORDER BY id DESC LIMIT 1) "
        "SELECT COUNT(*) FROM dossier_events e, me WHERE e.site_id = me.site_id AND e.kind = ? AND e.id <= me.id "
        f"AND e.at >= ? AND (? IS NULL OR {db.json_text('e.data', 'agency')} = ?)",
        [code, kind, kind, since, agency, agency]).fetchone()
    return row[0]


def scope(db: sqlite_utils.Database, code: str) -> tuple[str, tuple[str, ...]] | None:
    """A dossier's site and the agencies it passes through (what authorisation needs), or None."""
    row = db.execute("SELECT site_id, state FROM dossiers WHERE code = ?", [code]).fetchone()
    if row is None:
        return None
    return row[0], tuple(json.loads(row[1]).get("steps") or ())


def supplements_expired(db: sqlite_utils.Database, site_id: str, now: float) -> list[str]:
    """Dossiers of the site still waiting for a supplement whose 15 days after the notice are over."""
    rows = db.execute("SELECT code, state FROM dossiers WHERE site_id = ? AND status = 'supplement'", [site_id])
    return [code for code, state in rows
            if float(json.loads(state).get("supplement_close_at") or float("inf")) < now]


READY_COUNT = "SELECT COUNT(*) FROM dossiers WHERE site_id = ? AND status = 'ready'"


def ready_count(db: sqlite_utils.Database, site_id: str) -> int:
    """Dossiers whose result waits to be collected (the lobby state carries it: its board re-reads on change)."""
    return db.execute(READY_COUNT, [site_id]).fetchone()[0]
