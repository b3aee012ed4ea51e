"""What the lobby screen shows besides the queue (pure): the site's notices, each active between two dates
of the site's calendar, and its image slides. The rules for what an administrator may enter, what the
display is sent, and whether an uploaded file is an image a screen can show are here; the rows are in
hub.store.lobby_media, the operations in hub.ops.lobby_media."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date

from motcua_core.errors import DomainError

NOTICE_MAX = 300  # characters of one notice (what the single notice allowed)
NOTICES_MAX = 30  # notices in the list, retired ones included
IMAGE_MAX_BYTES = 2 * 1024 * 1024  # an uploaded file
IMAGE_MAX_PIXELS = 40_000_000  # refused before decoding: a small PNG can claim a huge canvas
SCREEN_MAX = (3840, 2160)  # the largest lobby screen: a bigger image is scaled down to fit it once, at upload
IMAGES_MAX = 10  # images kept, retired ones included
CAPTION_MAX = 120
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The lobby shows the image slides after every SLIDE_EVERY notices (or, with no notice, in turn), each for
# SLIDE_S seconds: sent in the display state so the office's choice is the hub's, not each screen's.
SLIDE_EVERY = 3
SLIDE_S = 8


def _bad(message: str, message_vi: str) -> DomainError:
    return DomainError("bad_request", message, message_vi)


def _day(value: object, label_vi: str) -> str | None:
    """A date as the console sends it (YYYY-MM-DD, or dd/mm/yyyy typed), or None for no bound."""
    text = str(value or "").strip()
    if not text:
        return None
    if m := re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text):
        text = f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    try:
        if not DATE_RE.match(text):
            raise ValueError(text)
        date.fromisoformat(text)
    except ValueError:
        raise _bad(f"{label_vi}: not a date", f"{label_vi} phải là ngày dạng dd/mm/yyyy, ví dụ 02/09/2027.") from None
    return text


def check_notice(data: dict) -> dict:
    """The fields of one notice from a form or a configuration: text (1–300 characters), and the first and
    last day it shows (either may be empty). Raises a Vietnamese bad_request otherwise."""
    text = " ".join(str(data.get("text") or "").split())
    if not text:
        raise _bad("notice text required", "Hãy nhập nội dung thông báo.")
    if len(text) > NOTICE_MAX:
        raise _bad("notice too long", f"Thông báo tối đa {NOTICE_MAX} ký tự.")
    first = _day(data.get("active_from"), "Ngày bắt đầu")
    last = _day(data.get("active_until"), "Ngày kết thúc")
    if first and last and last < first:
        raise _bad("the last day is before the first", "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")
    return {"text": text, "active_from": first, "active_until": last}


def is_active(notice: dict, day: str) -> bool:
    """Shown on `day` (the site-local YYYY-MM-DD): not retired and within its dates, both included."""
    return (not notice.get("retired") and (not notice.get("active_from") or notice["active_from"] <= day)
            and (not notice.get("active_until") or day <= notice["active_until"]))


def active_notices(notices: list[dict], day: str) -> list[dict]:
    """The notices the lobby shows on `day`, in the administrator's order."""
    return [n for n in sorted(notices, key=lambda n: (n["position"], n["id"])) if is_active(n, day)]


def moved(ids: list[int], which: int, step: int) -> list[int]:
    """The order after moving `which` one place up (step -1) or down (+1); unchanged at either end."""
    if which not in ids:
        raise DomainError("not_found", "no such notice", "Không có thông báo này.")
    i = ids.index(which)
    j = i + (1 if step > 0 else -1)
    out = list(ids)
    if 0 <= j < len(out):
        out[i], out[j] = out[j], out[i]
    return out


@dataclass(frozen=True)
class Picture:
    data: bytes  # what is kept and sent: the upload, or its copy scaled to SCREEN_MAX
    mime: str
    width: int
    height: int
    sha256: str


TOO_BIG_VI = "Ảnh quá lớn: tối đa 2 MB. Hãy thu nhỏ ảnh rồi tải lên lại."
PIXELS_VI = "Ảnh quá nhiều điểm ảnh: tối đa 40 triệu điểm ảnh (ví dụ 7680×5000). Hãy thu nhỏ ảnh."
NOT_IMAGE_VI = "Tệp không phải ảnh PNG hoặc JPEG đọc được. Hãy chọn một ảnh PNG hoặc JPEG."


def check_image(raw: bytes) -> Picture:
    """An uploaded file as a lobby slide: at most IMAGE_MAX_BYTES, a PNG or JPEG that decodes whole (a
    renamed PDF, a truncated photo or a pixel bomb is refused), scaled down (never up, ratio kept) to fit
    the largest lobby screen so no display decodes more than it shows."""
    from PIL import Image, UnidentifiedImageError

    if len(raw) > IMAGE_MAX_BYTES:
        raise DomainError("payload_too_large", f"image larger than {IMAGE_MAX_BYTES} bytes", TOO_BIG_VI)
    if not raw:
        raise _bad("empty file", NOT_IMAGE_VI)
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt = probe.format
            w, h = probe.size
        if fmt not in FORMATS or w < 1 or h < 1:
            raise ValueError(fmt)
        if w * h > IMAGE_MAX_PIXELS:
            raise _bad("too many pixels", PIXELS_VI)
        with Image.open(io.BytesIO(raw)) as img:
            img.load()  # decodes every pixel: a cut-off file fails here
            data = raw
            if w > SCREEN_MAX[0] or h > SCREEN_MAX[1]:
                img.thumbnail(SCREEN_MAX)
                out = io.BytesIO()
                if fmt == "JPEG":
                    img.convert("RGB").save(out, "JPEG", quality=90)
                else:
                    img.save(out, "PNG", optimize=True)
                data, (w, h) = out.getvalue(), img.size
    except DomainError:
        raise
    except Image.DecompressionBombError:
        raise _bad("too many pixels", PIXELS_VI) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _bad("not a PNG or JPEG image", NOT_IMAGE_VI) from None
    return Picture(data, FORMATS[fmt], w, h, hashlib.sha256(data).hexdigest())


def check_caption(value: object) -> str:
    caption = " ".join(str(value or "").split())
    if len(caption) > CAPTION_MAX:
        raise _bad("caption too long", f"Chú thích ảnh tối đa {CAPTION_MAX} ký tự.")
    return caption


def slide_url(sha256: str) -> str:
    """Where a display fetches a slide with its own credential (hub.web.lobby_media.device_image)."""
    return f"/api/v1/device/lobby-images/{sha256}"


def display_fields(notices: list[dict], images: list[dict], day: str) -> dict:
    """The part of the display state the lobby's notice line and slide come from (changes only when an
    administrator changes them or a notice's first or last day comes). `notice` is the active notices as one
    text, for a lobby of an earlier version that shows one notice."""
    shown = active_notices(notices, day)
    slides = [{"id": i["id"], "sha256": i["sha256"], "url": slide_url(i["sha256"]), "caption": i["caption"],
               "width": i["width"], "height": i["height"]}
              for i in sorted(images, key=lambda i: (i["position"], i["id"])) if not i.get("retired")]
    return {"notice": " ".join(n["text"] for n in shown),
            "notices": [{"id": n["id"], "text": n["text"]} for n in shown],
            "slides": slides, "slide_every": SLIDE_EVERY, "slide_s": SLIDE_S}
