"""What flows down from the province besides the catalogue and held dossiers' events (docs/province.md,
"Down"): at the province, publishing the calendar, forms, a release, a centre's site configuration or a
command — each a row of the down stream written in the transaction of the change; at a centre, applying
what the province sent, in order, in one transaction with the mark reached. Run through the Runner."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import sqlite_utils

from hub.domain import sync_down as down
from hub.ops import releases
from hub.ops.context import Ctx
from hub.ops.sites import load_site
from hub.store import catalogue, site_config
from hub.store import dossiers as dossier_store
from hub.store import sync as sync_store
from hub.store import sync_docs as store
from hub.store.db import savepoint, set_meta
from motcua_core.errors import DomainError


def _province(ctx: Ctx) -> None:
    if sync_store.role(ctx.db) != "province":
        raise DomainError("conflict", "this hub is not a provincial hub (motcua hub province init)",
                          "Máy chủ này chưa phải máy chủ cấp tỉnh (motcua hub province init).")


def _by(ctx: Ctx) -> str:
    return ctx.actor.who if ctx.actor is not None else "province"


def _owner(ctx: Ctx, site: str) -> str:
    centre = sync_store.site_owner(ctx.db, site)
    if centre is None:
        raise DomainError("not_found", f"no centre of this province has site {site!r}",
                          f"Không có trung tâm nào của tỉnh có đơn vị {site}.")
    return centre

log = logging.getLogger("motcua.hub.sync")


# --- at the province ------------------------------------------------------------------------------

def publish_calendar(ctx: Ctx, body: object) -> dict:
    """The province's days off and make-up days, for every centre and for the province's own sites."""
    _province(ctx)
    cal = down.check_calendar(body)
    before = store.layer(ctx.db, store.CALENDAR)
    store.set_layer(ctx.db, store.CALENDAR, cal)
    seq = store.publish(ctx.db, "calendar", "province", None, cal, ctx.now, _by(ctx))
    ctx.changed("province.calendar", "province", before, cal)
    return {"seq": seq, **cal}


def publish_forms(ctx: Ctx, body: object) -> dict:
    """The province's wording of the forms, for every centre and for the province's own sites."""
    _province(ctx)
    forms = down.check_forms(body)
    store.set_layer(ctx.db, store.FORMS, forms)
    seq = store.publish(ctx.db, "forms", "province", None, forms, ctx.now, _by(ctx))
    ctx.changed("province.forms", "province", None, {"version": forms["version"], "forms": sorted(forms["form_texts"])})
    return {"seq": seq, "version": forms["version"], "forms": sorted(forms["form_texts"])}


def publish_release(ctx: Ctx, data_dir: Path, file: Path) -> dict:
    """A software release for every centre: served by the province (and to its own devices), fetched by
    each centre into its releases folder, from which its devices' updater installs it."""
    _province(ctx)
    try:
        rel = releases.add(data_dir, file)
    except (ValueError, OSError) as exc:
        raise DomainError("bad_request", str(exc), f"Không nhận được bản phát hành: {exc}") from None
    body = rel.as_dict()
    seq = store.publish(ctx.db, "release", rel.package, None, body, ctx.now, _by(ctx))
    ctx.changed("province.release", rel.package, None, body)
    return {"seq": seq, **body}


def publish_site_config(ctx: Ctx, site: str, body: object) -> dict:
    """What the province manages of a centre's site (its unit's identifiers, lobby notices, ticket hours)."""
    _province(ctx)
    centre = _owner(ctx, site)
    cfg = down.check_site_config(body, site)
    seq = store.publish(ctx.db, "site_config", site, centre, cfg, ctx.now, _by(ctx))
    ctx.changed("province.site_config", site, None, cfg)
    return {"seq": seq, "centre": centre, **cfg}


