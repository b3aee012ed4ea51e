"""Retiring instead of deleting (services, counters, officers): a retired item leaves the kiosks, the
counters, the lobby and every pick-list, but its tickets, dossiers, votes and reports keep naming it, and
an administrator can bring it back. Pure rules: what stops a retirement, and what it changes."""

from __future__ import annotations

from motcua_core.errors import DomainError

KINDS = ("service", "counter", "officer")
KIND_VI = {"service": "dịch vụ", "counter": "quầy", "officer": "cán bộ"}


def _conflict(message: str, message_vi: str) -> DomainError:
    return DomainError("conflict", message, message_vi)


def service_problem(code: str, waiting: int, counters: list[tuple[int, tuple[str, ...]]],
                    booked: int = 0) -> DomainError | None:
    """Why service `code` cannot be retired now: citizens still wait for it (they would never be called),
    citizens booked it for a coming day, or a counter in service serves nothing else."""
    if waiting:
        return _conflict(f"{waiting} tickets of {code} are waiting",
                         f"Còn {waiting} người đang chờ dịch vụ {code}; hãy ngừng sau khi đã phục vụ hết.")
    if booked:
        return _conflict(f"{booked} bookings of {code} to come",
                         f"Còn {booked} lịch hẹn sắp tới cho dịch vụ {code}; hãy ngừng sau các lịch hẹn đó "
                         f"(hoặc hủy và báo cho công dân).")
    alone = [n for n, services in counters if tuple(services) == (code,)]
    if alone:
        names = ", ".join(str(n) for n in alone)
        return _conflict(f"counters {names} serve only {code}",
                         f"Quầy {names} chỉ phục vụ dịch vụ {code}: hãy đổi dịch vụ của quầy hoặc ngừng quầy trước.")
    return None


def without_service(code: str, counters: list[dict]) -> list[dict]:
    """The counters of a site configuration once `code` is retired: none of them serves it any more."""
    return [{**c, "services": [s for s in c["services"] if s != code]} for c in counters]


def counter_problem(number: int, status: str, serving: bool) -> DomainError | None:
    """Why counter `number` cannot be retired now: it is open, or a citizen is being served there."""
    if serving:
        return _conflict(f"counter {number} is serving a ticket",
                         f"Quầy {number} đang phục vụ công dân; hãy kết thúc lượt rồi đóng quầy trước.")
    if status != "closed":
        return _conflict(f"counter {number} is {status}", f"Quầy {number} đang mở; hãy đóng quầy trước khi ngừng.")
    return None


def restored_services(services: tuple[str, ...], active: set[str]) -> list[str]:
    """What a counter brought back serves: its services still in service (a retired one is left out);
    none left is a refusal."""
    kept = [s for s in services if s in active]
    if not kept:
        raise _conflict("none of its services is in service",
                        "Các dịch vụ của quầy này đều đã ngừng; hãy khôi phục dịch vụ trước, hoặc thêm quầy mới.")
    return kept
