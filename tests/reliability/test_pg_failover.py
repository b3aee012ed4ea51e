"""A streaming standby takes over the provincial hub's database: `motcua hub db standby --synchronous`
makes a replica the primary waits for at every commit; kiosks issue tickets through the real hub and its
Mosquitto; the primary is killed (`kill -9`) in the middle of the storm; `motcua hub db promote` makes the
standby the primary; the hub, whose `--db` names both servers with `target_session_attrs=read-write`,
finds the new primary by itself (no restart). Every ticket a kiosk was given is there: 0 lost,
0 duplicated, no number skipped."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.store import pg_cluster as pgc
from hub.store.db import open_db
from tests.reliability.test_pg_storm import _problems
from tests.support.hubproc import bind_database
from tests.support.net import free_port
from tests.support.storm import TicketStorm

pytestmark = [pytest.mark.integration, pytest.mark.once]

MOTCUA = [sys.executable, "-m", "motcua.cli"]


def _motcua(*args: str) -> str:
    out = subprocess.run([*MOTCUA, *args], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, f"motcua {' '.join(args)}: {out.stderr}"
    return out.stdout


def test_the_standby_takes_over_when_the_primary_dies_mid_storm(tmp_path: Path, figures) -> None:
    if pgc.bin_dir() is None:
        pytest.fail("PostgreSQL is not installed: run `make setup`")
    primary = pgc.throwaway(fsync=True, port=free_port())  # its own servers: this test kills one
    standby = pgc.Cluster(fsync=True, port=free_port())  # an empty directory that `hub db standby` fills
    storm = None
    try:
        primary.create_database("tinh")
        made = json.loads(_motcua(
            "hub", "db", "standby", "--primary", primary.url("postgres"), "--pgdata", str(standby.data),
            "--name", "standby1", "--port", str(standby.port), "--listen", "127.0.0.1",
            "--socket-dir", str(standby.root), "--synchronous", "--json"))
        assert made["started"] and made["synchronous"]
        status = json.loads(_motcua("hub", "db", "replication", "--db", primary.url("postgres"), "--json"))
        assert status["role"] == "primary" and [(s["name"], s["sync_state"]) for s in status["standbys"]] == [
            ("standby1", "sync")]
        url = (f"postgresql://postgres@127.0.0.1:{primary.port},127.0.0.1:{standby.port}/tinh"
               "?target_session_attrs=read-write&connect_timeout=5")
        data = tmp_path / "hub"
        bind_database(data, url)
        kiosks, per_kiosk = 6, 15
        storm = TicketStorm(data, kiosks, per_kiosk, within=150)
        with storm:
            storm.wait_acked(kiosks * per_kiosk // 3)
            primary.kill9()  # requests in flight, transactions open, commits waiting for the standby
            at_kill = len(storm.acked)
            t0 = time.monotonic()
            time.sleep(1.0)  # someone notices the primary is gone
            _motcua("hub", "db", "promote", "--pgdata", str(standby.data))
            storm.wait_acked(at_kill + 1)
            resumed_s = time.monotonic() - t0
            storm.join(150)
            hub_alive = storm.proc.proc is not None and storm.proc.proc.poll() is None
        db = open_db(standby.url("tinh"))
        try:
            rows = db.execute("SELECT id, service, day, seq, number FROM tickets").fetchall()
        finally:
            db.close()
        role = json.loads(_motcua("hub", "db", "replication", "--db", standby.url("postgres"), "--json"))["role"]
    finally:
        if storm is not None:
            storm.stop()
        primary.destroy()
        standby.destroy()
    dups, gaps = _problems([(r[1], r[2], r[3]) for r in rows])
    acked_ids = [t["id"] for t in storm.acked]
    lost = set(acked_ids) - {r[0] for r in rows}
    figures(engine="postgresql", standby="synchronous", acked_at_kill=at_kill, acked=len(acked_ids),
            stored=len(rows), lost=len(lost), duplicates=dups, gaps=gaps, resumed_s=round(resumed_s, 2),
            kiosk_retries=storm.retries)
    assert role == "primary"
    assert hub_alive, "the hub should have found the new primary by itself"
    assert len(acked_ids) == kiosks * per_kiosk
    assert not lost, f"acknowledged tickets missing after the failover: {sorted(lost)}"
    assert len(set(acked_ids)) == len(acked_ids) and len({t["number"] for t in storm.acked}) == len(acked_ids)
    assert (dups, gaps) == (0, 0)
    assert len(rows) == len(acked_ids)  # nothing stored that no kiosk was given


def test_standby_refuses_a_directory_that_holds_something(tmp_path: Path) -> None:
    """A standby starts from an empty directory: one with files in it (an old cluster, say) is refused with
    a clear message and left as it was."""
    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("15\n")
    out = subprocess.run([*MOTCUA, "hub", "db", "standby", "--primary", "postgresql://postgres@127.0.0.1:1/postgres",
                          "--pgdata", str(pgdata)], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "is not empty" in out.stderr and "standby" in out.stderr
    assert [p.name for p in pgdata.iterdir()] == ["PG_VERSION"]


def test_failback_as_documented_keeps_every_row(figures) -> None:
    """docs/operations.md's failback, command by command: after a failover the old primary's machine comes
    back as a synchronous standby of the new primary (a fresh directory), the current primary is stopped
    for a planned switch back, the old machine is promoted and a new standby is made. Every committed row
    is on the final primary, and a commit never waits for a standby that is not there."""
    import psycopg

    p, s, p2, s2 = (pgc.Cluster(fsync=True, port=free_port()) for _ in range(4))
    p.init().start()

    def standby_of(primary: pgc.Cluster, standby: pgc.Cluster, name: str) -> None:
        _motcua("hub", "db", "standby", "--primary", primary.url("postgres"), "--pgdata", str(standby.data),
                "--name", name, "--port", str(standby.port), "--listen", "127.0.0.1",
                "--socket-dir", str(standby.root), "--synchronous")

    def write(server: pgc.Cluster, value: int) -> None:
        with psycopg.connect(server.url("tinh"), autocommit=True, connect_timeout=10) as conn:
            conn.execute("SET statement_timeout = '20s'")  # a commit waiting for a missing standby fails
            conn.execute("INSERT INTO t VALUES (%s)", [value])

    try:
        p.create_database("tinh")
        with psycopg.connect(p.url("tinh"), autocommit=True) as conn:
            conn.execute("CREATE TABLE t (x INTEGER)")
        write(p, 1)
        standby_of(p, s, "standby1")
        write(p, 2)
        p.kill9()  # failover
        _motcua("hub", "db", "promote", "--pgdata", str(s.data))
        write(s, 3)
        standby_of(s, p2, "primary1")  # the old primary's machine, back as a standby
        write(s, 4)
        s.stop()  # a planned switch back
        _motcua("hub", "db", "promote", "--pgdata", str(p2.data))
        standby_of(p2, s2, "standby1")
        write(p2, 5)
        with psycopg.connect(p2.url("tinh")) as conn:
            rows = [r[0] for r in conn.execute("SELECT x FROM t ORDER BY x")]
        final = json.loads(_motcua("hub", "db", "replication", "--db", p2.url("postgres"), "--json"))
    finally:
        for c in (p, s, p2, s2):
            c.destroy()
    figures(rows=rows, final_standbys=final["standbys"])
    assert rows == [1, 2, 3, 4, 5]
    assert final["role"] == "primary" and [(x["name"], x["sync_state"]) for x in final["standbys"]] == [
        ("standby1", "sync")]
