"""What a centre adds to a row it sends to the province, beyond the row itself: for a dossier, the
SHA-256 of its receipt's lookup key, so the province's public page can check a citizen's code and key
without knowing the centre's lookup secret (docs/province.md)."""

from __future__ import annotations

import hashlib

import sqlite_utils

from hub.ops import links
from hub.store import sync_rebuild


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def sync_extras(db: sqlite_utils.Database, kind: str, row: dict) -> dict:
    """A dossier received before this centre was rebuilt keeps the digest of its receipt's key (the one
    the citizen holds), not that of the key this database would derive."""
    if kind != "dossier":
        return {}
    return {"lookup_key_sha256": sync_rebuild.key_digest(db, row["code"])
            or key_digest(links.lookup_key(db, row["code"]))}
