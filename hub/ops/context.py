"""What an operation needs (database, site, device, time) and what it leaves for the shell to publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import sqlite_utils

from hub.domain.queue import local_day
from hub.store.devices import Device
from hub.store.sites import Site


@dataclass
class Effects:
    """Messages to publish once the transaction that caused them has committed."""

    display_sites: set[str] = field(default_factory=set)
    calls: list[dict] = field(default_factory=list)
    commands: list[tuple[str, dict]] = field(default_factory=list)  # (device_id, command) for dev/<id>/cmd

    def merge(self, other: Effects) -> None:
        self.display_sites |= other.display_sites
        self.calls.extend(other.calls)
        self.commands.extend(other.commands)


@dataclass
class Ctx:
    db: sqlite_utils.Database
    site: Site
    device: Device | None
    now: float
    effects: Effects

    @cached_property
    def day(self) -> str:
        """The site-local day of `now` (read several times per request; computed once)."""
        return local_day(self.now, self.site.tz)

    def iso(self, ts: float | None) -> str | None:
        """Site-local ISO time, as devices show it."""
        if ts is None:
            return None
        return datetime.fromtimestamp(ts, self.site.tz).isoformat(timespec="seconds")
