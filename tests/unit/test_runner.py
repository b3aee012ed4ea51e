"""hub.ops.run, the one way to run an operation: effects after the commit, refusals that keep what they
must, and effects deferred to the hub by a process that cannot publish (the CLI). A real SQLite file;
the publisher is a list."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.ops.context import Effects
from hub.ops.run import Runner, cli_message, error_body, http_status, take_deferred
from hub.store.db import get_meta, set_meta
from motcua_core.errors import DomainError


@pytest.fixture
def db(tmp_path: Path):
    d = open_data_dir(tmp_path)
    load_site_file(d, DEMO_SITE)
    take_deferred(d)  # what loading the site left for a hub
    yield d
    d.conn.close()


def test_effects_are_published_after_the_commit(db, tmp_path: Path) -> None:
    seen: list[tuple[Effects, str | None]] = []

    def publish(effects: Effects) -> None:  # what another process can read when the effects go out
        other = open_data_dir(tmp_path)  # the hub's database (file or PostgreSQL), a connection of its own
        row = other.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()
        other.close()
        seen.append((effects, row and row[0]))

    def op(ctx):
        set_meta(ctx.db, "probe", "written")
        ctx.effects.display_sites.add(ctx.site.id)
        return "done"

    assert Runner(db, publish=publish).run("demo", op) == "done"
    assert len(seen) == 1 and seen[0][0].display_sites == {"demo"} and seen[0][1] == "written"


def test_a_refusal_rolls_back_its_writes_keeps_what_it_must_and_publishes_nothing(db) -> None:
    published: list[Effects] = []

    def op(ctx):
        set_meta(ctx.db, "written", "yes")
        ctx.effects.display_sites.add(ctx.site.id)
        raise DomainError("locked", "no", "Không.", keep=lambda: set_meta(ctx.db, "kept", "yes"))

    with pytest.raises(DomainError) as refused:
        Runner(db, publish=published.append).run("demo", op)
    assert refused.value.code == "locked"
    assert get_meta(db, "written") is None and get_meta(db, "kept") == "yes" and published == []


def test_without_a_publisher_effects_wait_in_the_database_for_the_hub(db) -> None:
    def op(ctx):
        ctx.effects.display_sites.add(ctx.site.id)
        ctx.effects.commands.append(("demo-voting-01", {"cmd": "vote.open", "ticket_id": 7}))

    Runner(db).run("demo", op)
    Runner(db).run("demo", op)
    effects = take_deferred(db)
    assert effects.display_sites == {"demo"} and len(effects.commands) == 2
    assert not take_deferred(db), "deferred effects were published twice"


def test_one_error_shape_for_every_edge() -> None:
    exc = DomainError("not_found", "no such dossier", "Không tìm thấy hồ sơ có mã này.")
    assert error_body(exc) == {"code": "not_found", "message": "no such dossier",
                               "message_vi": "Không tìm thấy hồ sơ có mã này."}
    assert http_status("not_found") == 404 and http_status("conflict") == 409 and http_status("odd") == 400
    assert cli_message(exc) == "lỗi: Không tìm thấy hồ sơ có mã này."


def test_a_cli_change_reaches_the_running_hubs_screens(hub) -> None:
    """A change committed by another process (the CLI's runner) is published by the running hub."""
    states: list[dict] = []
    got = threading.Event()
    display = hub.device("display")

    def on_display(kind: str, state: dict) -> None:
        if kind == "state":
            states.append(state)
            if state.get("notice") == "Sáng thứ Bảy làm việc bình thường":
                got.set()

    display.subscribe_display(on_display)
    time.sleep(0.5)
    cli_db = open_data_dir(hub.data)

    from hub.store import lobby_media

    def op(ctx):
        lobby_media.put_notice(ctx.db, ctx.site.id, {"id": 1, "text": "Sáng thứ Bảy làm việc bình thường"}, ctx.now)
        ctx.effects.display_sites.add(ctx.site.id)

    Runner(cli_db).run("demo", op)
    cli_db.conn.close()
    assert got.wait(30), [s.get("notice") for s in states]
