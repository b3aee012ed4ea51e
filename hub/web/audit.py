"""The audit log for leaders: browse and filter (JSON), or export it as CSV. Times in the site's zone."""

from __future__ import annotations

import io
import json
from datetime import datetime

from aiohttp import web

from hub.domain import audit_words
from hub.domain.roles import role_vi
from hub.store import audit
from hub.web.auth import PRINCIPAL_KEY, requires, sees_hub
from hub.web.common import bad_request, hub_of, site_of
from hub.web.schema import F, describe
from motcua_core import csv_cells

MAX_ROWS = 5000
QUERY = {"who": F("string", False, "who did it (part of the name)"), "action": F("string", False, "action (part)"),
         "from": F("string", False, "from, site-local YYYY-MM-DD[THH:MM]"), "to": F("string", False, "until (excluded)"),
         "limit": F("integer", False, f"rows, newest first (200, at most {MAX_ROWS})"),
         "queue": F("string", False, "1: include the routine queue work (calls, tickets), left out by default")}


def _filters(request: web.Request, tz) -> dict:  # noqa: ANN001
    q = request.query
    out: dict = {"who": q.get("who", "")[:60], "action": q.get("action", "")[:60]}
    for key, name in (("since", "from"), ("until", "to")):
        if q.get(name):
            out[key] = datetime.fromisoformat(q[name]).replace(tzinfo=tz).timestamp()
    out["limit"] = max(1, min(MAX_ROWS, int(q.get("limit", "200"))))
    if q.get("queue") not in ("1", "true", "on") and not out["action"]:  # asked for by name: shown
        out["exclude"] = audit_words.QUEUE_PREFIXES
    return out


def _rows(request: web.Request) -> tuple[list[dict], object] | web.Response:
    site = site_of(request)
    try:
        f = _filters(request, site.tz)
    except ValueError:
        return bad_request("from/to must be ISO dates, limit a number",
                           "Ngày lọc phải có dạng YYYY-MM-DD (hoặc YYYY-MM-DDTHH:MM), số dòng phải là số.")
    # Rows of no site (the catalogue, province accounts' sign-ins) are the province's: a site's leader on a
    # hub of many sites sees its own site's rows only (hub.domain.authz).
    rows = audit.query(hub_of(request).db, site.id, **f, hub_rows=sees_hub(request, request[PRINCIPAL_KEY]))
    for r in rows:
        local = datetime.fromtimestamp(r["at"], site.tz)
        r["at_local"] = local.isoformat(timespec="seconds")
        r["at_vi"] = local.strftime("%d/%m/%Y %H:%M:%S")
        r["action_vi"] = audit_words.action_vi(r["action"])
        r["role_vi"] = role_vi(r["role"])
        r["queue"] = audit_words.is_queue(r["action"])
    return rows, site


@describe("The audit log, newest first", query=QUERY)
@requires("leader")
async def audit_json(request: web.Request) -> web.Response:
    got = _rows(request)
    if isinstance(got, web.Response):
        return got
    return web.json_response({"entries": got[0]})


@describe("The audit log as CSV", query=QUERY, returns="text/csv")
@requires("leader")
async def audit_csv(request: web.Request) -> web.Response:
    got = _rows(request)
    if isinstance(got, web.Response):
        return got
    buf = io.StringIO()
    w = csv_cells.writer(buf)
    w.writerow(["thời điểm", "người thực hiện", "vai trò", "kênh", "thao tác", "mã thao tác", "đối tượng", "trước",
                "sau"])
    for r in got[0]:
        w.writerow([r["at_vi"], r["who"], r["role_vi"], r["via"], r["action_vi"], r["action"], r["target"],
                    "" if r["before"] is None else json.dumps(r["before"], ensure_ascii=False),
                    "" if r["after"] is None else json.dumps(r["after"], ensure_ascii=False)])
    return web.Response(body=("\ufeff" + buf.getvalue()).encode(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="nhat-ky-thao-tac.csv"'})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/sites/{site}/audit", audit_json)
    app.router.add_get("/api/v1/sites/{site}/audit.csv", audit_csv)
