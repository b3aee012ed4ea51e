"""Sync operations of a province (docs/province.md), run through hub.ops.run like every other operation:
the province's side (invite a centre, let it join, apply a batch) and the centre's (start under an
epoch, record an acknowledgement or a refusal)."""

from __future__ import annotations

import hmac
import json
from datetime import date

import sqlite_utils

from hub.broker.passwd import hash_secret, new_secret
from hub.domain import dossier as dm
from hub.domain import sync as rules
from hub.domain.ratelimit import RateLimiter
from hub.ops import sync_down, sync_files, sync_route
from hub.ops.context import Change, Ctx
from hub.ops.dossiers import timeline_label
from hub.ops.sync_extras import key_digest
from hub.store import catalogue, enrolment
from hub.store import devices as device_store
from hub.store import dossiers as dossier_store
from hub.store import sync as store
from hub.store import sync_route as route_store
from hub.store.db import get_meta, set_meta
from hub.store.sites import list_sites
from motcua_core import enrol_code
from motcua_core.dossier_codes import mask_name, normalise
from motcua_core.errors import DomainError
from motcua_core.protocol import ID_RE

CODE_VALID_S = 24 * 3600.0


def _not_province(ctx: Ctx) -> None:
    if store.role(ctx.db) != "province":
        raise DomainError("conflict", "this hub is not a provincial hub (motcua hub province init)",
                          "Máy chủ này chưa phải máy chủ cấp tỉnh (motcua hub province init).")


def init_province(ctx: Ctx, name: str) -> None:
    """Switch the province part on: the same hub, with the receiver and the centre registry."""
    if store.role(ctx.db) == "centre":
        raise DomainError("conflict", "this hub is a centre of a province; a hub is one or the other",
                          "Máy chủ này đang là trung tâm cấp xã của một tỉnh.")
    set_meta(ctx.db, "sync_role", "province")
    set_meta(ctx.db, "province_name", name)
    store.skip_down(ctx.db)  # from now on, events of dossiers held here go down to their centre
    ctx.changed("province.init", "province", None, {"name": name})


def add_centre(ctx: Ctx, centre: str, name: str, valid_s: float = CODE_VALID_S,
               agency_codes: list[str] | None = None) -> str:
    """Invite a centre (again, after a restore or a replacement): a one-time code, shown once. With
    `agency_codes`, the dossier-code prefixes it will use are checked (unique in the province) now."""
    _not_province(ctx)
    if not ID_RE.match(centre) or len(centre) > 32:
        raise DomainError("bad_request", f"bad centre id {centre!r} (a-z, 0-9, '-')",
                          "Mã trung tâm chỉ gồm chữ thường không dấu, số và '-'.")
    sync_route.reserve_codes(ctx, centre, agency_codes or [])
    code = enrol_code.new_code()
    store.add_centre(ctx.db, centre, name, enrol_code.code_hash(code), ctx.now + valid_s, ctx.now)
    ctx.changed("province.add_centre", centre, None, {"name": name})
    return code


