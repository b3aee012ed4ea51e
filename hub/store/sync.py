"""The sync's rows (docs/province.md): at a centre the outbox, its per-site sequences and capture marks;
at the province the centres, their sites' high-water marks and the copy of every centre's rows.

Portable SQL only (`?` placeholders, ON CONFLICT … DO UPDATE), so the provincial hub can move to the
PostgreSQL engine. `capture` runs inside the caller's transaction (the Runner's, just before COMMIT).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import sqlite_utils

from hub.domain import sync as rules
from hub.domain import sync_route as route_rules
from hub.store import memo, sync_summary
from hub.store.db import get_meta, set_meta

# (table, kind, parent table, parent key column in the event, parent kind): each appended row goes to the
# outbox, followed by the current snapshot of its ticket or dossier.
SOURCES = (
    ("ticket_events", "ticket_event", "tickets", "ticket_id", "ticket", "id"),
    ("dossier_events", "dossier_event", "dossiers", "code", "dossier", "code"),
    ("votes", "vote", None, None, None, None),
    ("audit_log", "audit", None, None, None, None),
    ("intake_refusals", "intake_refusal", None, None, None, None),
)


PRUNE_ROWS = 64  # acknowledged outbox rows deleted per site by one capture (`_prune`)


def _dicts(cursor) -> list[dict]:
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, row, strict=True)) for row in cursor.fetchall()]


def _encode(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


# --- the centre side ------------------------------------------------------------------------------

def role(db: sqlite_utils.Database) -> str | None:
    """'centre', 'province' or None (a hub on its own)."""
    return get_meta(db, "sync_role")


def start_centre(db: sqlite_utils.Database, epoch: str, sites: Iterable[str]) -> None:
    """Make this hub a centre under `epoch`: the outbox starts empty and numbered from 1, and the next
    capture takes the whole database (everything the province must have). Inside a transaction."""
    set_meta(db, "sync_role", "centre")
    set_meta(db, "sync_epoch", epoch)
    db.execute("DELETE FROM sync_outbox")
    db.execute("DELETE FROM sync_sites")
    for site in sites:
        db.execute("INSERT INTO sync_sites(site_id) VALUES(?)", [site])
    memo.forget(db, _NO_MARKS)
    for table, *_ in SOURCES:
        db.execute("INSERT INTO sync_marks(source, last_id) VALUES(?, 0) "
                   "ON CONFLICT(source) DO UPDATE SET last_id = 0", [table])


def mark_restored(db: sqlite_utils.Database) -> bool:
    """A centre's database put back from a backup: its epoch no longer holds (its sequences repeat numbers
    the province already has), so its link stays down until the centre joins again. True if it was one."""
    if role(db) != "centre":
        return False
    set_meta(db, "sync_epoch", "restored")
    return True


_NO_MARKS = ("sync_marks_none",)  # memo key: this database has no capture marks


def marks(db: sqlite_utils.Database) -> dict[str, int]:
    """Every capture's mark (source → last id copied): read once per transaction for `capture` and
    `capture_down`. A hub that is neither a centre nor a province has none, and gets its first only from
    `start_centre` or `skip_down` (which forget this): that empty answer is kept in the registry memo, so
    such a hub does not ask again before every COMMIT (on PostgreSQL a round trip of its own)."""
    if memo.peek(db, _NO_MARKS):
        return {}
    found = dict(db.execute("SELECT source, last_id FROM sync_marks").fetchall())
    if not found:
        memo.put(db, _NO_MARKS, True)
    return found


def capture(db: sqlite_utils.Database, now: float,
            extras: Callable[[sqlite_utils.Database, str, dict], dict] | None = None,
            marks: dict[str, int] | None = None) -> int:
    """Copy what was appended since the last capture into the outbox, numbered per site; return the number
    of outbox rows written. Runs in the transaction of the change it captures. `marks`: as `marks(db)`
    returned them in this transaction (else read here)."""
    if marks is None:
        marks = dict(db.execute("SELECT source, last_id FROM sync_marks").fetchall())
    if not marks:
        return 0
    pending: list[tuple[str, str, str, float, dict]] = []  # (site, kind, key, at, body)
    parents: dict[tuple[str, str], set] = {}
    own: set[str] | None = None  # this centre's sites, read only when a dossier event is captured
    for table, kind, ptable, pcol, pkind, pkey in SOURCES:
        last = marks.get(table)
        if last is None:
            continue
        rows = _dicts(db.execute(f"SELECT * FROM {table} WHERE id > ? ORDER BY id", [last]))
        if not rows:
            continue
        for row in rows:
            site = row.get("site_id")
            if site is None:
                continue  # global administration: no site to number it under
            if kind == "dossier_event" and own is None:
                own = {r[0] for r in db.execute("SELECT site_id FROM sync_sites").fetchall()}
            if kind == "dossier_event" and site not in own:  # a copy of a dossier received at another centre
                held = _held_up(db, row, now)
                if held is not None:
                    pending.append(held)
                continue
            pending.append((site, kind, str(row["id"]), float(row.get("at") or now), row))
            if ptable is not None:
                parents.setdefault((ptable, pkind, pkey), set()).add(row[pcol])  # type: ignore[index]
        db.execute("UPDATE sync_marks SET last_id = ? WHERE source = ?", [rows[-1]["id"], table])
    for (ptable, pkind, pkey), keys in parents.items():
        ordered = sorted(keys, key=str)
        for i in range(0, len(ordered), 500):
            chunk = ordered[i:i + 500]
            marks_sql = ",".join("?" * len(chunk))
            for row in _dicts(db.execute(f"SELECT * FROM {ptable} WHERE {pkey} IN ({marks_sql})", chunk)):
                if extras is not None:
                    row = {**row, **extras(db, pkind, row)}
                pending.append((row["site_id"], pkind, str(row[pkey]), now, row))
    if not pending:
        return 0
    sites = db.execute("SELECT site_id, seq, acked_seq FROM sync_sites").fetchall()
    seqs = {site: seq for site, seq, _ in sites}
    _prune(db, {site: acked for site, _, acked in sites})
    out = []
    for site, kind, key, at, body in pending:
        seq = seqs.get(site, 0) + 1
        seqs[site] = seq
        out.append([site, seq, kind, key, at, _encode(body)])
    for values in out:
        db.execute("INSERT INTO sync_outbox(site_id, seq, kind, key, at, body) VALUES(?,?,?,?,?,?)", values)
    for site, seq in seqs.items():
        db.execute("INSERT INTO sync_sites(site_id, seq) VALUES(?, ?) "
                   "ON CONFLICT(site_id) DO UPDATE SET seq = excluded.seq", [site, seq])
    return len(out)


def _held_up(db: sqlite_utils.Database, row: dict, now: float) -> tuple | None:
    """An event appended here to a dossier another centre received (relayed here by the province): it goes
    up as a `held_event` under the site its copy was given to; one the sync brought here (`origin` set)
    does not go back."""
    if row.get("origin") is not None:
        return None
    up = db.execute("SELECT up_site FROM sync_held WHERE code = ?", [row["code"]]).fetchone()
    if up is None or up[0] is None:
        return None
    return (up[0], "held_event", str(row["id"]), float(row.get("at") or now), row)


def uncaptured(db: sqlite_utils.Database) -> bool:
    """Whether a table has rows the outbox lacks (written outside the Runner): a read, no write lock, so
    the link's sweep takes the lock only when there is something to capture."""
    tables = {t for t, *_ in SOURCES}
    for source, last in db.execute("SELECT source, last_id FROM sync_marks").fetchall():
        if source in tables and db.execute(f"SELECT 1 FROM {source} WHERE id > ? LIMIT 1", [last]).fetchone() is not None:
            return True
    return False


