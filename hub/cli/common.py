"""What every `motcua hub …` command shares: the data directory, the database behind it, the runner that
applies a change (hub.ops.run: effects deferred to a running hub), errors and progress on stderr."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

    from hub.ops.run import Runner

# The hub's modules (aiohttp, sqlite-utils and with it numpy) are imported inside the commands: every
# `motcua` process builds the parser, and a kiosk on a small board should not carry the hub in memory.

DEMO_SITE = Path(__file__).resolve().parent.parent / "data" / "demo_site.json"
PROGRESS_EVERY = 0.1


def default_data_dir() -> Path:
    return Path(os.environ.get("MOTCUA_DATA", "~/.local/share/motcua/hub")).expanduser()


def data_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=None, help="data directory (default $MOTCUA_DATA or "
                   "~/.local/share/motcua/hub)")


def data_dir(args: argparse.Namespace) -> Path:
    return args.data or default_data_dir()


def open_db(args: argparse.Namespace, create: bool = False) -> sqlite_utils.Database:
    """The database of `--data`. Only `site load` and `serve` may create one: any other command pointed at
    a directory with no database (a forgotten or mistyped `--data`) says so and exits, creating nothing."""
    from hub.app import open_data_dir
    from hub.store.db import is_url, target_for

    path = data_dir(args)
    if not create and not is_url(target_for(path)) and not (path / "motcua.db").is_file():
        err(f"không có dữ liệu của hub ở {path} (chưa có {path / 'motcua.db'}). Kiểm tra --data (hoặc "
            f"$MOTCUA_DATA), hoặc tạo đơn vị trước: motcua hub site load --data {path} …")
        raise SystemExit(2)
    return open_data_dir(path)


def runner(db: sqlite_utils.Database) -> Runner:
    """The runner of a CLI process: no MQTT here, so effects wait in the database for the hub. Whoever
    can run the CLI on the data directory is its administrator; the audit log names the system user."""
    import getpass

    from hub.ops.context import Actor
    from hub.ops.run import Runner

    return Runner(db, actor=Actor(f"cli:{getpass.getuser()}", "admin", "cli"))


def print_rows(rows: Iterable[Sequence[object]], widths: Sequence[int]) -> None:
    """A `… list` command's table: one line per row, each cell padded to its column's width (as an
    f-string pads it: text to the left, numbers to the right) and the last cell, which has no width, as
    it is."""
    for row in rows:
        *cells, last = row
        print(" ".join([*(format(c, str(w)) for c, w in zip(cells, widths, strict=True)), str(last)]))


def local_time(db: sqlite_utils.Database, site_id: str | None, ts: float, fmt: str) -> str:
    """A moment as the site's people read it: in the site's zone, not the zone of the host running the CLI."""
    from datetime import datetime

    from hub.store.sites import zone_of

    return datetime.fromtimestamp(ts, zone_of(db, site_id)).strftime(fmt)


def err(msg: str) -> int:
    print(f"lỗi: {msg}", file=sys.stderr)
    return 2


class Progress:
    """A one-line progress bar on stderr (redrawn at most every 0.1 s)."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.last = max(total, 1), label, 0.0

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        frac = done / self.total
        bar = "█" * int(frac * 30) + "·" * (30 - int(frac * 30))
        print(f"\r{self.label} [{bar}] {done}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        self.update(self.total, force=True)
        print(file=sys.stderr)
