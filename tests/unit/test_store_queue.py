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
