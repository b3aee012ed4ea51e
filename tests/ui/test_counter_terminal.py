"""The counter terminal at 800×480 on Xvfb: sign in, call, recall, transfer, done, hub loss.

Real hub, real broker, the real Kivy app in its own process; screenshots in test-artifacts/counter/.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub
from tests.support.kivyrun import KivyRun
from tests.ui.conftest import device_file


def _run(xvfb, artifacts_dir: Path, tmp_path: Path, config: Path, steps: list[dict]) -> KivyRun:
    return KivyRun("counter_terminal.app:make_test_app", [str(config)], steps, xvfb.env(), artifacts_dir / "counter",
                   tmp_path / "ui-counter", size=(800, 480), timeout=180).start()


def test_officer_day_at_the_counter(hub: InProcessHub, xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    for service in ("HT", "HT", "CT"):
        kiosk.issue_ticket(service)
    config = device_file(hub, "counter", counter=2)  # Quầy 2 serves HT and CT
    run = _run(xvfb, artifacts_dir, tmp_path, config, [
        {"wait_text": ["title", "Quầy 2"]},
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "9999"}, {"tap": "login"},
        {"wait_text": ["message", "không đúng"]},
        {"screenshot": "counter-login-wrong-pin"},
        {"tap": "pin"}, {"taps": ["key:del"] * 4}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"wait_text": ["waiting", "Hộ tịch: 2 người chờ"]},
        {"tap": "act:next"},
        {"wait_text": ["current", "1001"]},
        {"wait_text": ["waiting", "Hộ tịch: 1 người chờ"]},
        {"screenshot": "counter-serving"},
        {"state": "serving"},
        {"tap": "act:recall"}, {"wait_text": ["message", "Đã gọi lại số 1001"]},
        {"tap": "act:done"}, {"wait_text": ["message", "Đã hoàn thành số 1001"]},
        {"wait_text": ["today", "1 đã xong"]},
        {"tap": "act:skip"}, {"wait_text": ["message", "Quầy chưa gọi số nào"]},
        {"tap": "act:next"}, {"wait_text": ["current", "1002"]},
        {"tap": "act:transfer"}, {"wait": "to_service:CT"},
        {"screenshot": "counter-transfer"},
        {"tap": "to_counter:3"}, {"wait_text": ["message", "Quầy 3 đang đóng"]},  # issue #13: warned
        {"screenshot": "counter-transfer-closed-warning"},
        {"tap": "act:transfer"}, {"wait_text": ["to_counter:3", "vẫn chuyển"]}, {"tap": "to_counter:3"},
        {"wait_text": ["message", "sang quầy 3"]},
        {"wait_text": ["current", "—"]},
        {"tap": "act:next"}, {"wait_text": ["current", "2001"]},
        {"mark": "hub_down"}, {"await": "go_on"},
        {"wait_text": ["online", "MẤT KẾT NỐI"]},
        {"tap": "act:next"}, {"wait_text": ["message", "Mất kết nối với máy chủ"]},
        {"tap": "act:done"}, {"wait_text": ["message", "sẽ gửi lên máy chủ khi có kết nối"]},
        {"screenshot": "counter-offline"},
        {"state": "offline"},
    ])
    run.wait_mark("hub_down")
    hub.thread.stop()  # the hub and its broker go away
    hub.thread = None
    run.go("go_on")
    result = run.finish()
    serving = result["states"]["serving"]
    assert serving["current"] == "1001" and serving["current_service"] == "Hộ tịch"
    assert "Nguyễn Thị Lan" in serving["header"] and "Quầy 2" in serving["header"]
    offline = result["states"]["offline"]
    assert offline["online"] == "MẤT KẾT NỐI" and offline["current"] == "—"
    for name in ("counter-serving", "counter-transfer", "counter-offline", "counter-login-wrong-pin"):
        assert (artifacts_dir / "counter" / f"{name}.png").is_file()


def test_revoked_terminal_says_so_on_its_login_screen(hub: InProcessHub, xvfb, artifacts_dir: Path,
                                                      tmp_path: Path) -> None:
    """Issue #13: a revoked (or re-keyed) terminal sat on its login screen with no message."""
    import asyncio

    from hub.store import devices as device_store
    from hub.store.db import transaction
    from motcua_core.device_config import DeviceConfig

    config = device_file(hub, "counter", counter=1)
    device_id = DeviceConfig.load(config).device_id

    def revoke() -> None:
        with transaction(hub.hub.db):
            device_store.revoke(hub.hub.db, device_id, 0.0)
    hub.thread.loop.call_soon_threadsafe(revoke)
    asyncio.run_coroutine_threadsafe(hub.hub.sync_registry(), hub.thread.loop).result(10)
    run = _run(xvfb, artifacts_dir, tmp_path, config, [
        {"wait_text": ["message", "Máy chủ từ chối thiết bị này"], "timeout": 30},
        {"screenshot": "counter-revoked"}, {"state": "revoked"},
    ])
    shown = run.finish()["states"]["revoked"]
    assert "báo kỹ thuật viên" in shown["message"]


