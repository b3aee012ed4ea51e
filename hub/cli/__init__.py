"""`motcua hub …`: one module per group of commands, each command a plain function tests can call.

serve.py (serve, site load), devices.py (device, officer), dossiers.py (catalog, calendar, dossier,
report, register, specialist), tokens.py (API tokens), portal.py (national portal sync), appointments.py
(booking policy, seats), fleet.py (fleet, enrolment, updates), accounts.py (console accounts), backups.py
(backup, restore), security.py (alerts from public look-ups and bookings), province.py (province, sync status), database.py (db migrate: SQLite into
PostgreSQL); common.py holds the data-directory helpers they share. Every command that
changes state does it through hub.ops.run (the CLI's runner defers effects to the running hub)."""

from __future__ import annotations

import argparse

from hub.cli import (
    accounts,
    appointments,
    backups,
    database,
    datastore,
    devices,
    dossiers,
    fleet,
    portal,
    province,
    security,
    serve,
    signing,
    tokens,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    hub = sub.add_parser("hub", help="the central service")
    hsub = hub.add_subparsers(dest="hub_cmd", required=True)
    for module in (serve, devices, dossiers, tokens, portal, appointments, fleet, accounts, backups, security, province, signing,
                   database, datastore):
        module.add_parsers(hsub)
