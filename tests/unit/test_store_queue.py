"""The store's SQL shortcuts give exactly what the pure queue rules would give on the whole queue."""

from __future__ import annotations

import random
from pathlib import Path

from hub.app import load_site_file, open_data_dir
from hub.cli import DEMO_SITE
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
            tid = ticket_store.insert(db, site_id="demo", day=DAY, service=service, seq=i + 1,
                                      number=str(i), priority=priority, lang="vi", now=queued, device_id=None)
            ticket_store.update(db, ticket_store.get(db, tid), target_counter=target)
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
