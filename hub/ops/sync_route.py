"""Dossiers routed between the hubs of a province (docs/province.md), run inside the sync's transactions:

- at the province: a dossier handed to an agency that sits at the province is held here; one handed to
  an agency of another centre (commune B) is held here too and relayed down to that centre, with its
  events and files; every event appended to a held dossier — by the province's specialists, or come up
  from any centre that has a copy — is checked by the state machine and sent down to every other copy;
- at a centre: a relayed dossier is kept as a copy its specialists work on; what they append goes up;
- joining: the dossier-code prefixes of a centre must be its own in the province.

An event the state machine refuses is kept and flagged (`sync_flags`) for a person, never dropped."""

from __future__ import annotations

import json
import logging

import sqlite_utils

from hub.domain import dossier as dm
from hub.domain import sync_route as rules
from hub.ops import sync_files
from hub.ops.context import Ctx
from hub.store import dossiers as dossier_store
from hub.store import sync as sync_store
from hub.store import sync_route as store
from hub.store.db import get_meta, savepoint
from hub.store.sites import list_sites
from motcua_core.errors import DomainError

log = logging.getLogger("motcua.hub.sync")

PROVINCE_ORIGIN = "province"  # `origin` of an event the province's own people appended


# --- joining: dossier-code prefixes unique in the province -------------------------------------------

