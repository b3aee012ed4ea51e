"""The lobby's notices and image slides, managed from the console by a site's administrator (through the
runner: validated once, audited, and the lobby's display state republished after commit)."""

from __future__ import annotations

import sqlite_utils

from hub.domain import lobby_media as rules
from hub.ops.context import Ctx
from hub.store import lobby_media as store
from motcua_core.errors import DomainError

NOTICES, IMAGES = "lobby_notices", "lobby_images"


def listing(db: sqlite_utils.Database, site_id: str) -> dict:
    """What the console's lobby card shows: every notice and image, retired ones too (history kept)."""
    return {"notices": store.notices(db, site_id),
            "images": [{**i, "url": f"/api/v1/sites/{site_id}/lobby/images/{i['id']}"} for i in store.images(db, site_id)],
            "limits": {"notice_chars": rules.NOTICE_MAX, "image_bytes": rules.IMAGE_MAX_BYTES,
                       "caption_chars": rules.CAPTION_MAX},
            "slide_every": rules.SLIDE_EVERY, "slide_s": rules.SLIDE_S}


def _id(data: dict, key: str = "id") -> int:
    try:
        return int(data[key])
    except (KeyError, TypeError, ValueError):
        raise DomainError("bad_request", f"{key} must be a whole number", "Thiếu mã thông báo hoặc ảnh.") from None


def _notice(ctx: Ctx, nid: int) -> dict:
    found = next((n for n in store.notices(ctx.db, ctx.site.id) if n["id"] == nid), None)
    if found is None:
        raise DomainError("not_found", "no such notice", "Không có thông báo này.")
    return found


def save_notice(ctx: Ctx, data: dict) -> dict:
    """Add a notice at the end of the list, or change one (`id`): its text and the days it shows."""
    fields = rules.check_notice(data)
    if data.get("id") in (None, ""):
        if len(store.notices(ctx.db, ctx.site.id)) >= rules.NOTICES_MAX:
            raise DomainError("conflict", "too many notices",
                              f"Đã có {rules.NOTICES_MAX} thông báo: hãy sửa một thông báo đã ngừng thay vì thêm mới.")
        before, notice = None, {**fields, "retired": False}
    else:
        before = _notice(ctx, _id(data))
        notice = {**before, **fields}
    nid = store.put_notice(ctx.db, ctx.site.id, notice, ctx.now)
    after = {"id": nid, **fields}
    ctx.changed("lobby.notice_add" if before is None else "lobby.notice_change", f"thông báo {nid}", before, after)
    ctx.effects.display_sites.add(ctx.site.id)
    return {"notice": after}


def move_notice(ctx: Ctx, data: dict) -> dict:
    """Move a notice one place up (`step` -1) or down (+1) in the order the lobby shows them."""
    nid, step = _id(data), _id(data, "step")
    ids = [n["id"] for n in store.notices(ctx.db, ctx.site.id)]
    order = rules.moved(ids, nid, step)
    store.set_order(ctx.db, ctx.site.id, NOTICES, order)
    ctx.changed("lobby.notice_move", f"thông báo {nid}", ids, order)
    ctx.effects.display_sites.add(ctx.site.id)
    return {"order": order}


def _retire(ctx: Ctx, data: dict, table: str, what: str, label: str) -> dict:
    item, retired = _id(data), data.get("retired", True) is not False
    if not store.set_retired(ctx.db, ctx.site.id, table, item, retired, ctx.now):
        raise DomainError("not_found", f"no such {what}", f"Không có {label} này.")
    ctx.changed(f"lobby.{what}_{'retire' if retired else 'restore'}", f"{label} {item}",
                {"retired": not retired}, {"retired": retired})
    ctx.effects.display_sites.add(ctx.site.id)
    return {"id": item, "retired": retired}


def retire_notice(ctx: Ctx, data: dict) -> dict:
    """Take a notice off the lobby (kept in the list, greyed, with "Khôi phục"), or bring it back."""
    return _retire(ctx, data, NOTICES, "notice", "thông báo")


def retire_image(ctx: Ctx, data: dict) -> dict:
    return _retire(ctx, data, IMAGES, "image", "ảnh")


def add_image(ctx: Ctx, pic: rules.Picture, caption: object) -> dict:
    """Keep an uploaded image as a lobby slide. `pic` is the upload as hub.domain.lobby_media.check_image
    decoded and accepted (off the event loop, before this transaction): a refused file writes nothing."""
    text = rules.check_caption(caption)
    if store.image_count(ctx.db, ctx.site.id) >= rules.IMAGES_MAX and not any(
            i["sha256"] == pic.sha256 for i in store.images(ctx.db, ctx.site.id)):
        raise DomainError("conflict", "too many images",
                          f"Đã có {rules.IMAGES_MAX} ảnh: hãy khôi phục một ảnh đã ngừng thay vì tải thêm.")
    row = {"sha256": pic.sha256, "mime": pic.mime, "width": pic.width, "height": pic.height, "caption": text}
    iid, new = store.add_image(ctx.db, ctx.site.id, row, pic.data, ctx.now)
    after = {"id": iid, **row, "size": len(pic.data)}
    ctx.changed("lobby.image_add" if new else "lobby.image_restore", f"ảnh {iid}", None, after)
    ctx.effects.display_sites.add(ctx.site.id)
    return {"image": after}

