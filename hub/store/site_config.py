"""A site's configuration read back from the database, in the shape `sites.load_config` takes: the
console's administration forms edit this document and load it again, so a change made in a form and
one made by `motcua hub site load` go through the same validation and the same writes."""

from __future__ import annotations

import json

import sqlite_utils

from hub.store import lobby_media
from hub.store import sites as site_store


def export(db: sqlite_utils.Database, site_id: str) -> dict:
    """The site's configuration (officers without their credentials: loading it keeps them; a retired
    officer with `"active": false`, so a copy loaded elsewhere, a rebuild, keeps them retired; the lobby's
    notices with their ids, retired ones too; not the lobby's images, which are files, not configuration)."""
    s = site_store.get_site(db, site_id)
    row = db.execute("SELECT policy, default_service_s FROM sites WHERE id = ?", [site_id]).fetchone()
    services = site_store.service_docs(db, site_id)
    counters = [{"number": c.number, "name": c.name, "services": list(c.services)}
                for c in site_store.list_counters(db, site_id)]
    officers = [{"id": r[0], "name": r[1], **({"agency": r[2]} if r[2] else {}), **({} if r[3] else {"active": False})}
                for r in db.execute("SELECT id, name, seconded_by, active FROM officers WHERE site_id = ? ORDER BY rowid",
                                    [site_id])]
    return {"site": {"id": s.id, "name": s.name, "name_en": s.name_en, "timezone": s.tz.key,
                     "policy": json.loads(row[0]), "default_service_s": row[1],
                     "notice": lobby_media.first_text(db, site_id)},  # for readers of the single notice
            "fields": site_store.list_fields(db, site_id), "services": services, "officers": officers,
            "counters": counters, "notices": lobby_media.notices(db, site_id)}


def set_wait_targets(db: sqlite_utils.Database, site_id: str, targets: dict[str, float | None]) -> None:
    for code, target in targets.items():
        db.execute("UPDATE services SET wait_target_s = ? WHERE site_id = ? AND code = ?", [target, site_id, code])


def wait_targets(db: sqlite_utils.Database, site_id: str) -> dict[str, float]:
    return {r[0]: r[1] for r in db.execute("SELECT code, wait_target_s FROM services WHERE site_id = ? "
                                           "AND active = 1 AND wait_target_s IS NOT NULL", [site_id])}
