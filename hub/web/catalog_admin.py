"""Catalogue import from the console: the administrator uploads a CSV or JSON file; it is imported the way
`motcua hub catalog import` does it — in a worker thread on a connection of its own (a big file never
stalls the event loop while it is parsed and checked), one transaction, one catalogue version, effects
deferred to the hub — while the page draws a progress bar from the job's state and then lists the rows
that were refused, each with its reasons in Vietnamese."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass

from aiohttp import web

from hub.domain import catalogue as rules
from hub.ops import catalogue as cat_ops
from hub.ops.context import Actor
from hub.ops.run import Runner
from hub.store.db import open_db
from hub.web.auth import authenticate, requires
from hub.web.common import HUB_KEY, bad_request
from hub.web.schema import F, describe
from hub.web.signin import actor_of

MAX_BYTES = 32 * 1024 * 1024
_ids = itertools.count(1)


@dataclass
class Job:
    id: int
    by: str
    done: int = 0
    total: int = 0
    result: dict | None = None
    error: str | None = None

    def view(self) -> dict:
        return {"id": self.id, "done": self.done, "total": self.total, "finished": self.result is not None
                or self.error is not None, "error": self.error, "result": self.result}


JOBS_KEY = web.AppKey("catalog_jobs", dict)


def _import(app: web.Application, job: Job, text: str, fmt: str, replace: bool, actor: Actor) -> None:
    db = open_db(app[HUB_KEY].config.db_target)
    try:
        fields, procs, errors = rules.parse_file(text, fmt)
        job.total = len(procs)

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        out = Runner(db, actor=actor).run(None, lambda ctx: cat_ops.import_entries(
            ctx, fields, procs, errors, replace=replace, progress=progress), action="catalog.import")
        job.result = {"imported": out["imported"], "removed": out["removed"], "version": out["version"],
                      "errors": [{"where": w, "problems": list(p)} for w, p in out["errors"]]}
    except Exception as exc:  # a file that cannot be read at all: say so on the page
        job.error = f"Không đọc được tệp: {exc}"
    finally:
        db.conn.close()


@describe("Import the procedure catalogue (CSV or JSON body); returns a job to follow",
          query={"format": F("string", True, "csv or json"), "replace": F("boolean", False, "1: the file is the "
                                                                                      "whole catalogue")})
@requires("admin", on="hub")
async def start_import(request: web.Request) -> web.Response:
    fmt = request.query.get("format", "")
    if fmt not in ("csv", "json"):
        return bad_request("format must be csv or json", "Định dạng tệp phải là csv hoặc json.")
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            return bad_request("file too large", "Tệp quá lớn (tối đa 32 MB).")
        chunks.append(chunk)
    try:
        text = b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError:
        return bad_request("not UTF-8", "Tệp phải được lưu với bảng mã UTF-8.")
    p = authenticate(request)
    assert p is not None
    job = Job(next(_ids), p.id)
    request.app[JOBS_KEY][job.id] = job
    loop = asyncio.get_running_loop()
    loop.run_in_executor(None, _import, request.app, job, text, fmt, request.query.get("replace") == "1",
                         actor_of(p))
    return web.json_response(job.view(), status=202)


@describe("The state of a catalogue import: progress, then imported rows and refused ones")
@requires("admin", on="hub")
async def job_state(request: web.Request) -> web.Response:
    try:
        job = request.app[JOBS_KEY][int(request.match_info["job"])]
    except (KeyError, ValueError):
        raise web.HTTPNotFound(text='{"error":{"code":"not_found","message":"no such import",'
                                    '"message_vi":"Không có lượt nhập này."}}', content_type="application/json") from None
    return web.json_response(job.view())


def add_routes(app: web.Application) -> None:
    app[JOBS_KEY] = {}
    app.router.add_post("/api/v1/catalog/import", start_import)
    app.router.add_get("/api/v1/catalog/import/{job}", job_state)
