"""A year of queue history written into a hub database the way the hub writes it, fast.

Done tickets spread over the past year's working days (Monday to Friday, before today), each with the
events the hub logs for it (issue, call, complete), and a week of stored replies (one `ticket.issue` and
one `counter.next` per ticket of the last five working days), as the router keeps them. Rows go in with
`executemany` in large transactions on a connection of its own with synchronous=OFF: 500,000 tickets
and 1.5 M events take tens of seconds, not the hours the hub's own path would take.

Used by `motcua bench call-path --history-tickets N` and by the query-plan test (tests/unit).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from motcua_core import clock as wallclock

CHUNK = 20_000  # tickets per executemany round (and per progress line)
OPEN_S = 7.5 * 3600  # 07:30 local: when the first ticket of a day is issued
DAY_S = 9 * 3600  # tickets are spread over the office day


def working_days(before: date, count: int) -> list[date]:
    """The `count` Monday–Friday dates before `before`, oldest first."""
    days: list[date] = []
    d = before
    while len(days) < count:
        d -= timedelta(days=1)
        if d.weekday() < 5:
            days.append(d)
    return days[::-1]


def seed(db_path: Path, tickets: int, *, site: str = "demo", now: float | None = None,
         progress: Callable[[str], None] | None = None) -> dict:
    """Write `tickets` done tickets (3 events each) and a week of replies into the hub database at
    `db_path` (already migrated, the site loaded). Returns counts and the time it took."""
    now = wallclock.time() if now is None else now
    t0 = time.perf_counter()
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        tz = ZoneInfo(conn.execute("SELECT timezone FROM sites WHERE id = ?", [site]).fetchone()[0])
        services = [r[0] for r in conn.execute("SELECT code FROM services WHERE site_id = ? AND active ORDER BY code",
                                               [site])]
        counters = [r[0] for r in conn.execute("SELECT number FROM counters WHERE site_id = ?", [site])]
        days = working_days(datetime.fromtimestamp(now, tz).date(), 250)
        per_day = max(1, -(-tickets // len(days)))
        next_id = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM tickets").fetchone()[0] or 0) + 1
        reply_days = {d.isoformat() for d in days[-5:]}
        written = events = replies = 0
        ticket_rows: list[tuple] = []
        event_rows: list[tuple] = []
        reply_rows: list[tuple] = []

        def flush() -> None:
            conn.execute("BEGIN")
            conn.executemany(
                """INSERT INTO tickets(id, site_id, day, service, seq, number, priority, status, lang, issued_at,
                       queued_at, called_at, first_called_at, done_at, counter, officer, recalls, device_id)
                   VALUES (?,?,?,?,?,?,'none','done','vi',?,?,?,?,?,?,NULL,0,?)""", ticket_rows)
            conn.executemany(
                """INSERT INTO ticket_events(ticket_id, site_id, at, kind, counter, officer, device_id, data)
                   VALUES (?,?,?,?,?,NULL,?,'{}')""", event_rows)
            conn.executemany("INSERT INTO requests(device_id, request_id, verb, response, at) VALUES (?,?,?,?,?)",
                             reply_rows)
            conn.execute("COMMIT")
            ticket_rows.clear()
            event_rows.clear()
            reply_rows.clear()
            if progress is not None:
                progress(f"history: {written:,}/{tickets:,} tickets, {events:,} events, {replies:,} replies")

        for d in days:
            if written >= tickets:
                break
            day = d.isoformat()
            start = datetime(d.year, d.month, d.day, tzinfo=tz).timestamp() + OPEN_S
            seqs = dict.fromkeys(services, 0)
            for i in range(min(per_day, tickets - written)):
                service = services[i % len(services)]
                seqs[service] += 1
                seq = seqs[service]
                issued = start + DAY_S * i / per_day
                called, done = issued + 600, issued + 900
                counter = counters[i % len(counters)]
                tid = next_id
                next_id += 1
                number = f"{service}{seq:04d}"
                kiosk, desk = f"{site}-kiosk-01", f"{site}-counter-{counter:02d}"
                ticket_rows.append((tid, site, day, service, seq, number, issued, issued, called, called, done,
                                    counter, kiosk))
                event_rows += [(tid, site, issued, "issue", None, kiosk), (tid, site, called, "call", counter, desk),
                               (tid, site, done, "complete", counter, desk)]
                events += 3
                if day in reply_days:
                    body = json.dumps({"v": 1, "request_id": f"h{tid}", "ok": True,
                                       "result": {"id": tid, "number": number, "service": service}})
                    reply_rows += [(kiosk, f"h{tid}", "ticket.issue", body, issued),
                                   (desk, f"n{tid}", "counter.next", body, called)]
                    replies += 2
                written += 1
                if len(ticket_rows) >= CHUNK:
                    flush()
        if ticket_rows or reply_rows:
            flush()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return {"tickets": written, "events": events, "replies": replies, "days": len(days),
            "seed_s": round(time.perf_counter() - t0, 1), "db_mib": round(db_path.stat().st_size / 2**20, 1)}
