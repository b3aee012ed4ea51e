"""Issue #15: the hot paths cost the same with a year of history as with none.

Every statement the queue operations run (issue, people ahead, call next with its expiry of earlier
days, recall, hold/resume, complete, the counter's and the lobby's state) is captured on a real SQLite
file holding months of done tickets, then checked twice:

- its query plan (EXPLAIN QUERY PLAN) may not scan a history table (tickets, ticket_events, requests)
  nor walk a range of one of their full indexes (`day < ?` over every past day): only an equality
  prefix, a partial index (waiting, held, done tickets) or a rowid;
- the work SQLite does for the whole sequence (virtual-machine steps) may not grow with the history.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.ops import queue
from hub.ops.run import Runner
from hub.ops.views import display_state
from hub.store import devices as device_store
from hub.store.db import transaction
from motcua.bench.history import seed

HISTORY = ("tickets", "ticket_events", "requests")
NOW = 1_796_000_000.0  # a weekday morning in Asia/Ho_Chi_Minh (2026-11-30 ~ 08:13)


def _hub_db(path: Path, history: int) -> tuple[sqlite_utils.Database, object, object]:
    db = open_data_dir(path)
    load_site_file(db, DEMO_SITE)
    with transaction(db):
        kiosk, _ = device_store.add(db, site_id="demo", role="kiosk", now=NOW)
        desk, _ = device_store.add(db, site_id="demo", role="counter", counter=8, now=NOW)
    if history:
        seed(path / "motcua.db", history, now=NOW)
        # Two tickets the office closed on yesterday: the first Next of the day expires them.
        db.execute("UPDATE tickets SET status = 'held' WHERE id = (SELECT MAX(id) FROM tickets)")
        db.execute("UPDATE tickets SET status = 'waiting' WHERE id = (SELECT MAX(id) - 1 FROM tickets)")
        db.conn.commit()
    return db, kiosk, desk


def _hot_paths(db: sqlite_utils.Database, kiosk, desk) -> None:
    r = Runner(db, clock=lambda: NOW)

    def run(op: Callable, dev: object) -> dict:
        return r.run("demo", op, device=dev, now=NOW)

    ids = [run(lambda c, s=s: queue.issue_ticket(c, s), kiosk)["ticket"]["id"] for s in ("HT", "CT", "LD", "HT")]
    run(lambda c: queue.issue_ticket(c, "HT", "elderly"), kiosk)
    run(lambda c: queue.ticket_status(c, ids[-1]), kiosk)  # people ahead
    run(lambda c: queue.counter_open(c, "nguyen-thi-lan"), desk)
    run(queue.call_next, desk)
    run(queue.recall, desk)
    run(queue.hold, desk)
    run(queue.call_next, desk)
    run(queue.complete, desk)
    run(queue.resume, desk)
    run(queue.call_next, desk)
    run(lambda c: queue.complete(c, ids[0]), desk)  # a late complete from a device's outbox
    run(queue.counter_state, desk)
    display_state(db, "demo", NOW, 1)


def _traced(db: sqlite_utils.Database, kiosk, desk) -> tuple[list[str], int]:
    statements: list[str] = []
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    db.conn.set_trace_callback(statements.append)
    db.conn.set_progress_handler(tick, 100)
    try:
        _hot_paths(db, kiosk, desk)
    finally:
        db.conn.set_trace_callback(None)
        db.conn.set_progress_handler(None, 0)
    return statements, steps[0]


def _full_indexes(db: sqlite_utils.Database) -> set[str]:
    """Indexes of the history tables that hold every row (not partial): walking a range of one is
    walking history."""
    names = {"sqlite_autoindex_tickets_1"}
    for name, table, sql in db.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"):
        if table in HISTORY and sql and " WHERE " not in sql.upper():
            names.add(name)
    return names


def _bad_plan_lines(db: sqlite_utils.Database, sql: str, full: set[str]) -> list[str]:
    aliases = {m.group(2) or m.group(1) for m in re.finditer(
        r"\b(tickets|ticket_events|requests)\b(?:\s+(?:AS\s+)?(?!WHERE|JOIN|ON|SET|USING|VALUES|INDEXED)(\w+))?",
        sql, re.IGNORECASE)} | set(HISTORY)
    bad = []
    sql = re.sub(r"\bInf\b", "9e999", sql)  # the trace writes a float('inf') parameter as Inf
    for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"):
        detail = row[3]
        scan = re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", detail)
        if scan and scan.group(1) in aliases and (scan.group(2) is None or scan.group(2) in full):
            bad.append(detail)
        search = re.match(r"SEARCH (\w+) USING (?:COVERING )?INDEX (\w+) \((.*)\)", detail)
        if search and search.group(2) in full and re.search(r"[<>]", search.group(3)):
            bad.append(detail)
    return bad


def test_hot_queries_are_bounded_by_today_or_an_index(tmp_path: Path) -> None:
    db, kiosk, desk = _hub_db(tmp_path, 20_000)
    statements, _ = _traced(db, kiosk, desk)
    full = _full_indexes(db)
    checked = [s for s in statements if re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", s, re.IGNORECASE)]
    assert len(checked) > 40  # the trace did see the hot paths
    bad = {s: lines for s in checked if (lines := _bad_plan_lines(db, s, full))}
    assert not bad, "history-sized scans:\n" + "\n".join(f"{lines}: {s}" for s, lines in bad.items())


def test_the_plan_check_catches_a_range_over_past_days(tmp_path: Path) -> None:
    """The check itself: the held-ticket lookup as it was before issue #15 is flagged."""
    db, _, _ = _hub_db(tmp_path, 0)
    old = "SELECT id FROM tickets WHERE site_id = 'demo' AND status = 'held' AND day < '2026-11-30'"
    assert _bad_plan_lines(db, old, _full_indexes(db))
    assert _bad_plan_lines(db, "SELECT COUNT(*) FROM ticket_events e WHERE e.kind = 'call'", _full_indexes(db))


@pytest.mark.parametrize("history", [20_000])
def test_hot_paths_do_not_slow_down_with_history(tmp_path: Path, history: int) -> None:
    none_db, k0, d0 = _hub_db(tmp_path / "none", 0)
    _, without = _traced(none_db, k0, d0)
    full_db, k1, d1 = _hub_db(tmp_path / "full", history)
    _, with_history = _traced(full_db, k1, d1)
    # B-tree depth grows by a level or two; a scan of 20,000 tickets would be thousands of times more.
    assert with_history <= 1.5 * without + 50, (without, with_history)
