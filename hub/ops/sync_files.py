"""A dossier's files travel with it across the province (docs/province.md): the scanned documents and the
signed electronic result, from the centre that received the dossier up to the provincial hub and on to
whichever hub holds it, so its specialist opens them there.

Through the sync streams only (never a broker queue): a centre puts each complete file, cut in pieces,
into its sync outbox (in one transaction: a hub killed mid-transfer resends from the acknowledged
sequence); the province relays pieces on a centre's down stream. The receiver keeps each piece in the
dossier's files (`dossier_file_chunks`, in the hub's private database), makes the file whole when every
piece is there and only if its SHA-256 is the sender's, and ignores a piece or a file it already has."""

from __future__ import annotations

import base64
import logging

import sqlite_utils

from hub.domain import sync_route as rules
from hub.ops.context import Ctx
from hub.store import dossier_files as files
from hub.store import sync as sync_store
from hub.store import sync_route as store
from hub.store.db import get_meta

log = logging.getLogger("motcua.hub.sync")


def pending(db: sqlite_utils.Database) -> bool:
    """Whether a complete file waits to be sent (a read: the link's sweep takes the write lock only then)."""
    return bool(store.files_to_send(db, 1))


def _meta(f: dict, data: bytes) -> dict:
    return {"code": f["code"], "site": f["site_id"], "kind": f["kind"], "doc_index": f["doc_index"],
            "name": f["name"], "sha256": f["sha256"], "stored_sha256": f["stored_sha256"] or f["sha256"],
            "size": len(data), "pages": f["pages"], "doc_code": f["doc_code"], "signed_by": f["signed_by"],
            "pieces": rules.piece_count(len(data))}


def enqueue_files(ctx: Ctx) -> int:
    """At a centre: every complete file not sent yet goes into the outbox, in pieces, under the site of its
    dossier (or, for a copy held here, the site its events go up under). Returns the files queued."""
    own = own_sites(ctx.db)
    n = 0
    for f in store.files_to_send(ctx.db):
        data = store.file_data(ctx.db, f["id"])
        site = f["site_id"] if f["site_id"] in own else up_site_of(ctx.db, f["code"])
        if data is not None and site in own:
            meta = _meta(f, data)
            for i, piece in enumerate(rules.pieces(data)):
                sync_store.enqueue(ctx.db, site, "file", f"{f['id']}:{i}", {**meta, "n": i, "data": piece}, ctx.now)
            n += 1
        store.mark_sent(ctx.db, f["id"], ctx.now)
    store.advance_low(ctx.db)
    return n


def own_sites(db: sqlite_utils.Database) -> set[str]:
    """This centre's sites (those its outbox numbers)."""
    return {s["site_id"] for s in sync_store.link_sites(db)}


def up_site_of(db: sqlite_utils.Database, code: str) -> str | None:
    """Which of this centre's sites the rows of a copy held here go up under."""
    return store.up_site(db, code) or get_meta(db, "sync_centre")


def enqueue_file_down(ctx: Ctx, centre: str, f: dict) -> None:
    """At the province: a complete file of a held dossier onto a centre's down stream, in pieces."""
    data = store.file_data(ctx.db, f["id"])
    if data is None:
        return
    meta = _meta(f, data)
    for i, piece in enumerate(rules.pieces(data)):
        store.enqueue_down(ctx.db, centre, f["code"], {"row": "file", **meta, "n": i, "data": piece}, ctx.now)


def receive_up(ctx: Ctx, centre: str, site: str, body: dict) -> None:
    """At the province: a piece from a centre; a file made whole goes on to every copy of its dossier but
    the sender's."""
    done = receive_piece(ctx, body)
    if done is not None and sync_store.held(ctx.db, done["code"]):
        held = sync_store.held(ctx.db, done["code"])
        for c in rules.fan_out(centre, held["centre_id"], store.copies(ctx.db, done["code"])):
            enqueue_file_down(ctx, c, done)


def receive_piece(ctx: Ctx, body: dict) -> dict | None:
    """Keep one piece (a piece or a file already here changes nothing); returns the file when this piece
    made it whole. A piece that does not fit, or a whole file whose SHA-256 is not the sender's, is kept
    out and flagged for a person (the sender's copy is intact: it can be sent again)."""
    code, kind, sha = str(body.get("code") or ""), str(body.get("kind") or ""), str(body.get("sha256") or "")
    if not code or kind not in ("scan", "result") or len(sha) != 64 or not isinstance(body.get("size"), int):
        sync_store.flag(ctx.db, code or "?", "phần tệp không hợp lệ", _described(body), ctx.now)
        return None
    f = files.find(ctx.db, code, kind, sha)
    if f is not None and f["completed_at"] is not None:
        return None
    problem = rules.piece_problem(body, body.get("n"), str(body.get("data") or ""))
    if problem:
        sync_store.flag(ctx.db, code, f"tệp {body.get('name')}: {problem}", _described(body), ctx.now)
        return None
    if f is None:
        fid = files.declare(ctx.db, {"site_id": str(body.get("site") or ""), "code": code, "kind": kind,
                                     "doc_index": body.get("doc_index"), "name": str(body.get("name") or "")[:200],
                                     "sha256": sha, "size": body["size"], "pages": int(body.get("pages") or 0),
                                     "chunks": int(body["pieces"]), "declared_at": ctx.now})
        f = files.get(ctx.db, fid)
        assert f is not None
    files.put_chunk(ctx.db, f["id"], int(body["n"]), base64.b64decode(body["data"]))
    if len(files.chunk_numbers(ctx.db, f["id"])) < int(body["pieces"]):
        return None
    data = rules.whole([files.assembled(ctx.db, f["id"])], str(body.get("stored_sha256") or sha))
    if data is None:
        sync_store.flag(ctx.db, code, f"tệp {f['name']} không khớp mã kiểm tra SHA-256: chưa nhận", _described(body),
                        ctx.now)
        return None
    files.complete(ctx.db, f["id"], data, ctx.now, stored_sha256=str(body.get("stored_sha256") or sha),
                   doc_code=body.get("doc_code"), signed_by=body.get("signed_by"))
    store.mark_sent(ctx.db, f["id"], ctx.now)  # a file the sync brought here does not go back up
    ctx.changed("dossier.file_received", code, after={"name": f["name"], "size": len(data)})
    return files.get(ctx.db, f["id"])


def _described(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "data"}