def test_intake_names_typed_on_the_touch_screen_keyboard(hub: InProcessHub, xvfb, artifacts_dir: Path,
                                                         tmp_path: Path) -> None:
    """Issue #13: a counter touch screen has no Vietnamese input method; the on-screen keyboard (the
    kiosk's) types names and addresses with their diacritics."""
    config = device_file(hub, "counter", counter=1)
    name = ["key:n", "key:g", "key:u", "key:y", "key:ê", "key:ngã", "key:n", "key:space", "key:v", "key:ă",
            "key:n", "key:space", "key:a", "key:n"]
    address = ["key:s", "key:ô", "key:sắc", "key:space", "key:1", "key:2", "key:space", "key:l", "key:ê",
               "key:space", "key:l", "key:ơ", "key:nặng", "key:i"]
    run = _run(xvfb, artifacts_dir, tmp_path, config, [
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["header", "Nguyễn Thị Lan"]},
        {"tap": "open:intake"}, {"wait": "intake_keyboard"}, {"tap": "intake_keyboard"}, {"wait": "key:ngã"},
        {"taps": name, "gap": 0.05}, {"wait_text": ["kbd_preview", "Nguyễn Văn An"]},
        {"tap": "kbd_field:address"}, {"taps": address, "gap": 0.05}, {"wait_text": ["kbd_preview", "Số 12 Lê Lợi"]},
        {"screenshot": "counter-intake-touch-keyboard"},
        {"tap": "kbd_done"}, {"wait_gone": "key:ngã"}, {"state": "typed"},
        {"screenshot": "counter-intake-typed"},
    ])
    typed = run.finish()["states"]["typed"]
    assert typed["intake_name"] == "Nguyễn Văn An" and typed["intake_address"] == "Số 12 Lê Lợi"


ACTIONS_EN = {"act:next": "Call next", "act:recall": "Recall", "act:skip": "No-show", "act:done": "Done",
              "act:hold": "Hold", "act:resume": "Resume held", "act:transfer": "Transfer", "act:pause": "Pause counter"}
ACTIONS_VI = {"act:next": "Gọi số tiếp", "act:recall": "Gọi lại", "act:skip": "Vắng mặt", "act:done": "Hoàn thành",
              "act:hold": "Tạm giữ", "act:resume": "Tiếp tục số giữ", "act:transfer": "Chuyển",
              "act:pause": "Tạm dừng quầy"}


def _vietnamese_words(state: dict[str, str], data: tuple[str, ...] = ()) -> dict[str, str]:
    """The texts on an English screen that still hold Vietnamese letters, once the data that is
    Vietnamese whatever the language (an officer's name, the toggle's "Tiếng Việt") is set aside."""
    out = {}
    for tid, text in state.items():
        for d in data:
            text = text.replace(d, "")
        if tid != "lang" and any(ch.isalpha() and not ch.isascii() for ch in text):
            out[tid] = text
    return out


def _cut_off(bounds: dict[str, list[float]]) -> dict[str, list[float]]:
    """Widgets whose text is wider or taller than the widget (cut off on the screen)."""
    return {tid: b for tid, b in bounds.items()
            if tid != "_window" and b[2] > 0 and (b[4] > b[2] + 1 or b[5] > b[3] + 1)}


