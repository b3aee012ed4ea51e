"""A real hub (the same class `motcua hub serve` runs) with its own Mosquitto, per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hubproc import InProcessHub, prepare


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[InProcessHub]:
    prepare(tmp_path)
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()
