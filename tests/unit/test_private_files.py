"""motcua_core.private: a file that vanishes while the data directory is being made private (a running
hub's backup renames its temporary file) is no error — found when CI opened a data directory during the
hub's daily backup."""

from __future__ import annotations

import os
from pathlib import Path

from motcua_core import private


def test_a_file_removed_during_the_walk_is_skipped(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "backups").mkdir()
    gone = tmp_path / "backups" / ".motcua-x.db.tmp"
    gone.write_text("x")
    kept = tmp_path / "motcua.db"
    kept.write_text("y")
    os.chmod(kept, 0o644)
    real = os.lstat

    def lstat(path, *a, **k):  # noqa: ANN001, ANN002, ANN003
        if str(path) == str(gone):
            gone.unlink(missing_ok=True)  # renamed by the backup just now
            raise FileNotFoundError(path)
        return real(path, *a, **k)

    monkeypatch.setattr(private.os, "lstat", lstat)
    private.make_private(tmp_path)
    assert kept.stat().st_mode & 0o777 == 0o600 and (tmp_path / "backups").stat().st_mode & 0o777 == 0o700
