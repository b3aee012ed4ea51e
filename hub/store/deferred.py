"""Effects committed by a process that cannot publish (the CLI), kept until the running hub publishes
them (hub.ops.run.defer / take_deferred)."""

from __future__ import annotations

from hub.store.db import Db


def add(db: Db, at: float, body: str) -> None:
    db.execute("INSERT INTO deferred_effects(at, body) VALUES(?, ?)", [at, body])


def any_waiting(db: Db) -> bool:
    return db.execute("SELECT 1 FROM deferred_effects LIMIT 1").fetchone() is not None


def take_all(db: Db) -> list[str]:
    """Every waiting body, oldest first, removed. Call inside a transaction: only what was read is deleted."""
    rows = db.execute("SELECT id, body FROM deferred_effects ORDER BY id").fetchall()
    if rows:
        db.execute("DELETE FROM deferred_effects WHERE id <= ?", [rows[-1][0]])
    return [r[1] for r in rows]
