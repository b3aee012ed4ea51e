"""The lookup kiosk's replica follows the hub's catalogue by version: full first, then only the changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.app import open_data_dir
from hub.store import catalogue
from hub.store.db import transaction
from kiosk.catalog import Catalog
from tests.support.hubproc import InProcessHub, prepare


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[InProcessHub]:
    prepare(tmp_path)
    db = open_data_dir(tmp_path)
    with transaction(db):
        catalogue.load(db, json.loads(catalogue.STARTER.read_text(encoding="utf-8")))
    db.conn.close()
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()


def test_full_then_delta_then_offline(hub: InProcessHub, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{hub.http_port}"
    cat = Catalog(tmp_path / "kiosk" / "catalog.db")
    v1 = cat.sync(url)
    assert v1 >= 1 and len(cat) == 120
    assert cat.search("dang ky khai sinh")[0].name == "Đăng ký khai sinh"
    db = open_data_dir(hub.data)
    with transaction(db):
        proc = catalogue.get(db, "khai-sinh")
        catalogue.load(db, {"procedures": [{**proc, "name": "Đăng ký khai sinh (mẫu mới)"}]})
        catalogue.remove(db, ["khai-tu"])
    db.conn.close()
    v2 = cat.sync(url)
    assert v2 > v1 and len(cat) == 119
    assert cat.search("khai sinh mau moi")[0].name == "Đăng ký khai sinh (mẫu mới)"
    assert cat.get("khai-tu") is None
    hub.stop()
    hub.thread = None
    with pytest.raises(OSError):
        cat.sync(url)
    assert cat.version == v2 and cat.search("ket hon")[0].name == "Đăng ký kết hôn", "lookup works offline"
