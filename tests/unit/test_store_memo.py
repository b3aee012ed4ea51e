"""Registry rows kept in memory (hub.store.memo) are never served stale: real SQLite files, two connections
as the running hub and `motcua hub …` commands have them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.store import devices as device_store
from hub.store import sites as site_store
from hub.store.db import transaction
from hub.store.sites import load_config
from motcua_core import clock as wallclock


@pytest.fixture
def two_connections(tmp_path: Path):
    hub = open_data_dir(tmp_path)
    load_site_file(hub, DEMO_SITE)
    cli = open_data_dir(tmp_path)
    yield hub, cli
    hub.conn.close()
    cli.conn.close()


def test_a_device_revoked_by_another_process_is_refused_at_once(two_connections) -> None:
    hub, cli = two_connections
    with transaction(cli):
        dev, _ = device_store.add(cli, site_id="demo", role="kiosk", now=wallclock.time())
    assert device_store.get(hub, dev.id).revoked is False  # now in the hub's memory
    with transaction(cli):
        device_store.revoke(cli, dev.id, wallclock.time())
    assert device_store.get(hub, dev.id).revoked is True


def test_presence_written_by_the_hub_itself_is_read_back(two_connections) -> None:
    hub, _ = two_connections
    with transaction(hub):
        dev, _ = device_store.add(hub, site_id="demo", role="display", now=wallclock.time())
    assert device_store.get(hub, dev.id).status == "never"
    with transaction(hub):
        device_store.record_status(hub, dev.id, "online", "1.2.3", wallclock.time())
    assert device_store.get(hub, dev.id).status == "online"
    assert device_store.get(hub, dev.id).version == "1.2.3"


def _renamed_site(name: str) -> dict:
    cfg = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    cfg["services"][0]["name"] = name
    return cfg


def test_a_site_reloaded_elsewhere_shows_its_new_names(two_connections) -> None:
    hub, cli = two_connections
    first = site_store.list_services(hub, "demo")[0]
    with transaction(cli):
        load_config(cli, _renamed_site("Chứng thực bản sao"))
    assert site_store.get_service(hub, "demo", first.code).name == "Chứng thực bản sao"


def test_what_a_rolled_back_transaction_read_is_forgotten(two_connections) -> None:
    hub, _ = two_connections
    before = site_store.list_services(hub, "demo")[0]
    with pytest.raises(RuntimeError), transaction(hub):
        load_config(hub, _renamed_site("Tên chưa lưu"))
        assert site_store.list_services(hub, "demo")[0].name == "Tên chưa lưu"  # read inside, then undone
        raise RuntimeError("the reload is abandoned")
    assert site_store.list_services(hub, "demo")[0].name == before.name
