"""Another process holding the hub database's write lock, as a CLI command or a backup does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOLD_LOCK = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
"""


def hold_write_lock(db: Path, seconds: float) -> subprocess.Popen:
    """Start a process that holds `db`'s write lock for `seconds`; returns once it holds it."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder
