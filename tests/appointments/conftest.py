"""A real hub for the appointment tests: the demo site and the starter catalogue (the booking page
offers its procedures), its own Mosquitto, a clock the test moves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hubproc import InProcessHub


@pytest.fixture
def ahub(tmp_path: Path) -> Iterator[InProcessHub]:
    from hub.app import open_data_dir
    from hub.store import catalogue
    from hub.store.db import transaction
    from tests.support.hubproc import prepare

    prepare(tmp_path)
    db = open_data_dir(tmp_path)
    with transaction(db):
        catalogue.load(db, json.loads(catalogue.STARTER.read_text(encoding="utf-8")))
    db.conn.close()
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()
