"""A centre rebuilt from the province's copy gets back its retired services and counters, still retired
(their tickets keep their names), over real SQLite files: the snapshot a centre sends up, put back by
`rebuild` in an empty hub, reads back the same."""

from __future__ import annotations

from pathlib import Path

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.ops import sync_rebuild
from hub.ops.run import Runner
from hub.ops.sites import load_site
from hub.store import site_config
from hub.store import sites as site_store


def test_retired_services_and_counters_are_rebuilt_retired(tmp_path: Path) -> None:
    old = open_data_dir(tmp_path / "old")
    load_site_file(old, DEMO_SITE)
    config = site_config.export(old, "demo")
    config["services"] = [s for s in config["services"] if s["code"] != "VH"]  # VH retired
    config["counters"] = [{**c, "services": [s for s in c["services"] if s != "VH"]} for c in config["counters"]]
    Runner(old).run(None, lambda ctx: load_site(ctx, config))
    Runner(old).run(None, lambda ctx: site_store.set_counter_active(ctx.db, "demo", 6, False))
    snap = sync_rebuild.config_snapshot(old, "demo")
    assert [s["code"] for s in snap["retired"]["services"]] == ["VH"]
    assert [c["number"] for c in snap["retired"]["counters"]] == [6]

    new = open_data_dir(tmp_path / "new")
    rows = {"demo": [{"kind": "site_config", "key": "demo", "body": snap}]}
    Runner(new).run(None, lambda ctx: sync_rebuild.rebuild(ctx, {"epoch": 1, "centre": "c1"}, rows))
    assert sync_rebuild.config_snapshot(new, "demo") == snap
    assert "VH" not in [s.code for s in site_store.list_services(new, "demo")]
    assert site_store.get_service(new, "demo", "VH", retired=True).name == \
        site_store.get_service(old, "demo", "VH", retired=True).name
    assert 6 not in [c.number for c in site_store.list_counters(new, "demo")]
