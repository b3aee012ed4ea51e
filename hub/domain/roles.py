"""The roles of people who use the console and the HTTP API (hub.web.auth). An administrator holds
every role, on every site; a province leader reads every centre of a province (the provincial hub's
overview, docs/province.md); every other role is held on one site."""

from __future__ import annotations

ROLES = ("admin", "leader", "specialist", "technician", "post", "officer", "province_leader")
