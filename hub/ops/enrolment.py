"""Enrolment by code and replacing a device (issue #14): operations run through hub.ops.run.

Adding a device for enrolment registers it *pending* (no broker account) with a single-use code; the new
board trades the code for its identity and a fresh secret over HTTP (hub.web.enrol). Replacing a device
makes it pending again under the same id, hardware map and counter: the broker drops the old board's
session at the next reload (within a second) and its secret is refused from then on.
"""

from __future__ import annotations

from hub.ops.context import Ctx
from hub.store import devices as device_store
from hub.store import enrolment
from motcua_core.errors import DomainError

CODE_VALID_S = 24 * 3600.0


def add_pending(ctx: Ctx, *, site_id: str, role: str, counter: int | None = None, device_id: str | None = None,
                name: str = "", hardware: dict | None = None, valid_s: float = CODE_VALID_S
                ) -> tuple[device_store.Device, str]:
    """Register a device waiting for its board; returns it with its enrolment code (shown once)."""
    dev, _unused_secret = device_store.add(ctx.db, site_id=site_id, role=role, now=ctx.now, device_id=device_id,
                                           name=name, counter=counter, hardware=hardware)
    return dev, enrolment.new_code(ctx.db, dev.id, ctx.now, valid_s)


def replace(ctx: Ctx, device_id: str, valid_s: float = CODE_VALID_S) -> str:
    """New hardware takes this device's id and configuration: a new code; the old secret is void."""
    if device_store.get(ctx.db, device_id) is None:
        raise DomainError("not_found", f"unknown device {device_id!r}", "Không tìm thấy thiết bị.")
    device_store.rotate_secret(ctx.db, device_id)  # nobody learns this one: the board gets its own at enrolment
    return enrolment.new_code(ctx.db, device_id, ctx.now, valid_s)


def enrol(ctx: Ctx, code: str, addr: str) -> dict:
    """Trade a code for the device's identity and a fresh secret (the only time it is sent)."""
    device_id = enrolment.consume(ctx.db, code, addr, ctx.now)
    dev = device_store.get(ctx.db, device_id)
    if dev is None or dev.revoked:
        raise DomainError("not_found", f"device {device_id} no longer exists", "Thiết bị không còn được đăng ký.")
    secret = device_store.rotate_secret(ctx.db, device_id)
    return {"device_id": dev.id, "secret": secret, "site": dev.site_id, "role": dev.role}
