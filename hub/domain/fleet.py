"""The fleet's pure rules (issue #14): which alerts a device raises, and how versions compare.

No I/O and no clock: the caller passes `now` and the site's working calendar."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from hub.domain.calendar import WorkCalendar


@dataclass(frozen=True)
class AlertPolicy:
    """When a device is worth a technician's look. When the office is open is not here: it is the
    site's own working calendar (hub.domain.calendar), the one its dossiers are counted on."""

    offline_after_s: float = 600.0
    disk_pct: float = 90.0


ALERTS = ("offline", "paper_low", "paper_out", "disk_full", "version_behind")
ALERT_TEXT_VI = {
    "offline": "Mất kết nối trong giờ làm việc",
    "paper_low": "Máy in sắp hết giấy",
    "paper_out": "Máy in hết giấy",
    "disk_full": "Bộ nhớ gần đầy (trên 90 %)",
    "version_behind": "Phần mềm chưa cập nhật",
}


# A device's presence and its printer's state (devicekit.drivers.printer) as the technician reads them.
STATE_VI = {"online": "Trực tuyến", "offline": "Mất kết nối", "never": "Chưa từng kết nối",
            "pending": "Chờ đăng ký", "revoked": "Đã thu hồi"}
PRINTER_VI = {"ok": "Bình thường", "paper_low": "Sắp hết giấy", "paper_out": "Hết giấy", "cover_open": "Mở nắp",
              "offline": "Máy in không kết nối", "unknown": "Không rõ"}


def version_key(version: str) -> tuple:
    """Sortable key of a PEP 440-ish version: 0.10.1 > 0.9; a pre-release (0.2.0rc1) before 0.2.0."""
    m = re.match(r"^(\d+(?:\.\d+)*)(.*)$", version or "")
    if m is None:
        return (-1,)
    nums = tuple(int(p) for p in m[1].split("."))
    return (*nums, *(0,) * max(0, 4 - len(nums)), 0 if m[2] else 1, m[2])


def in_office_hours(now: float, cal: WorkCalendar) -> bool:
    """Whether the site is open at `now`, in its time zone: a working day (so not a Sunday or a public
    holiday, but a make-up Saturday, yes), from the opening of that day's (seasonal) hours to their
    close. The lunch break counts: a device that drops at noon is needed again at the afternoon's start."""
    local = datetime.fromtimestamp(now, cal.tz)
    d = local.date()
    return cal.is_working_day(d) and cal.day_start(d) <= local < cal.day_end(d)


def disk_used_pct(health: dict | None) -> float | None:
    if not health:
        return None
    pct = health.get("disk_used_pct")
    return float(pct) if isinstance(pct, int | float) and not isinstance(pct, bool) else None


def printer_state(health: dict | None) -> str | None:
    printer = (health or {}).get("printer")
    return printer.get("state") if isinstance(printer, dict) else None


def alerts(*, status: str, status_since: float | None, last_seen: float | None, health: dict | None,
           version: str | None, released: str | None, pending: bool, revoked: bool, now: float,
           cal: WorkCalendar, policy: AlertPolicy = AlertPolicy()) -> list[str]:
    """The alerts of one device, in ALERTS order, on its site's calendar `cal`. A pending or revoked
    device raises none."""
    if pending or revoked:
        return []
    out = []
    since = status_since or last_seen
    if status != "online" and in_office_hours(now, cal) and (since is None or now - since > policy.offline_after_s):
        out.append("offline")
    paper = printer_state(health)
    if paper in ("paper_low", "paper_out"):
        out.append(paper)
    pct = disk_used_pct(health)
    if pct is not None and pct > policy.disk_pct:
        out.append("disk_full")
    if released and version and version_key(version) < version_key(released):
        out.append("version_behind")
    return out
