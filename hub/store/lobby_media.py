"""The lobby's notices and image slides of a site (SQL only; the rules are in hub.domain.lobby_media, the
operations in hub.ops.lobby_media)."""

from __future__ import annotations

import sqlite_utils

from hub.domain import lobby_media as rules
from hub.store import memo

NOTICE_COLS = ("id", "position", "text", "active_from", "active_until", "retired")
IMAGE_COLS = ("id", "position", "sha256", "mime", "width", "height", "size", "caption", "retired")


def notices(db: sqlite_utils.Database, site_id: str) -> list[dict]:
    """Every notice of the site, retired ones too, in the administrator's order."""
    rows = db.execute(f"SELECT {', '.join(NOTICE_COLS)} FROM lobby_notices WHERE site_id = ? ORDER BY position, id",
                      [site_id])
    return [{**dict(zip(NOTICE_COLS, r, strict=True)), "retired": bool(r[5])} for r in rows]


def put_notice(db: sqlite_utils.Database, site_id: str, notice: dict, now: float | None) -> int:
    """Insert the notice (a new id at the end of the list when it has none) or change it in place (`now`
    None: a configuration loaded, which keeps the time of the last change made in the console)."""
    nid = notice.get("id")
    if nid is None:
        nid, pos = db.execute("SELECT COALESCE(MAX(id), 0) + 1, COALESCE(MAX(position), -1) + 1 FROM lobby_notices "
                              "WHERE site_id = ?", [site_id]).fetchone()
        notice = {**notice, "position": notice.get("position", pos)}
    keep = "" if now is None else ", changed_at=excluded.changed_at"
    db.execute(
        f"""INSERT INTO lobby_notices(site_id, id, position, text, active_from, active_until, retired, changed_at)
           VALUES(?,?,?,?,?,?,?,?)
           ON CONFLICT(site_id, id) DO UPDATE SET position=excluded.position, text=excluded.text,
             active_from=excluded.active_from, active_until=excluded.active_until, retired=excluded.retired{keep}""",
        [site_id, nid, int(notice.get("position") or 0), notice["text"], notice.get("active_from"),
         notice.get("active_until"), int(bool(notice.get("retired"))), 0.0 if now is None else now])
    memo.forget(db)
    return int(nid)


def set_order(db: sqlite_utils.Database, site_id: str, table: str, ids: list[int]) -> None:
    assert table in ("lobby_notices", "lobby_images")
    for pos, i in enumerate(ids):
        db.execute(f"UPDATE {table} SET position = ? WHERE site_id = ? AND id = ?", [pos, site_id, i])
    memo.forget(db)


def set_retired(db: sqlite_utils.Database, site_id: str, table: str, item_id: int, retired: bool, now: float) -> bool:
    """Retire or restore one notice or image; False when the site has no such one."""
    assert table in ("lobby_notices", "lobby_images")
    found = db.execute(f"SELECT 1 FROM {table} WHERE site_id = ? AND id = ?", [site_id, item_id]).fetchone()
    if found:
        db.execute(f"UPDATE {table} SET retired = ?, changed_at = ? WHERE site_id = ? AND id = ?",
                   [int(retired), now, site_id, item_id])
        memo.forget(db)
    return found is not None


def images(db: sqlite_utils.Database, site_id: str) -> list[dict]:
    """Every image of the site (without its bytes), retired ones too, in order."""
    rows = db.execute(f"SELECT {', '.join(IMAGE_COLS)} FROM lobby_images WHERE site_id = ? ORDER BY position, id",
                      [site_id])
    return [{**dict(zip(IMAGE_COLS, r, strict=True)), "retired": bool(r[8])} for r in rows]


