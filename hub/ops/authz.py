"""The shell of the authorisation rule (hub.domain.authz): find the site (and agencies) of the object a
request names, then apply the rule. Called from one place per edge: `Runner.step` for every operation
given a subject (every MQTT verb), and `hub.web.auth.requires` for every HTTP route.

A reference is (kind, key): the kinds are those of hub.domain.authz.KINDS. An unknown object is
`not_found`, the same answer as one outside the subject's scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from hub.domain import authz
from hub.domain.authz import Subject, Target
from hub.store import accounts as acc_store
from hub.store import devices as device_store
from hub.store import dossiers as dossier_store
from hub.store import sites as site_store
from hub.store import sync as sync_store
from hub.store import tickets as ticket_store
from motcua_core.dossier_codes import normalise
from motcua_core.errors import DomainError


@dataclass(frozen=True)
class Ref:
    kind: str
    key: object


def resolve(db: sqlite_utils.Database, ref: Ref) -> Target:
    key = str(ref.key)
    if ref.kind == "site":
        return Target("site", key, key)
    if ref.kind == "hub":
        return Target("hub", key, None, hub_sites=tuple(site_store.list_sites(db)))
    if ref.kind == "dossier":
        found = dossier_store.scope(db, normalise(key))
        if not found:
            return _unknown(ref)
        # A dossier a provincial hub holds for a commune is, while its agency there has it, an object of
        # the province's site where that agency sits (docs/province.md).
        return Target("dossier", key, sync_store.holding_site(db, normalise(key)) or found[0], found[1])
    if ref.kind == "ticket":
        try:
            site = ticket_store.site_of(db, int(key))
        except ValueError:
            site = None
        return Target("ticket", key, site) if site else _unknown(ref)
    if ref.kind == "device":
        dev = device_store.get(db, key)
        return Target("device", key, dev.site_id) if dev else _unknown(ref)
    if ref.kind == "account":
        acc = acc_store.get(db, key)
        return Target("account", key, acc.site_id, role=acc.role) if acc else _unknown(ref)
    raise ValueError(f"unknown kind of object {ref.kind!r}")


def enforce(db: sqlite_utils.Database, subject: Subject, refs: Iterable[Ref]) -> None:
    """Raise the refusal (`not_found` or `forbidden`) unless `subject` may touch every object named."""
    for ref in refs:
        authz.check(subject, resolve(db, ref))


def _unknown(ref: Ref) -> Target:
    raise DomainError("not_found", f"no {ref.kind} {ref.key}", authz.NOT_FOUND_VI.get(ref.kind, "Không tìm thấy."))
