"""Who may touch what: the one authorisation rule of every entry point (MQTT verbs through the runner,
HTTP routes through hub.web.auth, exports, metrics and live streams alike).

A subject (a device, an officer signed in at a counter, a console account, an API token, an agency
specialist) holds a role on one site, or on the province: `site is None` is the global scope a provincial
hub's administrators, leaders and technicians hold. A target is the object a request names: a site, a
dossier, a ticket, a device, an account, or the hub itself (what spans every site: the catalogue, the
hub's health). The rule, in `refusal`:

- an object of a site is touched only by a subject of that site or of the province;
- an object addressed by its id (a dossier code, a ticket, a device, an account) outside the subject's
  scope reads as `not_found`, never `forbidden`: its existence is not told;
- a specialist touches a dossier only when it is of the specialist's site AND passes through the
  specialist's agency: an agency is identified by its site and its name together (`AgencyId`), since
  every site takes the same agency names from the shared catalogue;
- administrators and accounts without a site are managed by a province administrator only; a site
  administrator manages its own site's accounts, officers and devices;
- what spans the hub is for the province scope, or for a subject whose site is the only one the hub
  serves (a commune hub's own technician reads its health).

The role check (which roles may call a verb or route) stays with the verb record and `@requires`; this
module answers the site and agency half. Pure functions: the shell resolves the target's site from the
database (hub.ops.authz) and calls `check`."""

from __future__ import annotations

from dataclasses import dataclass

from motcua_core.errors import DomainError

# Roles that may hold the province (global) scope; a specialist or a post office always serves one site.
GLOBAL_ROLES = frozenset({"admin", "leader", "technician", "province_leader"})
# Targets addressed by an id a stranger could guess or walk: outside one's scope they do not exist.
HIDDEN = frozenset({"dossier", "ticket", "device", "account"})
KINDS = frozenset({"site", "hub"}) | HIDDEN


@dataclass(frozen=True)
class AgencyId:
    """An agency as one site knows it: the same catalogue name at two sites is two agencies."""

    site: str
    name: str

    def __str__(self) -> str:
        return f"{self.site}/{self.name}"


@dataclass(frozen=True)
class Subject:
    kind: str  # device | officer | session | token | specialist | cli
    id: str
    role: str
    site: str | None  # None: the province (global) scope
    agency: AgencyId | None = None

    @property
    def is_global(self) -> bool:
        return self.site is None


@dataclass(frozen=True)
class Target:
    kind: str  # one of KINDS
    key: str
    site: str | None  # the object's site; None: an account without a site, or the hub
    agencies: tuple[str, ...] = ()  # a dossier: the agencies it passes through (names, within its site)
    role: str | None = None  # an account: its role
    hub_sites: tuple[str, ...] = ()  # the hub: the sites it serves
    hidden: bool = True  # False for an object being created (its site is the caller's own word)


def in_scope(subject: Subject, site: str | None) -> bool:
    return subject.site is None or subject.site == site


def agency_of(site: str | None, name: str | None) -> AgencyId | None:
    """A subject's agency identity from its site and the agency name it was given."""
    return AgencyId(site, name.strip()) if site and name and name.strip() else None


def refusal(subject: Subject, target: Target) -> DomainError | None:
    """Why `subject` may not touch `target`, or None when it may."""
    if target.kind == "hub":
        if subject.is_global or (target.hub_sites and set(target.hub_sites) <= {subject.site}):
            return None
        return _forbidden("this concerns every site: the province scope is needed",
                          "Thao tác này liên quan mọi đơn vị; cần tài khoản cấp tỉnh.")
    if target.kind == "account":
        if subject.role != "admin":
            return _forbidden("only administrators manage accounts", "Chỉ quản trị viên quản lý tài khoản.")
        if not subject.is_global and target.site is not None and target.site != subject.site:
            return _hidden(target) if target.hidden else _forbidden(
                f"not allowed for site {target.site}", "Tài khoản của bạn không thuộc đơn vị này.")
        if not subject.is_global and (target.site is None or target.role == "admin"):
            return _forbidden("only a province administrator manages administrators and accounts of every site",
                              "Chỉ quản trị viên cấp tỉnh mới quản lý tài khoản quản trị và tài khoản mọi đơn vị.")
        return None
    if not in_scope(subject, target.site):
        if target.kind in HIDDEN and target.hidden:
            return _hidden(target)
        return _forbidden(f"not allowed for site {target.site}", "Tài khoản của bạn không thuộc đơn vị này.")
    if subject.role == "specialist" and target.kind == "dossier":
        a = subject.agency
        if a is None or a.site != target.site or a.name not in target.agencies:
            return _hidden(target)
    return None


def check(subject: Subject, target: Target) -> None:
    exc = refusal(subject, target)
    if exc is not None:
        raise exc


def may_hold_global(role: str) -> bool:
    return role in GLOBAL_ROLES


def scope_problem(role: str, site_id: str | None) -> DomainError | None:
    """Why an account or API token of `role` may not be given this scope (a site, or None: the province)."""
    if site_id is None and not may_hold_global(role):
        return DomainError("bad_request", "only an administrator, a leader or a technician spans every site",
                           "Chỉ quản trị viên, lãnh đạo và kỹ thuật viên cấp tỉnh mới thuộc mọi đơn vị; "
                           "hãy chọn đơn vị.")
    if role == "province_leader" and site_id is not None:
        return DomainError("bad_request", "a province leader reads every centre: no --site",
                           "Lãnh đạo cấp tỉnh xem mọi trung tâm; không chọn đơn vị.")
    return None


def _forbidden(message: str, message_vi: str) -> DomainError:
    return DomainError("forbidden", message, message_vi)


NOT_FOUND_VI = {
    "dossier": "Không tìm thấy hồ sơ có mã này.",
    "ticket": "Không tìm thấy vé.",
    "device": "Không tìm thấy thiết bị.",
    "account": "Không có tài khoản này.",
}


def _hidden(target: Target) -> DomainError:
    return DomainError("not_found", f"no {target.kind} {target.key}", NOT_FOUND_VI.get(target.kind, "Không tìm thấy."))
