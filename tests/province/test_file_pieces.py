"""How a file is cut for the sync and made whole again, on real hub databases (no processes): a centre
puts a complete scan in its outbox in pieces, and a signed result only once the centre has signed it; a
batch of pieces stays under the brokers' packet limit; the receiver keeps the file only when its SHA-256
is the sender's, a resent piece changes nothing, and a piece that does not fit is flagged, not kept."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from hub.app import load_site_file
from hub.cli.common import DEMO_SITE
from hub.domain import sync_route as rules
from hub.ops import sync as sync_ops
from hub.ops import sync_files
from hub.ops.run import Runner
from hub.store import dossier_files as files
from hub.store import sync as sync_store
from motcua_core.protocol import BROKER_MAX_PACKET
from tests.support.hubproc import open_hub_db
from tests.support.province import bind_commune, bind_province

CODE = "DEMO-261206-0001"


def _hub(path: Path, bind) -> tuple:  # noqa: ANN001
    bind(path)  # the centre a SQLite file; the province SQLite, or PostgreSQL in the PostgreSQL pass
    db = open_hub_db(path)
    load_site_file(db, DEMO_SITE)
    return db, Runner(db)


def _keep(runner: Runner, kind: str, data: bytes, doc_code: str | None = None) -> int:
    sha = hashlib.sha256(data).hexdigest()

    def op(ctx):
        fid = files.declare(ctx.db, {"site_id": "demo", "code": CODE, "kind": kind, "doc_index": 0, "name": "Tờ khai",
                                     "sha256": sha, "size": len(data), "pages": 1, "chunks": 1, "declared_at": ctx.now})
        files.complete(ctx.db, fid, data, ctx.now, stored_sha256=sha, doc_code=doc_code)
        return fid
    return runner.run(None, op)


def test_pieces_go_out_in_bounded_batches_and_are_made_whole_once(tmp_path: Path) -> None:
    a, ra = _hub(tmp_path / "a", bind_commune)
    p, rp = _hub(tmp_path / "p", bind_province)
    try:
        ra.run(None, lambda ctx: sync_ops.start_centre(ctx, {"centre": "demo", "epoch": "e1"}))
        scan = os.urandom(9 * rules.FILE_PIECE + 123)
        _keep(ra, "scan", scan)
        result = b"%PDF-1.7 signed result" + os.urandom(1000)
        rid = _keep(ra, "result", result)
        a.execute("UPDATE dossier_files SET doc_code = NULL WHERE id = ?", [rid])  # not signed yet
        a.conn.commit()
        assert ra.run(None, sync_files.enqueue_files) == 1  # the scan only: a result waits for its signature
        rows = sync_store.outbox_after(a, "demo", 0)
        pieces = [r for r in rows if r["kind"] == "file"]
        assert len(pieces) == len(rows) < 10  # a batch stops at about BATCH_BYTES
        assert len(json.dumps(rows)) < BROKER_MAX_PACKET // 2
        every = [r for r in sync_store.outbox_after(a, "demo", 0, budget=10**9) if r["kind"] == "file"]
        assert [r["body"]["n"] for r in every] == list(range(10))
        assert ra.run(None, sync_files.enqueue_files) == 0  # sent once
        a.execute("UPDATE dossier_files SET doc_code = 'KQ.1' WHERE id = ?", [rid])  # the centre signed it
        a.conn.commit()
        assert ra.run(None, sync_files.enqueue_files) == 1
        # The receiver: whole after the last piece, byte for byte; everything sent again changes nothing.
        every = [r for r in sync_store.outbox_after(a, "demo", 0, budget=10**9) if r["kind"] == "file"]
        made = [rp.run(None, lambda ctx, b=r["body"]: sync_files.receive_piece(ctx, b)) for r in every]
        assert [m is not None for m in made] == [False] * 9 + [True, True]
        for r in every:
            assert rp.run(None, lambda ctx, b=r["body"]: sync_files.receive_piece(ctx, b)) is None
        kept = {f["kind"]: f for f in files.listing(p, CODE)}
        assert files.content(p, kept["scan"]["id"]) == scan and files.content(p, kept["result"]["id"]) == result
        assert kept["result"]["doc_code"] == "KQ.1"
        assert p.execute("SELECT COUNT(*) FROM dossier_files").fetchone()[0] == 2
        assert p.execute("SELECT COUNT(*) FROM dossier_file_chunks").fetchone()[0] == 0
        assert sync_store.flags(p) == []
        # A piece that does not fit its file, and a file whose bytes are not the sender's: flagged, not kept.
        bad = dict(every[0]["body"], code="DEMO-261206-0002", data=every[0]["body"]["data"][:-8] + "AAAAAAAA")
        assert rp.run(None, lambda ctx: sync_files.receive_piece(ctx, dict(bad, n=99))) is None
        for r in every[:10]:
            body = bad if r["body"]["n"] == 0 else dict(r["body"], code="DEMO-261206-0002")
            assert rp.run(None, lambda ctx, b=body: sync_files.receive_piece(ctx, b)) is None
        reasons = [f["reason"] for f in sync_store.flags(p)]
        assert "số thứ tự phần tệp không hợp lệ" in reasons[0] and "không khớp mã kiểm tra" in reasons[1]
        assert files.listing(p, "DEMO-261206-0002")[0]["completed_at"] is None
    finally:
        a.conn.close()
        p.conn.close()
