"""The procedure (TTHC) catalogue: loading it and searching it without diacritics.

Issue #5 extends this with CSV import and versioned sync to kiosks; the demo loads the starter JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from hub.domain.text import fold

STARTER = Path(__file__).resolve().parent.parent / "data" / "catalogue.json"


def load(db: sqlite_utils.Database, doc: dict) -> int:
    """Insert or replace every procedure of a catalogue document. Call inside a transaction."""
    count = 0
    for proc in doc["procedures"]:
        text = " ".join([proc["name"], proc.get("code") or "", *proc.get("keywords", [])])
        db.execute(
            """INSERT INTO procedures(id, code, name, name_en, field, level, agency, processing_days,
                                      search_text, doc)
               VALUES(?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(id) DO UPDATE SET code=excluded.code, name=excluded.name, name_en=excluded.name_en,
                 field=excluded.field, level=excluded.level, agency=excluded.agency,
                 processing_days=excluded.processing_days, search_text=excluded.search_text, doc=excluded.doc""",
            [proc["id"], proc.get("code"), proc["name"], proc.get("name_en"), proc["field"], proc.get("level"),
             proc.get("agency"), proc.get("processing_days"), fold(text), json.dumps(proc, ensure_ascii=False)],
        )
        count += 1
    return count


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Procedures whose name, code or keywords contain every folded word of the query."""
    words = fold(query).split()
    if not words:
        return []
    where = " AND ".join("instr(search_text, ?) > 0" for _ in words)
    rows = db.execute(f"SELECT doc FROM procedures WHERE {where} ORDER BY length(name) LIMIT ?", [*words, limit])
    return [json.loads(r[0]) for r in rows]


def count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM procedures").fetchone()[0]