def send_command(ctx: Ctx, site: str, command: str) -> dict:
    """Ask the centre holding `site` to take a backup, send everything up again, or have everything the
    province publishes sent down again. Carried out once, whenever the centre is next linked."""
    _province(ctx)
    centre = _owner(ctx, site)
    cmd = {**down.check_command(command, site), "by": _by(ctx)}
    key = uuid.uuid4().hex[:16]
    seq = store.publish(ctx.db, "command", key, centre, cmd, ctx.now, _by(ctx))
    ctx.changed("province.command", site, None, {"command": command, "id": key})
    return {"seq": seq, "id": key, "centre": centre, **cmd}


def docs_for(ctx: Ctx, centre: str, hello: dict) -> list[dict]:
    """After a centre's hello: the publications above the mark it holds (none when it is up to date)."""
    have = hello.get("docs", 0)
    if not isinstance(have, int) or store.top(ctx.db) <= have:
        return []
    rows = store.after(ctx.db, centre, have, down.DOCS_PAGE)
    joined = (sync_store.get_centre(ctx.db, centre) or {}).get("joined_at")
    return [down.docs_message(centre, hello["epoch"], have, rows, joined)] if rows else []


def note_mark(ctx: Ctx, site: str, seq: object) -> None:
    """A centre's hello says which publication its site applied last: what the province lists as applied."""
    store.note_mark(ctx.db, site, seq)


def stream_tops(ctx: Ctx) -> tuple:
    """The tops of the province's down streams (catalogue version, held dossiers' events, publications):
    what changes when there is something to push."""
    return catalogue.version(ctx.db), store.down_top(ctx.db), store.top(ctx.db)


def published(ctx: Ctx) -> dict:
    """What the province has published (the console's and `province published`'s list)."""
    return {"calendar": store.layer(ctx.db, store.CALENDAR), "forms": store.layer(ctx.db, store.FORMS),
            "docs": store.listing(ctx.db)}


# --- at a centre ----------------------------------------------------------------------------------

def page_applies(db: sqlite_utils.Database, epoch: str, msg: dict) -> bool:
    """Whether a page continues from the mark this centre holds (a read, before any transaction)."""
    return bool(down.check_docs(msg, epoch, store.hwm(db)))


def apply_docs(ctx: Ctx, epoch: str, msg: dict, data_dir: Path | None = None) -> int:
    """Publications from the province, in order, in this one transaction with the mark reached; a page
    not continuing from the mark held changes nothing (the next hello asks again). Applying twice
    changes nothing: layers and settings are replaced, a command is carried out once (by its id).
    Returns the mark."""
    hwm = store.hwm(ctx.db)
    rows = down.check_docs(msg, epoch, hwm)
    if not rows:
        return hwm
    resend = False
    for row in rows:
        if down.stale_command(row, msg.get("since")):
            store.note_command(ctx.db, row["key"], {"command": row["body"].get("command"), "ok": False,
                                                    "message": "given before this centre joined (again)"})
        else:
            try:
                with savepoint(ctx.db, "province_doc"):
                    resend = _apply_one(ctx, row, data_dir) or resend
            except DomainError as exc:  # kept for a person (the audit log, the hub's log); the mark moves on
                log.error("sync: the province's %s %s refused here: %s", row["kind"], row["key"], exc.message)
                ctx.changed("province.refused", f"{row['kind']}:{row['key']}", None,
                            {"seq": row["seq"], "reason": exc.message_vi or exc.message})
        hwm = row["seq"]
    if resend:  # everything from the start again (this command, done, is not carried out twice)
        hwm = 0
        set_meta(ctx.db, "province_catalog_version", "0")
    store.set_hwm(ctx.db, hwm)
    return hwm


def _apply_one(ctx: Ctx, row: dict, data_dir: Path | None) -> bool:
    """Apply one publication; True when it was a `resend` command carried out now."""
    kind, body = row["kind"], row["body"]
    if kind == "calendar":
        store.set_layer(ctx.db, store.CALENDAR, down.check_calendar(body))
        ctx.changed("province.calendar", "province", None, body)
    elif kind == "forms":
        store.set_layer(ctx.db, store.FORMS, down.check_forms(body))
        ctx.changed("province.forms", "province", None, {"version": body.get("version")})
    elif kind == "site_config":
        _apply_site_config(ctx, body)
    elif kind == "release":
        ctx.changed("province.release", str(body.get("package")), None, body)  # the file was fetched before
    elif kind == "command" and not store.command_done(ctx.db, row["key"]):
        result = _carry_out(ctx, body, data_dir)
        store.note_command(ctx.db, row["key"], result)
        ctx.changed("province.command", str(body.get("site")), None, {**result, "id": row["key"]})
        return body.get("command") == "resend"
    return False


