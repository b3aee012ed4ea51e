"""What an elderly citizen sees at the dispenser: one action colour, a choice marked by "✓" and words as
well as colour, text contrast of at least 4.5:1 on every rendered screen (measured on the screenshots),
large text that keeps its icons and never breaks a word, the waiting count and wait on each service,
and a field of one service that skips the screen of one button.

Screenshots: test-artifacts/kiosk/look-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

from counter_terminal.core import CounterCore
from kiosk.core import KioskCore
from tests.support.contrast import low_contrast
from tests.ui.conftest import device_file, kiosk_run

SCREENS = ["fields", "services", "confirm", "result", "fields-large", "services-large", "confirm-large"]


def _shot(name: str) -> list[dict]:
    return [{"sleep": 0.4}, {"bounds": name}, {"lines": name}, {"state": name}, {"screenshot": f"look-{name}"}]


def test_dispenser_is_readable_and_says_the_queue(hub, xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    for code in ("HT", "HT", "HT", "CT"):
        kiosk.issue_ticket(code)
    c1 = CounterCore(hub.device("counter", counter=1))
    c1.login("lan1", "1111")
    assert c1.next()["number"] == "1001"  # Quầy 1 open, serving; 1002 and 1003 wait
    cfg = device_file(hub, "kiosk", hardware={"printer": {"type": "sim", "dir": str(tmp_path / "printed")}})
    run = kiosk_run(xvfb, artifacts_dir, tmp_path, "look", cfg, [
        {"wait": "field:tu-phap"}, *_shot("fields"),
        {"tap": "field:tu-phap"}, {"wait_text": ["queue:HT", "2 người chờ"]}, *_shot("services"),
        {"tap": "service:HT"}, {"wait": "confirm"}, {"tap": "prio:elderly"}, {"wait_text": ["prio:elderly", "đã chọn"]},
        *_shot("confirm"),
        {"tap": "confirm"}, {"wait": "number"}, *_shot("result"),
        {"tap": "home"}, {"wait": "field:tu-phap"}, {"tap": "hdr:large"}, {"wait_text": ["hdr:large", "Chữ thường"]},
        *_shot("fields-large"),
        {"tap": "field:lao-dong"}, {"wait": "confirm"}, {"state": "one-service"}, {"tap": "back"},
        {"wait": "field:tu-phap"}, {"tap": "hdr:large"}, {"wait_text": ["hdr:large", "Chữ to"]},
        {"tap": "hdr:large"}, {"wait_text": ["hdr:large", "Chữ thường"]},
        {"tap": "field:tu-phap"}, {"wait": "service:HT"}, *_shot("services-large"),
        {"tap": "service:CT"}, {"wait": "confirm"}, {"tap": "prio:elderly"},
        {"wait_text": ["prio:elderly", "đã chọn"]}, *_shot("confirm-large"),
    ])
    result = run.finish()
    st, bounds, lines = result["states"], result["bounds"], result["lines"]
    art = artifacts_dir / "kiosk"

    # The queue on each service's button: people waiting and the wait now (Quầy 1 open for Hộ tịch).
    assert re.fullmatch(r"2 người chờ · khoảng \d+ phút", st["services"]["queue:HT"])
    assert st["services"]["queue:CT"] == "1 người chờ · chưa có quầy mở"
    # A choice is said in words and marked, not only coloured.
    assert st["confirm"]["prio:elderly"] == "Người cao tuổi (từ 60 tuổi) — đã chọn"
    assert "\u2713" in lines["confirm"]["prio:elderly"][0]
    assert "đã chọn" not in st["confirm"]["prio:none"]
    # A field of one service (Lao động) goes straight to its confirmation.
    assert "Lao động" in st["one-service"]["service"] and "confirm" in st["one-service"]
    # Large text keeps the icons and breaks lines only between words.
    for name in ("fields-large", "services-large"):
        buttons = {tid: v for tid, v in lines[name].items() if tid.startswith(("field:", "service:"))}
        assert buttons and all("[font=" in raw for raw, _ in buttons.values()), f"{name}: an icon was dropped"
    for name in SCREENS:
        for tid, (raw, drawn) in lines[name].items():
            plain = " ".join(re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", raw).split())
            rejoined = " ".join(" ".join(re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", d).split()) for d in drawn)
            assert not drawn or rejoined == plain, f"{name}/{tid}: a word was broken across lines: {drawn!r}"
    # Contrast of every text on every screen, measured on the screenshot.
    for name in SCREENS:
        low = low_contrast(art / f"look-{name}.png", bounds[name])
        assert not low, f"{name}: text under 4.5:1 contrast: {low}"


def test_procedure_page_says_where_to_submit_and_gives_a_number(hub, xvfb, artifacts_dir: Path,
                                                               tmp_path: Path) -> None:
    """The citizen who has read what to bring for "Đăng ký khai sinh" sees which counters take it and
    takes a number on the same kiosk, printed there."""
    from tests.ui.test_lookup_ui import _load_catalogue

    _load_catalogue(hub)
    for number, who in ((1, ("lan1", "1111")), (8, ("anh8", "8888"))):
        c = CounterCore(hub.device("counter", counter=number))
        c.login(*who)
        c.next()  # open (nobody waiting yet)
    printed = tmp_path / "printed"
    cfg = device_file(hub, "lookup", hardware={"printer": {"type": "sim", "dir": str(printed)}})
    run = kiosk_run(xvfb, artifacts_dir, tmp_path, "look-lookup", cfg, [
        {"wait_text": ["status", "Gõ tên thủ tục"]}, {"keys": "khai sinh"},
        {"wait_text": ["result:0", "Đăng ký khai sinh"]}, {"tap": "result:0"},
        {"wait_text": ["submit_at", "Quầy 8"]}, {"sleep": 0.3}, {"state": "procedure"}, {"bounds": "procedure"},
        {"screenshot": "look-procedure-take-number"},
        {"tap": "take_number"}, {"wait": "confirm"}, {"tap": "confirm"}, {"wait": "number"}, {"state": "result"},
        {"screenshot": "look-procedure-number"},
    ])
    result = run.finish()
    st = result["states"]
    assert st["procedure"]["submit_at"] == "Nộp hồ sơ tại: Quầy 1, Quầy 8"
    assert st["procedure"]["take_number"] == "Lấy số"
    assert st["result"]["number"] == "1001" and "Hộ tịch" in st["result"]["service"]
    assert len(list(printed.glob("*1001*.png"))) == 1, "the ticket is printed at the lookup kiosk"
    low = low_contrast(artifacts_dir / "kiosk" / "look-procedure-take-number.png", result["bounds"]["procedure"])
    assert not low, low
