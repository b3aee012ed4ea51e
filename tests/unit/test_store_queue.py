"""The store's SQL shortcuts give exactly what the pure queue rules would give on the whole queue."""

from __future__ import annotations

import random
from pathlib import Path

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.domain import queue as rules
from hub.domain.queue import Candidate, Policy
from hub.store import tickets as ticket_store
from hub.store.db import transaction

DAY = "2026-11-23"


def _seed(tmp_path: Path, rng: random.Random) -> tuple[object, list[Candidate]]:
    db = open_data_dir(tmp_path)
    load_site_file(db, DEMO_SITE)
    cands = []
    with transaction(db):
        for i in range(120):
            service = rng.choice(["HT", "CT", "LD"])
            priority = rng.choice(["none", "none", "none", "elderly", "merit"])
            target = rng.choice([None] * 8 + [3, 8])
            queued = 1000.0 + rng.randint(0, 60)  # ties on purpose
            t = ticket_store.insert(db, site_id="demo", day=DAY, service=service, seq=i + 1,
                                    number=str(i), priority=priority, lang="vi", now=queued, device_id=None)
            tid = ticket_store.update(db, t, target_counter=target).id
            cands.append(Candidate(tid, service, priority, queued, target))
    return db, cands


def test_count_ahead_matches_people_ahead(tmp_path: Path) -> None:
    rng = random.Random(7)
    db, cands = _seed(tmp_path, rng)
    for mode in ("strict", "interleave", "fifo"):
        policy = Policy(mode=mode)
        for _ in range(60):
            service, priority = rng.choice(["HT", "CT", "LD"]), rng.choice(["none", "elderly"])
            at = 1000.0 + rng.randint(0, 60)
            want = rules.people_ahead(cands, service=service, priority=priority, policy=policy, queued_at=at)
            got = ticket_store.count_ahead(db, "demo", DAY, service, at,
                                           only_priority=rules.only_priority_ahead(priority, policy))
            assert got == want
            one = rng.choice(cands)  # as when a ticket's own status is asked: it is not ahead of itself
            others = [c for c in cands if c.ticket_id != one.ticket_id]
            want = rules.people_ahead(others, service=service, priority=priority, policy=policy, queued_at=at)
            got = ticket_store.count_ahead(db, "demo", DAY, service, at, exclude=one.ticket_id,
                                           only_priority=rules.only_priority_ahead(priority, policy))
            assert got == want


def _counted(db) -> dict:
    return {(r[0], r[1], r[2]): r[3] for r in db.execute(
        "SELECT site_id, day, service, waiting FROM queue_counts WHERE waiting != 0")}


def _real(db) -> dict:
    return {(r[0], r[1], r[2]): r[3] for r in db.execute(
        "SELECT site_id, day, service, COUNT(*) FROM tickets WHERE status = 'waiting' GROUP BY 1, 2, 3")}


def test_waiting_counts_kept_by_triggers_match_the_rows(tmp_path: Path) -> None:
    """Whatever writes a ticket (call, transfer, hold, expiry, a raw UPDATE), the kept count follows."""
    rng = random.Random(3)
    db, cands = _seed(tmp_path, rng)
    assert _counted(db) == _real(db) and _real(db)
    with transaction(db):
        for _ in range(400):
            t = ticket_store.get(db, rng.choice(cands).ticket_id)
            change = rng.choice([
                {"status": rng.choice(["waiting", "called", "held", "done", "no_show", "expired"])},
                {"status": "waiting", "service": rng.choice(["HT", "CT", "LD"])},  # a transfer
                {"service": rng.choice(["HT", "CT", "LD"])},
                {"day": rng.choice([DAY, "2026-11-22"])},
                {"recalls": t.recalls + 1},
            ])
            ticket_store.update(db, t, **change)
        db.execute("UPDATE tickets SET status = 'expired' WHERE day < ? AND status = 'waiting'", [DAY])
        db.execute("DELETE FROM tickets WHERE id = ?", [cands[0].ticket_id])
    assert _counted(db) == _real(db)
    assert ticket_store.waiting_counts(db, "demo", DAY) == {s: n for (_, d, s), n in _real(db).items() if d == DAY}


def test_next_candidates_give_the_same_pick_as_the_whole_queue(tmp_path: Path) -> None:
    rng = random.Random(11)
    db, cands = _seed(tmp_path, rng)
    for mode in ("strict", "interleave", "fifo"):
        for streak in (None, 0, 2, 5):
            for counter, services in ((3, ["CT"]), (8, ["HT", "CT", "LD"]), (1, ["HT"])):
                kw = {"counter": counter, "services": services, "policy": Policy(mode=mode), "regular_streak": streak}
                want = rules.choose_next(cands, **kw)
                got = rules.choose_next(ticket_store.next_candidates(db, "demo", DAY, counter, services), **kw)
                assert got == want


