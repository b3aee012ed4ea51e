"""The rows of dossiers routed between the hubs of a province (docs/province.md): the dossier-code
prefixes and the agencies of each centre (at the province), the centres a held dossier was relayed to,
the down stream's dossier copies and file pieces, and the files a hub has sent on. SQL only, portable
(`?` placeholders, ON CONFLICT … DO …), in the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from hub.store.db import get_meta, set_meta


def _dicts(cursor) -> list[dict]:
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]


def _encode(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


# --- dossier-code prefixes (the province) -----------------------------------------------------------

def codes_taken(db: sqlite_utils.Database, but: str) -> dict[str, tuple[str, str]]:
    """prefix → (centre, site) of every centre's prefixes except centre `but`'s."""
    return {code: (centre, site) for code, centre, site in db.execute(
        "SELECT code, centre_id, site_id FROM sync_codes WHERE centre_id <> ?", [but]).fetchall()}


def set_codes(db: sqlite_utils.Database, centre: str, codes: dict[str, list[tuple[str, str]]]) -> None:
    db.execute("DELETE FROM sync_codes WHERE centre_id = ?", [centre])
    for site, prefixes in codes.items():
        for code, what in prefixes:
            db.execute("INSERT INTO sync_codes(code, centre_id, site_id, what) VALUES(?,?,?,?) "
                       "ON CONFLICT(code) DO NOTHING", [code, centre, site, what])


# --- agencies of each centre (the province) -----------------------------------------------------------

def local_agencies(db: sqlite_utils.Database) -> dict[str, set[str]]:
    """site → the agencies with specialists there (API specialists and console accounts alike)."""
    out: dict[str, set[str]] = {}
    for site, agency in db.execute(
            "SELECT site_id, agency FROM specialists UNION SELECT site_id, agency FROM accounts "
            "WHERE role = 'specialist' AND agency IS NOT NULL AND site_id IS NOT NULL").fetchall():
        if agency:
            out.setdefault(site, set()).add(agency)
    return out


def site_agencies(db: sqlite_utils.Database, site: str) -> set[str]:
    return {r[0] for r in db.execute("SELECT agency FROM sync_agencies WHERE site_id = ?", [site])}


def set_site_agencies(db: sqlite_utils.Database, centre: str, site: str, agencies: Iterable[str]) -> None:
    db.execute("DELETE FROM sync_agencies WHERE site_id = ?", [site])
    for a in sorted(set(agencies)):
        db.execute("INSERT INTO sync_agencies(agency, site_id, centre_id) VALUES(?,?,?)", [a, site, centre])


def centre_agencies(db: sqlite_utils.Database) -> dict[str, set[str]]:
    """centre → the agencies its specialists serve (what the centres said in their hellos)."""
    out: dict[str, set[str]] = {}
    for agency, centre in db.execute("SELECT agency, centre_id FROM sync_agencies").fetchall():
        out.setdefault(centre, set()).add(agency)
    return out


def agency_site(db: sqlite_utils.Database, centre: str, agency: str) -> str | None:
    row = db.execute("SELECT site_id FROM sync_agencies WHERE centre_id = ? AND agency = ? ORDER BY site_id",
                     [centre, agency]).fetchone()
    return row[0] if row else None


# --- copies of held dossiers (the province) ---------------------------------------------------------

def copies(db: sqlite_utils.Database, code: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT centre_id FROM sync_copies WHERE code = ? ORDER BY centre_id", [code])]


def add_copy(db: sqlite_utils.Database, code: str, centre: str, now: float) -> None:
    db.execute("INSERT INTO sync_copies(code, centre_id, at) VALUES(?,?,?) ON CONFLICT(code, centre_id) DO NOTHING",
               [code, centre, now])


def enqueue_down(db: sqlite_utils.Database, centre: str, code: str, body: dict, now: float) -> int:
    """One row of a centre's down stream with its next sequence number."""
    seq = (db.execute("SELECT MAX(seq) FROM sync_down WHERE centre_id = ?", [centre]).fetchone()[0] or 0) + 1
    db.execute("INSERT INTO sync_down(centre_id, seq, code, at, body) VALUES(?,?,?,?,?)",
               [centre, seq, code, now, _encode(body)])
    return seq


def held_events(db: sqlite_utils.Database, code: str) -> list[dict]:
    """A dossier's events in order, as the down stream carries them (with where each was appended)."""
    return [{"kind": k, "at": at, "by": by, "data": json.loads(data), "origin": origin} for k, at, by, data, origin in
            db.execute("SELECT kind, at, by_who, data, origin FROM dossier_events WHERE code = ? ORDER BY id", [code])]


def dossier_row(db: sqlite_utils.Database, code: str) -> dict | None:
    rows = _dicts(db.execute("SELECT * FROM dossiers WHERE code = ?", [code]))
    return rows[0] if rows else None


# --- a copy held here (a centre the province relayed a dossier to) -----------------------------------