def _apply_site_config(ctx: Ctx, body: dict) -> None:
    site = str(body.get("site"))
    if not any(s["site_id"] == site for s in sync_store.link_sites(ctx.db)):
        return  # not a site of this centre: nothing to change (the province names the owner)
    cfg = down.check_site_config({k: v for k, v in body.items() if k != "site"}, site)
    if cfg["settings"]:
        settings = dossier_store.get_settings(ctx.db, site)
        dossier_store.set_settings(ctx.db, site, {**settings, **cfg["settings"]})
    if "notice" in cfg or "notices" in cfg or "ticket_hours" in cfg:
        doc = site_config.export(ctx.db, site)
        if "notices" in cfg:  # the province's notices, by id (the centre's others stay as they are)
            doc["notices"] = cfg["notices"]
        elif "notice" in cfg:  # the single notice: the text of the centre's first notice
            doc["site"]["notice"] = cfg["notice"]
            doc.pop("notices", None)
        if "ticket_hours" in cfg:
            if cfg["ticket_hours"] is None:
                doc["site"].pop("ticket_hours", None)
            else:
                doc["site"]["ticket_hours"] = cfg["ticket_hours"]
        load_site(ctx, doc)
    ctx.changed("province.site_config", site, None, cfg)


def _carry_out(ctx: Ctx, cmd: dict, data_dir: Path | None) -> dict:
    command = cmd.get("command")
    if command == "backup":
        if data_dir is None:
            return {"command": command, "ok": False, "message": "no data directory here"}
        from hub.store import backup

        try:
            path = backup.take(data_dir, now=ctx.now)
        except (backup.BackupError, OSError) as exc:
            return {"command": command, "ok": False, "message": str(exc)}
        return {"command": command, "ok": True, "file": path.name}
    if command == "resync":
        store.recapture(ctx.db)  # the Runner's capture, before this transaction's COMMIT, takes it all
        return {"command": command, "ok": True}
    if command == "resend":  # apply_docs moves the marks back to 0
        return {"command": command, "ok": True}
    return {"command": command, "ok": False, "message": "unknown command"}


def apply_catalogue_full(ctx: Ctx, msg: dict) -> bool:
    """At the last page of the province's catalogue: whether the centre may record its version. The last
    page of a full resend lists every procedure the province has: the centre's procedures it does not
    list are retired (tombstones tell the kiosks), and if a listed one is missing (a page lost on the
    way) the version is not recorded, so the next hello asks for everything again."""
    listed = msg.get("ids")
    if not msg.get("full") or not isinstance(listed, list):
        return True
    listed = [str(x) for x in listed]
    held = store.procedure_ids(ctx.db)
    gone = down.retired(held, listed)
    if gone:
        catalogue.remove(ctx.db, gone)
    return set(listed) <= set(held)


# --- the layers a site's rules read -----------------------------------------------------------------

def calendar_config(db: sqlite_utils.Database, site_cal: dict | None) -> dict:
    """A site's calendar with the province's days off and make-up days laid in."""
    return down.merged_calendar(site_cal, store.layer(db, store.CALENDAR))


def form_texts(db: sqlite_utils.Database, site_texts: dict | None) -> dict:
    """A site's wording of the forms over the province's."""
    forms = store.layer(db, store.FORMS)
    return down.merged_form_texts(site_texts, (forms or {}).get("form_texts"))


def hello_marks(db: sqlite_utils.Database) -> dict:
    """What a centre's hello says it holds of the down stream of publications."""
    return {"docs": store.hwm(db)}