def local_prefixes(db: sqlite_utils.Database, sites: list[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """site → the dossier-code prefixes its settings make it use."""
    return {s: rules.code_prefixes(s, dossier_store.get_settings(db, s)) for s in (sites or list(list_sites(db)))}


def check_codes(ctx: Ctx, centre: str, codes: dict[str, list[tuple[str, str]]]) -> None:
    """Refuse (in Vietnamese, naming the code and where it is used) a centre whose dossier-code prefixes
    another centre or the province's own sites already use; else record them as the centre's."""
    names = {c["id"]: c["name"] for c in sync_store.list_centres(ctx.db)}
    taken = {code: (f"trung tâm {names.get(c, c)}", site) for code, (c, site) in store.codes_taken(ctx.db, centre).items()}
    for site, prefixes in local_prefixes(ctx.db).items():
        for code, _what in prefixes:
            taken.setdefault(code, ("hub tỉnh", site))
    problems = rules.code_clashes(codes, taken)
    if problems:
        raise DomainError("conflict", "dossier-code prefix already used in this province: " + " ".join(problems),
                          " ".join(problems) + " Đổi mã trong thiết lập hồ sơ của đơn vị (motcua hub dossier "
                          "settings: agency_ids, unit_id, agency_code) rồi tham gia lại.")
    store.set_codes(ctx.db, centre, codes)


def parse_codes(raw: object, sites: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The prefixes a joining centre sent ({site: [[prefix, what], …]}); a centre too old to send them is
    taken at its site ids' default agency codes."""
    if not isinstance(raw, dict):
        return {s: rules.code_prefixes(s, {}) for s in sites}
    out: dict[str, list[tuple[str, str]]] = {}
    for site in sites:
        items = raw.get(site) or []
        if not isinstance(items, list) or not all(isinstance(i, list | tuple) and len(i) == 2 for i in items):
            raise DomainError("bad_request", "agency_codes: {site: [[prefix, what], …]}",
                              "Danh sách mã cơ quan của đơn vị không hợp lệ.")
        out[site] = [(str(a)[:40], str(b)[:200]) for a, b in items]
    return out


def reserve_codes(ctx: Ctx, centre: str, codes: list[str]) -> None:
    """`province add-centre --agency-code X`: the prefixes a centre is going to use, refused at once when
    another centre or the province has them (the centre's join replaces them with what it really uses)."""
    if codes:
        check_codes(ctx, centre, {centre: [(c, "mã cơ quan đăng ký trước") for c in codes]})


# --- the province: who holds a dossier, copies, fan-out ---------------------------------------------

def province_agencies(db: sqlite_utils.Database) -> set[str]:
    """The agencies with specialists on the provincial hub's own sites."""
    return set().union(*store.local_agencies(db).values())


def note_agencies(ctx: Ctx, centre: str, site: str, agencies: object) -> None:
    """A centre's hello said which agencies its specialists at `site` serve (kept when it changed)."""
    if not isinstance(agencies, list) or not all(isinstance(a, str) for a in agencies):
        return
    mine = {a[:200] for a in agencies[:500]}
    known = store.site_agencies(ctx.db, site)
    if mine != known:
        store.set_site_agencies(ctx.db, centre, site, mine)
        reconsider(ctx, mine - known)


def reconsider(ctx: Ctx, agencies: set[str]) -> int:
    """Agencies the province has just heard of (a centre linked, or its specialists changed): dossiers
    already handed to one of them, and not taken because nobody here knew where it worked, are taken and
    relayed now. Returns how many."""
    n = 0
    for site, code, body in store.open_dossiers(ctx.db):
        state = body.get("state")
        state = json.loads(state) if isinstance(state, str) else state or {}
        origin = sync_store.site_owner(ctx.db, site)
        if state.get("holder") in agencies and origin and not sync_store.held(ctx.db, code) \
                and should_take(ctx.db, origin, state):
            sync_store.take(ctx.db, site, origin, body, ctx.now)
            route(ctx, code)
            n += 1
    return n


def place_of(db: sqlite_utils.Database, holder: str, origin: str) -> str | None:
    """Where the holder of a dossier received at centre `origin` works (hub.domain.sync_route.holder_place)."""
    return rules.holder_place(holder, origin, province_agencies(db), store.centre_agencies(db))


def should_take(db: sqlite_utils.Database, origin: str, state: dict) -> bool:
    """The province takes a dossier handed to an agency that sits at the province or at another centre."""
    return rules.is_handover(state) and place_of(db, str(state.get("holder") or ""), origin) is not None


def route(ctx: Ctx, code: str) -> None:
    """After a held dossier changed at the province: if its holder works at another centre that has no
    copy yet, relay it there (the dossier, its events, its files) on that centre's down stream."""
    held = sync_store.held(ctx.db, code)
    row = store.dossier_row(ctx.db, code)
    if held is None or row is None:
        return
    place = place_of(ctx.db, row["holder"], held["centre_id"])
    if place in (None, rules.PROVINCE, held["centre_id"]) or place in store.copies(ctx.db, code):
        return
    sync_store.capture_down(ctx.db, ctx.now)  # events so far go down as they are; the copy then follows
    store.add_copy(ctx.db, code, place, ctx.now)
    store.enqueue_down(ctx.db, place, code, {"row": "dossier", "dossier": row, "events": store.held_events(ctx.db, code),
                                             "origin": held["centre_id"],
                                             "site": store.agency_site(ctx.db, place, row["holder"])}, ctx.now)
    for f in store.complete_files(ctx.db, code):
        sync_files.enqueue_file_down(ctx, place, f)
    log.info("sync: dossier %s relayed to centre %s (%s)", code, place, row["holder"])


def after_handover(ctx: Ctx, code: str) -> None:
    """At a provincial hub, after one of its own people handed a dossier over: a dossier it holds goes on
    to the centre of its new holder; one of its own sites' dossiers handed to an agency of a centre is held
    for itself (receiving centre: none) and relayed there."""
    if sync_store.role(ctx.db) != "province":
        return
    if sync_store.held(ctx.db, code) is None:
        row = store.dossier_row(ctx.db, code)
        if row is None or place_of(ctx.db, row["holder"], rules.PROVINCE) in (None, rules.PROVINCE):
            return
        store.hold_own(ctx.db, code, row["site_id"], ctx.now)
    route(ctx, code)


def follow(ctx: Ctx, centre: str, ev: dict) -> None:
    """An event a centre appended to a dossier held here (its receiving centre's, or a relayed copy's):
    appended through the state machine (or kept and flagged), marked with where it came from, so it goes
    down to every other copy and not back; then the dossier is routed on if its holder changed."""
    code = str(ev.get("code") or "")
    if ev.get("origin"):  # an event that came to that centre from here: we have it
        return
    if rules.already_has(sync_store.local_events(ctx.db, code), ev):
        return
    data = ev.get("data")
    data = json.loads(data) if isinstance(data, str) else data or {}
    if append_checked(ctx, code, dm.Event(str(ev.get("kind")), float(ev.get("at") or 0), str(ev.get("by_who") or ev.get("by") or ""),
                                          data), centre):
        route(ctx, code)


def append_checked(ctx: Ctx, code: str, ev: dm.Event, origin: str | None) -> bool:
    """Append through the dossier state machine; a refused event is kept and flagged, never dropped."""
    try:
        with savepoint(ctx.db, "sync_event"):
            dossier_store.append(ctx.db, code, ev, origin)
        return True
    except DomainError as exc:
        sync_store.flag(ctx.db, code, exc.message_vi or exc.message, {"kind": ev.kind, "at": ev.at, "by": ev.by,
                                                                        "data": ev.data, "from": origin}, ctx.now)
        log.warning("sync: event %s of dossier %s from %s refused and flagged: %s", ev.kind, code, origin, exc.message)
        return False


# --- a centre: copies relayed here, events of them going up -----------------------------------------

def apply_down_row(ctx: Ctx, row: dict) -> None:
    """One row of the province's down stream at a centre: an event of a dossier held elsewhere (or of our
    own dossier), a dossier relayed here, or a piece of a file."""
    kind = row.get("row")
    if kind == "dossier":
        receive_copy(ctx, row)
    elif kind == "file":
        sync_files.receive_piece(ctx, row)
    else:
        code = str(row.get("code"))
        if rules.already_has(sync_store.local_events(ctx.db, code), row):
            return
        append_checked(ctx, code, dm.Event(str(row.get("kind")), float(row.get("at") or 0), str(row.get("by") or ""),
                                           row.get("data") or {}), str(row.get("origin") or PROVINCE_ORIGIN))


def receive_copy(ctx: Ctx, msg: dict) -> None:
    """A dossier received at another centre, handed to an agency whose specialists work here: kept with its
    events (the state machine replays them first: a list it refuses is flagged, not kept), so they see it
    in their list and work on it as on their own."""
    row, events = msg.get("dossier") or {}, msg.get("events") or []
    code = str(row.get("code") or "")
    if not code or dossier_store.get(ctx.db, code) is not None:
        return  # sent again: the copy is here
    try:
        dm.replay(code, [dm.Event(e["kind"], float(e["at"]), e.get("by") or "", e.get("data") or {}) for e in events])
    except (DomainError, KeyError, TypeError, ValueError) as exc:
        sync_store.flag(ctx.db, code, f"bản sao hồ sơ không hợp lệ: {exc}", {"row": "dossier", "events": events},
                        ctx.now)
        return
    site = msg.get("site") if msg.get("site") in set(list_sites(ctx.db)) else next(iter(list_sites(ctx.db)), None)
    store.insert_copy(ctx.db, row, events, PROVINCE_ORIGIN, site, str(msg.get("origin") or ""), ctx.now)
    ctx.changed("dossier.relayed_here", code, after={"holder": row.get("holder"), "from": msg.get("origin")})


# --- the province's directory of agencies, and the competent agency chosen at intake -----------------

DIRECTORY = "province_directory"


def directory(db: sqlite_utils.Database) -> list[dict]:
    """At the province: every agency some hub's specialists serve, with the centre where they work (the
    province's own under its name), in Vietnamese order."""
    from motcua_core.collation import vi_key

    names = {c["id"]: c["name"] for c in sync_store.list_centres(db)}
    out = [{"agency": a, "centre": c, "name": names.get(c, c)} for c, agencies in store.centre_agencies(db).items()
           for a in agencies]
    province = get_meta(db, "province_name") or "Tỉnh"
    out += [{"agency": a, "centre": "", "name": province} for a in province_agencies(db)]
    return sorted(out, key=lambda r: (vi_key(r["agency"]), r["centre"]))


def directory_for(ctx: Ctx, centre: str, msg: dict) -> list[dict]:
    """After a centre's hello: the directory, when the one it holds (`dir`, a digest) is not the current."""
    from hub.domain import sync as sync_rules

    agencies = directory(ctx.db)
    digest = rules.digest(agencies)
    if msg.get("dir") == digest:
        return []
    return [{"v": sync_rules.VERSION, "type": "directory", "centre": centre, "epoch": msg.get("epoch"),
             "digest": digest, "agencies": agencies}]


def apply_directory(ctx: Ctx, epoch: str, msg: dict) -> bool:
    """At a centre: keep the province's directory (where each agency works) for intake."""
    from hub.store.db import set_meta

    agencies = msg.get("agencies")
    if msg.get("epoch") != epoch or not isinstance(agencies, list) or not isinstance(msg.get("digest"), str):
        return False
    clean = [{"agency": str(a.get("agency")), "centre": str(a.get("centre") or ""), "name": str(a.get("name") or "")}
             for a in agencies if isinstance(a, dict) and a.get("agency")]
    set_meta(ctx.db, DIRECTORY, json.dumps(clean, ensure_ascii=False))
    set_meta(ctx.db, DIRECTORY + "_digest", msg["digest"])
    return True


def known_agencies(db: sqlite_utils.Database) -> list[dict]:
    """The agencies a counter may name as competent: the province's directory (at a centre) or, at the
    provincial hub, its own; each with where it works."""
    if sync_store.role(db) == "province":
        return directory(db)
    return json.loads(get_meta(db, DIRECTORY, "[]") or "[]")


def competent_steps(db: sqlite_utils.Database, proc: dict, steps: list[str], competent: object) -> list[str]:
    """The officer names the competent agency of a one-agency procedure the catalogue names generically
    (a commune procedure's "Ủy ban nhân dân cấp xã", for an applicant of another commune, Art. 14(2)): the
    dossier goes to that agency. Refused, in Vietnamese, for an agency nobody in the province serves or a
    liên thông procedure (its agencies are the catalogue's)."""
    name = " ".join(str(competent or "").split())
    if len(steps) != 1:
        raise DomainError("bad_request", "a procedure of several agencies goes through the catalogue's agencies",
                          "Thủ tục liên thông giải quyết theo các cơ quan trong danh mục, không chọn cơ quan khác.")
    if name not in {a["agency"] for a in known_agencies(db)} | set().union(*store.local_agencies(db).values()):
        raise DomainError("bad_request", f"no agency {name!r} in this province",
                          f"Không có cơ quan “{name}” trong danh bạ cơ quan của tỉnh.")
    return [name]