def insert_copy(db: sqlite_utils.Database, row: dict, events: list[dict], origin: str, up_site: str | None,
                centre: str, now: float) -> None:
    """Keep a dossier received elsewhere with its events (each marked with where it was appended), and
    record it as held here: its events appended here go up under `up_site`."""
    cols = [d[0] for d in db.execute("SELECT * FROM dossiers LIMIT 0").description]
    keep = {c: row[c] for c in cols if c in row}
    db.execute(f"INSERT INTO dossiers({', '.join(keep)}) VALUES({', '.join('?' for _ in keep)}) "
               "ON CONFLICT(code) DO NOTHING", list(keep.values()))
    for e in events:
        db.execute("INSERT INTO dossier_events(code, site_id, at, kind, by_who, data, origin) VALUES(?,?,?,?,?,?,?)",
                   [row["code"], row["site_id"], e["at"], e["kind"], e.get("by") or "",
                    json.dumps(e.get("data") or {}, ensure_ascii=False), e.get("origin") or origin])
    db.execute("INSERT INTO sync_held(code, site_id, centre_id, taken_at, up_site) VALUES(?,?,?,?,?) "
               "ON CONFLICT(code) DO UPDATE SET up_site = excluded.up_site", [row["code"], row["site_id"], centre,
                                                                            now, up_site])


def up_site(db: sqlite_utils.Database, code: str) -> str | None:
    row = db.execute("SELECT up_site FROM sync_held WHERE code = ?", [code]).fetchone()
    return row[0] if row else None


# --- files sent on ------------------------------------------------------------------------------------

LOW_MARK = "sync_files_low"  # every file below this id is in sync_files_sent: the sweep looks from here


def files_to_send(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    """Complete files not yet put in the outbox (a result only once the centre has signed it), looked for
    from the oldest file not sent yet, so the link's sweep does not read a year of files every second."""
    low = int(get_meta(db, LOW_MARK, "0") or 0)
    return _dicts(db.execute(
        "SELECT f.id, f.site_id, f.code, f.kind, f.doc_index, f.name, f.sha256, f.stored_sha256, f.size, f.pages, "
        "f.doc_code, f.signed_by FROM dossier_files f WHERE f.id >= ? AND f.completed_at IS NOT NULL "
        "AND (f.kind <> 'result' OR f.doc_code IS NOT NULL) "
        "AND NOT EXISTS (SELECT 1 FROM sync_files_sent s WHERE s.file_id = f.id) ORDER BY f.id LIMIT ?",
        [low, limit]))


def mark_sent(db: sqlite_utils.Database, file_id: int, now: float) -> None:
    db.execute("INSERT INTO sync_files_sent(file_id, at) VALUES(?, ?) ON CONFLICT(file_id) DO NOTHING",
               [file_id, now])


def advance_low(db: sqlite_utils.Database) -> None:
    """Move the sweep's mark to the oldest file still to send (an upload not finished, a result not signed)."""
    low = int(get_meta(db, LOW_MARK, "0") or 0)
    row = db.execute("SELECT MIN(f.id) FROM dossier_files f WHERE f.id >= ? AND NOT EXISTS "
                     "(SELECT 1 FROM sync_files_sent s WHERE s.file_id = f.id)", [low]).fetchone()
    top = db.execute("SELECT MAX(id) FROM dossier_files").fetchone()[0] or 0
    set_meta(db, LOW_MARK, str(row[0] if row and row[0] is not None else top + 1))


def file_data(db: sqlite_utils.Database, file_id: int) -> bytes | None:
    r = db.execute("SELECT data FROM dossier_files WHERE id = ?", [file_id]).fetchone()
    return None if r is None or r[0] is None else bytes(r[0])


def complete_files(db: sqlite_utils.Database, code: str) -> list[dict]:
    return _dicts(db.execute(
        "SELECT id, site_id, code, kind, doc_index, name, sha256, stored_sha256, size, pages, doc_code, signed_by "
        "FROM dossier_files WHERE code = ? AND completed_at IS NOT NULL AND (kind <> 'result' OR doc_code IS NOT NULL) "
        "ORDER BY id", [code]))


def forget_sent(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM sync_files_sent")
    set_meta(db, LOW_MARK, "0")


def recent_flags(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    """The latest events (or file pieces) the sync kept out and flagged for a person, newest first."""
    out = []
    for r in _dicts(db.execute("SELECT id, at, code, reason, body FROM sync_flags ORDER BY id DESC LIMIT ?", [limit])):
        body = json.loads(r.pop("body"))
        out.append({**r, "kind": body.get("kind") or body.get("row") or "file", "from": body.get("from"),
                    "data": body.get("data") if isinstance(body.get("data"), dict) else {}})
    return out


def open_dossiers(db: sqlite_utils.Database) -> list[tuple[str, str, dict]]:
    """(site, code, body) of every centre's dossier the province's copy has as still open."""
    return [(site, key, json.loads(body)) for site, key, body in db.execute(
        "SELECT site_id, key, body FROM sync_rows WHERE kind = 'dossier' AND status = 'open'").fetchall()]


def hold_own(db: sqlite_utils.Database, code: str, site: str, now: float) -> None:
    """The provincial hub's own dossier, relayed to a centre: held like a centre's, received by no centre
    (`centre_id` empty), so its events go down to the copies only."""
    db.execute("INSERT INTO sync_held(code, site_id, centre_id, taken_at) VALUES(?,?,'',?) "
               "ON CONFLICT(code) DO NOTHING", [code, site, now])