def presence(db: sqlite_utils.Database) -> dict[str, dict]:
    """Each site's device presence summary: devices online and registered, by role, and each device with
    its presence and its printer's state (what the province's fleet page lists; no last-seen time, which
    would change the summary at every heartbeat)."""
    out: dict[str, dict] = {}
    for site, dev_id, role, name, counter, status, health in db.execute(
            "SELECT site_id, id, role, name, counter, status, health FROM devices WHERE revoked_at IS NULL "
            "ORDER BY site_id, id").fetchall():
        s = out.setdefault(site, {"online": 0, "total": 0, "roles": {}, "devices": []})
        r = s["roles"].setdefault(role, {"online": 0, "total": 0})
        r["total"] += 1
        s["total"] += 1
        if status == "online":
            r["online"] += 1
            s["online"] += 1
        printer = (json.loads(health) if health else {}).get("printer")
        s["devices"].append({"id": dev_id, "role": role, "name": name, "counter": counter, "status": status,
                             "printer": printer.get("state") if isinstance(printer, dict) else None})
    return out


def enqueue(db: sqlite_utils.Database, site: str, kind: str, key: str, body: dict, now: float) -> int:
    """One row into a site's outbox with its next sequence number (in the caller's transaction)."""
    row = db.execute("SELECT seq FROM sync_sites WHERE site_id = ?", [site]).fetchone()
    seq = (row[0] if row else 0) + 1
    db.execute("INSERT INTO sync_outbox(site_id, seq, kind, key, at, body) VALUES(?,?,?,?,?,?)",
               [site, seq, kind, key, now, _encode(body)])
    db.execute("INSERT INTO sync_sites(site_id, seq) VALUES(?, ?) ON CONFLICT(site_id) DO UPDATE SET seq = excluded.seq",
               [site, seq])
    return seq


