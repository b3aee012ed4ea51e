"""Each electronic result goes to the citizen's data store on the national portal (Decree 118/2025 Art. 22):
queued in the transaction that signs it (hub.ops.dossier_files.store_signed), pushed by a hub timer
through the one adapter (hub.ops.datastore_api), retried with back-off while the far side is down, kept
with the far side's reason when refused, and shown to the officer and the specialist.

The endpoint (URL, client id, secret) is set with `motcua hub datastore config`; it lives in the
database's settings with the secret sealed by the key beside the database (hub.notify.seal), never in
clear, never in a backup in usable form. Until it is set, results wait in the queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING

import sqlite_utils

from hub.domain import datastore as rules
from hub.domain import digital
from hub.notify import seal
from hub.ops import datastore_api as api
from hub.ops.context import Ctx
from hub.store import catalogue as cat_store
from hub.store import datastore as store
from hub.store import dossier_files as file_store
from hub.store import dossiers as dossier_store
from hub.store.db import get_meta, set_meta
from hub.store.sites import get_site

if TYPE_CHECKING:
    from hub.app import Hub

log = logging.getLogger("motcua.datastore")
META = "datastore_endpoint"


def configure(db: sqlite_utils.Database, url: str, client_id: str, secret: str, timeout_s: float = 20.0,
              retry_base_s: float = rules.RETRY_BASE_S) -> None:
    """Set the endpoint (call inside a transaction). The secret is sealed before it is stored."""
    url = url.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValueError("Địa chỉ kho dữ liệu phải bắt đầu bằng https:// (hoặc http:// trong mạng nội bộ).")
    if not client_id.strip() or not secret.strip():
        raise ValueError("Cần mã ứng dụng (client id) và khóa bí mật do Cổng cấp.")
    set_meta(db, META, json.dumps({"url": url, "client_id": client_id.strip(), "timeout_s": timeout_s,
                                   "retry_base_s": max(1.0, float(retry_base_s)),
                                   "secret": seal.seal_value(db, secret.strip())}))


def endpoint(db: sqlite_utils.Database) -> api.Endpoint | None:
    raw = get_meta(db, META)
    if not raw:
        return None
    cfg = json.loads(raw)
    secret = seal.unseal_value(db, cfg["secret"])
    if secret is None:  # the sealing key is not this machine's: set the secret again
        log.warning("the data store's secret cannot be unsealed here; run `motcua hub datastore config` again")
        return None
    return api.Endpoint(url=cfg["url"], client_id=cfg["client_id"], secret=secret,
                        timeout_s=float(cfg.get("timeout_s", 20.0)),
                        retry_base_s=float(cfg.get("retry_base_s", rules.RETRY_BASE_S)))


def described(db: sqlite_utils.Database) -> dict | None:
    """The endpoint without its secret (for `status`)."""
    raw = get_meta(db, META)
    if not raw:
        return None
    cfg = json.loads(raw)
    return {"url": cfg["url"], "client_id": cfg["client_id"], "secret": "(đã niêm phong)"}


def enqueue_result(ctx: Ctx, file_id: int, doc_code: str, code: str) -> None:
    """In the signing transaction: the result will reach the citizen's store."""
    store.enqueue(ctx.db, doc_code, file_id, ctx.site.id, code, ctx.now)


def job(db: sqlite_utils.Database, row: dict) -> dict:
    """What one push needs, read on the event loop."""
    d = dossier_store.get(db, row["code"])
    f = file_store.get(db, row["file_id"])
    proc = cat_store.get(db, d["procedure_id"]) or {"id": d["procedure_id"]}
    s = dossier_store.get_settings(db, row["site_id"])
    site = get_site(db, row["site_id"])
    holder = d["applicant"].get("cccd") or d["applicant"].get("tax_code") or ""
    body = api.payload(row["doc_code"], holder, digital.result_type(proc), f["name"], d["code"],
                       s["unit_name"] or site.name,
                       datetime.fromtimestamp(f["completed_at"], site.tz).isoformat(timespec="seconds"),
                       file_store.content(db, row["file_id"]) or b"")
    return {"row": row, "body": body}


def send(ep: api.Endpoint, j: dict) -> tuple[str, str]:
    """("pushed", reference) / ("refused", why) / ("failed", why): no database, a worker thread runs it."""
    try:
        return "pushed", api.push(ep, j["body"])
    except api.Refused as exc:
        return "refused", str(exc)
    except (OSError, ValueError) as exc:
        return "failed", str(exc) or type(exc).__name__


def record(ctx: Ctx, row: dict, outcome: tuple[str, str], retry_base_s: float = 30.0) -> None:
    state, detail = outcome
    if state == "pushed":
        store.mark_sent(ctx.db, row["id"], ctx.now, detail)
    elif state == "refused":
        store.mark_rejected(ctx.db, row["id"], ctx.now, detail)
    else:
        store.mark_failed(ctx.db, row["id"], ctx.now + rules.retry_delay(row["attempts"] + 1, retry_base_s), detail)
    if state != "failed" or row["attempts"] == 0:  # the audit log gets the first failure, not every retry
        ctx.changed("dossier.datastore", row["code"], after={"doc_code": row["doc_code"], "state": state,
                                                             "detail": detail})


async def run_turn(hub: Hub) -> int:
    """The hub timer's turn: push what is due, one at a time (a result is up to 20 MB)."""
    ep = endpoint(hub.db)
    if ep is None:
        return 0
    n = 0
    for row in store.due(hub.db, hub.clock()):
        j = job(hub.db, row)
        outcome = await asyncio.to_thread(send, ep, j)
        hub.runner.run(row["site_id"], lambda ctx, row=row, outcome=outcome: record(ctx, row, outcome,
                                                                                   ep.retry_base_s))
        n += 1
        if outcome[0] == "failed":
            log.warning("data store push of %s failed: %s", row["doc_code"], outcome[1])
            break  # the far side is down: the rest wait for their own retry time
    return n


def status_for(db: sqlite_utils.Database, code: str) -> list[dict]:
    """The push state of each electronic result of a dossier, in words."""
    configured = get_meta(db, META) is not None
    return [rules.status(r, configured) for r in store.for_dossier(db, code)]


def overview(db: sqlite_utils.Database, site_id: str | None = None) -> list[dict]:
    configured = get_meta(db, META) is not None
    return [{**rules.status(r, configured), "code": r["code"], "site_id": r["site_id"]}
            for r in store.listing(db, site_id)]