def test_pooled_wait_counts_the_other_services_of_shared_counters() -> None:
    """A shared counter calls the oldest ticket of all it serves: a citizen with nobody ahead in their own
    service still waits for the earlier tickets of the counter's other services."""
    from hub.domain.queue import pooled_wait_s

    own_only = pooled_wait_s({"HT": 0}, avg_s={"HT": 300}, share={"HT": 1.0}, busy_left_s=[], counters=1)
    assert own_only == 0.0  # an idle counter and nobody ahead: called at once
    shared = pooled_wait_s({"HT": 0, "LD": 3}, avg_s={"HT": 300, "LD": 420}, share={"HT": 1.0, "LD": 1.0},
                           busy_left_s=[120], counters=1)
    assert shared == 3 * 420 + 120  # three earlier LĐ tickets and the citizen at the desk
    assert pooled_wait_s({"HT": 0}, avg_s={"HT": 300}, share={}, busy_left_s=[200, 90], counters=2) == 90
    assert pooled_wait_s({"HT": 4}, avg_s={"HT": 300}, share={}, busy_left_s=[], counters=0) is None


def test_audit_rows_name_their_target_from_the_result() -> None:
    from hub.domain.audit_words import action_vi, is_queue, target_of

    assert target_of({"ticket": {"number": "1001"}}) == "vé 1001"
    assert target_of({"code": "HOAAN-261125-0001", "complete": True}) == "hồ sơ HOAAN-261125-0001"
    assert target_of({"device": {"id": "demo-kiosk-03"}}) == "thiết bị demo-kiosk-03"
    assert target_of(None) == "" and target_of({"ok": True}) == ""
    assert action_vi("dossier.intake") == "Tiếp nhận hồ sơ" and is_queue("counter.next")
    assert not is_queue("dossier.intake") and not is_queue("counter.login")


def test_a_new_tickets_people_ahead_are_what_the_queue_holds(tmp_path: Path) -> None:
    """A ticket's people-ahead counts come from figures kept in memory between tickets (and on PostgreSQL
    its insert then travels with later statements): whatever else moved the queue in between — calls,
    transfers, holds, a check-in queued for a later slot, the expiry of earlier days, a rollback — each
    count is the one the rows give, and numbering stays exact."""
    rng = random.Random(5)
    db, cands = _seed(tmp_path, rng)
    ids = [c.ticket_id for c in cands]
    for round_ in range(30):
        now = 2000.0 + round_ * 10
        kept = len(ids)
        try:
            with transaction(db):
                if round_ % 4 == 1:  # a booking checked in for a slot later than the tickets issued next
                    row = db.execute("SELECT id FROM tickets WHERE status = 'waiting' AND service = 'HT' "
                                     "ORDER BY id LIMIT 1").fetchone()
                    booked = ticket_store.get(db, row[0]) if row else ticket_store.get(db, rng.choice(ids))
                    ticket_store.update(db, booked, status="waiting", service="HT", queued_at=now + 25)
                for _ in range(rng.randint(1, 6)):
                    if rng.random() < 0.6:
                        service, priority = rng.choice(["HT", "CT", "LD"]), rng.choice(["none", "none", "elderly"])
                        ahead = [(now, priority != "none"), (float("inf"), True), (float("inf"), False)]
                        want = [ticket_store.count_ahead(db, "demo", DAY, service, at, only_priority=only)
                                for at, only in ahead]
                        seq = ticket_store.next_seq(db, "demo", DAY, service)
                        t, got = ticket_store.insert_counting(
                            db, site_id="demo", day=DAY, service=service, seq=seq, number=str(seq),
                            priority=priority, lang="vi", now=now, device_id=None, ahead=ahead)
                        assert got == want
                        assert ticket_store.get(db, t.id) == t  # the row as the database holds it
                        others = [x for x in ("HT", "CT", "LD") if x != service]  # its wait estimate's
                        read = ticket_store.waiting_before(db, "demo", DAY, now, t.id)
                        assert ticket_store.waiting_before(db, "demo", DAY, now, t.id, services=others) == {
                            x: n for x, n in read.items() if x in others}
                        ids.append(t.id)
                        continue
                    t = ticket_store.get(db, rng.choice(ids))
                    to = rng.choice(["HT", "CT", "LD"])
                    ticket_store.update(db, t, **rng.choice([
                        {"status": rng.choice(["waiting", "called", "held", "done", "no_show"])},
                        {"status": "waiting", "service": to, "seq": ticket_store.next_seq(db, "demo", DAY, to),
                         "queued_at": now},  # a transfer
                        {"queued_at": now + rng.choice([-5, 0, 30])},
                        {"priority": rng.choice(["none", "merit"])},
                    ]))
                if round_ % 7 == 3:
                    ticket_store.expire_before(db, "demo", "2026-11-24", now)  # the office closed on them
                if round_ % 5 == 4:
                    raise RuntimeError("rolled back")
        except RuntimeError:
            del ids[kept:]
    assert len(set(ids)) == len(ids)
    assert sorted(r[0] for r in db.execute("SELECT id FROM tickets").fetchall()) == sorted(ids)
    assert _counted(db) == _real(db)