def _outbox_rows(db: sqlite_utils.Database, site: str, after: int, limit: int, budget: int) -> list[tuple]:
    """(seq, kind, key, at, body text) of the site's outbox above `after`, in sequence: at most `limit`
    rows and, past the first, about `budget` bytes (a batch of file pieces stays under the brokers'
    packet limit)."""
    out, total = [], 0
    for row in db.execute("SELECT seq, kind, key, at, body FROM sync_outbox WHERE site_id = ? AND seq > ? "
                          "ORDER BY seq LIMIT ?", [site, after, limit]):
        total += len(row[4])
        if out and total > budget:
            break
        out.append(row)
    return out


def outbox_after(db: sqlite_utils.Database, site: str, after: int, limit: int = rules.MAX_BATCH_ROWS,
                 budget: int = route_rules.BATCH_BYTES) -> list[dict]:
    """The site's outbox rows above `after`, in sequence, as batch rows (see `_outbox_rows`)."""
    return [{"seq": seq, "kind": kind, "id": key, "at": at, "body": json.loads(body)}
            for seq, kind, key, at, body in _outbox_rows(db, site, after, limit, budget)]


def outbox_encoded(db: sqlite_utils.Database, site: str, after: int, limit: int = rules.MAX_BATCH_ROWS,
                   budget: int = route_rules.BATCH_BYTES) -> list[tuple[int, str]]:
    """`outbox_after`'s rows as (seq, the batch row as JSON text), the stored body spliced in undecoded
    (what the link sends: hub.domain.sync.batch_payload)."""
    return [(seq, f'{{"seq":{int(seq)},"kind":{json.dumps(kind)},"id":{json.dumps(key, ensure_ascii=False)},'
                  f'"at":{json.dumps(at)},"body":{body}}}')
            for seq, kind, key, at, body in _outbox_rows(db, site, after, limit, budget)]


def link_sites(db: sqlite_utils.Database) -> list[dict]:
    return _dicts(db.execute("SELECT site_id, seq, acked_seq, last_ack_at, refused FROM sync_sites "
                             "ORDER BY site_id"))


def record_ack(db: sqlite_utils.Database, site: str, hwm: int, now: float) -> None:
    """The province holds everything of `site` up to `hwm`: those outbox rows are no longer needed. They
    are deleted later, a few at a time, by the hub's own captures (`_prune`), not here: the link records
    acks from its own process at a low CPU priority, and deleting two seconds' worth of rows held the
    write lock 4–9 ms, which the hub's next call waited out."""
    db.execute("UPDATE sync_sites SET acked_seq = CASE WHEN acked_seq < ? THEN ? ELSE acked_seq END, "
               "last_ack_at = ?, refused = NULL WHERE site_id = ?", [hwm, hwm, now, site])


