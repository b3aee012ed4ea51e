"""The roles of people who use the console and the HTTP API (hub.web.auth). An administrator holds
every role, on every site; a province leader reads every centre of a province (the provincial hub's
overview, docs/province.md); every other role is held on one site."""

from __future__ import annotations

ROLES = ("admin", "leader", "specialist", "technician", "post", "officer", "province_leader")
# Each role as a person reads it, in the console's two languages (the account list, its forms, the audit log).
ROLE_VI = {"admin": "Quản trị viên", "leader": "Lãnh đạo", "specialist": "Chuyên viên", "technician": "Kỹ thuật viên",
           "post": "Nhân viên bưu điện", "officer": "Cán bộ một cửa", "province_leader": "Lãnh đạo cấp tỉnh",
           "device": "Thiết bị", "-": "—"}
ROLE_EN = {"admin": "Administrator", "leader": "Leader", "specialist": "Specialist", "technician": "Technician",
           "post": "Post office staff", "officer": "One-stop officer", "province_leader": "Province leader",
           "device": "Device", "-": "—"}


def role_vi(role: str) -> str:
    return ROLE_VI.get(role, role)
