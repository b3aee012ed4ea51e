"""A real hub for the appointment tests: the demo site and the starter catalogue (the booking page
offers its procedures), its own Mosquitto, a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hubproc import InProcessHub, prepare


@pytest.fixture
def ahub(tmp_path: Path) -> Iterator[InProcessHub]:
    prepare(tmp_path, with_catalogue=True)
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()
