"""A provincial hub for benchmarks, and joining a bench hub to it as a centre (docs/province.md): the real
`motcua hub serve`, the real join over HTTP, the real sync link."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from motcua.bench.common import BenchHub


class ProvinceHub(BenchHub):
    """A hub in province mode with one site of its own, `tinh` (centres bring theirs)."""

    def prepare(self) -> None:
        from hub.app import load_site_file, open_data_dir
        from hub.cli.common import DEMO_SITE
        from hub.ops import sync as sync_ops
        from hub.ops.run import Runner

        doc = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
        doc["site"]["id"], doc["site"]["name"] = "tinh", "Trung tâm tỉnh"
        site = self.root / "tinh.json"
        site.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        db = open_data_dir(self.data)
        try:
            load_site_file(db, site)
            Runner(db).run(None, lambda ctx: sync_ops.init_province(ctx, "Tỉnh (bench)"))
        finally:
            db.conn.close()

    def health(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/api/v1/health", timeout=2) as r:
            return json.loads(r.read())

    def invite(self, centre: str) -> str:
        """A one-time join code for `centre` (what `motcua hub province add-centre` prints)."""
        from hub.app import open_data_dir
        from hub.ops import sync as sync_ops
        from hub.ops.run import Runner

        db = open_data_dir(self.data)
        try:
            return Runner(db).run(None, lambda ctx: sync_ops.add_centre(ctx, centre, centre))
        finally:
            db.conn.close()

    def api_token_global(self, role: str) -> str:
        """An API token of a role that spans every site (province_leader)."""
        from hub.app import open_data_dir
        from hub.store import tokens
        from hub.store.db import transaction

        db = open_data_dir(self.data)
        try:
            with transaction(db):
                return tokens.add(db, role=role, site_id=None, name=f"bench {role}", now=time.time())[1]
        finally:
            db.conn.close()

    def synced_rows(self) -> int:
        """Rows the province acknowledged, over every site (the sum of the high-water marks)."""
        from hub.app import open_data_dir
        from hub.store import sync as sync_store

        db = open_data_dir(self.data)
        try:
            return sum(s["hwm"] for s in sync_store.province_sites(db))
        finally:
            db.conn.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


def join(province: ProvinceHub, centre: str, data: Path) -> None:
    """`motcua hub province join` for the hub whose data is `data` (before that hub starts)."""
    code = province.invite(centre)
    out = subprocess.run([sys.executable, "-m", "motcua.cli", "hub", "province", "join", "--data", str(data),
                          "--hub", province.url, "--code", code, "--mqtt-plain"], capture_output=True, text=True,
                         timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"join failed: {out.stderr}")
