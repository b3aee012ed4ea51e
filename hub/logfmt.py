"""The hub's log: text (the default) or one JSON object per line (`motcua hub serve --log-format json`,
for journald collectors and log shippers), always redacted (hub.redact: no secret link, lookup key,
enrolment code or token, no CCCD or whole phone number), to stderr (journald under systemd) and, with
`--log-file`, to a private file (0600, rotated)."""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import time
from pathlib import Path

from hub.redact import redact

LOG_FILE_BYTES = 10 * 1024 * 1024
LOG_FILE_KEEP = 5


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
               "level": record.levelname.lower(), "logger": record.name, "msg": redact(record.getMessage())}
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


class RedactedText(logging.Formatter):
    """The plain text line, traceback included, run through `redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created 0600 (and brought back to 0600 if it was wider), like every file of
    the data directory: a log line still names dossiers and officers."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8")


def formatter(fmt: str) -> logging.Formatter:
    return JsonLines() if fmt == "json" else RedactedText("%(asctime)s %(levelname)s %(name)s: %(message)s")


def setup(fmt: str, level: int = logging.INFO, log_file: Path | None = None) -> None:
    """Configure the root logger: "text" (the default) or "json" (one object per line), to stderr and,
    when given, to `log_file` (0600, rotated at 10 MiB, 5 kept)."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(PrivateFileHandler(log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_KEEP,
                                           encoding="utf-8"))
    for h in handlers:
        h.setFormatter(formatter(fmt))
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(level)
