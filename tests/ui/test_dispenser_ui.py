"""The ticket dispenser as a citizen uses it: touches on the real app, a real hub, the printed PNG."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.ui.conftest import device_file, kiosk_run


def _tickets(hub) -> list[tuple]:
    return hub.hub.db.execute("SELECT number, service, priority FROM tickets ORDER BY id").fetchall()


def test_take_a_ticket_and_see_it_printed(hub, xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    printed = tmp_path / "printed"
    cfg = device_file(hub, "kiosk", hardware={"printer": {"type": "sim", "dir": str(printed)}})
    run = kiosk_run(xvfb, artifacts_dir, tmp_path, "dispenser", cfg, [
        {"wait": "field:tu-phap"}, {"screenshot": "dispenser-1-fields"},
        {"tap": "field:tu-phap"}, {"wait": "service:HT"}, {"screenshot": "dispenser-2-services"},
        {"tap": "service:HT"}, {"wait": "confirm"}, {"tap": "prio:elderly"}, {"wait": "confirm"},
        {"screenshot": "dispenser-3-confirm"},
        {"double_tap": "confirm"},  # an impatient finger: one ticket only
        {"wait": "number"}, {"state": "result"}, {"screenshot": "dispenser-4-number"},
        {"tap": "home"}, {"wait": "field:tu-phap"},
        {"tap": "hdr:lang"}, {"tap": "hdr:large"}, {"wait_text": ["title", "Please choose"]},
        {"state": "english"}, {"screenshot": "dispenser-5-english-large"},
    ])
    result = run.finish()
    shown = result["states"]["result"]
    assert shown["number"] == "1001"
    assert "Hộ tịch" in shown["service"]
    assert shown["ahead"] == "Không có ai chờ trước ông/bà"
    assert "nhận phiếu" in shown["instruction"]
    assert _tickets(hub) == [("1001", "HT", "elderly")], "a double tap must issue exactly one ticket"
    pngs = sorted(printed.glob("*.png"))
    assert len(pngs) == 1 and "1001" in pngs[0].name
    assert Image.open(pngs[0]).width == 576
    assert result["states"]["english"]["title"] == "Please choose a field"


def test_hub_down_then_printer_out(hub, xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    """What the citizen sees when the hub is unreachable (a retry gives one ticket), and when the printer
    has no paper (the number on screen, with what to do)."""
    import time

    from tests.support.hubproc import InProcessHub

    cfg = device_file(hub, "kiosk", hardware={"printer": {"type": "sim", "dir": str(tmp_path / "p"),
                                                          "state": "paper_out"},
                                              "screen": {"idle_timeout_s": 120}})
    run = kiosk_run(xvfb, artifacts_dir, tmp_path, "dispenser-failures", cfg, [
        {"wait": "field:tu-phap"}, {"tap": "field:tu-phap"}, {"wait": "service:CT"}, {"tap": "service:CT"},
        {"wait": "confirm"}, {"mark": "confirm"}, {"await": "down"},
        {"tap": "confirm"}, {"wait_text": ["error", "mất kết nối"], "timeout": 30}, {"state": "hub_down"},
        {"screenshot": "dispenser-6-hub-down"}, {"mark": "restart"}, {"await": "up"},
        {"tap": "confirm"}, {"wait": "number", "timeout": 30}, {"state": "paper_out"},
        {"screenshot": "dispenser-7-printer-out"},
    ])
    run.wait_mark("confirm")
    hub.thread.stop()
    run.go("down")
    run.wait_mark("restart")
    h2 = InProcessHub(hub.data, http_port=hub.http_port, mqtt_port=hub.mqtt_port).start()
    hub.thread = None
    try:
        deadline = time.monotonic() + 40
        while h2.hub.db.execute("SELECT status FROM devices WHERE role = 'kiosk'").fetchone()[0] != "online":
            assert time.monotonic() < deadline, "the kiosk never reconnected"
            time.sleep(0.2)
        run.go("up")
        result = run.finish()
        rows = h2.hub.db.execute("SELECT number, service FROM tickets").fetchall()
    finally:
        h2.stop()
    st = result["states"]
    assert "mất kết nối" in st["hub_down"]["error"] and "confirm" in st["hub_down"]
    assert st["paper_out"]["number"] == "2001"
    assert "hết giấy" in st["paper_out"]["instruction"] and "2001" in st["paper_out"]["instruction"]
    assert rows == [("2001", "CT")], "the retry after the hub came back gave exactly one ticket"


def test_idle_kiosk_returns_to_the_first_screen(hub, xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    cfg = device_file(hub, "kiosk", hardware={"printer": {"type": "sim", "dir": str(tmp_path / "p")},
                                              "screen": {"idle_timeout_s": 4}})
    run = kiosk_run(xvfb, artifacts_dir, tmp_path, "dispenser-idle", cfg, [
        {"wait": "field:tu-phap"}, {"tap": "hdr:lang"}, {"tap": "field:tu-phap"}, {"wait": "service:CT"},
        {"state": "left_alone"}, {"wait": "field:tu-phap", "timeout": 15}, {"state": "after_idle"},
    ])
    st = run.finish()["states"]
    assert "service:CT" in st["left_alone"] and st["left_alone"]["title"] == "Choose a service"
    assert st["after_idle"]["title"] == "Xin mời chọn lĩnh vực", "back home, and back in Vietnamese"


def test_without_the_hub_the_kiosk_says_it_is_connecting(xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    from motcua_core.device_config import DeviceConfig
    from tests.support.net import free_port

    cfg = DeviceConfig(device_id="demo-kiosk-09", secret="x", site="demo", role="kiosk", broker_port=free_port(),
                       data_dir=tmp_path / "state")
    path = tmp_path / "kiosk.json"
    cfg.save(path)
    run = kiosk_run(xvfb, artifacts_dir, tmp_path, "dispenser-no-hub", path, [
        {"wait_text": ["waiting", "Đang kết nối"]}, {"sleep": 1.0}, {"state": "waiting"},
        {"screenshot": "dispenser-0-connecting"},
    ])
    assert "Connecting" in run.finish()["states"]["waiting"]["waiting"]


def test_outside_ticket_hours_the_kiosk_says_when(xvfb, artifacts_dir: Path, tmp_path: Path) -> None:
    """Issue #13: at 06:05 the kiosk gives no ticket and tells the citizen the ticket hours."""
    import json

    from hub.cli.common import DEMO_SITE
    from tests.integration.test_dayone_queue import _at
    from tests.support.hubproc import InProcessHub, prepare

    site = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    site["site"]["ticket_hours"] = {"opens": "07:30", "last_ticket": "16:30", "weekdays": [0, 1, 2, 3, 4]}
    (tmp_path / "site.json").write_text(json.dumps(site, ensure_ascii=False), encoding="utf-8")
    prepare(tmp_path / "hub", tmp_path / "site.json")
    h = InProcessHub(tmp_path / "hub")
    _at(h, "06:05", weekday=2)
    h.start()
    try:
        cfg = device_file(h, "kiosk", hardware={"printer": {"type": "sim", "dir": str(tmp_path / "p")}})
        run = kiosk_run(xvfb, artifacts_dir, tmp_path, "dispenser-closed", cfg, [
            {"wait": "field:tu-phap"}, {"tap": "field:tu-phap"}, {"wait": "service:HT"}, {"tap": "service:HT"},
            {"wait": "confirm"}, {"tap": "confirm"}, {"wait_text": ["error", "Chưa đến giờ cấp số"]},
            {"state": "closed"}, {"screenshot": "dispenser-8-before-ticket-hours"},
            # A citizen who chose English reads the refusal in English: re-shown at the toggle, and
            # what the hub says to a second try in English.
            {"tap": "hdr:lang"}, {"wait_text": ["error", "It is not yet time"]}, {"state": "toggled"},
            {"tap": "confirm"}, {"sleep": 1.0}, {"wait": "error"}, {"state": "closed_en"},
            {"bounds": "closed_en"}, {"screenshot": "dispenser-8b-before-ticket-hours-english"},
        ])
        result = run.finish()
        states = result["states"]
        assert "Giờ cấp số: 07:30–16:30, Thứ Hai đến Thứ Sáu." in states["closed"]["error"]
        english = "It is not yet time for tickets. Ticket hours: 07:30–16:30, Monday to Friday."
        assert states["toggled"]["error"] == english
        assert states["closed_en"]["error"] == english and states["closed_en"]["title"] == "Confirm your ticket"
        error = result["bounds"]["closed_en"]["error"]
        assert error[4] <= error[2] + 1 and error[5] <= error[3] + 1, "the English refusal is cut off"
        assert _tickets(h) == []
    finally:
        h.stop()


