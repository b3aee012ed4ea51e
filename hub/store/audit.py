"""The audit log: who (and in which role, through which edge) changed what, when, before → after.

Append-only: triggers (migration `_console`) refuse UPDATE and DELETE, so not even a bug in the hub can
rewrite history. hub.ops.run writes one row per change; leaders browse it in the console."""

from __future__ import annotations

import json

import sqlite_utils

from hub.store.db import defer

_COLS = "id, at, site_id, who, role, via, action, target, before, after"


def append(db: sqlite_utils.Database, *, at: float, site_id: str | None, who: str, role: str, via: str,
           action: str, target: str = "", before: object = None, after: object = None) -> None:
    # Nobody reads the answer: on PostgreSQL it travels with the next statement (hub.store.db.defer).
    defer(db, "INSERT INTO audit_log(at, site_id, who, role, via, action, target, before, after) "
              "VALUES(?,?,?,?,?,?,?,?,?)",
          [at, site_id, who, role, via, action, target, _dump(before), _dump(after)])


def _dump(v: object) -> str | None:
    return None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)


def query(db: sqlite_utils.Database, site_id: str | None, *, since: float | None = None,
          until: float | None = None, who: str = "", action: str = "", limit: int = 200,
          hub_rows: bool = True, exclude: tuple[str, ...] = ()) -> list[dict]:
    """Newest first; `site_id` None: every site. A site's log includes the changes made for every site
    (the catalogue, an administrator's own account) when `hub_rows`. Filters are substrings; `exclude`
    leaves out the actions starting with any of those prefixes (the routine queue work, by default in
    the console)."""
    where, args = ["1 = 1"], []
    if site_id is not None:
        where.append("(site_id = ? OR site_id IS NULL)" if hub_rows else "site_id = ?")
        args.append(site_id)
    if since is not None:
        where.append("at >= ?")
        args.append(since)
    if until is not None:
        where.append("at < ?")
        args.append(until)
    if who:
        where.append("instr(lower(who), lower(?)) > 0")
        args.append(who)
    if action:
        where.append("instr(lower(action), lower(?)) > 0")
        args.append(action)
    for prefix in exclude:
        where.append("substr(action, 1, ?) <> ?")
        args += [len(prefix), prefix]
    rows = db.execute(f"SELECT {_COLS} FROM audit_log WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
                      [*args, limit]).fetchall()
    keys = _COLS.split(", ")
    out = []
    for r in rows:
        d = dict(zip(keys, r, strict=True))
        d["before"] = json.loads(d["before"]) if d["before"] else None
        d["after"] = json.loads(d["after"]) if d["after"] else None
        out.append(d)
    return out
