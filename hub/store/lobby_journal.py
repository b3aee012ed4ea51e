"""What a router batch's own writes did to the rows a site's lobby state shows (PostgreSQL).

After a Next the hub publishes the site's new lobby state before the COMMIT. On PostgreSQL its reads
(`lobby.lobby_rows`) cost a message of their own between Next's reads and the display: the writes had to
reach the server first. Instead, the router asks for the lobby's rows with the batch's first message,
before any write (`lobby.read_ahead`), and the store's writers of those rows say here what each write
changed (`ticket`, `counter`, `call`); `lobby.lobby_rows` then applies the changes to the rows read
(`lobby.apply_changes`), and the writes go with the COMMIT, after the display.

Safe by default: any other write to a table the lobby reads (a new ticket, an expiry, a dossier, an
officer — whatever the SQL), a rolled-back savepoint, or a change `apply_changes` does not know, spoils
the batch's journal, and the lobby reads its rows as before. SQLite, where a read is a function call,
never keeps one (`begin` needs the engine's write hook, `on_write`).

The rows a batch's lobby state was built from are carried to the connection's next router batch
(`carry`, `carried`) when nothing the lobby reads was written after they were built: that batch starts
from them instead of reading them again, as long as nothing was written since by this connection (its
mark) and its memo is trusted, so that should another process have written, the batch runs again before
anything is published (engine_pg `unchanged_since`).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# The tables whose rows the lobby state shows (hub.store.lobby's reads, queue_counts through tickets).
TABLES = frozenset({"tickets", "counters", "officers", "appointments", "dossiers", "ticket_events", "queue_counts"})
CALL_KINDS = frozenset({"call", "recall", "resume"})  # the events `tickets.LAST_CALL` looks at

_TARGET = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.I)
_targets: dict[str, str | None] = {}


def _target(sql: str) -> str | None:
    """The table a write statement writes, or None when the text does not say (WITH …, DDL)."""
    try:
        return _targets[sql]
    except KeyError:
        m = _TARGET.match(sql)
        out = _targets[sql] = m.group(1).lower() if m else None
        return out


class _Journal:
    __slots__ = ("ahead", "changes", "spoiled", "quiet", "touched", "built")

    def __init__(self) -> None:
        self.ahead: dict[str, tuple[tuple, Callable[[], Any]]] = {}  # site → (key, the rows as hub.store.lobby's)
        self.changes: list[tuple] = []
        self.spoiled = False
        self.quiet = 0  # inside `noted`: the writer reports its change itself
        self.touched = 0  # writes to what the lobby reads (reported or not), rolled-back savepoints
        self.built: dict[str, tuple[tuple, Any, int]] = {}  # site → (key, rows a state was built from, touched)

    def on_write(self, sql: str) -> None:
        table = _target(sql)
        if table is not None and table not in TABLES:
            return
        self.touched += 1
        if not (self.quiet or self.spoiled):
            self.spoiled = True


_journals: weakref.WeakKeyDictionary[Any, _Journal] = weakref.WeakKeyDictionary()


def begin(db: Any) -> bool:
    """Keep a journal for this transaction's batch; False where the engine has no write hook (SQLite)."""
    if not hasattr(db, "on_write"):
        return False
    journal = _journals.get(db)
    if journal is None:
        journal = _journals[db] = _Journal()
        db.on_write = journal.on_write
    return True


def end(db: Any) -> dict[str, tuple[tuple, Any]]:
    """The batch's transaction is ending: the journal is closed, and the rows its lobby states were built
    from that nothing has changed since are returned, for `carry` once the COMMIT has gone."""
    _carried.pop(db, None)
    journal = _journals.pop(db, None)
    if journal is None:
        return {}
    db.on_write = None
    return {site: (key, rows) for site, (key, rows, touched) in journal.built.items() if touched == journal.touched}


def built(db: Any, site_id: str, key: tuple, rows: Any) -> None:
    """The rows (for `key`: day and services) a lobby state of `site_id` was built from, in this batch."""
    journal = _journals.get(db)
    if journal is not None:
        journal.built[site_id] = (key, rows, journal.touched)


# Per connection: (its mark after the COMMIT, {site: (key, rows)}), for its next router batch.
_carried: weakref.WeakKeyDictionary[Any, tuple[Any, dict[str, tuple[tuple, Any]]]] = weakref.WeakKeyDictionary()


def carry(db: Any, rows: dict[str, tuple[tuple, Any]]) -> None:
    """After a COMMIT: keep what `end` returned for the connection's next batch."""
    if rows:
        _carried[db] = (db.mark(), rows)


def carried(db: Any, site_id: str, key: tuple) -> Any | None:
    """The rows the last batch's lobby state of `site_id` was built from, when they still hold (see the
    module's docstring), or None."""
    hit = _carried.get(db)
    if hit is None:
        return None
    mark, rows = hit
    found = rows.get(site_id)
    if found is None or found[0] != key or not db.unchanged_since(mark):
        return None
    return found[1]


def keep_ahead(db: Any, site_id: str, key: tuple, rows: Callable[[], Any]) -> None:
    journal = _journals.get(db)
    if journal is not None:
        journal.ahead[site_id] = (key, rows)


def has_ahead(db: Any, site_id: str) -> bool:
    journal = _journals.get(db)
    return journal is not None and site_id in journal.ahead


def taken(db: Any, site_id: str, key: tuple) -> tuple[Callable[[], Any], list[tuple]] | None:
    """The rows read ahead for `site_id` (for the same `key`: day and services) and the batch's changes
    since, or None when there are none or the journal is spoiled."""
    journal = _journals.get(db)
    if journal is None or journal.spoiled:
        return None
    ahead = journal.ahead.get(site_id)
    if ahead is None or ahead[0] != key:
        return None
    return ahead[1], list(journal.changes)


def spoil(db: Any) -> None:
    """What the batch did can no longer be told from the journal (a savepoint rolled back)."""
    journal = _journals.get(db)
    if journal is not None:
        journal.spoiled = True
        journal.touched += 1


@contextmanager
def noted(db: Any) -> Iterator[None]:
    """Writes inside report their change themselves (`ticket`, `counter`, `call`) or change nothing the
    lobby shows (a ticket event that is not a call)."""
    journal = _journals.get(db)
    if journal is None:
        yield
        return
    journal.quiet += 1
    try:
        yield
    finally:
        journal.quiet -= 1


def _add(db: Any, change: tuple) -> None:
    journal = _journals.get(db)
    if journal is not None and not journal.spoiled:
        journal.changes.append(change)


def ticket(db: Any, before: Any, after: Any) -> None:
    """A ticket row as it was and as written (hub.store.tickets.Ticket)."""
    _add(db, ("ticket", before, after))


def counter(db: Any, site_id: str, number: int, cols: dict) -> None:
    """A counter's columns as written."""
    _add(db, ("counter", site_id, number, dict(cols)))


def call(db: Any, site_id: str, last_call: dict) -> None:
    """A call, recall or resume event, as `tickets.last_call` gives it."""
    _add(db, ("call", site_id, last_call))
