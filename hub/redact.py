"""What must never reach a log line in clear: the secrets that grant access (a booking's manage link
`/hen/q/<secret>`, a dossier's lookup key `?k=…`, enrolment codes, bearer tokens) and the personal numbers
that identify a citizen (CCCD, phone numbers, e-mail addresses). Pure text in, text out: the log formatter
(hub.logfmt) and the default log sender (hub.notify.senders) run every line through `redact`."""

from __future__ import annotations

import re

# A booking's manage link: its secret is token_urlsafe (letters, digits, - and _).
MANAGE_LINK = re.compile(r"(/hen/q/)[A-Za-z0-9_-]+")
# A dossier status link's lookup key (?k=… or &key=…).
LOOKUP_KEY = re.compile(r"([?&](?:k|key)=)[^&\s\"'#]+")
# The same secrets as JSON fields (a counter's intake reply, a booking's reply).
SECRET_FIELD = re.compile(r'("(?:lookup_key|manage_secret)"\s*:\s*")([^"\\]+)(?=")')
SECRET_LINKS = (MANAGE_LINK, LOOKUP_KEY, SECRET_FIELD)
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)
# An enrolment code as shown (ABCD-EFGH) or as a QR carries it (motcua-enrol:ABCDEFGH).
_ENROL = re.compile(r"(motcua-enrol:)\S+|\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b")
# A CCCD (12 digits) or old CMND (9 digits) is masked whole: its last 4 digits open a dossier lookup.
_CCCD = re.compile(r"(?<![\d.])\d{12}(?![\d.])")
# Vietnamese phone numbers: 0 or +84 then 9 digits (spaces and dots allowed between groups).
_PHONE = re.compile(r"(?<![\w.])(?:\+84|0)(?:[\s.]?\d){9}(?![\d])")
_EMAIL = re.compile(r"\b([A-Za-z0-9])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def _mask_phone(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def secret_links(text: str) -> str:
    """`text` with the secret of every manage link and lookup key replaced by `…` (what is kept once a
    notification has been sent, and what a log line shows)."""
    for pattern in SECRET_LINKS:
        text = pattern.sub(r"\1…", text)
    return text


def redact(text: str) -> str:
    """`text` fit for a log: secret links, bearer tokens and enrolment codes hidden, CCCD numbers masked
    whole, phone numbers down to their first 3 and last 2 digits, e-mail addresses to their first letter
    and domain."""
    text = secret_links(text)
    text = _BEARER.sub(r"\1…", text)
    text = _ENROL.sub(lambda m: (m.group(1) or "") + "****-****", text)
    text = _CCCD.sub("************", text)
    text = _EMAIL.sub(r"\1***\2", text)
    return _PHONE.sub(_mask_phone, text)
