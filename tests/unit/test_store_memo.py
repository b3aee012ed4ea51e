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


def test_a_counters_rows_kept_in_memory_are_what_the_database_holds(two_connections) -> None:
    """Next reads its counter, the ticket it completes and the next number from memory (the PostgreSQL
    engine's round trips): after every step they equal what another connection reads, and a change made
    by another process is seen at once."""
    from hub.ops import queue
    from hub.ops.run import Runner
    from hub.store import tickets as ticket_store

    hub, cli = two_connections
    now = wallclock.time()
    with transaction(hub):
        desk, _ = device_store.add(hub, site_id="demo", role="counter", counter=3, now=now)
        kiosk, _ = device_store.add(hub, site_id="demo", role="kiosk", now=now)
    runner = Runner(hub)

    def same() -> None:
        mine, theirs = site_store.get_counter(hub, "demo", 3), site_store.get_counter(cli, "demo", 3)
        assert mine == theirs
        assert site_store.list_counters(hub, "demo") == site_store.list_counters(cli, "demo")
        if theirs.current_ticket is not None:
            with transaction(hub):  # inside a write transaction the ticket comes from memory
                assert ticket_store.get(hub, theirs.current_ticket) == ticket_store.get(cli, theirs.current_ticket)

    runner.run("demo", lambda ctx: queue.counter_open(ctx), device=desk, now=now)
    same()
    service = site_store.get_counter(cli, "demo", 3).services[0]
    issued = [runner.run("demo", lambda ctx: queue.issue_ticket(ctx, service), device=kiosk, now=now + i)["ticket"]
              for i in range(3)]
    assert [int(t["number"]) for t in issued] == list(range(int(issued[0]["number"]), int(issued[0]["number"]) + 3))
    for step in range(2):
        called = runner.run("demo", lambda ctx: queue.call_next(ctx), device=desk, now=now + 10 + step)
        assert called["ticket"]["number"] == issued[step]["number"]
        same()
    # Another process takes the counter's ticket away and pauses it: the hub's next read sees it.
    with transaction(cli):
        site_store.update_counter(cli, "demo", 3, status="paused", current_ticket=None)
    same()
    assert site_store.get_counter(hub, "demo", 3).status == "paused"
    # … and issues a ticket itself: the hub's next number comes after it, not from its memory.
    day = ticket_store.get(cli, issued[0]["id"]).day
    with transaction(cli):
        seq = ticket_store.next_seq(cli, "demo", day, service)
        ticket_store.insert(cli, site_id="demo", day=day, service=service, seq=seq,
                            number=site_store.get_service(cli, "demo", service).numbering.number(seq),
                            priority="none", lang="vi", now=now + 15, device_id=None)
    nxt = runner.run("demo", lambda ctx: queue.issue_ticket(ctx, service), device=kiosk, now=now + 20)["ticket"]
    assert seq == 4 and int(nxt["number"]) == int(issued[-1]["number"]) + 2
