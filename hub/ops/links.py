"""The hub's public address and the links printed as QR codes (receipts, tickets), with the short lookup
key a receipt carries.

Every QR must be an absolute link a phone on the office Wi-Fi opens: its base is the site's `public_url`
(dossier settings) when set, else the address the running hub recorded at start (its LAN address and
HTTP port, meta `hub_url`), else this machine's LAN address on the default port.

The lookup key is derived from the dossier code with a secret of this database (meta `lookup_secret`,
made by a migration): nothing to store per dossier, every dossier (older ones too) has one, and a
stranger who guesses a sequential code cannot guess its key."""

from __future__ import annotations

import hashlib
import hmac
import socket

import sqlite_utils

from hub.store import dossiers as dossier_store
from hub.store import sync_rebuild
from hub.store.db import get_meta
from motcua_core.dossier_codes import normalise

DEFAULT_HTTP_PORT = 8080
KEY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed without doubt
KEY_LENGTH = 6
CCCD_DIGITS = 4  # or the applicant's CCCD last 4 digits


def lan_address() -> str:
    """This machine's address on its LAN (the interface of the default route); no packet is sent."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def hub_url(http_host: str, http_port: int) -> str:
    """The base URL of a hub listening on `http_host` (a wildcard means: its LAN address)."""
    host = lan_address() if http_host in ("", "0.0.0.0", "::") else http_host
    return f"http://{host}:{http_port}"


def public_base(db: sqlite_utils.Database, site_id: str) -> str:
    base = dossier_store.get_settings(db, site_id).get("public_url") or get_meta(db, "hub_url") \
        or hub_url("", DEFAULT_HTTP_PORT)
    return base.rstrip("/")


def lookup_key(db: sqlite_utils.Database, code: str) -> str:
    secret = get_meta(db, "lookup_secret") or ""
    n = int.from_bytes(hmac.new(secret.encode(), normalise(code).encode(), hashlib.sha256).digest()[:8], "big")
    out = []
    for _ in range(KEY_LENGTH):
        n, r = divmod(n, len(KEY_ALPHABET))
        out.append(KEY_ALPHABET[r])
    return "".join(out)


def key_matches(db: sqlite_utils.Database, code: str, cccd: str | None, key: str, allow_cccd: bool = True) -> bool:
    """The receipt's key, or (`allow_cccd`: no run of wrong keys on this code) at least the last 4 digits
    of the applicant's CCCD, when one was given."""
    key = normalise(key)
    if hmac.compare_digest(key, lookup_key(db, code)):
        return True
    earlier = sync_rebuild.key_digest(db, normalise(code))  # a receipt printed before a rebuild
    if earlier and hmac.compare_digest(hashlib.sha256(key.encode()).hexdigest(), earlier):
        return True
    return allow_cccd and bool(cccd) and key.isdigit() and len(key) >= CCCD_DIGITS and str(cccd).endswith(key)


def status_url(db: sqlite_utils.Database, site_id: str, code: str) -> str:
    """The receipt QR's link: the status page with what the lookup needs."""
    return f"{public_base(db, site_id)}/d/{normalise(code)}?k={lookup_key(db, code)}"