def join(ctx: Ctx, code: str, sites: list[str], addr: str, agency_codes: object = None) -> dict:
    """A centre trades its code for its broker account and a new epoch. Its sites must be its own: a
    site id another centre (or the province itself) has is refused, so codes never collide."""
    _not_province(ctx)

    def refuse(message: str, message_vi: str) -> DomainError:
        exc = DomainError("auth_failed", message, message_vi)
        exc.keep = lambda: enrolment.record_failure(ctx.db, addr, ctx.now)
        return exc

    if enrolment.throttled(ctx.db, addr, ctx.now):
        raise DomainError("rate_limited", "too many wrong codes; wait ten minutes",
                          "Nhập sai mã quá nhiều lần. Vui lòng chờ 10 phút rồi thử lại.")
    if not enrol_code.looks_valid(code):
        raise refuse("a join code is 8 letters and digits (ABCD-EFGH)", "Mã tham gia gồm 8 chữ và số.")
    centre = store.centre_by_code(ctx.db, enrol_code.code_hash(code))
    if centre is None:
        raise refuse("unknown join code", "Mã tham gia không đúng.")
    if (centre["code_expires_at"] or 0) < ctx.now:
        raise DomainError("conflict", "this join code has expired; ask the province for a new one",
                          "Mã tham gia đã hết hạn. Hãy xin mã mới ở tỉnh.")
    if not sites or not all(isinstance(s, str) and ID_RE.match(s) for s in sites):
        raise DomainError("bad_request", "a centre joins with its site ids", "Thiếu mã đơn vị của trung tâm.")
    own = set(list_sites(ctx.db))
    for site in sites:
        owner = store.site_owner(ctx.db, site)
        if site in own or (owner is not None and owner != centre["id"]):
            raise DomainError("conflict", f"site id {site!r} is already used in this province",
                              f"Mã đơn vị {site} đã được dùng trong tỉnh.")
    sync_route.check_codes(ctx, centre["id"], sync_route.parse_codes(agency_codes, sites))
    epoch = rules.new_epoch()
    secret = new_secret()
    if centre["epoch"]:
        store.alert(ctx.db, centre["id"], None, "new_epoch",
                    f"centre joined again: epoch {centre['epoch']} replaced by {epoch}", ctx.now)
    store.joined(ctx.db, centre["id"], epoch, hash_secret(secret), sites, ctx.now)
    device_store.bump_revision(ctx.db)  # the running hub rewrites the broker's accounts within a second
    ctx.changed("province.join", centre["id"], centre["epoch"], {"epoch": epoch, "sites": sites})
    return {"centre": centre["id"], "epoch": epoch, "username": rules.broker_username(centre["id"]),
            "password": secret, "province": get_meta(ctx.db, "province_name") or ""}


def apply_batch(ctx: Ctx, topic_centre: str, msg: object) -> dict:
    """Apply one batch in this transaction and answer with the high-water mark, or refuse it (an old
    epoch raises an alert). Idempotent: a resent batch moves nothing."""
    site = msg.get("site") if isinstance(msg, dict) else None
    epoch = msg.get("epoch") if isinstance(msg, dict) else None
    try:
        batch = rules.check_hello(msg, topic_centre) or rules.check_batch(msg, topic_centre)
        centre = store.get_centre(ctx.db, topic_centre)
        if centre is None or not centre["epoch"]:
            raise rules.SyncError("unknown_centre", f"no centre {topic_centre!r} has joined")
        rules.check_epoch(centre["epoch"], batch["epoch"])
        if store.site_owner(ctx.db, batch["site"]) != topic_centre:
            raise rules.SyncError("wrong_site", f"site {batch['site']!r} is not a site of {topic_centre!r}")
    except rules.SyncError as exc:
        store.alert(ctx.db, topic_centre, site if isinstance(site, str) else None, exc.reason, exc.message, ctx.now)
        return rules.refused(topic_centre, str(epoch or ""), str(site or ""), exc.reason, exc.message)
    if batch["type"] == "hello":
        store.note_centre_seq(ctx.db, batch["site"], batch["seq"], ctx.now)
        sync_route.note_agencies(ctx, topic_centre, batch["site"], batch.get("agencies"))
        sync_down.note_mark(ctx, batch["site"], batch.get("docs"))
        return rules.ack(topic_centre, batch["epoch"], batch["site"], store.hwm(ctx.db, batch["site"]))
    plan = rules.plan(store.hwm(ctx.db, batch["site"]), batch["rows"])
    if plan.rows:  # file pieces are kept in the dossier's files, not in the copy of the centre's rows
        store.apply_rows(ctx.db, batch["site"], batch["epoch"], [r for r in plan.rows if r["kind"] != "file"],
                         plan.hwm, ctx.now)
        _hold_and_follow(ctx, topic_centre, batch["site"], plan.rows)
    store.note_centre_seq(ctx.db, batch["site"], batch["to_seq"], ctx.now)
    return rules.ack(topic_centre, batch["epoch"], batch["site"], plan.hwm)


