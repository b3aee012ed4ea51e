"""A centre applying the province's publications on a real SQLite file (hub.ops.sync_down.apply_docs): a
publication the centre's own rules refuse is kept in its audit log and the page goes on, so one bad
publication never stops the stream; a page applied twice changes nothing; a page that does not continue
from the centre's mark is not applied."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.domain import sync_down as down
from hub.ops import sync as sync_ops
from hub.ops import sync_down
from hub.ops.context import Actor
from hub.ops.dossiers import calendar_for
from hub.ops.run import Runner
from hub.store import sync_docs

NOW = 1_789_000_000.0


def test_a_refused_publication_is_recorded_and_the_page_goes_on(tmp_path: Path) -> None:
    db = open_data_dir(tmp_path / "xa")
    load_site_file(db, DEMO_SITE)
    runner = Runner(db, clock=lambda: NOW, actor=Actor("province", "admin", "sync"))
    runner.run(None, lambda ctx: sync_ops.start_centre(ctx, {"centre": "demo", "epoch": "e1"}))
    rows = [{"seq": 3, "kind": "site_config", "key": "demo", "at": NOW, "by": "x",
             "body": {"site": "demo", "settings": {"unit_id": "không phải mã"}}},
            {"seq": 5, "kind": "calendar", "key": "province", "at": NOW, "by": "x",
             "body": {"days_off": ["2027-03-10"], "working_days": [], "note": ""}}]
    msg = down.docs_message("demo", "e1", 0, rows, since=NOW - 60)
    assert runner.run(None, lambda ctx: sync_down.apply_docs(ctx, "e1", msg)) == 5
    assert sync_docs.hwm(db) == 5
    assert not calendar_for(db, "demo").is_working_day(date(2027, 3, 10))
    refused = db.execute("SELECT target, after FROM audit_log WHERE action = 'province.refused'").fetchall()
    assert len(refused) == 1 and refused[0][0] == "site_config:demo" and "H15.50.05" in refused[0][1]
    assert db.execute("SELECT config FROM dossier_settings WHERE site_id = 'demo'").fetchone() is None or \
        "không phải mã" not in db.execute("SELECT config FROM dossier_settings WHERE site_id = 'demo'").fetchone()[0]
    # The same page again, or one from another mark: nothing moves.
    refusals = db.execute("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'province.%'").fetchone()[0]
    assert runner.run(None, lambda ctx: sync_down.apply_docs(ctx, "e1", msg)) == 5
    later = down.docs_message("demo", "e1", 4, [{**rows[1], "seq": 9, "body": {"days_off": [], "working_days": []}}])
    assert runner.run(None, lambda ctx: sync_down.apply_docs(ctx, "e1", later)) == 5
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'province.%'").fetchone()[0] == refusals
    assert not calendar_for(db, "demo").is_working_day(date(2027, 3, 10))
    assert down.check_docs(msg, "e1", sync_docs.hwm(db)) is None  # what the link asks before it opens a transaction


def test_the_provinces_notices_reach_the_centres_lobby(tmp_path: Path) -> None:
    """Notices the province sets for a centre's site (by id) change the lobby's display state there; the
    centre's own other notices stay."""
    from hub.ops import lobby_media
    from hub.ops.views import display_state

    db = open_data_dir(tmp_path / "xa")
    load_site_file(db, DEMO_SITE)
    runner = Runner(db, clock=lambda: NOW, actor=Actor("province", "admin", "sync"))
    runner.run(None, lambda ctx: sync_ops.start_centre(ctx, {"centre": "demo", "epoch": "e1"}))
    runner.run("demo", lambda ctx: lobby_media.save_notice(ctx, {"text": "Thông báo riêng của xã."}))
    body = {"site": "demo", "notices": [{"id": 7, "text": "Tỉnh: nghỉ Tết từ 05/02 đến hết 14/02."}]}
    rows = [{"seq": 2, "kind": "site_config", "key": "demo", "at": NOW, "by": "x", "body": body}]
    runner.run(None, lambda ctx: sync_down.apply_docs(ctx, "e1", down.docs_message("demo", "e1", 0, rows, since=NOW)))
    shown = [n["text"] for n in display_state(db, "demo", NOW, 1)["notices"]]
    assert shown[1:] == ["Thông báo riêng của xã.", "Tỉnh: nghỉ Tết từ 05/02 đến hết 14/02."], shown
