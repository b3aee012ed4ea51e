"""`motcua hub backup` and `motcua hub restore`: an online copy of the database while the hub serves, and
putting one back while it is stopped (hub.store.backup)."""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

from hub.cli.common import data_arg, data_dir, err


def add_parsers(hsub: argparse._SubParsersAction) -> None:
    b = hsub.add_parser("backup", help="copy the database now (safe while the hub serves)")
    data_arg(b)
    b.add_argument("--out", type=Path, help="file to write (default: <data>/backups/motcua-<UTC time>.db; "
                                            "on PostgreSQL a pg_dump file, motcua-<UTC time>.dump)")
    b.set_defaults(func=cmd_backup)
    r = hsub.add_parser("restore", help="replace the database by a backup (stop the hub first)")
    data_arg(r)
    r.add_argument("file", type=Path, help="a backup made by `motcua hub backup` (or the daily one)")
    r.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    from hub.store import backup
    from hub.store.db import is_url, target_for

    os.umask(0o077)
    target = target_for(data_dir(args))
    try:
        path = backup.take_pg(str(target), data_dir(args), args.out) if is_url(target) \
            else backup.take(data_dir(args), args.out)
    except (backup.BackupError, OSError) as exc:
        return err(str(exc))
    print(f"backup written: {path} ({path.stat().st_size // 1024} KiB)")
    return 0


def _hub_running(data: Path) -> int | None:
    """The pid of the embedded broker of a hub serving this directory, if one runs."""
    with contextlib.suppress(OSError, ValueError):
        pid = int((data / "broker" / "mosquitto.pid").read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        if str((data / "broker" / "mosquitto.conf").resolve()).encode() in cmdline:
            return pid
    return None


def cmd_restore(args: argparse.Namespace) -> int:
    from hub.store import backup
    from hub.store.db import is_url, target_for

    data = data_dir(args)
    os.umask(0o077)
    if _hub_running(data) is not None:
        return err(f"a hub is serving {data}: stop it first (systemctl stop motcua-hub), then restore")
    target = target_for(data)
    if is_url(target):
        try:
            backup.restore_pg(str(target), args.file)
        except (backup.BackupError, OSError) as exc:
            return err(str(exc))
        print(f"restored {args.file} into the PostgreSQL database")
        return 0
    try:
        kept = backup.restore(data, args.file)
    except (backup.BackupError, OSError) as exc:
        return err(str(exc))
    print(f"restored {args.file} into {data / 'motcua.db'}" +
          (f"; the previous database is kept as {kept}" if kept.name != "motcua.db" else ""))
    _restored_centre(data)
    return 0


def _restored_centre(data: Path) -> None:
    """A centre of a province must join again after a restore: a new epoch (docs/province.md)."""
    from hub.store import sync
    from hub.store.db import open_db, transaction

    db = open_db(data / "motcua.db")
    try:
        with transaction(db):
            centre = sync.mark_restored(db)
    finally:
        db.conn.close()
    if centre:
        print("this hub is a centre of a province: its sync link stays down until it joins again "
              "(motcua hub province add-centre on the province, then motcua hub province join here)")
