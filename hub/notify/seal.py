"""Secrets inside a notification's text or a stored MQTT reply (a booking's manage link and secret, a
dossier's lookup key and status link) are never in the database in clear: `seal` replaces each secret (the part after `/hen/q/`, `?k=`, `"lookup_key": "`)
with a marker holding the shown form (`…`) and the secret encrypted with a key kept beside the database (`<data>/notify.key`, 0600; never in the database,
so never in a backup); `unseal` renders the text at send time; `strip` leaves only the shown form once
the message is sent or given up. A database without a file (in memory) cannot keep a key: its secrets
are stripped at once."""

from __future__ import annotations

import os
import re
import time

import sqlite_utils
from cryptography.fernet import Fernet, InvalidToken

from hub.redact import SECRET_LINKS
from hub.store import location

KEY_NAME = "notify.key"
_MARK = re.compile(r"⟦sealed:([^|⟧]*)\|([A-Za-z0-9_=-]*)⟧")
_keys: dict[str, Fernet] = {}


def _key(db: sqlite_utils.Database) -> Fernet | None:
    folder = location.data_dir(db)
    if folder is None:
        return None
    key_path = folder / KEY_NAME
    cached = _keys.get(str(key_path))
    if cached is not None:
        return cached
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = b""
        for _ in range(50):  # another process made it a moment ago and may still be writing it
            key = key_path.read_bytes().strip()
            if key:
                break
            time.sleep(0.02)
    else:
        key = Fernet.generate_key()
        with os.fdopen(fd, "wb") as f:
            f.write(key)
            f.flush()
            os.fsync(f.fileno())
    _keys[str(key_path)] = fernet = Fernet(key)
    return fernet


def might_hold_secrets(text: str) -> bool:
    """A cheap test before the patterns (the router stores every reply)."""
    return "/hen/q/" in text or "k=" in text or "key=" in text or "lookup_key" in text or "manage_secret" in text


def seal(db: sqlite_utils.Database, text: str) -> str:
    """`text` with every secret link or field sealed (what the outbox and the stored replies keep)."""
    if not might_hold_secrets(text):
        return text
    fernet = _key(db)

    def one(m: re.Match) -> str:
        prefix = m.group(1)
        secret = m.group(0)[len(prefix):]
        if fernet is None:
            return prefix + "…"
        return f"{prefix}⟦sealed:…|{fernet.encrypt(secret.encode()).decode()}⟧"

    for pattern in SECRET_LINKS:
        text = pattern.sub(one, text)
    return text


def unseal(db: sqlite_utils.Database, text: str) -> str:
    """The text to send: every sealed secret back in clear (a marker whose key is gone shows its shown form)."""
    fernet = _key(db)

    def one(m: re.Match) -> str:
        if fernet is None:
            return m.group(1)
        try:
            return fernet.decrypt(m.group(2).encode()).decode()
        except InvalidToken:
            return m.group(1)

    return _MARK.sub(one, text)


def strip(text: str) -> str:
    """What is kept after sending: the shown form of every sealed secret, nothing that opens anything."""
    return _MARK.sub(lambda m: m.group(1), text)


def seal_value(db: sqlite_utils.Database, secret: str) -> str:
    """A whole secret (a credential in the hub's settings) sealed with the same key; refused where no key
    can be kept (a database without a file), rather than stored in clear."""
    fernet = _key(db)
    if fernet is None:
        raise RuntimeError("no data directory to keep the sealing key: the secret cannot be stored")
    return fernet.encrypt(secret.encode()).decode()


def unseal_value(db: sqlite_utils.Database, sealed: str) -> str | None:
    """The secret of `seal_value`, or None when its key is gone (a restored backup on another machine)."""
    fernet = _key(db)
    if fernet is None:
        return None
    try:
        return fernet.decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
