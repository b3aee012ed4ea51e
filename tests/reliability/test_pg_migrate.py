"""`motcua hub db migrate`: a commune office's SQLite hub moved into PostgreSQL keeps its history, its
identity and its numbering, and every table is checked (count and checksum)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hub.app import open_data_dir
from hub.ops import queue
from hub.ops.run import Runner
from hub.store import audit
from hub.store import tickets as ticket_store
from hub.store.db import IntegrityError, get_meta, transaction
from tests.support.hubproc import prepare

pytestmark = pytest.mark.once  # its own database on the cluster: once, in the first pass


def test_sqlite_office_moves_into_postgresql(tmp_path: Path, pg_cluster, monkeypatch, figures) -> None:
    monkeypatch.delenv("MOTCUA_DB", raising=False)
    office = tmp_path / "office"
    prepare(office)
    db = open_data_dir(office)
    r = Runner(db)
    issued = [r.run("demo", lambda c, s=s: queue.issue_ticket(c, s))["ticket"] for s in ("HT", "HT", "CT", "HT")]
    ids = {"db_id": get_meta(db, "db_id"), "hub_id": get_meta(db, "hub_id")}
    db.close()

    url = pg_cluster.create_database("moved_office")
    out = subprocess.run([sys.executable, "-m", "motcua.cli", "hub", "db", "migrate", "--from",
                          f"sqlite:///{office / 'motcua.db'}", "--to", url, "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["ok"] and all(t["ok"] for t in report["tables"])
    by_table = {t["table"]: t["rows"] for t in report["tables"]}
    assert by_table["tickets"] == 4 and by_table["ticket_events"] == 4 and by_table["sites"] == 1 and by_table["services"] > 0
    figures(engine="postgresql", tables=len(report["tables"]), rows=sum(by_table.values()))

    monkeypatch.setenv("MOTCUA_DB", url)
    moved = open_data_dir(tmp_path / "province")
    assert {"db_id": get_meta(moved, "db_id"), "hub_id": get_meta(moved, "hub_id")} == ids  # devices still bind
    nxt = Runner(moved).run("demo", lambda c: queue.issue_ticket(c, "HT"))["ticket"]
    assert (issued[-1]["number"], nxt["number"]) == ("1003", "1004")  # numbering carries on
    assert nxt["id"] > max(t["id"] for t in issued)  # identity continues past the copied ids
    day = nxt["issued_at"][:10]
    assert ticket_store.waiting_counts(moved, "demo", day) == {"HT": 4, "CT": 1}  # trigger-kept counts, on again
    with transaction(moved):
        audit.append(moved, at=1.0, site_id="demo", who="cli:test", role="admin", via="cli", action="moved")
    with pytest.raises(IntegrityError, match="append-only"):  # the append-only trigger is on again
        moved.execute("DELETE FROM audit_log")
    moved.close()


def test_migrate_refuses_a_database_already_in_use(tmp_path: Path, pg_cluster, monkeypatch) -> None:
    monkeypatch.delenv("MOTCUA_DB", raising=False)
    prepare(tmp_path / "office")
    url = pg_cluster.create_database("in_use")
    monkeypatch.setenv("MOTCUA_DB", url)
    prepare(tmp_path / "province")  # a hub already lives there
    monkeypatch.delenv("MOTCUA_DB")
    out = subprocess.run([sys.executable, "-m", "motcua.cli", "hub", "db", "migrate", "--from",
                          str(tmp_path / "office" / "motcua.db"), "--to", url], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode != 0 and "already holds a hub" in out.stderr
