"""Where tests leave what a reviewer looks at (screenshots, figures): test-artifacts/ at the repository
root, or `MOTCUA_TEST_ARTIFACTS` (scripts/clock-days.sh gives each moment its own, as moments run side by
side and would otherwise write the same files at once)."""

from __future__ import annotations

import os
from pathlib import Path

ARTIFACTS_ROOT = Path(os.environ.get("MOTCUA_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
