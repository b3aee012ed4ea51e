"""The lobby's notices and image slides: the rules (dates in the site's calendar, order, what an upload must
be), the site's single notice becoming its first notice (by the migration, and from a site file written
before the list), and the notices travelling with the configuration a centre sends up and a rebuild puts
back, over real SQLite files."""

from __future__ import annotations

import io
import json
import zlib
from pathlib import Path

import pytest
from PIL import Image

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.domain import lobby_media as rules
from hub.domain.sync_down import check_site_config
from hub.ops import lobby_media as ops
from hub.ops import sync_rebuild
from hub.ops.run import Runner
from hub.ops.sites import load_site
from hub.store import lobby_media as store
from hub.store import site_config
from motcua_core.errors import DomainError


def _png(w: int, h: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


def test_a_notice_shows_from_its_first_to_its_last_day_in_order() -> None:
    n = rules.check_notice({"text": "  Nghỉ   Tết  ", "active_from": "05/02/2027", "active_until": "2027-02-14"})
    assert n == {"text": "Nghỉ Tết", "active_from": "2027-02-05", "active_until": "2027-02-14"}
    notices = [{**n, "id": 1, "position": 1, "retired": False}, {"id": 2, "position": 0, "text": "Luôn", "retired": False},
               {"id": 3, "position": 2, "text": "Đã ngừng", "retired": True}]
    assert [x["id"] for x in rules.active_notices(notices, "2027-02-04")] == [2]
    assert [x["id"] for x in rules.active_notices(notices, "2027-02-05")] == [2, 1]  # its first day included
    assert [x["id"] for x in rules.active_notices(notices, "2027-02-14")] == [2, 1]  # its last day included
    assert [x["id"] for x in rules.active_notices(notices, "2027-02-15")] == [2]
    assert rules.moved([2, 1, 3], 1, -1) == [1, 2, 3] and rules.moved([2, 1, 3], 2, -1) == [2, 1, 3]
    assert rules.moved([2, 1, 3], 3, 1) == [2, 1, 3]
    for bad in ({"text": ""}, {"text": "x" * 301}, {"text": "a", "active_from": "30/02/2027"},
                {"text": "a", "active_from": "2027-03-02", "active_until": "2027-03-01"}):
        with pytest.raises(DomainError) as refused:
            rules.check_notice(bad)
        assert refused.value.code == "bad_request" and refused.value.message_vi


def test_an_upload_must_decode_as_a_png_or_jpeg_and_is_never_stretched() -> None:
    pic = rules.check_image(_png(800, 600))
    assert (pic.mime, pic.width, pic.height) == ("image/png", 800, 600)
    big = rules.check_image(_png(7680, 2160))  # wider than any lobby: scaled down, proportions kept
    assert (big.width, big.height) == (3840, 1080)
    assert Image.open(io.BytesIO(big.data)).size == (3840, 1080)
    png = _png(300, 200)
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    for bad in (png[:300], b"GIF89a" + b"0" * 100, gif.getvalue(), b"", "Xin chào".encode()):
        with pytest.raises(DomainError) as refused:
            rules.check_image(bad)
        assert refused.value.message_vi == rules.NOT_IMAGE_VI
    with pytest.raises(DomainError) as refused:
        rules.check_image(b"\x89PNG" + bytes(rules.IMAGE_MAX_BYTES))
    assert refused.value.code == "payload_too_large" and refused.value.message_vi == rules.TOO_BIG_VI
    # A small file that claims a huge canvas is refused before it is decoded.
    for side in (8000, 50000):
        ihdr = b"IHDR" + side.to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
        bomb = (b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + ihdr + zlib.crc32(ihdr).to_bytes(4, "big")
                + bytes(4) + b"IEND" + zlib.crc32(b"IEND").to_bytes(4, "big"))
        with pytest.raises(DomainError) as refused:
            rules.check_image(bomb)
        assert refused.value.message_vi == rules.PIXELS_VI


def test_the_single_notice_becomes_the_first_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.store import migrations

    # A database of the version before the list, holding a site's single notice.
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", migrations.SCHEMA_VERSION - 1)
    db = open_data_dir(tmp_path / "old")
    db.execute("INSERT INTO sites(id, name, timezone, policy, default_service_s, notice) VALUES "
               "('demo', 'Xã', 'Asia/Ho_Chi_Minh', '{}', 420, 'Giờ làm việc: sáng 7:30.')")
    db.conn.commit()
    monkeypatch.undo()
    migrations.migrate(db)
    assert [(n["id"], n["text"], n["retired"]) for n in store.notices(db, "demo")] == [(1, "Giờ làm việc: sáng 7:30.", False)]
    assert db.execute("SELECT notice FROM sites").fetchone()[0] == ""  # nothing reads the column any more
    # A site file written before the list: its `notice` is the text of the first notice, the rest stays.
    new = open_data_dir(tmp_path / "new")
    load_site_file(new, DEMO_SITE)
    demo = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    assert [n["text"] for n in store.notices(new, "demo")] == [demo["site"]["notice"]]
    Runner(new).run("demo", lambda ctx: ops.save_notice(ctx, {"text": "Thứ hai."}))
    edited = {**demo, "site": {**demo["site"], "notice": "Giờ làm việc mới."}}
    Runner(new).run(None, lambda ctx: load_site(ctx, edited))
    assert [n["text"] for n in store.notices(new, "demo")] == ["Giờ làm việc mới.", "Thứ hai."]
    assert site_config.export(new, "demo")["site"]["notice"] == "Giờ làm việc mới."


def test_notices_travel_with_the_configuration_a_rebuild_puts_back(tmp_path: Path) -> None:
    old = open_data_dir(tmp_path / "old")
    load_site_file(old, DEMO_SITE)
    run = Runner(old).run
    run("demo", lambda ctx: ops.save_notice(ctx, {"text": "Tháng Ba làm cả thứ Bảy.", "active_until": "31/03/2027"}))
    run("demo", lambda ctx: ops.move_notice(ctx, {"id": 2, "step": -1}))
    run("demo", lambda ctx: ops.retire_notice(ctx, {"id": 1}))
    snap = sync_rebuild.config_snapshot(old, "demo")
    assert [(n["id"], n["retired"]) for n in snap["config"]["notices"]] == [(2, False), (1, True)]
    new = open_data_dir(tmp_path / "new")
    rows = {"demo": [{"kind": "site_config", "key": "demo", "body": json.loads(json.dumps(snap))}]}
    Runner(new).run(None, lambda ctx: sync_rebuild.rebuild(ctx, {"epoch": 1, "centre": "c1"}, rows))
    assert store.notices(new, "demo") == store.notices(old, "demo")
    assert sync_rebuild.config_snapshot(new, "demo") == snap


def test_the_province_sets_notices_by_id_and_refuses_bad_ones() -> None:
    cfg = check_site_config({"notices": [{"id": 1, "text": "Lịch nghỉ Tết của tỉnh.", "active_until": "14/02/2027"}]},
                            "demo")
    assert cfg["notices"] == [{"id": 1, "text": "Lịch nghỉ Tết của tỉnh.", "active_from": None,
                               "active_until": "2027-02-14", "retired": False}]
    for bad in ({"notices": "x"}, {"notices": [{"text": "no id"}]}, {"notices": [{"id": 1, "text": ""}]}):
        with pytest.raises(DomainError):
            check_site_config(bad, "demo")
