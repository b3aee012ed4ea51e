"""`motcua hub backup` / `restore` on PostgreSQL: a pg_dump while the database is in use, and putting it
back gives the state it was taken at, tickets and numbering included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hub.app import open_data_dir
from hub.ops import queue
from hub.ops.run import Runner
from tests.support.hubproc import prepare

pytestmark = pytest.mark.once  # its own database on the cluster: once, in the first pass


def _motcua(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motcua.cli", "hub", *args], capture_output=True, text=True,
                          timeout=120)


def _issue(data: Path, n: int) -> list[str]:
    db = open_data_dir(data)
    r = Runner(db)
    out = [r.run("demo", lambda c: queue.issue_ticket(c, "HT"))["ticket"]["number"] for _ in range(n)]
    db.close()
    return out


def _numbers(data: Path) -> list[str]:
    db = open_data_dir(data)
    try:
        return [r[0] for r in db.execute("SELECT number FROM tickets ORDER BY seq").fetchall()]
    finally:
        db.close()


def test_backup_and_restore_on_postgresql(tmp_path: Path, pg_cluster, monkeypatch, figures) -> None:
    monkeypatch.setenv("MOTCUA_DB", pg_cluster.create_database("backup_test"))
    prepare(tmp_path)
    before = _issue(tmp_path, 5)
    r = _motcua("backup", "--data", str(tmp_path))
    assert r.returncode == 0, r.stderr
    dump = next((tmp_path / "backups").glob("motcua-*.dump"))
    assert dump.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    after = _issue(tmp_path, 3)  # written after the backup: gone once it is restored
    assert _numbers(tmp_path) == before + after
    r = _motcua("restore", "--data", str(tmp_path), str(dump))
    assert r.returncode == 0, r.stderr
    assert _numbers(tmp_path) == before
    assert _issue(tmp_path, 1) == after[:1]  # numbering carries on from the restored state
    figures(engine="postgresql", dump_kib=dump.stat().st_size // 1024)
