"""The province overview's counts kept on ingest (hub.store.sync_summary), on real databases (the centre
a SQLite file; the province a SQLite file, or PostgreSQL in the PostgreSQL pass): a centre's real outbox
applied at a real provincial database, batch by batch — with resends, a ticket that
moves through its statuses, and a new epoch re-sending everything — and the counts always equal a
recount of the province's copy; the overview reads them."""

from __future__ import annotations

import json
from pathlib import Path

from hub.app import load_site_file
from hub.cli.common import DEMO_SITE
from hub.domain import sync as rules
from hub.ops import queue as queue_ops
from hub.ops import sync as sync_ops
from hub.ops.run import Runner
from hub.store import sync as store
from tests.support.hubproc import open_hub_db
from tests.support.province import bind_commune, bind_province

NOW = 1_789_000_000.0  # a fixed moment: the day the counts are kept under


def recount(db) -> dict:  # noqa: ANN001
    out = {}
    for site, kind, day, status, n in db.execute(
            "SELECT site_id, kind, CASE WHEN kind = 'dossier' THEN '' ELSE day END, COALESCE(status, ''), COUNT(*) "
            "FROM sync_rows WHERE kind IN ('ticket', 'vote', 'dossier') GROUP BY 1, 2, 3, 4").fetchall():
        out[(site, kind, day, status)] = n
    return out


def kept(db) -> dict:  # noqa: ANN001
    return {(s, k, d, st): n for s, d, k, st, n in db.execute(
        "SELECT site_id, day, kind, status, n FROM sync_summary").fetchall() if n}


def test_counts_kept_on_ingest_equal_a_recount(tmp_path: Path) -> None:
    bind_province(tmp_path / "tinh")
    bind_commune(tmp_path / "xa")
    prov = open_hub_db(tmp_path / "tinh")
    centre = open_hub_db(tmp_path / "xa")
    load_site_file(centre, DEMO_SITE)
    pr, cr = Runner(prov, clock=lambda: NOW), Runner(centre, clock=lambda: NOW)
    pr.run(None, lambda ctx: sync_ops.init_province(ctx, "Tỉnh Mẫu"))
    code = pr.run(None, lambda ctx: sync_ops.add_centre(ctx, "xa", "Xã"))
    joined = pr.run(None, lambda ctx: sync_ops.join(ctx, code, ["demo"], "127.0.0.1"))
    cr.run(None, lambda ctx: sync_ops.start_centre(ctx, joined))

    def send(epoch: str, after: int = 0, size: int = 7) -> int:
        """The centre's outbox above `after`, in batches of `size` (each batch once, then once again), as
        the link sends them (bodies spliced in as stored)."""
        rows = store.outbox_encoded(centre, "demo", after, limit=10_000)
        for i in range(0, len(rows), size):
            msg = json.loads(rules.batch_payload("xa", epoch, "demo", rows[i:i + size], NOW))
            for _ in range(2):  # a resend changes nothing
                assert pr.run(None, lambda ctx, m=msg: sync_ops.apply_batch(ctx, "xa", m))["type"] == "ack"
        return rows[-1][0] if rows else after

    tickets = [cr.run("demo", lambda ctx: queue_ops.issue_ticket(ctx, "HT"))["ticket"] for _ in range(6)]
    mark = send(joined["epoch"])
    assert kept(prov) == recount(prov) and kept(prov)[("demo", "ticket", store.rules.local_day(NOW), "waiting")] == 6
    # Tickets move on at the centre: called, served; the province's copies move and so do the counts.
    centre.execute("UPDATE tickets SET status = 'done' WHERE id = ?", [tickets[0]["id"]])
    centre.execute("INSERT INTO ticket_events(ticket_id, site_id, at, kind) VALUES(?, 'demo', ?, 'served')",
                   [tickets[0]["id"], NOW])
    cr.run(None, lambda ctx: store.capture(ctx.db, ctx.now))
    send(joined["epoch"], mark, size=1)
    assert kept(prov) == recount(prov)
    assert kept(prov)[("demo", "ticket", store.rules.local_day(NOW), "done")] == 1
    # The centre joins again (a new epoch): everything comes again; nothing is counted twice.
    code = pr.run(None, lambda ctx: sync_ops.add_centre(ctx, "xa", "Xã"))
    joined = pr.run(None, lambda ctx: sync_ops.join(ctx, code, ["demo"], "127.0.0.1"))
    cr.run(None, lambda ctx: sync_ops.start_centre(ctx, joined))
    send(joined["epoch"], 0, size=5)
    assert kept(prov) == recount(prov)
    line = pr.view(None, sync_ops.overview, now=NOW)["centres"][0]
    assert (line["waiting"], line["served_today"], line["tickets_today"]) == (5, 1, 6)
