"""`motcua bench search`: per-keystroke procedure search on a kiosk's local catalogue replica.

A catalogue of N procedures is built from the starter catalogue (each real procedure repeated with
agency and place variants, as a national catalogue repeats procedures across levels), written to a
kiosk replica (SQLite) and reloaded the way a kiosk starts. Then citizens' queries are typed one key
at a time, without diacritics, and every keystroke's search is timed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from motcua.bench.common import emit, log, ms, percentile

QUERIES = ("dang ky khai sinh", "cap giay phep xay dung", "ket hon", "chung thuc ban sao", "dat dai",
           "ho kinh doanh", "tro cap xa hoi", "xac nhan tinh trang hon nhan", "khai tu", "giay chung nhan",
           "cap lai", "thay doi", "1.00", "nguoi co cong", "to chuc ton giao")
PLACES = ("cấp xã", "cấp huyện", "cấp tỉnh", "Hòa An", "Xuyên Mộc", "Châu Đức", "Long Điền", "Đất Đỏ",
          "Tân Thành", "Côn Đảo", "Bà Rịa", "Vũng Tàu", "Phú Mỹ", "Ngãi Giao", "Kim Long", "Bình Châu")


def synthetic_catalogue(n: int, seed: int = 1) -> dict:
    from hub.store.catalogue import STARTER

    base = json.loads(STARTER.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    procs = []
    for i in range(n):
        p = dict(base["procedures"][i % len(base["procedures"])])
        if i >= len(base["procedures"]):
            place = rng.choice(PLACES)
            p.update(id=f"{p['id']}-{i}", code=f"{rng.randint(1, 2)}.{rng.randint(0, 999999):06d}",
                     name=f"{p['name']} ({place})", agency=f"{p.get('agency') or 'UBND'} {place}")
        procs.append(p)
    return {"version": 1, "full": True, "fields": base["fields"], "procedures": procs, "removed": []}


def main(args: argparse.Namespace) -> int:
    from kiosk.catalog import Catalog

    root = Path(tempfile.mkdtemp(prefix="motcua-bench-search-"))
    log(f"data in {root}")
    try:
        doc = synthetic_catalogue(args.procedures)
        t0 = time.perf_counter()
        Catalog(root / "catalog.db").apply(doc)
        apply_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        cat = Catalog(root / "catalog.db")  # a kiosk starting: load the replica into memory
        load_s = time.perf_counter() - t0
        times: list[float] = []
        hits = 0
        for _round in range(args.rounds):
            for q in QUERIES:
                for k in range(1, len(q) + 1):
                    t = time.perf_counter()
                    found = cat.search(q[:k])
                    times.append((time.perf_counter() - t) * 1000)
                if found:
                    hits += 1
        first = cat.search("dang ky khai sinh")[0].name
        cat.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    emit({"procedures": args.procedures, "keystrokes": len(times), "p50_ms": ms(percentile(times, 50)),
          "p99_ms": ms(percentile(times, 99)), "max_ms": ms(max(times)), "target_p99_ms": 10,
          "queries_with_results": hits, "queries": len(QUERIES) * args.rounds, "top_hit": first,
          "replica_apply_s": round(apply_s, 3), "replica_load_s": round(load_s, 3)}, args.json)
    return 0
