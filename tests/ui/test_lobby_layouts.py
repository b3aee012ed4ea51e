"""The lobby at every screen it supports (1280×720, 1920×1080, 3840×2160 and portrait 1080×1920), all
eight counters open, the two last ones calling the longest service name of the demo site: every text
inside its box, no two boxes over each other, nothing smaller than 3 % of the screen height; then, after
the site's two notices, its image slide in the counters' place under the same checks, the image
letter-boxed with its own proportions.

Screenshots: test-artifacts/display/lobby-layout-<w>x<h>.png, lobby-slide-<w>x<h>.png.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from counter_terminal.core import CounterCore
from display_controller.layout import MIN_SHARE
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub
from tests.support.kivyrun import KivyRun
from tests.support.xvfb import Xvfb
from tests.ui.conftest import device_file
from tests.ui.test_lobby_slides import CAPTION, FAST_PAGES, add_media, poster

SIZES = [(1280, 720), (1920, 1080), (3840, 2160), (1080, 1920)]
OFFICERS = [("lan1", "1111"), ("hung2", "2222"), ("trang3", "3333"), ("bao4", "4444"), ("duc5", "5555"),
            ("huong6", "6666"), ("tuan7", "7777"), ("anh8", "8888")]


@pytest.fixture(scope="module")
def big_screen():
    """An X screen large enough for a 4K or portrait lobby (the shared one is 1280×800)."""
    screen = Xvfb(3840, 2160)
    screen.start()
    yield screen
    screen.stop()


LONG_NAME = "Lao động – Thương binh và Xã hội"  # a long agency-style name, as offices have


def _rename_service(hub: InProcessHub, code: str, name: str) -> None:
    """The administrator's own operation, run on the hub's loop (its database connection lives there)."""
    import asyncio

    from hub.ops import admin

    async def run() -> None:
        hub.hub.runner.run("demo", lambda ctx: admin.save_service(
            ctx, {"code": code, "name": name, "field": "lao-dong", "start": 7001, "end": 7999}))
    asyncio.run_coroutine_threadsafe(run(), hub.thread.loop).result(10)


@pytest.fixture
def busy_office(hub: InProcessHub) -> dict:
    """Every counter open and serving; counters 7 and 8 call a service with a long name."""
    _rename_service(hub, "LD", LONG_NAME)
    kiosk = KioskCore(hub.device("kiosk"))
    longest = "LD"
    for code in (longest, longest, "HT", "CT", "DD", "DD", "XD", "KD", "NV", "VH", "HT", "CT"):
        kiosk.issue_ticket(code)
    called = {}
    for number in (7, 8, 1, 2, 3, 4, 5, 6):
        c = CounterCore(hub.device("counter", counter=number))
        c.login(*OFFICERS[number - 1])
        called[number] = c.next()["number"]
    return {"called": called, **add_media(hub, poster())}


def _overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] + 1 < b[0] + b[2] and b[0] + 1 < a[0] + a[2] and a[1] + 1 < b[1] + b[3] and b[1] + 1 < a[1] + a[3]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_lobby_fits_every_screen(hub: InProcessHub, busy_office: dict, big_screen: Xvfb, artifacts_dir: Path,
                                 tmp_path: Path, size: tuple[int, int]) -> None:
    w, h = size
    config = device_file(hub, "display")
    run = KivyRun("display_controller.app:make_test_app", [str(config), json.dumps(FAST_PAGES)], [
        {"wait_text": ["counter:8", busy_office["called"][8]]},
        {"wait_text": ["counter:6", busy_office["called"][6]]},
        {"wait_text": ["board", "Đang chờ"]},
        {"sleep": 1.0},
        {"state": "s"}, {"bounds": "b"},
        {"screenshot": f"lobby-layout-{w}x{h}"},
        {"wait": "slide:caption", "timeout": 60}, {"sleep": 0.5}, {"state": "slide"}, {"bounds": "sb"},
        {"screenshot": f"lobby-slide-{w}x{h}"},
    ], big_screen.env(), artifacts_dir / "display", tmp_path / "ui", size=size, timeout=210).start()
    result = run.finish()
    _fits(result["states"]["s"], result["bounds"]["b"], w, h)
    slide, sb = result["states"]["slide"], result["bounds"]["sb"]
    assert slide["slide:caption"] == CAPTION and slide["slide:image"] == busy_office["slide"]["sha256"]
    _fits(slide, sb, w, h, slide=True)
    x, y, bw, bh, dw, dh, _ = sb["slide:image"]
    assert dw <= bw + 0.5 and dh <= bh + 0.5 and (abs(dw - bw) < 1 or abs(dh - bh) < 1), "not letter-boxed"
    assert abs(dw / dh - 16 / 9) < 0.01, "the image is stretched"
    assert bh >= 0.4 * h, "the slide takes the counters' place, not a corner"


def _fits(state: dict, bounds: dict, w: int, h: int, slide: bool = False) -> None:
    assert bounds["_window"][2:4] == [w, h]
    if not slide:  # the name, whatever is drawn
        assert state["service:7"] == LONG_NAME and state["service:8"] == LONG_NAME
    labels = {tid: b for tid, b in bounds.items() if tid != "_window" and b[6] > 0}
    want = {"site", "date", "clock", "newest", "notice"} | (
        {"slide:caption"} if slide else {"counter:1", "service:8", "waiting:0:name"})
    assert want <= set(labels), want - set(labels)
    cut = {tid: b for tid, b in labels.items() if b[4] > b[2] + 0.5 or b[5] > b[3] + 0.5}
    assert not cut, f"text wider or taller than its box: {cut}"
    small = {tid: b[6] for tid, b in labels.items() if b[6] < MIN_SHARE * h}
    assert not small, f"text under 3 % of the screen height ({MIN_SHARE * h:.1f} px): {small}"
    outside = {tid for tid, b in labels.items() if b[0] < -0.5 or b[1] < -0.5 or b[0] + b[2] > w + 0.5
               or b[1] + b[3] > h + 0.5}
    assert not outside, f"off the screen: {outside}"
    boxes = sorted(labels.items())
    over = [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:] if _overlaps(ba, bb)]
    assert not over, f"boxes drawn over each other: {over}"
    assert state["notice"].rstrip().endswith((".", "!", "?", "…")), "a notice page ends mid-sentence"
    if slide:
        return
    slots = [t for t in bounds if t.startswith("waiting:") and t.endswith(":name")]
    assert len(slots) >= 4, "the waiting panel has room for too few services to be worth its space"