def overview(ctx: Ctx) -> dict:
    """The province leader's overview: one line per site of every centre (and the province's own sites
    once they send through the same path), in Vietnamese alphabetical order of the site id."""
    day = rules.local_day(ctx.now)
    rows = []
    for site, a in store.overview_aggregates(ctx.db, day).items():
        rows.append(rules.overview_row(site, a["centre"], by_status=a["by_status"],
                                       oldest_waiting_at=a["oldest_waiting_at"], counters_busy=len(a["counters"]),
                                       votes=a["votes"], dossiers=a["dossiers"], hwm=a["hwm"],
                                       centre_seq=a["centre_seq"], last_contact=a["last_contact"], now=ctx.now,
                                       devices=a["devices"]))
    names = {c["id"]: c["name"] for c in store.list_centres(ctx.db)}
    for r in rows:
        r["name"] = names.get(r["centre"] or "", r["site"])
    rows.sort(key=lambda r: rules.vi_key(r["name"]))
    totals = {k: sum(r[k] for r in rows) for k in ("waiting", "served_today", "tickets_today", "votes_today")}
    totals["links_down"] = sum(1 for r in rows if r["link"] is not None and not r["link"]["up"])
    return {"day": day, "province": get_meta(ctx.db, "province_name") or "", "centres": rows, "totals": totals,
            "alerts": store.alerts(ctx.db, 10), "flagged": flagged(ctx.db, 20)}