def _prune(db: sqlite_utils.Database, acked: dict[str, int]) -> None:
    """Delete at most PRUNE_ROWS acknowledged outbox rows per site (the oldest), in the capturing
    transaction: a call writes about seven rows, so the outbox keeps up while no transaction holds the
    write lock much longer for it (after a long cut, the backlog goes in steps of PRUNE_ROWS)."""
    for site, hwm in acked.items():
        if hwm > 0:
            db.execute("DELETE FROM sync_outbox WHERE site_id = ? AND seq <= ? AND seq < "
                       "(SELECT MIN(seq) FROM sync_outbox WHERE site_id = ?) + ?", [site, hwm, site, PRUNE_ROWS])


def record_refusal(db: sqlite_utils.Database, site: str, reason: str, now: float) -> None:
    db.execute("UPDATE sync_sites SET refused = ?, last_ack_at = ? WHERE site_id = ?", [reason, now, site])


# --- the province side ----------------------------------------------------------------------------

def add_centre(db: sqlite_utils.Database, centre: str, name: str, code_hash: str, expires_at: float,
               now: float) -> None:
    """A centre invited to join (or to join again, after a restore): a new one-time code."""
    db.execute("INSERT INTO sync_centres(id, name, code_hash, code_expires_at, created_at) VALUES(?,?,?,?,?) "
               "ON CONFLICT(id) DO UPDATE SET code_hash = excluded.code_hash, "
               "code_expires_at = excluded.code_expires_at, name = excluded.name",
               [centre, name, code_hash, expires_at, now])


def centre_by_code(db: sqlite_utils.Database, code_hash: str) -> dict | None:
    rows = _dicts(db.execute("SELECT * FROM sync_centres WHERE code_hash = ?", [code_hash]))
    return rows[0] if rows else None


def get_centre(db: sqlite_utils.Database, centre: str) -> dict | None:
    rows = _dicts(db.execute("SELECT * FROM sync_centres WHERE id = ?", [centre]))
    return rows[0] if rows else None


def list_centres(db: sqlite_utils.Database) -> list[dict]:
    return _dicts(db.execute("SELECT * FROM sync_centres ORDER BY id"))


def site_owner(db: sqlite_utils.Database, site: str) -> str | None:
    row = db.execute("SELECT centre_id FROM sync_hwm WHERE site_id = ?", [site]).fetchone()
    return row[0] if row else None


def joined(db: sqlite_utils.Database, centre: str, epoch: str, broker_hash: str, sites: Iterable[str],
           now: float) -> None:
    """The centre used its code: its broker account, its new epoch, its sites' marks back to 0 (the new
    epoch numbers from 1)."""
    db.execute("UPDATE sync_centres SET code_hash = NULL, code_expires_at = NULL, broker_hash = ?, epoch = ?, "
               "joined_at = ? WHERE id = ?", [broker_hash, epoch, now, centre])
    for site in sites:
        db.execute("INSERT INTO sync_hwm(site_id, centre_id, epoch, hwm) VALUES(?,?,?,0) "
                   "ON CONFLICT(site_id) DO UPDATE SET centre_id = excluded.centre_id, epoch = excluded.epoch, "
                   "hwm = 0", [site, centre, epoch])


def hwm(db: sqlite_utils.Database, site: str) -> int:
    row = db.execute("SELECT hwm FROM sync_hwm WHERE site_id = ?", [site]).fetchone()
    return int(row[0]) if row else 0


def apply_rows(db: sqlite_utils.Database, site: str, epoch: str, rows: list[dict], new_hwm: int,
               now: float) -> None:
    """Upsert each row by (site, kind, id) — a copy from a later sequence replaces an earlier one — and
    move the site's high-water mark, all in the caller's transaction."""
    sync_summary.count_changes(db, site, epoch, rows)  # the overview's counts, before the copies move
    params = []
    for r in rows:
        day, status, ref_at, ref_no = rules.index_of(r["kind"], r["body"])
        params.append([site, r["kind"], r["id"], r["seq"], epoch, r["at"], day, status, ref_at, ref_no,
                       rules.parent_of(r["kind"], r["body"]), _encode(r["body"])])
    sql = ("INSERT INTO sync_rows(site_id, kind, key, seq, epoch, at, day, status, ref_at, ref_no, parent, body) "
           "VALUES(?,?,?,?,?,?,?,?,?,?,?,?) "
           "ON CONFLICT(site_id, kind, key) DO UPDATE SET seq = excluded.seq, epoch = excluded.epoch, "
           "at = excluded.at, day = excluded.day, status = excluded.status, ref_at = excluded.ref_at, "
           "ref_no = excluded.ref_no, body = excluded.body "
           "WHERE excluded.epoch <> sync_rows.epoch OR excluded.seq > sync_rows.seq")
    for p in params:
        db.execute(sql, p)
    touch(db, site, now, new_hwm)


