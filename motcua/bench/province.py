"""`motcua bench province`: synthetic centres sending the real sync protocol from real outboxes to one
provincial hub (`motcua hub serve`, province mode, fsync on), as in docs/province.md.

Each centre is a real data directory (the demo site under its own id) joined over HTTP; its tickets are
issued through the Runner, so its outbox is filled by the same capture as a live hub's; its link is the
real CentreLink (a thread of this process, its own MQTT client and SQLite connection). Figures:

- `ingest_rows_per_s`: every centre's backlog (`--minutes` busy minutes of `--devices` kiosks, one
  ticket per kiosk per 30 s) sent at once, rows acknowledged per second until every mark is reached;
- `overview_p99_ms`: GET /api/v1/province/overview over all centres, as a province leader;
- `catchup_s`: one centre cut off (its link paused) for 10 simulated busy minutes, then mended: seconds
  until the province acknowledged everything;
- `lost`, `duplicated`: tickets of the centres missing at the province, or there more than once.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
from pathlib import Path

from motcua.bench.common import emit, log, ms, percentile
from motcua.bench.province_hubs import ProvinceHub

TARGET_INGEST = 2000.0
TARGET_OVERVIEW_MS = 100.0
TARGET_CATCHUP_S = 30.0
TICKETS_PER_DEVICE_MINUTE = 2  # one ticket per kiosk every 30 s: a busy office


def add_parser(bsub: argparse._SubParsersAction) -> None:
    p = bsub.add_parser("province", help="synthetic centres syncing to one provincial hub (issue #23)")
    p.add_argument("--sites", type=int, default=100)
    p.add_argument("--devices", type=int, default=20)
    p.add_argument("--minutes", type=int, default=10, help="busy minutes of backlog per centre")
    p.add_argument("--overview-requests", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=main)


def _centre(root: Path, prov: ProvinceHub, site: str):
    """A centre's data directory with the demo site as `site`, joined to the province."""
    from hub.app import load_site_file, open_data_dir
    from hub.cli.common import DEMO_SITE
    from hub.sync.join import join_province

    doc = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    doc["site"]["id"], doc["site"]["name"] = site, f"Xã {site}"
    data = root / site
    data.mkdir()
    f = root / f"{site}.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    db = open_data_dir(data)
    load_site_file(db, f)
    link, _ = join_province(db, data, prov.url, prov.invite(site), plain=True)
    return db, data, link


def _busy(db, site: str, tickets: int, now: float) -> None:
    """`tickets` tickets through the Runner, in one transaction per 200 (the capture numbers them)."""
    from hub.ops import queue as queue_ops
    from hub.ops.run import Runner

    runner = Runner(db)
    services = ("HT", "CT", "LD")
    for start in range(0, tickets, 200):
        with runner.transaction():
            for i in range(start, min(tickets, start + 200)):
                runner.step(site, lambda ctx, s=services[i % 3]: queue_ops.issue_ticket(ctx, s), _effects(), now=now)


def _effects():
    from hub.ops.context import Effects

    return Effects()


def _wait_acked(prov_db_path: Path, expected: dict[str, int], timeout: float) -> float | None:
    from hub.store import sync as store
    from hub.store.db import open_db

    db = open_db(prov_db_path)
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < timeout:
            marks = {s["site_id"]: s["hwm"] for s in store.province_sites(db)}
            if all(marks.get(site, 0) >= seq for site, seq in expected.items()):
                return time.monotonic() - t0
            time.sleep(0.1)
    finally:
        db.conn.close()
    return None


def _seqs(dbs: dict) -> dict[str, int]:
    from hub.store import sync as store

    return {site: store.link_sites(db)[0]["seq"] for site, (db, _d, _l) in dbs.items()}


def main(args: argparse.Namespace) -> int:
    from hub.store import sync as store
    from hub.store.db import open_db
    from hub.sync.link import CentreLink

    per_site = args.devices * args.minutes * TICKETS_PER_DEVICE_MINUTE
    with ProvinceHub(prefix="motcua-bench-province-") as prov:
        prov.prepare()
        prov.start()
        root = prov.root / "centres"
        root.mkdir()
        log(f"{args.sites} centres joining, each with {per_site} tickets of backlog")
        centres = {}
        now = time.time()
        for i in range(args.sites):
            site = f"c{i:03d}"
            centres[site] = _centre(root, prov, site)
            _busy(centres[site][0], site, per_site, now)
        expected = _seqs(centres)
        total_rows = sum(expected.values())
        links = [CentreLink(data, data / "motcua.db", link) for _db, data, link in centres.values()]
        log(f"{total_rows:,} outbox rows; starting {len(links)} links")
        t0 = time.monotonic()
        for link in links:
            link.start()
        ingest_s = _wait_acked(prov.data / "motcua.db", expected, 600)
        ingest = round(total_rows / ingest_s, 1) if ingest_s else None
        log(f"ingested in {ingest_s and round(ingest_s, 1)} s ({time.monotonic() - t0:.1f} s with start-up)")
        # The province leader's overview over every centre.
        token = prov.api_token_global("province_leader")
        lat = []
        for _ in range(args.overview_requests):
            req = urllib.request.Request(f"{prov.url}/api/v1/province/overview",
                                         headers={"Authorization": f"Bearer {token}"})
            t = time.perf_counter()
            with urllib.request.urlopen(req, timeout=10) as r:
                body = json.loads(r.read())
            lat.append((time.perf_counter() - t) * 1000)
        centres_seen = len(body["centres"])
        # One centre cut off for ten busy minutes, then mended.
        site0, (db0, data0, _l) = next(iter(centres.items()))
        (data0 / "sync.pause").touch()
        time.sleep(0.5)
        _busy(db0, site0, args.devices * 10 * TICKETS_PER_DEVICE_MINUTE, time.time())
        expected = _seqs(centres)
        t = time.monotonic()
        (data0 / "sync.pause").unlink()
        catchup = _wait_acked(prov.data / "motcua.db", {site0: expected[site0]}, 120)
        catchup = catchup and round(time.monotonic() - t, 2)
        for link in links:
            link.stop()
        pdb = open_db(prov.data / "motcua.db")
        lost = duplicated = 0
        for site, (db, _d, _l) in centres.items():
            mine = store.local_ticket_ids(db, site)
            theirs = store.copied_keys(pdb, site, "ticket")
            lost += len(set(mine) - set(theirs))
            duplicated += len(theirs) - len(set(theirs)) + len(set(theirs) - set(mine))
            db.conn.close()
        pdb.conn.close()
    p99 = percentile(lat, 99)
    result = {"bench": "province", "sites": args.sites, "devices": args.devices, "rows": total_rows,
              "ingest_rows_per_s": ingest, "ingest_s": ingest_s and round(ingest_s, 2),
              "overview_p50_ms": ms(percentile(lat, 50)), "overview_p99_ms": ms(p99), "overview_centres": centres_seen,
              "catchup_s": catchup, "lost": lost, "duplicated": duplicated}
    result["targets_met"] = bool(ingest and ingest >= TARGET_INGEST and p99 is not None
                                 and p99 <= TARGET_OVERVIEW_MS and catchup is not None
                                 and catchup <= TARGET_CATCHUP_S and lost == 0 and duplicated == 0)
    emit(result, args.json)
    return 0 if lost == 0 and duplicated == 0 and ingest_s is not None else 1
