"""Demo set-up for dossiers (issue #5): unit settings and one specialist per agency of the catalogue, so a
person can follow a dossier from the counter through the agencies on the /agency page. The demo is a
commune centre: only the procedures a commune centre takes in are loaded (commune_catalogue)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import sqlite_utils

from hub.domain import catalogue as cat_rules
from hub.store import dossiers as dossier_store
from hub.store import specialists
from hub.store.db import transaction
from motcua_core import clock as wallclock
from motcua_core.collation import vi_sorted
from motcua_core.text import fold

# A commune-level centre (two-tier local government since 1 July 2025; Decree 118/2025/NĐ-CP).
DEMO_SETTINGS = {"agency_code": "HOAAN", "parent_agency": "Ủy ban nhân dân xã Hòa An", "place": "Hòa An",
                 "site_type": "commune", "area": "xã Hòa An",
                 "complaints": {"name": "Phạm Văn Minh", "position": "Phó Chánh Văn phòng",
                                "phone": "0203 3856 789"}, "hotline": "0203 3856 000"}


def commune_catalogue(doc: dict) -> dict:
    """The starter catalogue as a commune centre holds it: commune-level procedures and those received
    whatever the applicant's residence. District-level entries (before 1 July 2025) are left out: which
    commune or province body now handles each is set by each province's decision (docs/dossiers.md)."""
    from hub.domain.site_types import receives

    return {**doc, "procedures": [p for p in doc["procedures"] if receives("commune", p)]}


def setup(db: sqlite_utils.Database, data: Path, site_id: str = "demo", public_url: str = "") -> Path:
    """Write the settings and specialists; the tokens go to <data>/specialists.json (mode 0600)."""
    agencies: set[str] = set()
    for (doc,) in db.execute("SELECT doc FROM procedures"):
        agencies.update(cat_rules.step_agencies(json.loads(doc)))
    out = []
    with transaction(db):
        dossier_store.set_settings(db, site_id, {**DEMO_SETTINGS, "public_url": public_url})
        for i, agency in enumerate(vi_sorted(agencies), 1):
            sid = f"cv{i:02d}-" + re.sub(r"[^a-z0-9]+", "-", fold(agency))[:30].strip("-")
            spec, token = specialists.add(db, site_id=site_id, specialist_id=sid, agency=agency,
                                          name=f"Chuyên viên {i:02d}", now=wallclock.time())
            out.append({"id": spec.id, "agency": agency, "token": token})
    path = data / "specialists.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    path.chmod(0o600)
    return path
