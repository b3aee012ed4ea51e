"""Files readable by the service alone: the hub's database and logs, a device's outbox and journal hold
citizens' personal data and credentials, so every motcua process runs with umask 0077 and brings what
it already has to 0700 (directories) / 0600 (files)."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def make_private(directory: Path) -> None:
    """Set the process umask to 0077, make `directory` 0700 and everything already in it private."""
    os.umask(PRIVATE_UMASK)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    for root, dirs, files in os.walk(directory):
        for d in dirs:
            with contextlib.suppress(FileNotFoundError):  # another process may remove or rename it meanwhile
                os.chmod(os.path.join(root, d), 0o700)
        for f in files:
            path = os.path.join(root, f)
            # A running hub's backup renames its temporary file while we walk: a file gone is no risk.
            with contextlib.suppress(FileNotFoundError):
                if stat.S_ISREG(os.lstat(path).st_mode):
                    os.chmod(path, 0o600)
