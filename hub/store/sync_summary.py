"""The province overview's counts, kept on ingest (docs/province.md, "The province's console"): per site,
day, kind and status, how many copied rows stand there — today's tickets by status, votes by rating, and
dossiers by on-time state (under day ''). The overview then reads a few rows per centre, whatever the
number of tickets of the day; the longest wait and the counters serving are index seeks per centre.

`count_changes` runs in the batch's transaction, before its rows are upserted, and moves each count by
what the upsert will do (a row replaces its copy only from a later sequence or another epoch)."""

from __future__ import annotations

import sqlite_utils

from hub.domain import sync as rules

COUNTED = ("ticket", "vote", "dossier")


def _bucket(kind: str, day: str | None, status: str | None) -> tuple[str, str] | None:
    if kind == "dossier":
        return "", status or ""
    return None if day is None else (day, status or "")


def count_changes(db: sqlite_utils.Database, site: str, epoch: str, rows: list[dict]) -> None:
    """Move the counts by what upserting `rows` (a batch of `site`, in sequence) will change."""
    counted = [r for r in rows if r["kind"] in COUNTED]
    if not counted:
        return
    current: dict[tuple[str, str], tuple | None] = {}
    delta: dict[tuple[str, str, str, str], int] = {}
    for r in counted:
        k = (r["kind"], r["id"])
        if k not in current:
            old = db.execute("SELECT day, status, seq, epoch FROM sync_rows WHERE site_id = ? AND kind = ? AND key = ?",
                             [site, r["kind"], r["id"]]).fetchone()
            current[k] = None if old is None else tuple(old)
        old = current[k]
        if old is not None and old[3] == epoch and r["seq"] <= old[2]:
            continue  # the upsert keeps the newer copy
        day, status, _a, _n = rules.index_of(r["kind"], r["body"])
        if old is not None:
            b = _bucket(r["kind"], old[0], old[1])
            if b is not None:
                delta[(r["kind"], *b)] = delta.get((r["kind"], *b), 0) - 1
        b = _bucket(r["kind"], day, status)
        if b is not None:
            delta[(r["kind"], *b)] = delta.get((r["kind"], *b), 0) + 1
        current[k] = (day, status, r["seq"], epoch)
    for (kind, day, status), n in delta.items():
        if n:
            db.execute("INSERT INTO sync_summary(site_id, day, kind, status, n) VALUES(?,?,?,?,?) "
                       "ON CONFLICT(site_id, day, kind, status) DO UPDATE SET n = sync_summary.n + excluded.n",
                       [site, day, kind, status, n])


def counts(db: sqlite_utils.Database, day: str) -> list[tuple[str, str, str, int]]:
    """(site, kind, status, n): the day's tickets and votes, and every dossier."""
    return db.execute("SELECT site_id, kind, status, n FROM sync_summary WHERE (day = ? AND kind IN ('ticket', 'vote')) "
                      "OR (day = '' AND kind = 'dossier')", [day]).fetchall()


def oldest_waiting(db: sqlite_utils.Database, site: str, day: str) -> float | None:
    row = db.execute("SELECT MIN(ref_at) FROM sync_rows WHERE kind = 'ticket' AND day = ? AND site_id = ? "
                     "AND status = 'waiting'", [day, site]).fetchone()
    return row[0] if row else None


def counters_serving(db: sqlite_utils.Database, site: str, day: str) -> set:
    return {r[0] for r in db.execute("SELECT DISTINCT ref_no FROM sync_rows WHERE kind = 'ticket' AND day = ? "
                                     "AND site_id = ? AND status = 'called' AND ref_no IS NOT NULL", [day, site])}
