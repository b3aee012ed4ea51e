"""Senders: log (the default: writes the message to the hub log, sends nothing), SMTP e-mail, and SMS
through an HTTP gateway. Configured in `<data>/notify.json` (docs/dossiers.md)."""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from hub.redact import redact

log = logging.getLogger("motcua.notify")


class SendError(Exception):
    pass


class Sender(Protocol):
    def send(self, recipient: str, subject: str, body: str) -> None: ...


@dataclass
class LogSender:
    """Default: nothing leaves the machine; the message is logged, redacted (no secret link, lookup key,
    CCCD or whole phone number: hub.redact), and stays in the outbox as sent, stripped of its secrets."""

    def send(self, recipient: str, subject: str, body: str) -> None:
        log.info("%s", redact(f"notification to {recipient}: {subject} — {body}"))


@dataclass
class SmtpSender:
    host: str
    port: int = 25
    sender: str = "motcua@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0

    def send(self, recipient: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = recipient
        msg["Subject"] = subject
        msg.set_content(body, charset="utf-8")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"SMTP {self.host}:{self.port}: {exc}") from exc


@dataclass
class HttpSmsSender:
    """POST {"to": phone, "text": message} as JSON to a gateway URL (most Vietnamese SMS brand-name
    gateways take this shape; the field names are configurable)."""

    url: str
    token: str | None = None
    to_field: str = "to"
    text_field: str = "text"
    timeout: float = 10.0

    def send(self, recipient: str, subject: str, body: str) -> None:
        data = json.dumps({self.to_field: recipient, self.text_field: body}, ensure_ascii=False).encode()
        req = urllib.request.Request(self.url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                if r.status >= 300:
                    raise SendError(f"SMS gateway answered {r.status}")
        except (OSError, urllib.error.URLError) as exc:
            raise SendError(f"SMS gateway {self.url}: {exc}") from exc


def from_config(cfg: dict | None) -> dict[str, Sender]:
    """{"email": {"smtp_host": …, "smtp_port": …, "from": …}, "sms": {"url": …, "token": …}} → senders.
    Channels without configuration (and the internal 'agency'/'unit' alerts) go to the log sender."""
    cfg = cfg or {}
    out: dict[str, Sender] = {"log": LogSender()}
    if e := cfg.get("email"):
        out["email"] = SmtpSender(host=e["smtp_host"], port=int(e.get("smtp_port", 25)),
                                  sender=e.get("from", "motcua@localhost"), username=e.get("username"),
                                  password=e.get("password"), starttls=bool(e.get("starttls", False)))
    if s := cfg.get("sms"):
        out["sms"] = HttpSmsSender(url=s["url"], token=s.get("token"), to_field=s.get("to_field", "to"),
                                   text_field=s.get("text_field", "text"))
    return out


def load(data_dir: Path) -> dict[str, Sender]:
    path = data_dir / "notify.json"
    return from_config(json.loads(path.read_text(encoding="utf-8")) if path.exists() else None)
