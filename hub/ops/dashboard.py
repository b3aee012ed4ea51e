"""The leaders' dashboard: what a unit head must see at a glance, computed from the database as it stands.

`live` is the part that moves with every call (counters, waiting per service with its longest wait and
service level, alerts): the console's live stream sends it after each committed change. `snapshot` adds
the day's charts, the officers and the week's dossiers. The service level is the share of today's
citizens called within their service's wait target (default 15 minutes, seed 002), counting those still
waiting beyond it as missed. Times are the site's."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from hub.domain import dossier as dm
from hub.domain import kpi
from hub.domain.kpi import WAIT_TARGET_S, TicketTimes
from hub.domain.queue import local_day
from hub.ops import dossiers as dossier_ops
from hub.ops import reports, security
from hub.ops.views import display_state
from hub.store import dashboard as store
from hub.store import devices as device_store
from hub.store import site_config
from hub.store import tickets as ticket_store
from hub.store import votes as vote_store
from hub.store.sites import Site

OFFLINE_AFTER_S = 5 * 60
STEP_S = 15 * 60  # the waiting-over-the-day chart: one point per quarter hour


def live(db: sqlite_utils.Database, site: Site, now: float, times: list[TicketTimes] | None = None) -> dict:
    day = local_day(now, site.tz)
    times = ticket_store.day_times(db, site.id, day) if times is None else times
    state = display_state(db, site.id, now, 0)
    targets = site_config.wait_targets(db, site.id)
    total, groups = kpi.accumulate(times, targets, now, {"service": lambda t: t.service})
    per = groups["service"]
    open_for: dict[str, int] = {}
    counters = []
    for c in state["counters"]:
        cur = c["current"]
        counters.append({"number": c["number"], "name": c["name"], "status": c["status"], "officer": c["officer"],
                         "services": c["services"], "ticket": cur["ticket"] if cur else None,
                         "serving_s": round(now - cur["called_at"]) if cur and cur["called_at"] else None})
        if c["status"] == "open":
            for code in c["services"]:
                open_for[code] = open_for.get(code, 0) + 1
    services, alerts = [], []
    for s in state["services"]:
        p = per.get(s["code"], {"met": 0, "due": 0, "longest_s": 0.0})
        target = targets.get(s["code"], WAIT_TARGET_S)
        svc = {"code": s["code"], "name": s["name"], "name_en": s["name_en"], "waiting": s["waiting"],
               "longest_wait_s": round(p["longest_s"]), "wait_target_s": target,
               "service_level": round(p["met"] / p["due"], 3) if p["due"] else None,
               "open_counters": open_for.get(s["code"], 0)}
        services.append(svc)
        if svc["waiting"] and svc["longest_wait_s"] > target:
            alerts.append({"kind": "wait_over_target", "severity": "bad", "service": s["code"],
                           "text_vi": f"{s['name']}: có người chờ {round(svc['longest_wait_s'] / 60)} phút "
                                      f"(mục tiêu {round(target / 60)} phút)",
                           "text_en": f"{s['name_en'] or s['name']}: a citizen has waited "
                                      f"{round(svc['longest_wait_s'] / 60)} min (target {round(target / 60)} min)"})
        if svc["waiting"] and not svc["open_counters"]:
            alerts.append({"kind": "no_open_counter", "severity": "bad", "service": s["code"],
                           "text_vi": f"{s['name']}: {svc['waiting']} người chờ nhưng không quầy nào mở",
                           "text_en": f"{s['name_en'] or s['name']}: {svc['waiting']} waiting and no counter open"})
    alerts += _device_alerts(db, site.id, now)
    alerts += [{"severity": "bad", **a} for a in security.alerts(db, site.id, now)]  # issue #21
    return {"site": site.id, "site_name": site.name, "day": day, "time": state["time"], "at": now,
            "counters": counters, "services": services, "alerts": alerts, "totals": kpi.figures(total)}


def _device_alerts(db: sqlite_utils.Database, site_id: str, now: float) -> list[dict]:
    out = []
    for d in device_store.list_all(db, site_id):
        if d.revoked:
            continue
        label = d.name or d.id
        if d.status != "online" and d.last_seen is not None and now - d.last_seen > OFFLINE_AFTER_S:
            out.append({"kind": "device_offline", "severity": "warn", "device": d.id,
                        "text_vi": f"Thiết bị {label} mất kết nối", "text_en": f"Device {label} is offline"})
        if d.health and "paper_out" in str(d.health):
            out.append({"kind": "paper_out", "severity": "bad", "device": d.id,
                        "text_vi": f"Máy in {label} hết giấy", "text_en": f"Printer {label} is out of paper"})
    return out


WORK_HOURS = (7, 17)  # the chart's hours when nobody came earlier or later: 7h–17h


def _day_charts(site: Site, now: float, times: list[TicketTimes]) -> dict:
    """Arrivals per hour over the working hours (every hour, none left out, zero where nobody came: a
    chart of three bars drawn 0h–25h said nothing) and the number waiting every quarter hour."""
    hours: dict[int, int] = {}
    for t in times:
        h = datetime.fromtimestamp(t.issued_at, site.tz).hour
        hours[h] = hours.get(h, 0) + 1
    first, last = min([WORK_HOURS[0], *hours]), max([WORK_HOURS[1] - 1, *hours])
    hours = {h: hours.get(h, 0) for h in range(first, last + 1)}
    moves = sorted([(t.issued_at, 1) for t in times] +
                   [(t.called_at, -1) for t in times if t.called_at is not None] +
                   [(t.done_at, -1) for t in times if t.called_at is None and t.done_at is not None])
    points: list[list[float]] = []
    if moves:
        start = moves[0][0] - moves[0][0] % STEP_S
        level, i = 0, 0
        at = start
        while at <= now + 1:
            while i < len(moves) and moves[i][0] <= at:
                level += moves[i][1]
                i += 1
            points.append([at, max(0, level)])
            at += STEP_S
        level += sum(delta for t, delta in moves[i:] if t <= now)
        points.append([now, max(0, level)])  # and now
    return {"arrivals_by_hour": [[h, hours[h]] for h in sorted(hours)], "waiting_over_day": points}


def _officers(db: sqlite_utils.Database, site: Site, day: str, now: float, times: list[TicketTimes]) -> list[dict]:
    names = store.officer_names(db, site.id)
    votes = vote_store.day_summary(db, site.id, day)["by_officer"]
    per: dict[str, dict] = {}
    for t in times:
        if not t.officer:
            continue
        o = per.setdefault(t.officer, {"served": 0, "service_s": [], "first": None, "last": None})
        if t.status == "done":
            o["served"] += 1
        if t.called_at is not None:
            o["first"] = t.called_at if o["first"] is None else min(o["first"], t.called_at)
            end = t.done_at or now
            o["last"] = end if o["last"] is None else max(o["last"], end)
            if t.done_at is not None:
                o["service_s"].append(t.done_at - t.called_at)
    out = []
    for oid, o in sorted(per.items()):
        busy = sum(o["service_s"])
        span = (o["last"] - o["first"]) if o["first"] is not None else 0
        out.append({"id": oid, "name": names.get(oid, oid), "served": o["served"],
                    "avg_service_s": round(busy / len(o["service_s"])) if o["service_s"] else None,
                    "idle_s": round(max(0.0, span - busy)), "satisfaction": votes.get(oid)})
    return out


def dossiers(db: sqlite_utils.Database, site: Site, now: float) -> dict:
    """The week's dossier figures per agency and the at-risk list (the slow part: a week of a year's
    dossiers; the console refreshes it in the background, hub.web.dashboard)."""
    cal = dossier_ops.calendar_for(db, site.id)
    local = datetime.fromtimestamp(now, cal.tz)
    year, week, _ = local.isocalendar()
    rep = reports.weekly(db, site, f"{year}-W{week:02d}", now)["report"]  # judged now: due later is not late
    at_risk = []
    threshold = dossier_ops.risk_threshold_s(db, site.id, cal)
    # A few working days never span more than a couple of weeks (weekends, Tết): look that far.
    for code, proc, holder, status, due, apologies in store.due_before(db, site.id, now + 16 * 86400):
        left = cal.working_seconds_between(local, datetime.fromtimestamp(due, cal.tz)) if due > now else 0.0
        risk = dm.OVERDUE if now > due else (dm.AT_RISK if left < threshold else None)
        if risk is None:
            continue
        at_risk.append({"code": code, "procedure": proc, "holder": holder, "status_vi": dm.STATUS_VI[status],
                        "due_at": dossier_ops.iso(due, cal), "hours_left": round(left / 3600, 1), "risk": risk,
                        "apologised": apologies > 0})
    return {"week": f"{year}-W{week:02d}", "total": rep["total"], "by_agency": rep["by_agency"],
            "at_risk": at_risk}


def snapshot(db: sqlite_utils.Database, site: Site, now: float, dossier_part: dict | None = None) -> dict:
    """The whole dashboard; `dossier_part` (from `dossiers`, possibly a minute old) saves computing it."""
    day = local_day(now, site.tz)
    times = ticket_store.day_times(db, site.id, day)
    out = live(db, site, now, times)
    out["charts"] = _day_charts(site, now, times)
    out["officers"] = _officers(db, site, day, now, times)
    out["dossiers"] = dossiers(db, site, now) if dossier_part is None else dossier_part
    for d in out["dossiers"]["at_risk"][:20]:
        out["alerts"].append({"kind": "dossier_at_risk", "severity": "bad" if d["risk"] == dm.OVERDUE else "warn",
                              "code": d["code"],
                              "text_vi": f"Hồ sơ {d['code']} ({d['holder']}) "
                                         + ("đã quá hạn" if d["risk"] == dm.OVERDUE else
                                            f"còn {d['hours_left']} giờ làm việc"),
                              "text_en": f"Dossier {d['code']} ({d['holder']}) "
                                         + ("is overdue" if d["risk"] == dm.OVERDUE else
                                            f"has {d['hours_left']} working hours left")})
    return out
