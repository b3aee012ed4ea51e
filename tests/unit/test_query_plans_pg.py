"""The hot paths on PostgreSQL: every statement the queue operations run (the same sequence as
test_query_plans.py: issue, people ahead, call next with the expiry of earlier days, recall, hold,
resume, complete, the counter's and the lobby's state) is captured as sent, with a year's worth of done
tickets in the database, and its plan (EXPLAIN) may not read a history table sequentially: neither the
plan for its values nor the generic plan the server keeps once the engine has prepared the statement
(`PREPARE`, then `EXECUTE` with the values: engine_pg `_bound`)."""

from __future__ import annotations

import re

import psycopg
import pytest

from hub.app import load_site_file
from hub.cli.common import DEMO_SITE
from hub.store import devices as device_store
from hub.store import engine_pg
from hub.store.db import open_db, transaction
from tests.unit.test_query_plans import NOW, _hot_paths

HISTORY = ("tickets", "ticket_events", "requests")
SEQ_SCAN = re.compile(r"Seq Scan on (tickets|ticket_events|requests)\b")


def _seed(db: engine_pg.PgDb, tickets: int) -> None:
    """`tickets` done tickets over past days (three events each) and a week of stored replies, written by
    the server itself; then ANALYZE, as autovacuum would after such a load."""
    raw = db.raw
    raw.execute("""INSERT INTO tickets(site_id, day, service, seq, number, priority, status, issued_at, queued_at,
                                       called_at, first_called_at, done_at, counter)
                   SELECT 'demo', to_char(to_timestamp(%s - (1 + g / 80) * 86400), 'YYYY-MM-DD'),
                          (ARRAY['HT','CT','LD'])[1 + g %% 3], 1 + g %% 80, (1001 + g %% 80)::text, 'none', 'done',
                          %s - (1 + g / 80) * 86400, %s - (1 + g / 80) * 86400, %s - (1 + g / 80) * 86400 + 60,
                          %s - (1 + g / 80) * 86400 + 60, %s - (1 + g / 80) * 86400 + 300, 1 + g %% 8
                   FROM generate_series(0, %s - 1) AS g""", [NOW] * 6 + [tickets])
    for kind in ("issue", "call", "complete"):
        raw.execute("INSERT INTO ticket_events(ticket_id, site_id, at, kind, counter) "
                    "SELECT id, site_id, issued_at, %s, counter FROM tickets", [kind])
    raw.execute("INSERT INTO requests(device_id, request_id, verb, response, at) "
                "SELECT 'old-kiosk', 'r' || g, 'ticket.issue', '{}', %s - g FROM generate_series(1, 20000) AS g", [NOW])
    # Two tickets the office closed on yesterday: the first Next of the day expires them.
    raw.execute("UPDATE tickets SET status = 'held' WHERE id = (SELECT MAX(id) FROM tickets)")
    raw.execute("UPDATE tickets SET status = 'waiting' WHERE id = (SELECT MAX(id) - 1 FROM tickets)")
    raw.execute("ANALYZE")


def test_hot_queries_do_not_scan_history_on_postgresql(pg_cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_db(pg_cluster.create_database("plans"))
    load_site_file(db, DEMO_SITE)
    with transaction(db):
        kiosk, _ = device_store.add(db, site_id="demo", role="kiosk", now=NOW)
        desk, _ = device_store.add(db, site_id="demo", role="counter", counter=8, now=NOW)
    _seed(db, 20_000)

    sent: list[str] = []
    shapes: list[tuple[str, list]] = []  # (statement with %s, its values): what the engine prepares
    execute, defer, read_many = engine_pg.PgDb.execute, engine_pg.PgDb.defer, engine_pg.PgDb.read_many

    def note(self: engine_pg.PgDb, sql: str, params) -> None:  # noqa: ANN001
        p = engine_pg.prepared(sql)
        if not isinstance(p, list):
            text, order = p
            args = list(params or [])
            args = [args[i] for i in order] if order is not None else args
            sent.append(psycopg.ClientCursor(self.raw).mogrify(text, args))
            shapes.append((text, args))

    def capture(self: engine_pg.PgDb, sql: str, params=None):  # noqa: ANN001, ANN202
        note(self, sql, params)
        return execute(self, sql, params)

    def capture_deferred(self: engine_pg.PgDb, sql: str, params=None):  # noqa: ANN001, ANN202
        note(self, sql, params)
        return defer(self, sql, params)

    def capture_many(self: engine_pg.PgDb, reads):  # noqa: ANN001, ANN202
        for sql, params in reads:
            note(self, sql, params)
        return read_many(self, reads)

    # every way a statement reaches the server: one at a time, deferred, several reads at once
    monkeypatch.setattr(engine_pg.PgDb, "execute", capture)
    monkeypatch.setattr(engine_pg.PgDb, "defer", capture_deferred)
    monkeypatch.setattr(engine_pg.PgDb, "read_many", capture_many)
    _hot_paths(db, kiosk, desk)
    monkeypatch.setattr(engine_pg.PgDb, "execute", execute)
    monkeypatch.setattr(engine_pg.PgDb, "defer", defer)
    monkeypatch.setattr(engine_pg.PgDb, "read_many", read_many)

    checked = [s for s in sent if re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", s, re.I)
               and re.search(r"\b(tickets|ticket_events|requests)\b", s)]
    assert len(checked) > 30  # the capture did see the hot paths
    bad = {}
    for s in checked:
        plan = "\n".join(r[0] for r in db.raw.execute("EXPLAIN " + s.replace("%", "%%")).fetchall())
        if SEQ_SCAN.search(plan):
            bad[s] = plan
    assert not bad, "sequential scans of history:\n" + "\n\n".join(f"{s}\n{p}" for s, p in bad.items())

    # The same statements as the engine runs them once prepared: the generic plan (no values known).
    db.raw.execute("SET plan_cache_mode = force_generic_plan")
    generic = 0
    for n, (text, args) in enumerate(dict.fromkeys((t, tuple(a)) for t, a in shapes)):
        prepared = engine_pg._prepare_body(text)
        if prepared is None or not re.search(r"\b(tickets|ticket_events|requests)\b", text):
            continue
        body, count = prepared
        db.raw.execute(f"PREPARE plan_{n} AS {body}")
        values = psycopg.ClientCursor(db.raw).mogrify(", ".join(["%s"] * count), list(args)) if count else ""
        plan = "\n".join(r[0] for r in db.raw.execute(
            f"EXPLAIN EXECUTE plan_{n}" + (f"({values.replace('%', '%%')})" if count else "")).fetchall())
        generic += 1
        if SEQ_SCAN.search(plan):
            bad[body] = plan
    assert generic > 20
    assert not bad, "generic plans scanning history:\n" + "\n\n".join(f"{s}\n{p}" for s, p in bad.items())


def test_the_plan_check_catches_a_scan_of_history(pg_cluster) -> None:
    db = open_db(pg_cluster.create_database("plans_check"))
    load_site_file(db, DEMO_SITE)
    _seed(db, 2_000)
    plan = "\n".join(r[0] for r in db.raw.execute(
        "EXPLAIN SELECT COUNT(*) FROM ticket_events e WHERE e.kind = 'call'").fetchall())
    assert SEQ_SCAN.search(plan)
