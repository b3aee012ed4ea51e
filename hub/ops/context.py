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

    def __bool__(self) -> bool:
        return bool(self.display_sites or self.calls or self.commands)

    def settled_calls(self) -> list[dict]:
        """The calls with their event ids known (an id may be given as a function: the event's insert was
        sent with a later statement, see hub.store.db.defer_returning)."""
        return [settle(c) for c in self.calls]

    def to_dict(self) -> dict:
        return {"display_sites": sorted(self.display_sites), "calls": self.settled_calls(),
                "commands": [[d, c] for d, c in self.commands]}

    @classmethod
    def from_dict(cls, d: dict) -> Effects:
        return cls(set(d.get("display_sites", [])), list(d.get("calls", [])),
                   [(dev, cmd) for dev, cmd in d.get("commands", [])])


@dataclass(frozen=True)
class Actor:
    """Who asked for an operation, for the audit log: a console user, a CLI user, a device (with the
    officer signed in at it). `via` is the edge: console, api, cli, mqtt, timer."""

    who: str
    role: str
    via: str


@dataclass
class Change:
    """What an operation states it changed (hub.store.audit): before and after, where it can say."""

    action: str
    target: str = ""
    before: object = None
    after: object = None


@dataclass
class Ctx:
    db: sqlite_utils.Database
    site: Site  # None only for an operation on no site (the device registry, a site being loaded)
    device: Device | None
    now: float
    effects: Effects
    actor: Actor | None = None
    changes: list[Change] = field(default_factory=list)

    def changed(self, action: str, target: str = "", before: object = None, after: object = None) -> None:
        """Record a change for the audit log (written by the runner with the actor, in the same savepoint)."""
        self.changes.append(Change(action, target, before, after))

    @cached_property
    def day(self) -> str:
        """The site-local day of `now` (read several times per request; computed once)."""
        return local_day(self.now, self.site.tz)

    def iso(self, ts: float | None) -> str | None:
        """Site-local ISO time, as devices show it."""
        if ts is None:
            return None
        return datetime.fromtimestamp(ts, self.site.tz).isoformat(timespec="seconds")


def settle(call: dict) -> dict:
    """A call whose `call_id` may still be a function (see Effects.settled_calls), with the id itself."""
    cid = call.get("call_id")
    return {**call, "call_id": cid()} if callable(cid) else call