def add_image(db: sqlite_utils.Database, site_id: str, row: dict, data: bytes, now: float) -> tuple[int, bool]:
    """Keep an image at the end of the list; the same bytes uploaded again give the first one's id
    (restored, its caption updated). Returns (id, whether it is new)."""
    found = db.execute("SELECT id FROM lobby_images WHERE site_id = ? AND sha256 = ?", [site_id, row["sha256"]]).fetchone()
    if found:
        db.execute("UPDATE lobby_images SET retired = 0, caption = ?, changed_at = ? WHERE site_id = ? AND id = ?",
                   [row["caption"], now, site_id, found[0]])
        memo.forget(db)
        return int(found[0]), False
    nid, pos = db.execute("SELECT COALESCE(MAX(id), 0) + 1, COALESCE(MAX(position), -1) + 1 FROM lobby_images "
                          "WHERE site_id = ?", [site_id]).fetchone()
    db.execute("INSERT INTO lobby_images(site_id, id, position, sha256, mime, width, height, size, caption, retired, "
               "changed_at, data) VALUES(?,?,?,?,?,?,?,?,?,0,?,?)",
               [site_id, nid, pos, row["sha256"], row["mime"], row["width"], row["height"], len(data), row["caption"],
                now, data])
    memo.forget(db)
    return int(nid), True


def image_count(db: sqlite_utils.Database, site_id: str) -> int:
    return db.execute("SELECT COUNT(*) FROM lobby_images WHERE site_id = ?", [site_id]).fetchone()[0]


def image_bytes(db: sqlite_utils.Database, site_id: str, *, image_id: int | None = None,
                sha256: str | None = None) -> tuple[str, bytes] | None:
    """(mime, bytes) of one of the site's images, by id or by checksum (a retired one too: a screen may
    still be showing it while its state catches up)."""
    where, arg = ("id = ?", image_id) if image_id is not None else ("sha256 = ?", sha256)
    row = db.execute(f"SELECT mime, data FROM lobby_images WHERE site_id = ? AND {where}", [site_id, arg]).fetchone()
    return (row[0], bytes(row[1])) if row else None


def load_notices(db: sqlite_utils.Database, site_id: str, site_doc: dict, listed: list | None) -> None:
    """A site configuration's notices (`notices`: each with its id, kept or retired, as
    hub.store.site_config.export gives them; the province's copy and a rebuilt centre carry them). A
    configuration without `notices` but with the site's single `notice` (a site file written before the
    list) sets the text of the first notice shown, or adds it when there is none; an empty one changes
    nothing. Raises ValueError for a notice the rules refuse."""
    from motcua_core.errors import DomainError

    try:
        if listed is not None:
            if not isinstance(listed, list):
                raise ValueError("notices must be a list")
            for n in listed:
                fields = rules.check_notice(n)
                nid = n.get("id")
                if nid is not None and (isinstance(nid, bool) or not isinstance(nid, int) or nid < 1):
                    raise ValueError(f"notice id {nid!r}: a whole number from 1")
                # without a position (the province's): an existing notice keeps its place, a new one goes last
                pos = n["position"] if isinstance(n.get("position"), int) else _position(db, site_id, nid)
                put_notice(db, site_id, {**fields, "id": nid, "position": pos, "retired": bool(n.get("retired"))},
                           None)
            return
        text = str(site_doc.get("notice") or "").strip()
        if not text:
            return
        fields = rules.check_notice({"text": text})
    except DomainError as exc:
        raise ValueError(f"notices: {exc.message}") from None
    first = next((n for n in notices(db, site_id) if not n["retired"]), None)
    put_notice(db, site_id, {**first, "text": fields["text"]} if first else {**fields, "position": 0}, None)


def _position(db: sqlite_utils.Database, site_id: str, nid: int | None) -> int:
    row = db.execute("SELECT position FROM lobby_notices WHERE site_id = ? AND id = ?", [site_id, nid]).fetchone()
    if row:
        return int(row[0])
    return int(db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM lobby_notices WHERE site_id = ?",
                          [site_id]).fetchone()[0])


def first_text(db: sqlite_utils.Database, site_id: str) -> str:
    """The text of the first notice not retired: the site's `notice` of a configuration as exported, for
    readers of the single notice."""
    return next((n["text"] for n in notices(db, site_id) if not n["retired"]), "")


def for_display(db: sqlite_utils.Database, site_id: str) -> tuple[list[dict], list[dict]]:
    """(notices, images) as the lobby state reads them after every call: from memory until one changes
    (every write here forgets them; another process's commit too, hub.store.memo)."""
    return memo.lookup(db, ("lobby_media", site_id), lambda: (notices(db, site_id), images(db, site_id)))