def flagged(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    """The latest flagged events for the province's console, each with what it was in Vietnamese."""
    out = []
    for f in route_store.recent_flags(db, limit):
        data = f.pop("data")
        what = timeline_label(dm.Event(f["kind"], 0.0, "", data)) if f["kind"] in dm.KINDS else None
        out.append({**f, "what": what or ("tệp của hồ sơ" if f["kind"] == "file" else f["kind"])})
    return out


def centre_detail(ctx: Ctx, site: str) -> dict:
    """Drill-down into one centre: its overview line, today's tickets, recent dossiers and votes."""
    o = overview(ctx)
    line = next((r for r in o["centres"] if r["site"] == site), None)
    if line is None:
        raise DomainError("not_found", f"no centre site {site!r} in this province", "Không có trung tâm này.")
    return {"day": o["day"], "centre": line, "tickets": store.site_rows(ctx.db, site, "ticket", o["day"]),
            "dossiers": store.site_rows(ctx.db, site, "dossier", limit=50),
            "votes": store.site_rows(ctx.db, site, "vote", o["day"], limit=50)}


def start_centre(ctx: Ctx, joined: dict) -> int:
    """This hub joined a province: the outbox starts over under the new epoch, with the whole database
    captured (by the Runner, in this transaction). Returns the number of sites."""
    if store.role(ctx.db) == "province":
        raise DomainError("conflict", "a provincial hub cannot join another province",
                          "Máy chủ cấp tỉnh không thể tham gia một tỉnh khác.")
    sites = list(list_sites(ctx.db))
    store.start_centre(ctx.db, joined["epoch"], sites)
    route_store.forget_sent(ctx.db)  # the new epoch starts from nothing: every file goes up again
    set_meta(ctx.db, "sync_centre", joined["centre"])
    ctx.changes.append(Change("province.joined", joined["centre"], None, {"epoch": joined["epoch"]}))
    return len(sites)


def presence_changes(db: sqlite_utils.Database, sites: list[str]) -> dict[str, dict]:
    """The sites whose device presence summary differs from the one last put in the outbox (a read)."""
    now_ = store.presence(db)
    return {site: now_.get(site, {"online": 0, "total": 0, "roles": {}}) for site in sites
            if get_meta(db, f"sync_presence:{site}") != rules.canonical(now_.get(site, {"online": 0, "total": 0,
                                                                                         "roles": {}}))}


def note_presence(ctx: Ctx) -> int:
    """Put each site's changed device presence summary in the outbox (the province's fleet figures)."""
    sites = [s["site_id"] for s in store.link_sites(ctx.db)]
    changed = presence_changes(ctx.db, sites)
    for site, summary in changed.items():
        store.enqueue(ctx.db, site, "presence", site, summary, ctx.now)
        set_meta(ctx.db, f"sync_presence:{site}", rules.canonical(summary))
    return len(changed)


def record_answer(ctx: Ctx, epoch: str, msg: object) -> str | None:
    """An ack or a refusal from the province, for this centre's current epoch; returns the site it was
    for (None: ignored, e.g. an answer to an old epoch or malformed)."""
    if not isinstance(msg, dict) or msg.get("v") != rules.VERSION or msg.get("epoch") != epoch:
        return None
    site = msg.get("site")
    if not isinstance(site, str):
        return None
    if msg.get("type") == "ack" and isinstance(msg.get("hwm"), int):
        store.record_ack(ctx.db, site, msg["hwm"], ctx.now)
        return site
    if msg.get("type") == "refused" and msg.get("reason") in rules.REFUSAL_REASONS:
        store.record_refusal(ctx.db, site, msg["reason"], ctx.now)
        return site
    return None


def catalogue_for(ctx: Ctx, centre: str, msg: dict) -> list[dict]:
    """After a centre's hello: the catalogue pages it lacks (none when it holds the current version)."""
    have = msg.get("catalog", 0)
    if not isinstance(have, int) or catalogue.version(ctx.db) <= have:
        return []
    return rules.catalogue_pages(centre, msg["epoch"], catalogue.changes_since(ctx.db, have))


def apply_catalogue(ctx: Ctx, epoch: str, msg: dict) -> bool:
    """A page of the province's catalogue at a centre: procedures upserted (unchanged ones keep their
    version, so kiosks fetch only what changed), withdrawn ones removed; the last page records the
    province's version. True if applied."""
    if msg.get("epoch") != epoch or not isinstance(msg.get("version"), int) \
            or not isinstance(msg.get("procedures"), list) or not isinstance(msg.get("removed"), list):
        return False
    if msg["procedures"] or msg.get("fields"):
        catalogue.load(ctx.db, {"procedures": msg["procedures"], "fields": msg.get("fields") or []})
    if msg["removed"]:
        catalogue.remove(ctx.db, [str(x) for x in msg["removed"]])
    if msg.get("last") and sync_down.apply_catalogue_full(ctx, msg):
        set_meta(ctx.db, "province_catalog_version", str(msg["version"]))
    return True


def report(ctx: Ctx, first: str, last: str) -> dict:
    """The province's report over every centre for days first..last (YYYY-MM-DD, at most a year)."""
    try:
        d0, d1 = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise DomainError("bad_request", "from and to are dates YYYY-MM-DD",
                          "Ngày bắt đầu và kết thúc theo dạng YYYY-MM-DD.") from None
    if d1 < d0 or (d1 - d0).days > 366:
        raise DomainError("bad_request", "a period of one day to a year", "Kỳ báo cáo từ một ngày đến một năm.")
    names = {c["id"]: c["name"] for c in store.list_centres(ctx.db)}
    return {"from": first, "to": last, "province": get_meta(ctx.db, "province_name") or "",
            "rows": rules.report_rows(store.report_aggregates(ctx.db, first, last), names)}


PUBLIC_LOOKUPS_PER_MINUTE = 20
_lookups = RateLimiter(PUBLIC_LOOKUPS_PER_MINUTE, 60.0)


def public_lookup(ctx: Ctx, code: str, key: str, client: str) -> dict:
    """A citizen's lookup on the province's public page, by the receipt's code and key (or the CCCD's last
    4 digits), whichever centre received the dossier: from the province's copy. A wrong key and an
    unknown code get the same answer; lookups are limited per client address."""
    if not _lookups.allow(client, ctx.now):
        raise DomainError("rate_limited", "Too many lookups; try again in a minute.",
                          "Tra cứu quá nhiều lần. Xin thử lại sau một phút.")
    code = normalise(code)
    found = store.copied_dossier(ctx.db, code) if code and key else None
    if found is not None:
        site, d = found
        applicant = json.loads(d["applicant"]) if isinstance(d.get("applicant"), str) else (d.get("applicant") or {})
        typed = normalise(key)
        ok = hmac.compare_digest(key_digest(typed), str(d.get("lookup_key_sha256") or "")) or (
            typed.isdigit() and len(typed) >= 4 and str(applicant.get("cccd") or "").endswith(typed))
        if ok:
            state = json.loads(d["state"]) if isinstance(d.get("state"), str) else d.get("state") or {}
            if store.held(ctx.db, code):  # held here: the province's copy is ahead of the centre's
                state = (dossier_store.get(ctx.db, code) or {}).get("state") or state
            status = state.get("status", d.get("status"))
            centre = next((c["name"] for c in store.list_centres(ctx.db) if c["id"] == site), site)
            return {"code": code, "procedure": d.get("procedure_name"), "status": status,
                    "status_vi": dm.STATUS_VI.get(status, status), "where": state.get("holder"),
                    "received_at": rules.iso_local(d.get("received_at")),
                    "due_at": rules.iso_local(state.get("promised_due_at") or d.get("promised_due_at")),
                    "ready": status == dm.READY, "received_by": centre, "applicant": mask_name(d["applicant_name"])}
    raise DomainError("not_found", "No dossier has this dossier code and lookup key.",
                      "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này.")


# --- dossiers across the province -----------------------------------------------------------------

def _hold_and_follow(ctx: Ctx, centre: str, site: str, rows: list[dict]) -> None:
    """A dossier handed to an agency that sits at the province, or at another centre, is taken (a held
    copy; relayed on to that centre); later events a centre appends to a held dossier are checked by the
    state machine here and appended (or kept and flagged) and go down to every other copy; file pieces
    are kept until their file is whole (hub.ops.sync_route, hub.ops.sync_files)."""
    for r in rows:
        if r["kind"] in ("dossier_event", "held_event") and store.held(ctx.db, r["body"].get("code", "")):
            sync_route.follow(ctx, centre, r["body"])
        elif r["kind"] == "file":
            sync_files.receive_up(ctx, centre, site, r["body"])
        elif r["kind"] == "dossier" and not store.held(ctx.db, r["id"]):
            state = r["body"].get("state")
            state = json.loads(state) if isinstance(state, str) else state or {}
            if sync_route.should_take(ctx.db, centre, state):
                store.take(ctx.db, site, centre, r["body"], ctx.now)
                sync_route.route(ctx, r["id"])


def down_for(ctx: Ctx, centre: str, msg: dict) -> list[dict]:
    """After a centre's hello: the events of its dossiers held here that it lacks."""
    have = msg.get("down", 0)
    if not isinstance(have, int):
        return []
    rows = store.down_after(ctx.db, centre, have)
    return [rules.down_events(centre, msg["epoch"], rows)] if rows else []


def apply_down(ctx: Ctx, epoch: str, msg: dict) -> int:
    """At the centre: the province's down stream in sequence — events of dossiers held elsewhere (each
    checked by the dossier state machine; refused ones kept and flagged), dossiers relayed here, file
    pieces; the sequence reached is recorded. Returns it."""
    hwm = int(get_meta(ctx.db, "sync_down_hwm", "0") or 0)
    if msg.get("epoch") != epoch or not isinstance(msg.get("rows"), list):
        return hwm
    for row in msg["rows"]:
        if not isinstance(row, dict) or not isinstance(row.get("seq"), int) or row["seq"] <= hwm:
            continue
        if row["seq"] != hwm + 1:
            break  # a gap: asked again from hwm at the next hello
        sync_route.apply_down_row(ctx, row)
        hwm = row["seq"]
    set_meta(ctx.db, "sync_down_hwm", str(hwm))
    return hwm
