"""The counter terminal's behaviour without a screen: badge reader, indicator, one action at a time."""

from __future__ import annotations

import time

from counter_terminal import words
from counter_terminal.controller import CounterController
from counter_terminal.core import CounterCore
from devicekit.drivers.gpio import Keypad
from devicekit.drivers.scanner import SerialScanner
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub


def _until(pred, timeout: float = 30.0) -> bool:
    """Whether `pred()` became true within `timeout` s (generous: a loaded CI machine is slow, never wrong)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_badge_scanned_on_the_reader_signs_the_officer_in(hub: InProcessHub) -> None:
    ctl = CounterController(CounterCore(hub.device("counter", counter=4)))
    scanner = SerialScanner("loop://", ctl.login_badge).start()
    try:
        scanner.port.write(b"CB0005\r\n")
        assert _until(lambda: ctl.view.officer is not None), ctl.view.message
        assert ctl.view.officer["name"] == "Hoàng Minh Đức" and ctl.view.message == "Xin chào Hoàng Minh Đức."
    finally:
        scanner.stop()


def test_a_second_press_while_the_first_runs_is_refused_not_applied(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    for _ in range(3):
        kiosk.issue_ticket("HT")
    ctl = CounterController(CounterCore(hub.device("counter", counter=1)))
    ctl.login("lan1", "1111", blocking=True)
    assert ctl.act("next")  # runs in the background
    assert not ctl.act("next") and ctl.view.message == words.t("busy")
    assert _until(lambda: not ctl.view.busy)
    st = ctl.core.state()
    assert st["current"]["number"] == "1001" and st["waiting"]["HT"] == 2  # one citizen called, not two


def test_actions_before_sign_in_or_without_the_hub_are_refused_clearly(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    kiosk.issue_ticket("HT")
    ctl = CounterController(CounterCore(hub.device("counter", counter=1)))
    assert not ctl.act("next") and ctl.view.message == "Hãy đăng nhập trước."
    ctl.login("lan1", "1111", blocking=True)
    ctl.act("next", blocking=True)
    hub.thread.stop()
    hub.thread = None
    assert _until(lambda: not ctl.session.connected)
    assert not ctl.act("recall") and ctl.view.message == words.t("offline") and ctl.view.error


def test_indicator_led_follows_the_terminal(mock_pins) -> None:
    pad = Keypad({"next": 5}, lambda k: None, indicator_pin=21)
    try:
        led = mock_pins.pin(21)
        pad.set_indicator("on")
        assert led.state == 1
        pad.set_indicator("off")
        assert led.state == 0
        led.clear_states()
        pad.set_indicator("blink")
        # The pin's recorded changes, not samples of it: a sampler starved by a loaded machine can sleep
        # through the 0.15 s halves of a blink, the pin's own record cannot miss one.
        assert _until(lambda: [x.state for x in led.states[1:]][:3] == [1, 0, 1], 10), led.states
    finally:
        pad.close()


def test_hold_resume_pause_and_transfer_messages(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    for _ in range(2):
        kiosk.issue_ticket("HT")
    ctl = CounterController(CounterCore(hub.device("counter", counter=2)))
    ctl.login("hung2", "2222", blocking=True)
    ctl.act("next", blocking=True)
    ctl.act("hold", blocking=True)
    assert ctl.view.message == "Đang tạm giữ số 1001."
    assert [h["number"] for h in ctl.view.state["held"]] == ["1001"] and ctl.view.state["current"] is None
    ctl.act("resume", blocking=True)
    assert ctl.view.message == "Tiếp tục phục vụ số 1001." and ctl.view.state["current"]["number"] == "1001"
    ctl.act("transfer", to_service="CT", blocking=True)
    assert ctl.view.message == "Đã chuyển số 1001 sang dịch vụ Chứng thực."
    ctl.act("pause", blocking=True)
    assert ctl.view.state["counter"]["status"] == "paused"
    ctl.act("open", blocking=True)
    assert ctl.view.state["counter"]["status"] == "open"
    ctl.act("recall", blocking=True)
    assert ctl.view.message == "Quầy chưa gọi số nào." and ctl.view.error


def test_done_during_hub_loss_is_delivered_once_when_it_returns(hub: InProcessHub) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    kiosk.issue_ticket("HT")
    kiosk.issue_ticket("HT")
    ctl = CounterController(CounterCore(hub.device("counter", counter=1)))
    ctl.login("lan1", "1111", blocking=True)
    ctl.act("next", blocking=True)
    hub.thread.stop()
    hub.thread = None
    assert _until(lambda: not ctl.session.connected)
    ctl.act("done", blocking=True)
    assert "sẽ gửi lên máy chủ khi có kết nối" in ctl.view.message and ctl.view.state["current"] is None
    assert not ctl.act("done") and ctl.view.message == "Quầy chưa gọi số nào."  # cannot be pressed twice
    hub.start()  # same data, same ports
    assert _until(lambda: ctl.session.connected, 40)
    assert ctl.session.outbox.wait_empty(20)
    st = ctl.core.state()
    assert st["today"]["done"] == 1 and st["current"] is None and st["waiting"]["HT"] == 1


def test_background_refresh_never_refuses_an_officers_press(hub: InProcessHub) -> None:
    import threading

    kiosk = KioskCore(hub.device("kiosk"))
    for _ in range(8):
        kiosk.issue_ticket("HT")
    ctl = CounterController(CounterCore(hub.device("counter", counter=1)))
    ctl.login("lan1", "1111", blocking=True)
    stop = threading.Event()

    def refresher() -> None:  # what the screen does whenever the lobby state changes
        while not stop.is_set():
            ctl.background_refresh()

    t = threading.Thread(target=refresher)
    t.start()
    try:
        messages = []
        for _ in range(8):
            assert ctl.act("next", blocking=True)
            messages.append(ctl.view.message)
    finally:
        stop.set()
        t.join()
    assert words.t("busy") not in messages
    assert messages[-1].startswith("Đang mời số 1008")
    assert ctl.core.state()["current"]["number"] == "1008"
