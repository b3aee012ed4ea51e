"""Syncing dossiers and their progress to the provincial system / National Public Service Portal: the one
exporter. `collect` turns new dossier events into records (hub.domain.portal) on the durable queue;
`deliver` posts what is due to the configured endpoint (docs/portal.md), marks what the far side
accepted, refuses for good what it rejected, and retries the rest with back-off. Configured in
<data>/portal.json; without that file nothing is queued or sent."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from hub.domain import dossier as dm
from hub.domain import portal as rules
from hub.ops import dossiers as ops
from hub.ops.context import Ctx
from hub.store import catalogue as cat_store
from hub.store import dossiers as dossier_store
from hub.store import portal as store
from hub.store.db import transaction
from hub.store.sites import list_sites

if TYPE_CHECKING:
    from hub.app import Hub

log = logging.getLogger("motcua.portal")
BATCH = 50


@dataclass(frozen=True)
class PortalConfig:
    url: str  # the endpoint of the contract (docs/portal.md), e.g. https://dvc.example.gov.vn/motcua/v1
    token: str = ""
    timeout_s: float = 15.0
    status_map: dict[str, Any] = field(default_factory=dict)
    procedure_codes: dict[str, str] = field(default_factory=dict)  # national code or our id → portal code


def load_config(data_dir: Path) -> PortalConfig | None:
    path = Path(data_dir) / "portal.json"
    if not path.exists():
        return None
    if path.stat().st_mode & 0o077:  # it holds the portal token: the service's alone
        raise ValueError(f"{path}: tệp chứa khóa truy cập phải chỉ dịch vụ đọc được (chmod 600 {path})")
    cfg = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(cfg, dict) or not str(cfg.get("url") or "").startswith(("http://", "https://")):
        raise ValueError(f"{path}: cần \"url\" bắt đầu bằng http:// hoặc https://")
    return PortalConfig(url=cfg["url"].rstrip("/"), token=str(cfg.get("token") or ""),
                        timeout_s=float(cfg.get("timeout_s", 15.0)), status_map=cfg.get("status_map") or {},
                        procedure_codes=cfg.get("procedure_codes") or {})


def collect(ctx: Ctx, cfg: PortalConfig, limit: int = 2000) -> int:
    """Queue a record for every dossier event of the site not yet queued (in the runner's transaction)."""
    events = store.events_after(ctx.db, ctx.site.id, store.watermark(ctx.db, ctx.site.id), limit)
    if not events:
        return 0
    tz = ops.calendar_for(ctx.db, ctx.site.id).tz
    rows: dict[str, dict] = {}
    history: dict[str, list[dm.Event]] = {}
    ids: dict[str, list[int]] = {}
    national: dict[str, str | None] = {}
    out = []
    for ev_id, code, kind, at in events:
        if code not in rows:
            rows[code] = dossier_store.get(ctx.db, code)
            history[code] = dossier_store.events(ctx.db, code)
            ids[code] = store.event_ids(ctx.db, code)
            pid = rows[code]["procedure_id"]
            if pid not in national:
                proc = cat_store.get(ctx.db, pid)
                national[pid] = proc.get("code") if proc else None
        row = {**rows[code], "procedure_code": national[rows[code]["procedure_id"]],
               "channel": history[code][0].data.get("channel", "counter")}
        state = dm.replay(code, history[code][:ids[code].index(ev_id) + 1])  # the state after this event
        out.append((ev_id, rules.record(ev_id, kind, at, state, row, tz, cfg.status_map, cfg.procedure_codes)))
    store.enqueue(ctx.db, ctx.site.id, out, events[-1][0], ctx.now)
    return len(out)


def post(cfg: PortalConfig, site_id: str, records: list[dict]) -> dict:
    """POST one batch (no database access: runs in a worker thread). Returns {"accepted": [ids],
    "rejected": [{"id", "error"}]} or raises OSError/ValueError for a failure worth retrying."""
    body = json.dumps({"source": "motcua", "site": site_id, "records": records}, ensure_ascii=False).encode()
    req = urllib.request.Request(f"{cfg.url}/dossier-events", data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    if cfg.token:
        req.add_header("Authorization", f"Bearer {cfg.token}")
    try:
        with urllib.request.urlopen(req, timeout=cfg.timeout_s) as resp:
            answer = json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code in (400, 422):  # the whole batch is malformed: the answer still says which records
            answer = json.loads(exc.read().decode("utf-8") or "{}")
        else:
            raise OSError(f"HTTP {exc.code} từ {cfg.url}") from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("accepted", []), list):
        raise ValueError(f"{cfg.url}: câu trả lời không đúng hợp đồng (docs/portal.md)")
    return {"accepted": answer.get("accepted") or [], "rejected": answer.get("rejected") or []}


def record_result(db: sqlite_utils.Database, batch: list[dict], result: dict | Exception, now: float) -> dict:
    """Store what the far side answered for a batch. Call inside a transaction."""
    if isinstance(result, Exception):
        for item in batch:
            store.mark_failed(db, item["id"], now + rules.retry_delay(item["attempts"] + 1), str(result))
        return {"sent": 0, "rejected": 0, "failed": len(batch)}
    accepted = set(result["accepted"])
    rejected = {r.get("id"): str(r.get("error") or "bị từ chối") for r in result["rejected"] if isinstance(r, dict)}
    sent, refused, failed = [], 0, 0
    for item in batch:
        if item["record_id"] in accepted:
            sent.append(item["id"])
        elif item["record_id"] in rejected:
            store.mark_rejected(db, item["id"], now, rejected[item["record_id"]])
            refused += 1
        else:  # neither: the far side did not get to it; try again later
            store.mark_failed(db, item["id"], now + rules.retry_delay(item["attempts"] + 1), "không có trong câu trả lời")
            failed += 1
    store.mark_sent(db, sent, now)
    return {"sent": len(sent), "rejected": refused, "failed": failed}


def batches(due: list[dict]) -> list[list[dict]]:
    """Due records in batches of at most BATCH, one site per batch, oldest first."""
    out: list[list[dict]] = []
    for item in due:
        if not out or len(out[-1]) >= BATCH or out[-1][0]["site_id"] != item["site_id"]:
            out.append([])
        out[-1].append(item)
    return out


async def run_turn(hub: Hub, cfg: PortalConfig) -> dict:
    """The hub timer's turn: queue new events of every site, then post what is due from a worker thread
    (the database is used on the loop only)."""
    loop = asyncio.get_running_loop()
    for sid in list_sites(hub.db):
        hub.runner.run(sid, lambda ctx: collect(ctx, cfg))
    totals = {"sent": 0, "rejected": 0, "failed": 0}
    for batch in batches(store.due(hub.db, hub.clock(), 500)):
        try:
            result: dict | Exception = await loop.run_in_executor(
                None, post, cfg, batch[0]["site_id"], [b["body"] for b in batch])
        except (OSError, ValueError) as exc:
            log.warning("portal sync failed: %s", exc)
            result = exc
        with transaction(hub.db):
            for k, v in record_result(hub.db, batch, result, hub.clock()).items():
                totals[k] += v
        if isinstance(result, Exception):
            break
    return totals


def deliver(db: sqlite_utils.Database, cfg: PortalConfig, now: float, limit: int = 500) -> dict:
    """Send what is due, synchronously (CLI and tests; the hub's timer sends from a worker thread)."""
    totals = {"sent": 0, "rejected": 0, "failed": 0}
    for batch in batches(store.due(db, now, limit)):
        try:
            result: dict | Exception = post(cfg, batch[0]["site_id"], [b["body"] for b in batch])
        except (OSError, ValueError) as exc:
            log.warning("portal sync failed: %s", exc)
            result = exc
        with transaction(db):
            for k, v in record_result(db, batch, result, now).items():
                totals[k] += v
        if isinstance(result, Exception):
            break  # the far side is down: the rest waits for its retry time too
    return totals
