"""The province's down streams between hellos, and a centre's side of releases (docs/province.md, "Down").

At the province, `Pusher` remembers what each centre's last hello said it holds and, a few times a second,
sends what was published or appended since (catalogue pages, held dossiers' events, publications) without
waiting for the next hello; the hello stays the catch-up path after a cut or a lost message.

At a centre, `fetch_releases` downloads the files of the releases a page announces from the provincial
hub (HTTP, the centre's own sync credentials), checks their SHA-256 and puts them in the centre's releases
folder — from there its devices' updater (provisioning/update.py) installs them — before the page is
applied; a download that fails stops the page there, and the next hello sends it again."""

from __future__ import annotations

import base64
import hashlib
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from hub.ops import releases, sync_down, sync_route
from hub.ops import sync as ops
from hub.ops.context import Ctx

log = logging.getLogger("motcua.hub.sync")

PUSH_EVERY_S = 0.5
KNOWN_FOR_S = 60.0  # a centre whose hello is older than this is not pushed to (it is cut off)


class Pusher:
    """Per centre: the marks its last hello gave, and the streams' tops when it was last sent to."""

    def __init__(self) -> None:
        self.hellos: dict[str, tuple[float, dict]] = {}  # centre → (when, hello)
        self.pushed: dict[str, tuple] = {}  # centre → the tops when it was last answered or pushed to
        self._last = 0.0

    def heard(self, centre: str, hello: dict, tops: tuple) -> None:
        """A hello was answered with everything above its marks, as of `tops`."""
        self.hellos[centre] = (time.monotonic(), hello)
        self.pushed[centre] = tops

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < PUSH_EVERY_S:
            return False
        self._last = now
        return True

    def push(self, tops: tuple, pages_for: Callable[[str, dict], list[dict]],
             send: Callable[[str, dict], None]) -> int:
        """Send each centre heard recently what was published since it was last sent to, from the marks of
        its last hello (it says hello again as soon as it applied a page, so those are current); returns the
        number of messages sent."""
        now = time.monotonic()
        sent = 0
        for centre, (at, hello) in list(self.hellos.items()):
            if now - at > KNOWN_FOR_S or self.pushed.get(centre) == tops:
                continue
            for page in pages_for(centre, hello):
                send(centre, page)
                sent += 1
            self.pushed[centre] = tops
        return sent


def pages_for(ctx: Ctx, centre: str, hello: dict) -> list[dict]:
    """Everything above the marks a centre's hello gave: catalogue pages, held dossiers' events,
    publications."""
    return (ops.catalogue_for(ctx, centre, hello) + ops.down_for(ctx, centre, hello)
            + sync_route.directory_for(ctx, centre, hello) + sync_down.docs_for(ctx, centre, hello))


def fetch_releases(link: dict, data_dir: Path, rows: list[dict]) -> list[dict]:
    """The rows of a page that can be applied now: each release's file fetched (or already here with the
    same SHA-256) into the centre's releases folder; the rows from a failed download on are left for the
    next hello."""
    for i, row in enumerate(rows):
        if row.get("kind") != "release":
            continue
        body = row.get("body") or {}
        try:
            _fetch(link, data_dir, body)
        except (OSError, ValueError, urllib.error.URLError) as exc:
            log.warning("sync: release %s %s not fetched from the province: %s", body.get("package"),
                        body.get("version"), exc)
            return rows[:i]
    return rows


def _fetch(link: dict, data_dir: Path, body: dict) -> None:
    name = str(body.get("file") or "")
    if not name or "/" in name or releases.parse_name(name) is None:
        raise ValueError(f"bad release file name {name!r}")
    folder = releases.releases_dir(data_dir)
    target = folder / name
    if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == body.get("sha256"):
        return
    hub = str(link.get("hub") or "").rstrip("/")
    auth = base64.b64encode(f"{link['username']}:{link['password']}".encode()).decode()
    req = urllib.request.Request(f"{hub}/api/v1/province/releases/{name}", headers={"Authorization": f"Basic {auth}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != body.get("sha256"):
        raise ValueError(f"{name}: SHA-256 differs from the announcement")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.part"
    tmp.write_bytes(data)
    tmp.replace(target)
    (folder / "package").write_text(releases.parse_name(name)[0])  # the package the devices run
