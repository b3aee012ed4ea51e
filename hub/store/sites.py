"""Sites, fields, services, counters and officers: loading a site configuration and reading it back.

A site configuration is a JSON document (see hub/data/demo_site.json and docs/architecture.md);
loading it again updates the site in place and keeps tickets, devices and counter state.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlite_utils

from hub.domain.queue import Numbering, Policy, TicketHours
from hub.store import lobby_journal, lobby_media, memo
from hub.store.db import defer
from motcua_core.errors import DomainError
from motcua_core.protocol import ID_RE


class SiteConfigError(ValueError):
    """A site configuration that cannot be loaded; the message names the offending entry."""


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    name_en: str | None
    tz: ZoneInfo
    policy: Policy
    default_service_s: float
    ticket_hours: TicketHours | None = None  # issue #13: None = tickets at any time


@dataclass(frozen=True)
class Service:
    code: str
    field: str
    name: str
    name_en: str | None
    numbering: Numbering
    avg_service_s: float | None


@dataclass(frozen=True)
class Counter:
    number: int
    name: str
    services: tuple[str, ...]
    status: str
    officer: str | None
    current_ticket: int | None
    regular_streak: int | None
    streak_day: str | None
    active: bool = True  # False: retired (kept for its history; gone from the lobby and the choices)


def _require(d: dict, key: str, where: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise SiteConfigError(f"{where}: missing '{key}'")
    return d[key]


def validate_config(cfg: dict) -> None:
    """Check a site configuration before touching the database."""
    site = _require(cfg, "site", "config")
    sid = _require(site, "id", "site")
    if not ID_RE.match(sid):
        raise SiteConfigError(f"site id {sid!r} must be lower-case letters, digits and '-' (max 40)")
    try:
        ZoneInfo(site.get("timezone", "Asia/Ho_Chi_Minh"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SiteConfigError(f"site: unknown timezone {site.get('timezone')!r}") from exc
    try:
        Policy(**site.get("policy", {}))
    except (TypeError, ValueError) as exc:
        raise SiteConfigError(f"site.policy: {exc}") from exc
    try:
        _ticket_hours(site.get("ticket_hours"))
    except (TypeError, ValueError) as exc:
        raise SiteConfigError(f"site.ticket_hours: {exc}") from exc
    fields = {_require(f, "code", "field") for f in cfg.get("fields", [])}
    codes: set[str] = set()
    for i, svc in enumerate(cfg.get("services", [])):
        code = _require(svc, "code", f"services[{i}]")
        if code in codes:
            raise SiteConfigError(f"services[{i}]: duplicate code {code!r}")
        codes.add(code)
        if _require(svc, "field", f"service {code}") not in fields:
            raise SiteConfigError(f"service {code}: unknown field {svc['field']!r}")
        _require(svc, "name", f"service {code}")
        try:
            Numbering(**svc.get("numbering", {}))
        except (TypeError, ValueError) as exc:
            raise SiteConfigError(f"service {code}: numbering: {exc}") from exc
    _validate_officers(cfg.get("officers", []))
    numbers: set[int] = set()
    for i, ctr in enumerate(cfg.get("counters", [])):
        num = _require(ctr, "number", f"counters[{i}]")
        if not isinstance(num, int) or num < 1 or num in numbers:
            raise SiteConfigError(f"counters[{i}]: number must be a unique positive integer")
        numbers.add(num)
        unknown = set(ctr.get("services", [])) - codes
        if unknown or not ctr.get("services"):
            raise SiteConfigError(f"counter {num}: services must be known service codes, got {sorted(unknown)}")


def _ticket_hours(raw: dict | str | None) -> TicketHours | None:
    if raw is None:
        return None
    d = json.loads(raw) if isinstance(raw, str) else raw
    return TicketHours(**{**d, "weekdays": tuple(d["weekdays"])} if "weekdays" in d else d)


def _validate_officers(officers: list) -> None:
    """Officers may carry "username", "pin" (4–8 digits) and "badge" (4–64 characters), hashed on load."""
    from hub.store.officers import PIN_RE

    seen: dict[str, set[str]] = {"id": set(), "username": set(), "badge": set()}
    for i, o in enumerate(officers):
        oid = _require(o, "id", f"officers[{i}]")
        _require(o, "name", f"officer {oid}")
        if "pin" in o and not (isinstance(o["pin"], str) and PIN_RE.match(o["pin"])):
            raise SiteConfigError(f"officer {oid}: pin must be a string of 4 to 8 digits")
        if "badge" in o and not (isinstance(o["badge"], str) and 4 <= len(o["badge"].strip()) <= 64):
            raise SiteConfigError(f"officer {oid}: badge must be a string of 4 to 64 characters")
        for key in seen:
            value = o.get(key) if key != "username" else str(o.get("username") or oid).lower()
            if value is None:
                continue
            if value in seen[key]:
                raise SiteConfigError(f"officer {oid}: duplicate {key} {value!r}")
            seen[key].add(value)


def load_config(db: sqlite_utils.Database, cfg: dict) -> str:
    """Insert or update a site from its configuration. Call inside a transaction. Returns the site id."""
    validate_config(cfg)
    site = cfg["site"]
    sid = site["id"]
    db.execute(
        """INSERT INTO sites(id, name, name_en, timezone, policy, default_service_s, ticket_hours)
           VALUES(?,?,?,?,?,?,?)
           ON CONFLICT(id) DO UPDATE SET name=excluded.name, name_en=excluded.name_en,
             timezone=excluded.timezone, policy=excluded.policy,
             default_service_s=excluded.default_service_s, ticket_hours=excluded.ticket_hours""",
        [sid, site["name"], site.get("name_en"), site.get("timezone", "Asia/Ho_Chi_Minh"),
         json.dumps(site.get("policy", {})), float(site.get("default_service_s", 420)),
         None if site.get("ticket_hours") is None else json.dumps(site["ticket_hours"])],
    )
    try:  # the lobby's notices: the list, or a site file's single `notice` as its first (hub.store.lobby_media)
        lobby_media.load_notices(db, sid, site, cfg.get("notices"))
    except ValueError as exc:
        raise SiteConfigError(str(exc)) from None
    for f in cfg.get("fields", []):
        db.execute(
            """INSERT INTO fields(site_id, code, name, name_en) VALUES(?,?,?,?)
               ON CONFLICT(site_id, code) DO UPDATE SET name=excluded.name, name_en=excluded.name_en""",
            [sid, f["code"], f["name"], f.get("name_en")],
        )
    db.execute("UPDATE services SET active = 0 WHERE site_id = ?", [sid])
    for pos, svc in enumerate(cfg.get("services", [])):
        n = Numbering(**svc.get("numbering", {}))
        db.execute(
            """INSERT INTO services(site_id, code, field, name, name_en, prefix, num_start, num_end, num_width,
                                    avg_service_s, active, position)
               VALUES(?,?,?,?,?,?,?,?,?,?,1,?)
               ON CONFLICT(site_id, code) DO UPDATE SET field=excluded.field, name=excluded.name,
                 name_en=excluded.name_en, prefix=excluded.prefix, num_start=excluded.num_start,
                 num_end=excluded.num_end, num_width=excluded.num_width,
                 avg_service_s=excluded.avg_service_s, active=1, position=excluded.position""",
            [sid, svc["code"], svc["field"], svc["name"], svc.get("name_en"), n.prefix, n.start, n.end, n.width,
             svc.get("avg_service_s"), pos],
        )
    for o in cfg.get("officers", []):
        db.execute(
            """INSERT INTO officers(site_id, id, name) VALUES(?,?,?)
               ON CONFLICT(site_id, id) DO UPDATE SET name=excluded.name""",
            [sid, o["id"], o["name"]],
        )
        if "active" in o:  # false: retired (no sign-in; their history stays)
            db.execute("UPDATE officers SET active = ? WHERE site_id = ? AND id = ?", [int(bool(o["active"])), sid, o["id"]])
        if "agency" in o:  # the agency that seconded the officer (None or "": the office's own staff)
            db.execute("UPDATE officers SET seconded_by = ? WHERE site_id = ? AND id = ?",
                       [str(o["agency"] or "").strip() or None, sid, o["id"]])
        if any(k in o for k in ("username", "pin", "badge")):  # sign-in (issue #4): stored hashed only
            from hub.store import officers as officer_store

            officer_store.set_credentials(db, sid, o["id"], pin=o.get("pin"), badge=o.get("badge"),
                                          username=o.get("username"))
    for ctr in cfg.get("counters", []):
        db.execute(
            """INSERT INTO counters(site_id, number, name, services) VALUES(?,?,?,?)
               ON CONFLICT(site_id, number) DO UPDATE SET name=excluded.name, services=excluded.services,
                 active=1""",
            [sid, ctr["number"], ctr.get("name") or f"Quầy {ctr['number']}", json.dumps(ctr["services"])],
        )
    memo.forget(db)  # registry rows read before this (a rollback forgets what was read during it)
    return sid


def get_site(db: sqlite_utils.Database, site_id: str) -> Site:
    """A site (from memory after the first read; see memo)."""
    def load() -> Site:
        row = db.execute(
            "SELECT id, name, name_en, timezone, policy, default_service_s, ticket_hours FROM sites "
            "WHERE id = ?", [site_id],
        ).fetchone()
        if row is None:
            raise DomainError("not_found", f"unknown site {site_id!r}", "Không tìm thấy đơn vị.")
        return Site(row[0], row[1], row[2], ZoneInfo(row[3]), Policy(**json.loads(row[4])), row[5],
                    _ticket_hours(row[6]))
    return memo.lookup(db, ("site", site_id), load)


def list_sites(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT id FROM sites ORDER BY id")]


def zone_of(db: sqlite_utils.Database, site_id: str | None) -> ZoneInfo:
    """The site's time zone; for something of no one site (a hub-wide token, the portal's backlog) the
    first site's, and Vietnam's on a hub with no site yet. Never the host's: a hub's clock may be on UTC."""
    row = db.execute("SELECT timezone FROM sites WHERE id = ?" if site_id else
                     "SELECT timezone FROM sites ORDER BY id LIMIT 1", [site_id] if site_id else []).fetchone()
    return ZoneInfo(row[0] if row else "Asia/Ho_Chi_Minh")


def _service(row: tuple) -> Service:
    return Service(row[0], row[1], row[2], row[3], Numbering(row[4], row[5], row[6], row[7]), row[8])


_SERVICE_COLS = "code, field, name, name_en, prefix, num_start, num_end, num_width, avg_service_s"


def get_service(db: sqlite_utils.Database, site_id: str, code: str, *, retired: bool = False) -> Service:
    """A service in service; with `retired`, also a retired one (a past ticket's, for its history)."""
    service = next((s for s in _services(db, site_id) if s.code == code), None)
    if service is None and retired:
        row = db.execute(f"SELECT {_SERVICE_COLS} FROM services WHERE site_id = ? AND code = ?", [site_id, code]
                         ).fetchone()
        service = _service(row) if row else None
    if service is None:
        raise DomainError("not_found", f"unknown service {code!r}", "Không tìm thấy dịch vụ.")
    return service


def list_services(db: sqlite_utils.Database, site_id: str) -> list[Service]:
    return list(_services(db, site_id))


def _services(db: sqlite_utils.Database, site_id: str) -> tuple[Service, ...]:
    """A site's active services in display order (from memory after the first read; see memo)."""
    def load() -> tuple[Service, ...]:
        rows = db.execute(
            f"SELECT {_SERVICE_COLS} FROM services WHERE site_id = ? AND active = 1 ORDER BY position", [site_id]
        )
        return tuple(_service(r) for r in rows)
    return memo.lookup(db, ("services", site_id), load)


def list_fields(db: sqlite_utils.Database, site_id: str) -> list[dict]:
    rows = db.execute("SELECT code, name, name_en FROM fields WHERE site_id = ? ORDER BY rowid", [site_id])
    return [{"code": r[0], "name": r[1], "name_en": r[2]} for r in rows]


_COUNTER_COLS = "number, name, services, status, officer, current_ticket, regular_streak, streak_day, active"


def _counter(row: tuple) -> Counter:
    return Counter(row[0], row[1], tuple(json.loads(row[2])), row[3], row[4], row[5], row[6], row[7], bool(row[8]))


def get_counter(db: sqlite_utils.Database, site_id: str, number: int) -> Counter:
    """A counter's row, kept in the registry memo: a counter's request reads it three or four times (who
    is signed in before and after, the operation), and only `update_counter` and `load_config` write it
    (both keep the memo true)."""
    def load() -> Counter | None:
        row = db.execute(
            f"SELECT {_COUNTER_COLS} FROM counters WHERE site_id = ? AND number = ?", [site_id, number]
        ).fetchone()
        return None if row is None else _counter(row)
    counter = memo.lookup(db, ("counter", site_id, number), load)
    if counter is None:
        raise DomainError("not_found", f"unknown counter {number}", f"Không có quầy số {number}.")
    return counter


COUNTER_COLUMNS = frozenset({"status", "officer", "current_ticket", "regular_streak", "streak_day"})


def update_counter(db: sqlite_utils.Database, site_id: str, number: int, **cols: object) -> None:
    """Write some of a counter's live columns (status, officer, current ticket, the priority streak)."""
    unknown = set(cols) - COUNTER_COLUMNS
    if unknown:
        raise ValueError(f"not a counter column: {', '.join(sorted(unknown))}")
    sets = ", ".join(f"{k} = ?" for k in cols)
    with lobby_journal.noted(db):
        defer(db, f"UPDATE counters SET {sets} WHERE site_id = ? AND number = ?", [*cols.values(), site_id, number])
    lobby_journal.counter(db, site_id, number, cols)
    memo.update(db, ("counter", site_id, number), lambda c: dataclasses.replace(c, **cols) if c else c)
    memo.forget(db, ("counters", site_id))
    if "status" in cols:
        memo.forget(db, ("open_counters", site_id))


def list_counters(db: sqlite_utils.Database, site_id: str, *, retired: bool = False) -> list[Counter]:
    """The site's counters in service (`retired=True`: only the retired ones). Those in service are read for
    each ticket's wait estimate: kept in the registry memo, forgotten by `update_counter` and
    `set_counter_active`."""
    def load() -> list[Counter]:
        rows = db.execute(f"SELECT {_COUNTER_COLS} FROM counters WHERE site_id = ? AND active = ? ORDER BY number",
                          [site_id, 0 if retired else 1])
        return [_counter(r) for r in rows]
    if retired:
        return load()
    return list(memo.lookup(db, ("counters", site_id), load))


def set_counter_active(db: sqlite_utils.Database, site_id: str, number: int, active: bool,
                       services: list[str] | None = None) -> None:
    """Retire a counter or bring it back (with `services`, what it serves from then on)."""
    if services is None:
        db.execute("UPDATE counters SET active = ? WHERE site_id = ? AND number = ?", [int(active), site_id, number])
    else:
        db.execute("UPDATE counters SET active = ?, services = ? WHERE site_id = ? AND number = ?",
                   [int(active), json.dumps(services), site_id, number])
    memo.forget(db)


def service_docs(db: sqlite_utils.Database, site_id: str, *, active: bool = True) -> list[dict]:
    """The site's services in service (`active=False`: the retired ones, kept for their tickets and
    reports), in display order, as a site configuration document has them."""
    out = []
    for r in db.execute("SELECT code, field, name, name_en, prefix, num_start, num_end, num_width, avg_service_s, "
                        "wait_target_s FROM services WHERE site_id = ? AND active = ? ORDER BY position, code",
                        [site_id, int(active)]):
        svc = {"code": r[0], "field": r[1], "name": r[2], "name_en": r[3],
               "numbering": {"prefix": r[4], "start": r[5], "end": r[6], "width": r[7]}, "avg_service_s": r[8],
               "wait_target_s": r[9]}
        out.append({k: v for k, v in svc.items() if v is not None})
    return out


def open_counters_serving(db: sqlite_utils.Database, site_id: str, service: str) -> int:
    """How many open counters serve `service` (for the estimated wait of every ticket issued). Kept in
    the registry memo: it changes only when a counter opens or closes (update_counter forgets it) or the
    site is loaded again."""
    def load() -> dict[str, int]:
        counts: dict[str, int] = {}
        for (services,) in db.execute("SELECT services FROM counters WHERE site_id = ? AND status = 'open' "
                                      "AND active = 1",
                                      [site_id]).fetchall():
            for code in set(json.loads(services)):
                counts[code] = counts.get(code, 0) + 1
        return counts
    return memo.lookup(db, ("open_counters", site_id), load).get(service, 0)


def officer_name(db: sqlite_utils.Database, site_id: str, officer_id: str | None) -> str | None:
    if officer_id is None:
        return None
    row = db.execute("SELECT name FROM officers WHERE site_id = ? AND id = ?", [site_id, officer_id]).fetchone()
    return row[0] if row else officer_id


COUNTERS_WITH_CURRENT = """SELECT c.number, c.name, c.status, c.services, COALESCE(o.name, c.officer),
                  t.number, t.service, t.called_at, t.day, t.id
           FROM counters c
           LEFT JOIN tickets t ON t.id = c.current_ticket
           LEFT JOIN officers o ON o.site_id = c.site_id AND o.id = c.officer
           WHERE c.site_id = ? AND c.active = 1 ORDER BY c.number"""


def counters_with_current(db: sqlite_utils.Database, site_id: str) -> list[tuple]:
    """Every counter in service with its current ticket and officer in one query (the lobby state, after every call):
    (number, name, status, services JSON, officer name, ticket number, service, called_at, day, ticket id)."""
    return db.execute(COUNTERS_WITH_CURRENT, [site_id]).fetchall()
