"""Issue #15: the hub's procedure search is the kiosk's (motcua_core.search), on a real SQLite catalogue,
and follows the catalogue when it changes."""

from __future__ import annotations

import json
from pathlib import Path

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.store import catalogue as cat_store
from hub.store.db import transaction
from motcua_core.search import make_entry, search


def test_hub_and_kiosk_rank_the_same_and_changes_are_seen(tmp_path: Path) -> None:
    db = open_data_dir(tmp_path)
    load_site_file(db, DEMO_SITE)
    doc = json.loads(cat_store.STARTER.read_text(encoding="utf-8"))
    with transaction(db):
        cat_store.load(db, doc)
    entries = [make_entry(p) for p in doc["procedures"]]
    for q in ("dang ky khai sinh", "KHAI SINH", "ket hon", "giay", "ho k", "chứng thực"):
        hub = [p["name"] for p in cat_store.search(db, q, 10)]
        assert hub == [e.name for e in search(entries, q, 10)], q
        assert json.loads(cat_store.search_json(db, q, 10)) == cat_store.search(db, q, 10)
    assert cat_store.search(db, "dang ky khai sinh", 1)[0]["name"] == "Đăng ký khai sinh"

    renamed = {**doc["procedures"][0], "name": "Thủ tục đổi tên thử nghiệm"}
    with transaction(db):
        cat_store.load(db, {"procedures": [renamed]})
    assert cat_store.search(db, "doi ten thu nghiem", 5)[0]["id"] == renamed["id"]
    with transaction(db):
        cat_store.remove(db, [renamed["id"]])
    assert cat_store.search(db, "doi ten thu nghiem", 5) == []
