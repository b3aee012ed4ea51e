"""The procedure (TTHC) catalogue: loading it, searching it without diacritics, and versioning it.

Every change of a procedure stamps it with a new catalogue version (meta `catalog_version`); a removed
procedure leaves a tombstone with its version. A kiosk asks for `changes_since(its version)` and gets only
what changed (or everything, when it has nothing yet).
"""

from __future__ import annotations

import json
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from hub.domain.catalogue import with_document_kinds
from hub.store.db import get_meta, set_meta
from motcua_core.search import Index, make_entry
from motcua_core.search import search as rank
from motcua_core.text import fold

STARTER = Path(__file__).resolve().parent.parent / "data" / "catalogue.json"


def version(db: sqlite_utils.Database) -> int:
    return int(get_meta(db, "catalog_version", "0") or 0)


def load(db: sqlite_utils.Database, doc: dict) -> int:
    """Insert or replace every procedure of a catalogue document. Call inside a transaction.

    Procedures whose content did not change keep their version, so a re-import sends kiosks nothing."""
    new_version = version(db) + 1
    changed = 0
    count = 0
    for f in doc.get("fields", []):
        set_meta(db, f"field:{f['code']}", json.dumps(f, ensure_ascii=False))
    for proc in doc["procedures"]:
        proc = with_document_kinds(proc)  # issue #13: required / conditional / optional, stored with the doc
        body = json.dumps(proc, ensure_ascii=False)
        old = db.execute("SELECT doc FROM procedures WHERE id = ?", [proc["id"]]).fetchone()
        if old is not None and old[0] == body:
            count += 1
            continue
        changed += 1
        text = " ".join([proc["name"], proc.get("code") or "", *proc.get("keywords", [])])
        db.execute(
            """INSERT INTO procedures(id, code, name, name_en, field, level, agency, processing_days,
                                      search_text, doc)
               VALUES(?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(id) DO UPDATE SET code=excluded.code, name=excluded.name, name_en=excluded.name_en,
                 field=excluded.field, level=excluded.level, agency=excluded.agency,
                 processing_days=excluded.processing_days, search_text=excluded.search_text, doc=excluded.doc""",
            [proc["id"], proc.get("code"), proc["name"], proc.get("name_en"), proc["field"], proc.get("level"),
             proc.get("agency"), proc.get("processing_days"), fold(text), body],
        )
        db.execute("UPDATE procedures SET version = ? WHERE id = ?", [new_version, proc["id"]])
        db.execute("DELETE FROM procedures_removed WHERE id = ?", [proc["id"]])
        count += 1
    if changed:
        set_meta(db, "catalog_version", str(new_version))
    return count


def collapse_versions(db: sqlite_utils.Database, before: int) -> None:
    """Give everything changed since version `before` the one version `before + 1` (an import made of
    several loads is one change for the kiosks)."""
    if version(db) <= before + 1:
        return
    db.execute("UPDATE procedures SET version = ? WHERE version > ?", [before + 1, before])
    db.execute("UPDATE procedures_removed SET version = ? WHERE version > ?", [before + 1, before])
    set_meta(db, "catalog_version", str(before + 1))


def remove(db: sqlite_utils.Database, ids: list[str]) -> int:
    """Withdraw procedures (tombstones tell kiosks to drop them). Call inside a transaction."""
    new_version = version(db) + 1
    n = 0
    for pid in ids:
        if db.execute("DELETE FROM procedures WHERE id = ?", [pid]).rowcount:
            db.execute("INSERT INTO procedures_removed(id, version) VALUES(?, ?) "
                       "ON CONFLICT(id) DO UPDATE SET version = excluded.version", [pid, new_version])
            n += 1
    if n:
        set_meta(db, "catalog_version", str(new_version))
    return n


def get(db: sqlite_utils.Database, procedure_id: str) -> dict | None:
    row = db.execute("SELECT doc FROM procedures WHERE id = ?", [procedure_id]).fetchone()
    return json.loads(row[0]) if row else None


def fields(db: sqlite_utils.Database) -> list[dict]:
    rows = db.execute("SELECT value FROM meta WHERE key LIKE 'field:%' ORDER BY key").fetchall()
    return [json.loads(r[0]) for r in rows]


