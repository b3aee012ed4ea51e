"""A device's own settings: identity, broker, timing, hardware map.

One JSON file written by provisioning. Every field is checked when the config is built, so a typo shows
up as one clear error at start-up instead of a device that silently never connects.
"""

from __future__ import annotations

import copy
import json
import math
import os
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from motcua_core.i18n import LANGS
from motcua_core.protocol import ID_RE, ROLES


class ConfigError(ValueError):
    """A config that cannot be used; the message names the key and says what is wrong."""


DEVICE_STATE_ROOT = Path("~/.local/share/motcua/device")


@dataclass
class DeviceConfig:
    device_id: str
    secret: str = field(repr=False)  # kept out of repr so it never lands in a log line
    site: str
    role: str
    broker_host: str = "127.0.0.1"
    broker_port: int = 1883
    tls: bool = False
    # The hub's own CA certificate (PEM) for `tls`: the device trusts this CA alone (None: the system's).
    ca_cert: str | None = None
    # None: a folder of this device's own under DEVICE_STATE_ROOT, so several devices on one machine (a
    # demo, a technician's laptop) never share an outbox or a ticket journal.
    data_dir: Path | None = None
    request_timeout_s: float = 5.0
    request_retries: int = 2
    health_interval_s: float = 30.0
    keepalive_s: int = 15
    hardware: dict = field(default_factory=dict)
    # The language of the screen staff use (the counter terminal; its toggle switches it until restart).
    # Citizens' screens choose per person; printed documents are Vietnamese whatever this says.
    language: str = "vi"

    def __post_init__(self) -> None:
        self._validate()

    # --- construction ---------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, d: dict) -> DeviceConfig:
        """Build from a plain dict (parsed JSON); unknown or missing keys are errors, not ignored."""
        if not isinstance(d, dict):
            raise ConfigError(f"config must be a JSON object, got {type(d).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown config key(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        required = ("device_id", "secret", "site", "role")
        missing = [k for k in required if k not in d]
        if missing:
            raise ConfigError(f"missing required config key(s): {', '.join(missing)}")
        return cls(**d)

    @classmethod
    def load(cls, path: Path) -> DeviceConfig:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
        try:
            return cls.from_dict(raw)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None

    def to_dict(self) -> dict:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Path):
                value = str(value)
            out[f.name] = copy.deepcopy(value)
        return out

    def save(self, path: Path) -> None:
        """Write atomically with mode 0600: the file holds the device's broker password."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp creates with 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # --- validation -----------------------------------------------------------------------------

    def _validate(self) -> None:
        for key in ("device_id", "site"):
            value = getattr(self, key)
            if not isinstance(value, str) or not ID_RE.match(value):
                raise ConfigError(
                    f"config key {key!r}: {value!r} is not a valid id "
                    "(1-40 characters: lowercase letters, digits, '-', not starting with '-')"
                )
        if not isinstance(self.secret, str) or not self.secret or len(self.secret) > 256:
            raise ConfigError("config key 'secret': must be a non-empty string of at most 256 characters")
        if self.role not in ROLES:
            raise ConfigError(f"config key 'role': {self.role!r} is not one of {', '.join(ROLES)}")
        if not isinstance(self.broker_host, str) or not self.broker_host.strip():
            raise ConfigError(f"config key 'broker_host': must be a non-empty host name, got {self.broker_host!r}")
        self._check_int("broker_port", 1, 65535)
        if not isinstance(self.tls, bool):
            raise ConfigError(f"config key 'tls': must be true or false, got {self.tls!r}")
        if self.ca_cert is not None and (not isinstance(self.ca_cert, str) or len(self.ca_cert) > 16384
                                         or "-----BEGIN CERTIFICATE-----" not in self.ca_cert):
            raise ConfigError("config key 'ca_cert': must be a PEM certificate (the hub's CA)")
        if self.data_dir is None:
            self.data_dir = DEVICE_STATE_ROOT / str(self.device_id)
        if isinstance(self.data_dir, str) and self.data_dir.strip():
            self.data_dir = Path(self.data_dir)
        if not isinstance(self.data_dir, Path):
            raise ConfigError(f"config key 'data_dir': must be a directory path, got {self.data_dir!r}")
        self.data_dir = self.data_dir.expanduser()
        self._check_number("request_timeout_s", 0.05, 600.0)
        self._check_int("request_retries", 0, 100)
        self._check_number("health_interval_s", 1.0, 86400.0)
        self._check_int("keepalive_s", 5, 65535)
        if not isinstance(self.hardware, dict):
            raise ConfigError(f"config key 'hardware': must be a JSON object, got {type(self.hardware).__name__}")
        if self.language not in LANGS:
            raise ConfigError(f"config key 'language': must be one of {', '.join(LANGS)}, got {self.language!r}")

    def _check_int(self, key: str, lo: int, hi: int) -> None:
        value = getattr(self, key)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ConfigError(f"config key {key!r}: must be an integer from {lo} to {hi}, got {value!r}")

    def _check_number(self, key: str, lo: float, hi: float) -> None:
        value = getattr(self, key)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or not lo <= value <= hi:
            raise ConfigError(f"config key {key!r}: must be a number of seconds from {lo:g} to {hi:g}, got {value!r}")
        setattr(self, key, float(value))
