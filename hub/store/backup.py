"""Backups of the hub's database: SQLite's online backup API, so a copy is taken while the hub serves
(one read snapshot; writers are never blocked in WAL mode), checked, and kept BACKUP_KEEP days.

A backup is a whole database, identity (meta db_id) included: restored into the same data directory it
passes hub.store.datadir's check and serves the same state — tickets, dossiers, devices, officers.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

from hub.store import datadir

BACKUP_DIR = "backups"
BACKUP_KEEP = 7  # daily backups kept: a week of history, ~7× the database on disk
BACKUP_EVERY_S = 24 * 3600.0


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why, nothing was replaced."""


def backup_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR


def _stamp(now: float | None) -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime(now or time.time()))


def _private_tmp(dest: Path) -> Path:
    """An empty file beside `dest`, created 0600 before anything is written to it (a backup holds
    personal data); the caller renames it onto `dest` once the copy is checked."""
    dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return tmp


def take(data_dir: Path, dest: Path | None = None, *, now: float | None = None) -> Path:
    """Copy the live database to `dest` (default backups/motcua-<UTC time>.db, mode 0600); return it."""
    src_path = data_dir / datadir.DB_NAME
    if datadir.db_problem(src_path) is not None:
        raise BackupError(f"{src_path} {datadir.db_problem(src_path)}: nothing to back up")
    dest = dest or backup_dir(data_dir) / f"motcua-{_stamp(now)}.db"
    tmp = _private_tmp(dest)
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)  # all pages in one step: one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        ok = dst.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if ok != "ok":
        tmp.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its check ({ok}); the previous backups are kept")
    os.replace(tmp, dest)
    return dest


def prune(data_dir: Path, keep: int = BACKUP_KEEP) -> list[Path]:
    """Remove all but the newest `keep` automatic backups; returns what was removed."""
    old = sorted(backup_dir(data_dir).glob("motcua-*.db"))[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old


def newest(data_dir: Path) -> Path | None:
    found = sorted(backup_dir(data_dir).glob("motcua-*.db"))
    return found[-1] if found else None


def restore(data_dir: Path, source: Path, *, now: float | None = None) -> Path:
    """Put `source` in place of the data directory's database (the hub must be stopped). The database it
    replaces, if any, is kept beside it as motcua.db.before-restore-<time>; returns that path or the db."""
    problem = datadir.db_problem(source)
    if problem is not None:
        raise BackupError(f"{source} {problem}")
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        db_id = conn.execute("SELECT value FROM meta WHERE key = 'db_id'").fetchone()
    except sqlite3.Error as exc:
        raise BackupError(f"{source} is not a motcua database: {exc}") from None
    finally:
        conn.close()
    if ok != "ok" or db_id is None:
        raise BackupError(f"{source} failed its check ({ok}) or is not a motcua database")
    target = data_dir / datadir.DB_NAME
    kept = target.with_name(f"{datadir.DB_NAME}.before-restore-{_stamp(now)}")
    if target.exists():
        os.replace(target, kept)
    for suffix in ("-wal", "-shm"):  # the old database's journal must not be applied to the restored one
        side = target.with_name(datadir.DB_NAME + suffix)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + suffix))
    tmp = target.with_name(f".{datadir.DB_NAME}.restore")
    shutil.copyfile(source, tmp)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    (data_dir / datadir.ID_NAME).unlink(missing_ok=True)
    datadir.remember_id(data_dir, db_id[0])
    return kept if kept.exists() else target


# --- PostgreSQL (the provincial hub): pg_dump / pg_restore ---------------------------------------------

def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else Debian's server directory (same major version as the server)."""
    from hub.store import pg_cluster

    found = shutil.which(name)
    if found:
        return found
    b = pg_cluster.bin_dir()
    if b is not None and (b / name).exists():
        return str(b / name)
    raise BackupError(f"{name} not found: install PostgreSQL's client tools (Debian: postgresql-client)")


def take_pg(url: str, data_dir: Path, dest: Path | None = None, *, now: float | None = None) -> Path:
    """A consistent dump of the PostgreSQL database while the hub serves (pg_dump takes one snapshot;
    writers are not blocked), custom format, mode 0600, in backups/motcua-<UTC time>.dump by default.
    For a standby that is always current, use streaming replication (docs/operations.md)."""
    import subprocess

    dest = dest or backup_dir(data_dir) / f"motcua-{_stamp(now)}.dump"
    tmp = _private_tmp(dest)
    r = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={tmp}", url],
                       capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {r.stderr.strip()[-500:]}")
    os.replace(tmp, dest)
    return dest


def restore_pg(url: str, source: Path) -> None:
    """Load a dump made by `take_pg` into the (empty, or to be replaced) database at `url`; stop the hub
    first. Objects the dump holds are dropped and made again (--clean --if-exists), in one transaction."""
    import subprocess

    if not source.is_file():
        raise BackupError(f"{source} is missing")
    r = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "--exit-on-error", f"--dbname={url}", str(source)], capture_output=True, text=True,
                       timeout=3600)
    if r.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing was replaced: {r.stderr.strip()[-500:]}")