def test_large_text_confirm_screen_shows_title_and_service_whole(hub, xvfb, artifacts_dir: Path,
                                                                  tmp_path: Path) -> None:
    """Issue #13: in large-text mode the confirm screen cut its title and the service name (and turning
    large text on crashed a confirm screen not yet shown)."""
    cfg = device_file(hub, "kiosk", hardware={"printer": {"type": "sim", "dir": str(tmp_path / "p")}})
    run = kiosk_run(xvfb, artifacts_dir, tmp_path, "dispenser-large", cfg, [
        {"wait": "field:tu-phap"}, {"tap": "hdr:large"}, {"wait": "field:tu-phap"},
        {"tap": "field:tu-phap"}, {"wait": "service:HT"}, {"tap": "service:HT"}, {"wait": "confirm"},
        {"sleep": 0.5}, {"bounds": "large"}, {"screenshot": "dispenser-9-confirm-large-text"},
        {"tap": "confirm"}, {"wait": "number"}, {"state": "issued"},
    ])
    result = run.finish()
    b = result["bounds"]["large"]
    _x, _y, _w, win_h = b["_window"][:4]
    header_bottom = b["hdr:large"][1]
    for tid in ("title", "service", "prio_title", "confirm", "back"):
        x, y, w, h, tw, th = b[tid][:6]
        assert y >= 0 and y + h <= header_bottom + 1, f"{tid} is cut or hidden: {b[tid]} (window {win_h})"
        assert tw <= w + 1 and th <= h + 1, f"{tid}'s text does not fit its box: {b[tid]}"
    assert result["states"]["issued"]["number"] == "1001"
