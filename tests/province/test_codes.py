"""Dossier codes never collide in a province: a centre whose dossier-code prefixes (its agencies' official
identifiers, its unit's, or its free-text agency code) another centre or the province already uses is
refused at `province join` — and at `province add-centre --agency-code` — with a Vietnamese message that
names the code and where it is used. A real provincial hub process; the communes' CLI joins over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.hubproc import prepare
from tests.support.province import bind_commune, cli, province, read, site_file


def _settings(root: Path, data: Path, site: str, cfg: dict) -> None:
    path = root / f"{site}-settings.json"
    path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    cli("hub", "dossier", "settings", "--data", str(data), "--site", site, str(path))


def _invite(p, centre: str) -> str:
    out = cli("hub", "province", "add-centre", "--data", str(p.data), centre, "--name", f"Xã {centre}").stdout
    return out.split(": ")[1].split()[0]


def _join(p, data: Path, code: str):
    return cli("hub", "province", "join", "--data", str(data), "--hub", f"http://127.0.0.1:{p.proc.http_port}",
               "--code", code, "--mqtt-plain", check=False)


def test_a_centre_whose_agency_codes_clash_is_refused_at_join_and_at_add_centre(tmp_path: Path) -> None:
    p = province(tmp_path, 0)
    try:
        a, b = tmp_path / "xa-a", tmp_path / "xa-b"
        for data in (a, b):
            bind_commune(data)
        prepare(a, site_file(tmp_path, "xa-a", "Xã A"))
        prepare(b, site_file(tmp_path, "xa-b", "Xã B"))
        _settings(tmp_path, a, "xa-a", {"agency_ids": {"Sở Tư pháp": "H15.01"}, "unit_id": "H15.50.05"})
        # B maps the same department to the same identifier: both would print H15.01-yymmdd-0001.
        _settings(tmp_path, b, "xa-b", {"agency_ids": {"Sở Tư pháp": "H15.01"}, "unit_id": "H15.50.06"})
        assert _join(p, a, _invite(p, "xa-a")).returncode == 0
        code_b = _invite(p, "xa-b")
        refused = _join(p, b, code_b)
        assert refused.returncode != 0
        assert "H15.01" in refused.stderr and "Xã xa-a" in refused.stderr and "đơn vị xa-a" in refused.stderr, \
            refused.stderr
        assert "mã hồ sơ" in refused.stderr
        assert not (b / "province.json").exists()  # nothing joined: no link, no epoch
        assert read(p.data, "SELECT epoch FROM sync_centres WHERE id = 'xa-b'")[0][0] is None
        # B takes its own prefix (its unit's identifier for every dossier) and joins with the same code.
        _settings(tmp_path, b, "xa-b", {"unit_id": "H15.50.06"})
        assert _join(p, b, code_b).returncode == 0, "the refused join must not have spent the code"
        owners = dict(read(p.data, "SELECT code, centre_id FROM sync_codes"))
        assert owners == {"H15.01": "xa-a", "H15.50.05": "xa-a", "H15.50.06": "xa-b"}
        # The province's own site (default code TINH) and A's codes are taken for an invitation too.
        out = cli("hub", "province", "add-centre", "--data", str(p.data), "xa-c", "--name", "Xã C",
                  "--agency-code", "tinh", check=False)
        assert out.returncode != 0 and "TINH" in out.stderr and "hub tỉnh" in out.stderr, out.stderr
        out = cli("hub", "province", "add-centre", "--data", str(p.data), "xa-c", "--name", "Xã C",
                  "--agency-code", "H15.50.05", check=False)
        assert out.returncode != 0 and "H15.50.05" in out.stderr and "Xã xa-a" in out.stderr, out.stderr
        assert cli("hub", "province", "add-centre", "--data", str(p.data), "xa-c", "--name", "Xã C",
                   "--agency-code", "H15.50.07").returncode == 0
    finally:
        p.stop()


def test_a_dossier_code_with_another_centres_prefix_raises_one_alert(tmp_path: Path) -> None:
    """A centre that changed its settings after joining and prints another centre's prefix: the province
    says so once per dossier (sync_alerts, the console's 'Cần người xem'), and keeps the rows."""
    from hub.app import open_data_dir
    from hub.domain import sync as rules
    from hub.ops import sync as sync_ops
    from hub.ops.run import Runner
    from hub.store import sync as sync_store
    from motcua_core import clock as wallclock

    prepare(tmp_path / "tinh")
    db = open_data_dir(tmp_path / "tinh")
    try:
        runner = Runner(db)
        runner.run(None, lambda ctx: sync_ops.init_province(ctx, "Tỉnh Mẫu"))
        epochs = {}
        for centre, codes in (("xa-a", [["H15.01", "mã định danh của Sở Tư pháp"]]), ("xa-b", [["XAB", "mã cơ quan"]])):
            code = runner.run(None, lambda ctx, c=centre: sync_ops.add_centre(ctx, c, f"Xã {c}"))
            epochs[centre] = runner.run(None, lambda ctx, c=centre, k=code, x=codes: sync_ops.join(
                ctx, k, [c], "127.0.0.1", {c: x}))["epoch"]
        now = wallclock.time()  # the hubs' clock (shifted under make test-days), not the host's
        dossier = {"code": "H15.01-261206-0001", "site_id": "xa-b", "day": "2026-12-06", "status": "received",
                   "state": "{}"}
        for seq in (1, 2):  # the same dossier's snapshot, twice (a later event)
            row = {"seq": seq, "kind": "dossier", "id": dossier["code"], "at": now, "body": dossier}
            answer = runner.run(None, lambda ctx, r=row: sync_ops.apply_batch(
                ctx, "xa-b", rules.batch("xa-b", epochs["xa-b"], "xa-b", [r], now)))
            assert answer["type"] == "ack"
        clashes = [a for a in sync_store.alerts(db) if a["kind"] == "code_clash"]
        assert len(clashes) == 1 and clashes[0]["site_id"] == "xa-b"
        assert "H15.01-261206-0001: mã H15.01 là của trung tâm xa-a" in clashes[0]["message"]
        assert sync_store.copied_dossier(db, dossier["code"])[0] == "xa-b"  # kept, not dropped
        # Two centres announcing specialists of one agency: an alert says where its dossiers go.
        for centre in ("xa-a", "xa-b"):
            hello = rules.hello(centre, epochs[centre], centre, 0, now, agencies=["Ủy ban nhân dân xã Hòa An"])
            assert runner.run(None, lambda ctx, c=centre, h=hello: sync_ops.apply_batch(ctx, c, h))["type"] == "ack"
        clash = [a for a in sync_store.alerts(db) if a["kind"] == "agency_clash"]
        assert len(clash) == 1 and clash[0]["centre_id"] == "xa-b"
        assert clash[0]["message"] == ("Ủy ban nhân dân xã Hòa An: cũng có chuyên viên ở xa-a; hồ sơ của cơ quan này "
                                       "(nhận ở nơi khác) chuyển đến xa-a")
    finally:
        db.conn.close()
