"""The sync's files in the data directory, shared by the link, the hub's start-up and the CLI: the centre's link settings (`province.json`, 0600: it holds
the centre's password), the province receiver's broker password, the link's state for `sync status`, and
the pause hook."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hub.broker.passwd import secret_file

LINK_FILE = "province.json"
PAUSE_FILE = "sync.pause"  # test and maintenance hook: while it exists, the centre's link stays down


def receiver_secret(data_dir: Path) -> str:
    """The province receiver's broker password, made once, readable by the hub's user only."""
    return secret_file(data_dir / "sync.secret")


def read_link(data_dir: Path) -> dict | None:
    path = data_dir / LINK_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def write_link(data_dir: Path, link: dict) -> None:
    path = data_dir / LINK_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(link, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def link_state_path(data_dir: Path) -> Path:
    """Where the link writes its state (up, paused, connecting, rejoin) for `sync status`."""
    return data_dir / "sync-link.state"
