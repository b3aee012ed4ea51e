"""The lobby's notices in turn and its image slide, over a real hub: the second notice follows the first,
the image slide takes the counters' place after them (letter-boxed, caption inside its box) and gives it
back at once when a citizen is called, a notice retired in the console leaves the screen, and a slide the display cannot get (its bytes no
longer match the checksum the state names) leaves the notices going and the counters on screen.

Screenshots: test-artifacts/display/lobby-notice-2.png, lobby-slide.png, lobby-slide-unreachable.png.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from PIL import Image, ImageDraw

from hub.cli.common import DEMO_SITE
from tests.support.hubproc import InProcessHub
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file

SECOND = "Tháng này bộ phận một cửa tiếp nhận hồ sơ cả sáng thứ Bảy."
CAPTION = "Sơ đồ các quầy tại bộ phận một cửa"
# Notice pages of 3 s (the lobby's setting `hardware.screen.page_s`, 6 s by default): a slide comes after
# three notices, so the tests reach it in about 9 s instead of 18.
FAST_PAGES = {"screen": {"page_s": 3}}


def on_hub(hub: InProcessHub, op) -> dict:  # noqa: ANN001
    """An administrator's operation, run by the hub's own runner on its loop (its connection lives there)."""
    async def run() -> dict:
        return hub.hub.runner.run("demo", op)
    return asyncio.run_coroutine_threadsafe(run(), hub.thread.loop).result(20)


def poster(w: int = 1600, h: int = 900) -> bytes:
    """A 16:9 picture with a frame and a circle: stretched, the circle would be an ellipse."""
    img = Image.new("RGB", (w, h), (245, 245, 240))
    d = ImageDraw.Draw(img)
    d.rectangle([8, 8, w - 9, h - 9], outline=(10, 92, 138), width=16)
    d.ellipse([w // 2 - h // 3, h // 6, w // 2 + h // 3, h // 6 + 2 * h // 3], fill=(200, 40, 40))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def add_media(hub: InProcessHub, image: bytes, portrait: bool = False) -> dict:
    from hub.domain.lobby_media import check_image
    from hub.ops import lobby_media

    second = on_hub(hub, lambda ctx: lobby_media.save_notice(ctx, {"text": SECOND}))["notice"]
    pic = check_image(image)
    slide = on_hub(hub, lambda ctx: lobby_media.add_image(ctx, pic, CAPTION))["image"]
    return {"second": second, "slide": slide}


def first_notice() -> str:
    return json.loads(DEMO_SITE.read_text(encoding="utf-8"))["site"]["notice"]


def test_notices_in_turn_then_the_image_slide_and_a_retired_notice_leaves(hub: InProcessHub, xvfb, artifacts_dir: Path,
                                                                         tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from counter_terminal.core import CounterCore
    from kiosk.core import KioskCore

    # Slides of 30 s: the counters coming back within 15 s of the call can only be the call ending the
    # slide, and a loaded machine still has the time to deliver the call.
    monkeypatch.setattr("hub.domain.lobby_media.SLIDE_S", 30)
    media = add_media(hub, poster())
    KioskCore(hub.device("kiosk")).issue_ticket("HT")
    counter = CounterCore(hub.device("counter", counter=1))
    counter.login("lan1", "1111")
    config = device_file(hub, "display")
    run = KivyRun("display_controller.app:make_test_app", [str(config), json.dumps(FAST_PAGES)], [
        {"wait_text": ["notice", first_notice()[:20]]}, {"state": "first"},
        {"wait_text": ["notice", SECOND[:20]], "timeout": 40}, {"state": "second"},
        {"screenshot": "lobby-notice-2"},
        {"wait": "slide:caption", "timeout": 40}, {"sleep": 0.5}, {"state": "slide"}, {"bounds": "slide"},
        {"screenshot": "lobby-slide"},
        {"mark": "call"}, {"await": "called"},
        # a call ends the slide at once (it would stay 30 s): the citizen sees where to go
        {"wait_text": ["counter:1", "1001"], "timeout": 15}, {"state": "after"},
        {"mark": "retire"}, {"await": "retired"},
        {"sleep": 8}, {"state": "later"},
    ], xvfb.env(), artifacts_dir / "display", tmp_path / "ui", size=(1280, 720), timeout=240).start()
    run.wait_mark("call", timeout=150)
    assert counter.next()["number"] == "1001"
    run.go("called")
    run.wait_mark("retire", timeout=30)
    from hub.ops import lobby_media

    on_hub(hub, lambda ctx: lobby_media.retire_notice(ctx, {"id": media["second"]["id"]}))
    run.go("retired")
    result = run.finish()
    states, b = result["states"], result["bounds"]["slide"]
    assert states["first"]["notice"] in first_notice()
    assert states["second"]["notice"] == SECOND and "counter:1" in states["second"]
    # The slide in the counters' place, the notice line still below it, the caption whole.
    slide = states["slide"]
    assert slide["slide:caption"] == CAPTION and "counter:1" not in slide and slide["notice"]
    assert slide["slide:image"] == media["slide"]["sha256"]
    x, y, w, h, dw, dh, _ = b["slide:image"]
    assert dw <= w + 0.5 and dh <= h + 0.5 and (abs(dw - w) < 1 or abs(dh - h) < 1), "not letter-boxed"
    assert abs(dw / dh - 1600 / 900) < 0.01, "the image is stretched"
    cx, cy, cw, ch, ctw, cth, cpx = b["slide:caption"]
    assert ctw <= cw + 0.5 and cth <= ch + 0.5 and cpx >= 0.03 * 720
    # A call brought the counters back; the retired notice is gone from the screen for good.
    assert "counter:1" in states["after"] and "slide:caption" not in states["after"]
    assert states["later"]["notice"] in first_notice()


def test_a_slide_the_display_cannot_fetch_leaves_the_notices_going(hub: InProcessHub, xvfb, artifacts_dir: Path,
                                                                  tmp_path: Path) -> None:
    media = add_media(hub, poster())
    # The stored bytes no longer match the checksum the state names (a damaged copy): the display
    # refuses them, as it would an answer it cannot get.
    on_hub(hub, lambda ctx: ctx.db.execute("UPDATE lobby_images SET data = ? WHERE site_id = 'demo' AND id = ?",
                                           [poster(800, 600), media["slide"]["id"]]))
    config = device_file(hub, "display")
    run = KivyRun("display_controller.app:make_test_app", [str(config), json.dumps(FAST_PAGES)], [
        {"wait_text": ["notice", first_notice()[:20]]},
        {"wait_text": ["notice", SECOND[:20]], "timeout": 40},
        {"wait_text": ["notice", first_notice()[:20]], "timeout": 40},
        {"wait_text": ["notice", SECOND[:20]], "timeout": 40},  # past the point a slide would have shown
        {"sleep": 0.5}, {"state": "s"}, {"screenshot": "lobby-slide-unreachable"},
    ], xvfb.env(), artifacts_dir / "display", tmp_path / "ui", size=(1280, 720), timeout=200).start()
    s = run.finish()["states"]["s"]
    assert "slide:caption" not in s and s["counter:1"] and s["notice"] == SECOND
