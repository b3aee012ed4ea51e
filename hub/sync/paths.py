"""Files of a centre's sync link in the data directory, shared by the link, the hub's start-up and the CLI."""

from __future__ import annotations

from pathlib import Path

PAUSE_FILE = "sync.pause"  # test and maintenance hook: while it exists, the centre's link stays down


def link_state_path(data_dir: Path) -> Path:
    """Where the link writes its state (sent/acknowledged sequence, last contact) for `sync status`."""
    return data_dir / "sync-link.state"
