"""The province's down stream of publications (docs/province.md, "Down"): at the province, `sync_docs`
— one row per publication (the province's calendar, forms, a release, a centre's site configuration, a
command), numbered province-wide, for every centre or for one; at a centre, what it last applied (meta
`province_docs_hwm`) and the layers it holds (meta `province_calendar`, `province_forms`).

Portable SQL (`?`, ON CONFLICT … DO UPDATE). Writes run in the caller's transaction."""

from __future__ import annotations

import json

import sqlite_utils

from hub.store.db import get_meta, set_meta

DOCS_HWM = "province_docs_hwm"
CALENDAR = "province_calendar"
FORMS = "province_forms"


def publish(db: sqlite_utils.Database, kind: str, key: str, centre: str | None, body: dict, now: float,
            by: str) -> int:
    """One publication, in the transaction of the change it announces; returns its sequence number. An
    earlier publication of the same (kind, key, centre) is superseded: dropped, since a centre below it
    gets this one (commands are never superseded: each has its own key)."""
    db.execute("DELETE FROM sync_docs WHERE kind = ? AND key = ? AND COALESCE(centre_id, '') = ?",
               [kind, key, centre or ""])
    db.execute("INSERT INTO sync_docs(kind, key, centre_id, at, by_who, body) VALUES(?,?,?,?,?,?)",
               [kind, key, centre, now, by, json.dumps(body, ensure_ascii=False, separators=(",", ":"))])
    return int(db.execute("SELECT MAX(seq) FROM sync_docs").fetchone()[0])


def top(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM sync_docs").fetchone()[0])


def down_top(db: sqlite_utils.Database) -> int:
    """The last sequence number of held dossiers' events sent down, over every centre."""
    return int(db.execute("SELECT COALESCE(MAX(seq), 0) FROM sync_down").fetchone()[0])


def after(db: sqlite_utils.Database, centre: str, seq: int, limit: int) -> list[dict]:
    """Publications above `seq` for `centre` (those for every centre and those for it), in sequence."""
    return [{"seq": s, "kind": k, "key": key, "at": at, "by": by, "body": json.loads(body)}
            for s, k, key, at, by, body in db.execute(
                "SELECT seq, kind, key, at, by_who, body FROM sync_docs WHERE seq > ? AND "
                "(centre_id IS NULL OR centre_id = ?) ORDER BY seq LIMIT ?", [seq, centre, limit]).fetchall()]


def latest(db: sqlite_utils.Database, kind: str, key: str, centre: str | None = None) -> dict | None:
    row = db.execute("SELECT seq, at, by_who, body FROM sync_docs WHERE kind = ? AND key = ? AND "
                     "COALESCE(centre_id, '') = ? ORDER BY seq DESC LIMIT 1", [kind, key, centre or ""]).fetchone()
    return None if row is None else {"seq": row[0], "at": row[1], "by": row[2], "body": json.loads(row[3])}


def note_mark(db: sqlite_utils.Database, site: str, seq: object) -> None:
    """The last publication a centre's site says it applied (its hello): the province's acknowledgement."""
    if isinstance(seq, int) and not isinstance(seq, bool):
        db.execute("UPDATE sync_hwm SET docs_hwm = ? WHERE site_id = ? AND docs_hwm <> ?", [seq, site, seq])


def listing(db: sqlite_utils.Database, limit: int = 50) -> list[dict]:
    """The latest publications, each with the centres it was for and how many of them have applied it
    (a centre has when every one of its sites said so)."""
    marks: dict[str, int] = {}
    for centre, mark in db.execute("SELECT centre_id, MIN(docs_hwm) FROM sync_hwm GROUP BY centre_id").fetchall():
        marks[centre] = mark
    out = []
    for s, k, key, c, at, by in db.execute(
            "SELECT seq, kind, key, centre_id, at, by_who FROM sync_docs ORDER BY seq DESC LIMIT ?", [limit]).fetchall():
        targets = [c] if c is not None else list(marks)
        out.append({"seq": s, "kind": k, "key": key, "centre": c, "at": at, "by": by, "centres": len(targets),
                    "applied": sum(1 for t in targets if marks.get(t, 0) >= s)})
    return out


# --- at a centre ------------------------------------------------------------------------------------

def hwm(db: sqlite_utils.Database) -> int:
    return int(get_meta(db, DOCS_HWM, "0") or 0)


def set_hwm(db: sqlite_utils.Database, seq: int) -> None:
    set_meta(db, DOCS_HWM, str(seq))


def layer(db: sqlite_utils.Database, name: str) -> dict | None:
    """A layer the province published (CALENDAR, FORMS) as the centre holds it, or None."""
    raw = get_meta(db, name)
    return json.loads(raw) if raw else None


def set_layer(db: sqlite_utils.Database, name: str, body: dict) -> None:
    set_meta(db, name, json.dumps(body, ensure_ascii=False))


def command_done(db: sqlite_utils.Database, key: str) -> bool:
    return get_meta(db, f"sync_command:{key}") is not None


def note_command(db: sqlite_utils.Database, key: str, result: dict) -> None:
    set_meta(db, f"sync_command:{key}", json.dumps(result, ensure_ascii=False))


def recapture(db: sqlite_utils.Database) -> None:
    """Capture the whole database again, numbered on from each site's sequence (a `resync` command): the
    province's copy gets every row's current snapshot; rows it holds are replaced by the newer copies."""
    db.execute("UPDATE sync_marks SET last_id = 0 WHERE source NOT LIKE 'down:%'")


def procedure_ids(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT id FROM procedures ORDER BY id").fetchall()]