def touch(db: sqlite_utils.Database, site: str, now: float, new_hwm: int | None = None) -> None:
    if new_hwm is None:
        db.execute("UPDATE sync_hwm SET last_contact = ? WHERE site_id = ?", [now, site])
    else:
        db.execute("UPDATE sync_hwm SET hwm = ?, last_contact = ? WHERE site_id = ?", [new_hwm, now, site])


def alert(db: sqlite_utils.Database, centre: str, site: str | None, kind: str, message: str, now: float) -> None:
    db.execute("INSERT INTO sync_alerts(at, centre_id, site_id, kind, message) VALUES(?,?,?,?,?)",
               [now, centre, site, kind, message])


def alerts(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    return _dicts(db.execute("SELECT * FROM sync_alerts ORDER BY id DESC LIMIT ?", [limit]))


def province_sites(db: sqlite_utils.Database) -> list[dict]:
    return _dicts(db.execute("SELECT site_id, centre_id, epoch, hwm, last_contact FROM sync_hwm "
                             "ORDER BY centre_id, site_id"))


def copied_rows(db: sqlite_utils.Database, site: str, kind: str) -> list[dict]:
    """The province's copy of one site's rows of one kind (bodies as the centre stored them)."""
    return [json.loads(body) for (body,) in db.execute(
        "SELECT body FROM sync_rows WHERE site_id = ? AND kind = ? ORDER BY key", [site, kind]).fetchall()]


def overview_aggregates(db: sqlite_utils.Database, day: str) -> dict[str, dict]:
    """Per site of the province's copy: today's tickets by status, the oldest waiting ticket, counters
    with a called ticket, today's votes by rating, dossiers by on-time state, and the link's marks. A few
    rows per centre from the counts kept on ingest (hub.store.sync_summary), and index seeks for the
    oldest waiting ticket and the counters serving."""
    out: dict[str, dict] = {}

    def site(s: str) -> dict:
        return out.setdefault(s, {"by_status": {}, "oldest_waiting_at": None, "counters": set(), "votes": {},
                                  "dossiers": {}, "hwm": None, "centre_seq": None, "last_contact": None,
                                  "centre": None, "devices": None})

    for s, kind, status, n in sync_summary.counts(db, day):  # kept on ingest: a few rows per centre
        if n:
            site(s)[{"ticket": "by_status", "vote": "votes", "dossier": "dossiers"}[kind]][status] = n
    for s, row in out.items():  # index seeks, for the centres that have someone waiting or being served
        if row["by_status"].get("waiting"):
            row["oldest_waiting_at"] = sync_summary.oldest_waiting(db, s, day)
        if row["by_status"].get("called"):
            row["counters"] = sync_summary.counters_serving(db, s, day)
    for s, body in db.execute("SELECT site_id, body FROM sync_rows WHERE kind = 'presence'").fetchall():
        site(s)["devices"] = json.loads(body)
    for s, centre, hwm_, seq, last in db.execute(
            "SELECT site_id, centre_id, hwm, centre_seq, last_contact FROM sync_hwm").fetchall():
        row = site(s)
        row.update(centre=centre, hwm=hwm_, centre_seq=seq, last_contact=last)
    return out


def note_centre_seq(db: sqlite_utils.Database, site: str, seq: int, now: float) -> None:
    """Where the centre's sequence stands (a hello or a batch's last row): the lag is this minus hwm."""
    db.execute("UPDATE sync_hwm SET centre_seq = CASE WHEN centre_seq < ? THEN ? ELSE centre_seq END, "
               "last_contact = ? WHERE site_id = ?", [seq, seq, now, site])


def site_rows(db: sqlite_utils.Database, site: str, kind: str, day: str | None = None, limit: int = 200
              ) -> list[dict]:
    """A centre's copied rows of one kind (a day's, when given), newest first: the drill-down."""
    if day is None:
        rows = db.execute("SELECT body FROM sync_rows WHERE site_id = ? AND kind = ? ORDER BY at DESC LIMIT ?",
                          [site, kind, limit]).fetchall()
    else:
        rows = db.execute("SELECT body FROM sync_rows WHERE site_id = ? AND kind = ? AND day = ? "
                          "ORDER BY at DESC LIMIT ?", [site, kind, day, limit]).fetchall()
    return [json.loads(b) for (b,) in rows]


def local_ticket_ids(db: sqlite_utils.Database, site: str) -> list[str]:
    """A centre's ticket ids as the province keys them (to count what was lost or doubled)."""
    return [str(r[0]) for r in db.execute("SELECT id FROM tickets WHERE site_id = ? ORDER BY id", [site])]


def copied_keys(db: sqlite_utils.Database, site: str, kind: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT key FROM sync_rows WHERE site_id = ? AND kind = ?", [site, kind])]


def report_aggregates(db: sqlite_utils.Database, first: str, last: str) -> list[tuple]:
    """(site, kind, day, status, count) over days first..last of the province's copy: tickets by status,
    votes by rating, dossiers received by on-time state — the province's report over every centre."""
    return db.execute("SELECT site_id, kind, day, status, COUNT(*) FROM sync_rows WHERE kind IN "
                      "('ticket', 'vote', 'dossier') AND day >= ? AND day <= ? GROUP BY site_id, kind, day, status "
                      "ORDER BY site_id, day", [first, last]).fetchall()


def copied_dossier(db: sqlite_utils.Database, code: str) -> tuple[str, dict] | None:
    """The province's copy of a dossier by its code, wherever it was received: (site, body)."""
    row = db.execute("SELECT site_id, body FROM sync_rows WHERE kind = 'dossier' AND key = ?", [code]).fetchone()
    return (row[0], json.loads(row[1])) if row else None



# --- dossiers held at the province ----------------------------------------------------------------

DOWN_MARK = "down:dossier_events"


def holding_site(db: sqlite_utils.Database, code: str) -> str | None:
    """For a dossier held here for a centre: the site of this hub where its current holder (an agency)
    has specialists; None when it is not held here or its holder is not such an agency."""
    row = db.execute("SELECT s.site_id FROM sync_held h JOIN dossiers d ON d.code = h.code "
                     "JOIN (SELECT site_id, agency FROM specialists UNION SELECT site_id, agency FROM accounts "
                     "WHERE role = 'specialist' AND site_id IS NOT NULL) s ON s.agency = d.holder "
                     "WHERE h.code = ? ORDER BY s.site_id LIMIT 1", [code]).fetchone()
    return row[0] if row else None


def held(db: sqlite_utils.Database, code: str) -> dict | None:
    rows = _dicts(db.execute("SELECT * FROM sync_held WHERE code = ?", [code]))
    return rows[0] if rows else None


def take(db: sqlite_utils.Database, site: str, centre: str, dossier: dict, now: float) -> None:
    """The province holds a copy of the dossier, its events copied from the centre's in order, so its
    specialists work on it with the dossier operations; each copied event is marked as the centre's
    (`origin`), so it is not sent back down to it."""
    cols = [d[0] for d in db.execute("SELECT * FROM dossiers LIMIT 0").description]
    row = {c: dossier[c] for c in cols if c in dossier}
    db.execute(f"INSERT INTO dossiers({', '.join(row)}) VALUES({', '.join('?' for _ in row)}) "
               "ON CONFLICT(code) DO NOTHING", list(row.values()))
    events = sorted(copied_events(db, site, dossier["code"]), key=lambda e: int(e["id"]))
    for e in events:  # the centre's events (its own, or ones it had from here: `origin` kept)
        db.execute("INSERT INTO dossier_events(code, site_id, at, kind, by_who, data, origin) VALUES(?,?,?,?,?,?,?)",
                   [e["code"], site, e["at"], e["kind"], e["by_who"], e["data"], e.get("origin") or centre])
    db.execute("INSERT INTO sync_held(code, site_id, centre_id, taken_at) VALUES(?,?,?,?) "
               "ON CONFLICT(code) DO NOTHING", [dossier["code"], site, centre, now])


def copied_events(db: sqlite_utils.Database, site: str, code: str) -> list[dict]:
    return [json.loads(b) for (b,) in db.execute(
        "SELECT body FROM sync_rows WHERE site_id = ? AND kind = 'dossier_event' AND parent = ?", [site, code])]


def skip_down(db: sqlite_utils.Database) -> None:
    """Everything in dossier_events so far is known to the centres (copies, or already queued)."""
    top = db.execute("SELECT MAX(id) FROM dossier_events").fetchone()[0] or 0
    memo.forget(db, _NO_MARKS)
    db.execute("INSERT INTO sync_marks(source, last_id) VALUES(?, ?) ON CONFLICT(source) DO UPDATE SET "
               "last_id = excluded.last_id", [DOWN_MARK, top])


def capture_down(db: sqlite_utils.Database, now: float, marks: dict[str, int] | None = None) -> int:
    """At the province, in the transaction of the change: each new event of a held dossier goes to the down
    stream of every centre with a copy (the one that received it, those it was relayed to), except the
    one it came from (`origin`), numbered per centre. `marks`: as `marks(db)` returned them in this
    transaction (capture leaves this one alone), else read here."""
    if marks is not None:
        mark = (marks[DOWN_MARK],) if DOWN_MARK in marks else None
    else:
        mark = db.execute("SELECT last_id FROM sync_marks WHERE source = ?", [DOWN_MARK]).fetchone()
    if mark is None:
        return 0
    rows = _dicts(db.execute(
        "SELECT e.id, e.code, e.at, e.kind, e.by_who, e.data, e.origin, h.centre_id FROM dossier_events e "
        "JOIN sync_held h ON h.code = e.code WHERE e.id > ? ORDER BY e.id", [mark[0]]))
    top = db.execute("SELECT MAX(id) FROM dossier_events").fetchone()[0] or 0
    if top > mark[0]:  # first: a relay below may call this again inside the same transaction
        db.execute("UPDATE sync_marks SET last_id = ? WHERE source = ?", [top, DOWN_MARK])
    n = 0
    for r in rows:
        copies = [c for (c,) in db.execute("SELECT centre_id FROM sync_copies WHERE code = ?", [r["code"]])]
        body = {"code": r["code"], "kind": r["kind"], "at": r["at"], "by": r["by_who"], "data": json.loads(r["data"]),
                "origin": r["origin"] or "province"}
        for centre in route_rules.fan_out(r["origin"], r["centre_id"], copies):
            seq = (db.execute("SELECT MAX(seq) FROM sync_down WHERE centre_id = ?", [centre]).fetchone()[0]
                   or 0) + 1
            db.execute("INSERT INTO sync_down(centre_id, seq, code, at, body) VALUES(?,?,?,?,?)",
                       [centre, seq, r["code"], now, _encode(body)])
            n += 1
    return n


def down_after(db: sqlite_utils.Database, centre: str, after: int, limit: int = 200,
               budget: int = route_rules.BATCH_BYTES) -> list[dict]:
    """A centre's down rows above `after`: at most `limit` and, past the first, about `budget` bytes."""
    out, total = [], 0
    for seq, body in db.execute("SELECT seq, body FROM sync_down WHERE centre_id = ? AND seq > ? ORDER BY seq "
                                "LIMIT ?", [centre, after, limit]):
        total += len(body)
        if out and total > budget:
            break
        out.append({"seq": seq, **json.loads(body)})
    return out


def local_events(db: sqlite_utils.Database, code: str) -> list[dict]:
    return _dicts(db.execute("SELECT kind, at, by_who, origin FROM dossier_events WHERE code = ? ORDER BY id", [code]))


def flag(db: sqlite_utils.Database, code: str, reason: str, body: dict, now: float) -> None:
    """An event the dossier state machine refused: kept for a person to look at, never dropped."""
    db.execute("INSERT INTO sync_flags(at, code, reason, body) VALUES(?,?,?,?)", [now, code, reason, _encode(body)])


def flags(db: sqlite_utils.Database) -> list[dict]:
    return _dicts(db.execute("SELECT * FROM sync_flags ORDER BY id"))
