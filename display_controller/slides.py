"""Fetching the lobby's image slides from the hub: with the display's own credential (the route serves a
display of the image's site only), the bytes checked against the SHA-256 the display state names, so a
screen never shows a file other than the one the administrator put up."""

from __future__ import annotations

import hashlib
import io
import urllib.request

MAX_BYTES = 4 * 1024 * 1024  # more than the hub ever keeps (2 MB): a longer answer is not a slide


def fetch_slide(host: str, http_port: int, path: str, device_id: str, secret: str, sha256: str,
                timeout: float = 10.0) -> bytes:
    """The slide's bytes; raises OSError (HTTP errors included) or ValueError (a checksum that differs)."""
    if not path.startswith("/api/v1/"):
        raise ValueError(f"not a hub path: {path!r}")
    req = urllib.request.Request(f"http://{host}:{http_port}{path}",
                                 headers={"Authorization": f"Bearer {device_id}:{secret}"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        data = r.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError("the answer is larger than any slide")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError("the bytes do not match the slide's SHA-256")
    return data


def decode_for_screen(data: bytes, screen: tuple[int, int]) -> tuple[tuple[int, int], bytes]:
    """The image as RGBA rows bottom-up (a texture's order), scaled down to fit `screen` with its
    proportions kept (never up: the screen scales a small one as it draws it). Done off the screen's
    thread, so a large photo never stalls the lobby, and a texture holds no more pixels than it can show.
    Raises OSError or ValueError for bytes that are not an image."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.thumbnail((max(1, screen[0]), max(1, screen[1])))
        rgba = img.convert("RGBA").transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        return rgba.size, rgba.tobytes()
