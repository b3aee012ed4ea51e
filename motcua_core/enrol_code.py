"""Enrolment codes: what a technician types on a new device (or scans from the console's QR).

Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as `ABCD-EFGH`. Both the
hub (which stores only a hash) and the device (which normalises what was typed) use this module.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh code (8 of 31 symbols: about 40 bits; the hub throttles guesses)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str:
    """What the hub compares: upper case, no spaces or dashes (a QR may carry the `motcua-enrol:` prefix)."""
    text = text.strip()
    if text.lower().startswith("motcua-enrol:"):
        text = text[len("motcua-enrol:"):]
    return "".join(ch for ch in text.upper().translate(_LOOKALIKE) if ch not in " -_\t")


def parse_scan(text: str) -> tuple[str, str | None]:
    """What a scanner or camera read from the console's QR: (code, hub address or None).
    The QR holds `motcua-enrol:ABCD-EFGH?hub=http://192.168.1.10:8080`; a typed code has no hub part."""
    code, _, query = text.strip().partition("?")
    hub = query[4:] if query.startswith("hub=") else None
    return normalize(code), hub or None


def looks_valid(text: str) -> bool:
    code = normalize(text)
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def pretty(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()
