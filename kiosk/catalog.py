"""The kiosk's local replica of the procedure catalogue (SQLite), kept in step with the hub by version.

Lookup reads only this replica, so it keeps working while the hub is unreachable. Sync asks the hub
for changes since the local version (`GET /api/v1/catalog?since=`) and applies them in one transaction.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import urllib.request
from pathlib import Path

from motcua_core.collation import vi_key, vi_sorted
from motcua_core.search import Entry, Index, make_entry, search

log = logging.getLogger("motcua.kiosk.catalog")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fields (code TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT);
CREATE TABLE IF NOT EXISTS procedures (id TEXT PRIMARY KEY, field TEXT NOT NULL, agency TEXT, doc TEXT NOT NULL);
"""


_NOTE = re.compile(r"\s*\(.*?\)|\s+hoặc\s.*$|\s+nơi\s.*$|\s+-\s.*$", re.IGNORECASE)
_HEAD = re.compile(r"^(Chủ tịch|Thủ trưởng)\s+", re.IGNORECASE)


def agency_label(agency: str) -> str:
    """'Chủ tịch Ủy ban nhân dân cấp xã (hoặc Phòng Tư pháp cấp huyện)' → 'Ủy ban nhân dân cấp xã': the
    office a citizen goes to, without the catalogue's notes on who signs or alternatives."""
    return _HEAD.sub("", _NOTE.sub("", agency).strip()) or agency


class Catalog:
    """Procedures on this kiosk: search, browse by field and agency, and apply sync documents."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._entries: list[Entry] = []
        self._index = Index.build([])
        self._reload()

    def _reload(self) -> None:
        rows = self._db.execute("SELECT doc FROM procedures").fetchall()
        self._entries = sorted((make_entry(json.loads(r[0])) for r in rows), key=lambda e: vi_key(e.name))
        self._index = Index.build(self._entries)

    @property
    def version(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0

    def __len__(self) -> int:
        return len(self._entries)

    def apply(self, doc: dict) -> int:
        """Apply one sync answer: a full replacement or a delta. Returns the new version."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if doc.get("full"):
                    self._db.execute("DELETE FROM procedures")
                    self._db.execute("DELETE FROM fields")
                for f in doc.get("fields") or []:
                    self._db.execute("INSERT OR REPLACE INTO fields(code, name, name_en) VALUES(?,?,?)",
                                     [f["code"], f["name"], f.get("name_en")])
                for p in doc.get("procedures") or []:
                    self._db.execute("INSERT OR REPLACE INTO procedures(id, field, agency, doc) VALUES(?,?,?,?)",
                                     [p["id"], p.get("field", ""), p.get("agency"), json.dumps(p, ensure_ascii=False)])
                for pid in doc.get("removed") or []:
                    self._db.execute("DELETE FROM procedures WHERE id = ?", [pid])
                self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('version', ?)", [str(int(doc["version"]))])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._reload()
        return self.version

    def search(self, query: str, limit: int = 30) -> list[Entry]:
        return search(self._index, query, limit)

    def get(self, proc_id: str) -> dict | None:
        row = self._db.execute("SELECT doc FROM procedures WHERE id = ?", [proc_id]).fetchone()
        return json.loads(row[0]) if row else None

    def fields(self) -> list[dict]:
        rows = self._db.execute(
            """SELECT f.code, f.name, f.name_en, COUNT(p.id) FROM fields f LEFT JOIN procedures p ON p.field = f.code
               GROUP BY f.code ORDER BY f.rowid""").fetchall()
        return [{"code": r[0], "name": r[1], "name_en": r[2], "count": r[3]} for r in rows]

    def agencies(self, field: str) -> list[str]:
        """The agencies a citizen chooses between: catalogue variants of one agency ("Chủ tịch Ủy ban nhân
        dân cấp xã", "Ủy ban nhân dân cấp xã (hoặc …)") are one choice, not four near-identical buttons."""
        rows = self._db.execute("SELECT DISTINCT agency FROM procedures WHERE field = ? AND agency IS NOT NULL",
                                [field]).fetchall()
        return vi_sorted({agency_label(r[0]) for r in rows})

    def in_field(self, field: str, agency: str | None = None) -> list[Entry]:
        return [e for e in self._entries
                if e.field == field and (agency is None or agency_label(e.agency or "") == agency)]

    def sync(self, base_url: str, timeout: float = 10.0) -> int:
        """Fetch changes from the hub; raises OSError/ValueError when the hub is unreachable or answers junk."""
        url = f"{base_url.rstrip('/')}/api/v1/catalog?since={self.version}"
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            doc = json.loads(resp.read().decode("utf-8"))
        if not isinstance(doc, dict) or not isinstance(doc.get("version"), int):
            raise ValueError(f"{url}: not a catalogue document")
        if doc["version"] == self.version and not doc.get("full"):
            return self.version
        return self.apply(doc)

    def close(self) -> None:
        self._db.close()