def changes_since(db: sqlite_utils.Database, since: int) -> dict:
    """What a replica at version `since` needs: changed procedures and removed ids (all when since=0,
    or when the replica claims a version newer than ours — it must start again)."""
    current = version(db)
    full = since <= 0 or since > current
    if full:
        rows = db.execute("SELECT doc FROM procedures ORDER BY id").fetchall()
        removed: list[str] = []
    else:
        rows = db.execute("SELECT doc FROM procedures WHERE version > ? ORDER BY id", [since]).fetchall()
        removed = [r[0] for r in db.execute("SELECT id FROM procedures_removed WHERE version > ? ORDER BY id",
                                            [since])]
    return {"version": current, "full": full, "fields": fields(db),
            "procedures": [json.loads(r[0]) for r in rows], "removed": removed}


ANSWERS_KEPT = 1024  # recent answers per catalogue version: every kiosk and phone types the same prefixes


@dataclass(frozen=True)
class _Searchable:
    """The catalogue of one version, ready to answer a search: the ranked index, every procedure as a
    dict and as its JSON (serialised once, not once per answer), and the latest answers as sent."""

    version: int
    index: Index
    docs: dict[str, dict]
    json: dict[str, bytes]
    answers: OrderedDict[tuple[str, int], bytes] = field(default_factory=OrderedDict)


_searchable: weakref.WeakKeyDictionary[sqlite_utils.Database, _Searchable] = weakref.WeakKeyDictionary()


def _current(db: sqlite_utils.Database) -> _Searchable:
    """Built once per catalogue version and kept in memory: scanning every row per request cost 10 ms of
    the event loop at 6,000 procedures."""
    current = version(db)
    cached = _searchable.get(db)
    if cached is None or cached.version != current:
        rows = [(r[0], json.loads(r[0])) for r in db.execute("SELECT doc FROM procedures")]
        docs = {d["id"]: d for _, d in rows}
        cached = _searchable[db] = _Searchable(current, Index.build([make_entry(d) for d in docs.values()]), docs,
                                               {d["id"]: json.dumps(d).encode() for _, d in rows})
    return cached


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Procedures ranked as the kiosk ranks them (motcua_core.search: diacritic- and case-insensitive)."""
    s = _current(db)
    return [s.docs[e.id] for e in rank(s.index, query, limit)]


def search_json(db: sqlite_utils.Database, query: str, limit: int = 20) -> bytes:
    """The same answer as `search`, as a JSON array (for the HTTP API, which sends it as is). A query
    typed again (the same folded words) is answered from the last ANSWERS_KEPT of this version."""
    s = _current(db)
    key = (" ".join(fold(query).split()), limit)
    body = s.answers.get(key)
    if body is None:
        body = s.answers[key] = b"[" + b",".join(s.json[e.id] for e in rank(s.index, query, limit)) + b"]"
        if len(s.answers) > ANSWERS_KEPT:
            s.answers.popitem(last=False)
    else:
        s.answers.move_to_end(key)
    return body


def count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM procedures").fetchone()[0]


def field_codes(db: sqlite_utils.Database) -> set[str]:
    """Every field code of every site (a procedure may name any of them)."""
    return {r[0] for r in db.execute("SELECT code FROM fields")}


def procedure_ids(db: sqlite_utils.Database) -> set[str]:
    return {r[0] for r in db.execute("SELECT id FROM procedures")}


def agency_names(db: sqlite_utils.Database, site_id: str) -> list[str]:
    """The agencies an administrator picks from: those that handle a procedure of the catalogue, and those
    the site's specialists and officers already belong to (unsorted: the caller sorts for a person)."""
    rows = db.execute(
        "SELECT agency FROM procedures WHERE agency IS NOT NULL AND agency != '' "
        "UNION SELECT agency FROM specialists WHERE site_id = ? AND agency IS NOT NULL "
        "UNION SELECT agency FROM accounts WHERE site_id = ? AND agency IS NOT NULL "
        "UNION SELECT seconded_by FROM officers WHERE site_id = ? AND seconded_by IS NOT NULL", [site_id, site_id, site_id])
    return [r[0] for r in rows if str(r[0]).strip()]
