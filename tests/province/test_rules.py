"""The sync's rules without a broker (hub.domain.sync), and the outbox capture on a real SQLite file:
what an operation commits reaches the outbox in its own transaction, and what it does not commit does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.domain import sync as rules
from hub.ops import queue as queue_ops
from hub.ops import sync as sync_ops
from hub.ops.run import Runner
from hub.store import sync as store
from hub.store.db import lazy_commits
from motcua_core import clock as wallclock
from motcua_core.errors import DomainError


def rows(a: int, b: int) -> list[dict]:
    return [{"seq": s, "kind": "vote", "id": str(s), "at": 1.0, "body": {"rating": 5}} for s in range(a, b + 1)]


def test_plan_skips_what_was_applied_and_applies_nothing_across_a_gap() -> None:
    assert rules.plan(0, rows(1, 3)) == rules.Plan(rows(1, 3), 3)
    assert rules.plan(3, rows(1, 3)) == rules.Plan([], 3)  # a resend: nothing moves
    assert rules.plan(2, rows(1, 5)) == rules.Plan(rows(3, 5), 5)  # overlap: only the new part
    assert rules.plan(2, rows(5, 6)) == rules.Plan([], 2, gap=True)


def test_a_batch_is_checked_against_its_topic_and_its_sequence() -> None:
    good = rules.batch("xa-1", "e1", "xa-1", rows(4, 6), 0.0)
    assert rules.check_batch(good, "xa-1") is good
    with pytest.raises(rules.SyncError, match="centre"):
        rules.check_batch(good, "xa-2")  # another centre's batch on this centre's topic
    holed = {**good, "rows": rows(4, 4) + rows(6, 6), "to_seq": 6}
    with pytest.raises(rules.SyncError, match="out of sequence"):
        rules.check_batch(holed, "xa-1")
    with pytest.raises(rules.SyncError):
        rules.check_batch({**good, "v": 2}, "xa-1")
    with pytest.raises(rules.SyncError) as exc:
        rules.check_epoch("e2", "e1")
    assert exc.value.reason == "old_epoch"


def test_overview_line_flags_a_long_wait_and_a_silent_link() -> None:
    line = rules.overview_row("xa-1", "xa-1", by_status={"waiting": 3, "done": 7}, oldest_waiting_at=0.0,
                              counters_busy=2, votes={"5": 3, "2": 1}, dossiers={"ontime": 9, "late": 1, "open": 4},
                              hwm=10, centre_seq=12, last_contact=900.0, now=1000.0)
    assert line["over_target"] and line["longest_wait_s"] == 1000
    assert (line["served_today"], line["on_time_pct"], line["satisfaction_pct"]) == (7, 90.0, 75.0)
    assert line["link"] == {"up": False, "lag": 2, "hwm": 10, "last_contact_s": 100.0}


def test_centres_in_vietnamese_alphabetical_order() -> None:
    names = ["Xã Đông Hòa", "Xã Dương Minh", "Xã Ân Thi", "Xã An Bình", "Xã Bình"]
    assert sorted(names, key=rules.vi_key) == ["Xã An Bình", "Xã Ân Thi", "Xã Bình", "Xã Dương Minh", "Xã Đông Hòa"]


@pytest.fixture
def centre_db(tmp_path: Path):
    db = open_data_dir(tmp_path / "hub")
    load_site_file(db, DEMO_SITE)
    Runner(db).run(None, lambda ctx: sync_ops.start_centre(ctx, {"centre": "demo", "epoch": "e1"}))
    yield db
    db.conn.close()


def test_an_operation_and_its_outbox_rows_commit_together(centre_db) -> None:
    db = centre_db
    runner = Runner(db, clock=lambda: 1_780_000_000.0)
    start = store.link_sites(db)[0]["seq"]
    ticket = runner.run("demo", lambda ctx: queue_ops.issue_ticket(ctx, "HT"))
    out = store.outbox_after(db, "demo", start)
    assert [r["kind"] for r in out] == ["ticket_event", "ticket"]
    assert out[1]["body"]["number"] == ticket["ticket"]["number"] and [r["seq"] for r in out] == [start + 1, start + 2]
    # A refused operation leaves nothing in the outbox; neither does a transaction rolled back.
    with pytest.raises(DomainError):
        runner.run("demo", lambda ctx: queue_ops.issue_ticket(ctx, "NO-SUCH-SERVICE"))
    with pytest.raises(RuntimeError), runner.transaction():
        queue_ops.issue_ticket(ctx_for(db, runner), "HT")
        raise RuntimeError("power cut before COMMIT")
    assert store.link_sites(db)[0]["seq"] == start + 2
    assert len(store.outbox_after(db, "demo", 0, limit=10_000)) == start + 2


def ctx_for(db, runner: Runner):
    from hub.ops.context import Ctx, Effects
    from hub.store.sites import get_site

    return Ctx(db, get_site(db, "demo"), None, wallclock.time(), Effects())


def test_an_ack_frees_the_outbox_and_an_old_epoch_answer_is_ignored(centre_db, tmp_path: Path) -> None:
    db = centre_db
    runner = Runner(db)
    runner.run("demo", lambda ctx: queue_ops.issue_ticket(ctx, "HT"))
    seq = store.link_sites(db)[0]["seq"]
    assert runner.run(None, lambda ctx: sync_ops.record_answer(ctx, "e1", rules.ack("demo", "old", "demo", seq))) is None
    assert store.link_sites(db)[0]["acked_seq"] == 0
    sqlite = db.engine == "sqlite"
    full = db.execute("PRAGMA synchronous").fetchone()[0] if sqlite else None
    with lazy_commits(db):  # as the link records acks: without an fsync, still committed
        runner.run(None, lambda ctx: sync_ops.record_answer(ctx, "e1", rules.ack("demo", "e1", "demo", seq)))
    if sqlite:
        assert db.execute("PRAGMA synchronous").fetchone()[0] == full  # the hub's other commits stay durable
    other = open_data_dir(tmp_path / "hub")
    assert store.link_sites(other)[0]["acked_seq"] == seq
    other.conn.close()
    # The acknowledged rows go with the hub's next capture (not in the link's ack transaction).
    runner.run("demo", lambda ctx: queue_ops.issue_ticket(ctx, "HT"))
    last = store.link_sites(db)[0]["seq"]
    assert [r["seq"] for r in store.outbox_after(db, "demo", 0)] == list(range(seq + 1, last + 1))


def test_a_long_acknowledged_backlog_is_freed_a_bounded_step_per_capture(centre_db) -> None:
    """After a long cut the province acknowledges thousands of rows at once: no single transaction of the
    hub deletes them all (it would hold the write lock as long); each capture frees at most PRUNE_ROWS."""
    db = centre_db
    runner = Runner(db)
    for i in range(100):
        runner.run("demo", lambda ctx, i=i: queue_ops.issue_ticket(ctx, ("HT", "CT", "LD")[i % 3]))
    backlog = store.link_sites(db)[0]["seq"]
    assert backlog > 2 * store.PRUNE_ROWS
    runner.run(None, lambda ctx: sync_ops.record_answer(ctx, "e1", rules.ack("demo", "e1", "demo", backlog)))

    def kept() -> list[int]:
        return [r["seq"] for r in store.outbox_after(db, "demo", 0, limit=100_000, budget=10**9) if r["seq"] <= backlog]

    assert len(kept()) == backlog  # recorded, nothing deleted yet
    runner.run("demo", lambda ctx: queue_ops.issue_ticket(ctx, "HT"))
    assert kept() == list(range(store.PRUNE_ROWS + 1, backlog + 1))  # the oldest PRUNE_ROWS went
    while kept():
        runner.run("demo", lambda ctx: queue_ops.issue_ticket(ctx, "HT"))
    fresh = [r["seq"] for r in store.outbox_after(db, "demo", 0, limit=100_000, budget=10**9)]
    assert fresh and fresh == list(range(backlog + 1, store.link_sites(db)[0]["seq"] + 1))  # nothing unacknowledged lost


def test_the_link_sends_the_outbox_as_stored_the_same_batch_as_decoded(centre_db) -> None:
    """The link splices each stored body into the batch undecoded (hub.domain.sync.batch_payload): the
    province must read exactly the batch the decoded rows make, diacritics and all, within the same
    row limit and byte budget."""
    db = centre_db
    runner = Runner(db, clock=lambda: 1_780_000_000.0)
    for service in ("HT", "CT", "HT"):
        runner.run("demo", lambda ctx, s=service: queue_ops.issue_ticket(ctx, s))
    store.enqueue(db, "demo", "audit", "x-1", {"who": "Nguyễn Thị Lan", "note": 'dấu "ngoặc"\n', "n": None}, 1.5)
    every = store.outbox_after(db, "demo", 0, limit=10_000)
    assert any(r["kind"] == "audit" and r["body"]["who"] == "Nguyễn Thị Lan" for r in every)
    for after, limit, budget in ((0, 10_000, 10**9), (2, 3, 10**9), (1, 10_000, 600)):
        decoded = store.outbox_after(db, "demo", after, limit=limit, budget=budget)
        encoded = store.outbox_encoded(db, "demo", after, limit=limit, budget=budget)
        assert [seq for seq, _ in encoded] == [r["seq"] for r in decoded] and decoded
        sent = json.loads(rules.batch_payload("demo", "e1", "demo", encoded, 7.0))
        assert sent == rules.batch("demo", "e1", "demo", decoded, 7.0)
        assert rules.check_batch(sent, "demo") == sent