def test_counter_in_english(hub: InProcessHub, xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    """Issue #13: the counter had no English option. The toggle switches every word at once — buttons,
    results, the hub's refusals, the dossier screens — and back; the device config can start it in English."""
    kiosk = KioskCore(hub.device("kiosk"))
    kiosk.issue_ticket("HT")
    config = device_file(hub, "counter", counter=2)
    run = _run(xvfb, artifacts_dir, tmp_path, config, [
        {"wait_text": ["title", "Quầy 2 — Đăng nhập cán bộ"]}, {"wait_text": ["lang", "English"]},
        {"tap": "lang"}, {"wait_text": ["title", "Counter 2 — Officer sign-in"]},
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "9999"}, {"tap": "login"},
        {"wait_text": ["message", "The username or PIN is wrong."]},  # the hub's refusal, in English
        {"state": "login"}, {"bounds": "login"}, {"screenshot": "counter-en-login"},
        {"tap": "pin"}, {"taps": ["key:del"] * 4}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["message", "Hello, Nguyễn Thị Lan."]},
        {"wait_text": ["waiting", "Civil status: 1 waiting"]},
        {"tap": "act:next"}, {"wait_text": ["message", "Calling number 1001 (Civil status)."]},
        {"tap": "act:transfer"}, {"wait": "to_counter:3"}, {"state": "transfer"},
        {"screenshot": "counter-en-transfer"},
        {"tap": "to_counter:3"}, {"wait_text": ["message", "Counter 3 is closed"]},
        {"state": "serve"}, {"bounds": "serve"}, {"screenshot": "counter-en-serving"},
        {"tap": "act:transfer"}, {"wait_text": ["to_counter:3", "transfer anyway"]}, {"state": "transfer_again"},
        {"tap": "transfer_cancel"}, {"wait_gone": "transfer_cancel"},
        {"tap": "open:intake"}, {"wait_text": ["intake_header", "Dossier intake — number 1001"]},
        {"text": ["intake_search", "zzqqxx"], "enter": True},
        {"wait_text": ["intake_message", "No matching procedure."]},
        {"state": "intake"}, {"bounds": "intake"}, {"screenshot": "counter-en-intake"},
        {"tap": "intake_back"}, {"wait": "act:next"},
        {"tap": "open:return"}, {"text": ["return_code", "12345"], "enter": True},
        {"wait_text": ["return_message", "Not a dossier code"]},
        {"state": "return"}, {"bounds": "return"}, {"screenshot": "counter-en-return"},
        {"tap": "return_back"}, {"wait": "act:next"},
        {"tap": "lang"}, {"wait_text": ["act:next", "Gọi số tiếp"]},
        {"wait_text": ["message", "Quầy 3 đang đóng"]},  # the same refusal, shown again in Vietnamese
        {"state": "serve_vi"}, {"bounds": "serve_vi"}, {"screenshot": "counter-en-back-to-vi"},
    ])
    result = run.finish()
    states, bounds = result["states"], result["bounds"]
    login = states["login"]
    assert (login["lang"], login["login"], login["key:del"]) == ("Tiếng Việt", "Sign in", "Del")
    assert login["message"] == "The username or PIN is wrong."
    serve = states["serve"]
    assert {tid: serve[tid] for tid in ACTIONS_EN} == ACTIONS_EN
    assert (serve["open:intake"], serve["open:return"], serve["logout"], serve["online"], serve["serving"]) == \
        ("Intake", "Return", "Sign out", "Connected", "Now serving")
    assert serve["header"] == "Counter 2 · Nguyễn Thị Lan · open"
    assert serve["current_service"] == "Civil status" and serve["today"] == "Today: 0 done · 0 absent"
    # The whole Vietnamese warning, hint included: a second tap on the counter transfers anyway.
    assert serve["message"] == ("Counter 3 is closed: the citizen would wait at a counter where no one serves "
                                "them. Choose another counter, or choose this one again to transfer anyway.")
    assert states["transfer_again"]["to_counter:3"] == "Counter 3 (transfer anyway)"
    assert states["transfer"]["transfer_title"] == "Transfer the citizen to"
    assert states["transfer"]["to_service:CT"] == "Certification of copies"
    assert states["intake"]["intake_submit"] == "Take in" and states["intake"]["intake_label:name"] == "Full name"
    assert states["return"]["return_submit"] == "Return result"
    for name in ("login", "transfer", "serve", "transfer_again", "intake", "return"):
        assert _vietnamese_words(states[name], ("Nguyễn Thị Lan",)) == {}, f"Vietnamese left on the {name} screen"
    for name in ("login", "serve", "intake", "return", "serve_vi"):
        assert _cut_off(bounds[name]) == {}, f"text cut off on the {name} screen"
    back = states["serve_vi"]
    assert {tid: back[tid] for tid in ACTIONS_VI} == ACTIONS_VI
    assert back["lang"] == "English" and back["header"] == "Quầy 2 · Nguyễn Thị Lan · đang mở"
    assert back["message"].startswith("Quầy 3 đang đóng")


def test_counter_configured_in_english_starts_in_english(hub: InProcessHub, xvfb, artifacts_dir: Path,
                                                         tmp_path: Path) -> None:
    """The device config's `language` chooses the screen's language from the start."""
    from motcua_core.device_config import DeviceConfig

    path = device_file(hub, "counter", counter=1)
    cfg = DeviceConfig.load(path)
    cfg.language = "en"
    cfg.save(path)
    run = _run(xvfb, artifacts_dir, tmp_path, path, [
        {"wait_text": ["title", "Counter 1 — Officer sign-in"]}, {"state": "login"},
        {"keys": "lan1"}, {"tap": "pin"}, {"keys": "1111"}, {"tap": "login"},
        {"wait_text": ["message", "Hello, Nguyễn Thị Lan."]}, {"state": "serve"},
    ])
    states = run.finish()["states"]
    login = states["login"]
    assert (login["lang"], login["login"], login["username"], login["pin"]) == ("Tiếng Việt", "Sign in", "Username", "PIN")
    assert login["message"] == "Type your username and PIN, or scan your officer badge."
    assert {tid: states["serve"][tid] for tid in ACTIONS_EN} == ACTIONS_EN
