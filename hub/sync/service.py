"""Wiring the sync into a hub: which side runs (from the database's `sync_role`) and the broker accounts
it needs (hub.sync.paths holds the files it reads)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from hub.broker.files import Account
from hub.broker.passwd import hash_secret
from hub.domain import sync as rules
from hub.store import sync as store
from hub.sync.paths import LINK_FILE, read_link, receiver_secret
from motcua_core import clock as wallclock

if TYPE_CHECKING:
    from hub.app import Hub

log = logging.getLogger("motcua.hub.sync")

RECEIVER_USER = "motcua-sync"


def sync_accounts(db: sqlite_utils.Database, data_dir: Path) -> list[Account]:
    """At a provincial hub: the receiver's own account and one account per joined centre."""
    if store.role(db) != "province":
        return []
    accounts = [Account(RECEIVER_USER, hash_secret(receiver_secret(data_dir)))]
    for c in store.list_centres(db):
        if c["broker_hash"]:
            accounts.append(Account(rules.broker_username(c["id"]), c["broker_hash"], centre=c["id"]))
    return accounts


def start_sync(hub: Hub):
    """Start the side this hub plays, if any; returns the running object (with .stop()) or None."""
    assert hub.db is not None
    role = store.role(hub.db)
    if role == "province":
        from hub.sync.receiver import Receiver

        host = "127.0.0.1" if hub.config.mqtt_bind in ("0.0.0.0", "::", "") else hub.config.mqtt_bind
        r = Receiver(hub.config.db_target, host, hub.config.mqtt_port, RECEIVER_USER,
                     receiver_secret(hub.config.data_dir), hub.clock)
        r.start()
        return r
    if role == "centre":
        link = read_link(hub.config.data_dir)
        if link is None:
            log.error("this hub is a centre of a province but %s is missing: join again", LINK_FILE)
            return None
        if hub.clock is wallclock.time:  # the link's own process (hub.sync.link_process says why)
            from hub.sync.link_process import LinkProcess, log_settings

            fmt, log_file = log_settings()
            c = LinkProcess(hub.config.data_dir, hub.config.db_target, fmt, log_file)
        else:  # a test's clock cannot cross into another process: the link runs as a thread on it
            from hub.sync.link import CentreLink

            c = CentreLink(hub.config.data_dir, hub.config.db_target, link, hub.clock)
        c.start()
        return c
    return None
