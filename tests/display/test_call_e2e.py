"""End to end over a real broker and hub: keypad press → hub → LED frame → lobby state → announcement.

Simulated: the keypad and amplifier relay pins (gpiozero MockFactory), the LED boards (frames decoded and
drawn to PNG), the speakers (WAV files). Everything else is the real code path.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from counter_terminal.controller import CounterController
from counter_terminal.core import CounterCore
from devicekit.drivers import led
from devicekit.drivers.audio import WavFileSink, read_wav
from devicekit.drivers.gpio import Keypad
from display_controller.core import DisplayCore
from display_controller.numbers import NORTH
from display_controller.runtime import DisplayRuntime
from display_controller.sentence import build
from display_controller.voicepack import VoicePack
from kiosk.core import KioskCore
from tests.support.hubproc import InProcessHub

PINS = {"next": 5, "recall": 6, "skip": 13, "done": 19}
AMP_PIN = 17


def _hardware(tmp_path: Path, pack: VoicePack) -> dict:
    return {"led": {"bus": f"png:{tmp_path / 'led'}", "width": 64, "height": 16},
            "audio": {"out": f"wav:{tmp_path / 'wav'}", "dialect": "north", "voice_pack": str(pack.path),
                      "repeats": 1, "amp_pin": AMP_PIN, "amp_warmup_s": 0.05, "amp_idle_off_s": 30}}


def _until(pred, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.02)
    return None


def _press(pins, key: str) -> None:
    pin = pins.pin(PINS[key])
    pin.drive_low()  # active low: the key closes to ground
    time.sleep(0.05)
    pin.drive_high()


def _officer(hub: InProcessHub, counter: int, username: str, pin: str) -> CounterController:
    ctl = CounterController(CounterCore(hub.device("counter", counter=counter)))
    assert ctl.login(username, pin, blocking=True) and ctl.view.officer is not None, ctl.view.message
    return ctl


def test_keypad_press_reaches_led_lobby_and_voice(hub: InProcessHub, mock_pins, tmp_path: Path,
                                                  north_pack: VoicePack) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    kiosk.issue_ticket("HT")
    display = DisplayCore(hub.device("display"))
    runtime = DisplayRuntime(display, _hardware(tmp_path, north_pack)).start()
    ctl = _officer(hub, 1, "lan1", "1111")
    keypad = Keypad(PINS, lambda k: ctl.act(k), indicator_pin=21)
    try:
        relay = mock_pins.pin(AMP_PIN)
        assert relay.state == 0
        _press(mock_pins, "next")

        bus = runtime.leds.bus
        assert _until(lambda: bus.boards.get(1) is not None), "LED board of counter 1 never got a frame"
        assert bus.boards[1] == led.render_lines(["1001 → 1"], 64, 16)
        assert (tmp_path / "led" / "led-1.png").is_file()

        state = display.wait_state(lambda s: s["counters"][0]["current"] and
                                   s["counters"][0]["current"]["ticket"] == "1001", 5)
        assert state is not None and state["last_call"]["ticket"] == "1001"

        ann = runtime.announcer
        assert _until(lambda: ann.history), "nothing was announced"
        spoken = ann.history[0]
        expected = build("1001", 1, NORTH)
        assert spoken.clips == expected.clips and spoken.error is None
        assert spoken.text == "Mời công dân có số thứ tự một nghìn không trăm linh một đến quầy số một."
        wav = read_wav(tmp_path / "wav" / "announcement-0001.wav")
        assert wav.data == north_pack.render(expected, 1).data  # the WAV is exactly those clips
        assert relay.state == 1, "amplifier relay should be on around an announcement"

        # A held key does not call again; Done from the keypad completes the ticket at the hub.
        mock_pins.pin(PINS["next"]).drive_low()
        time.sleep(0.8)
        mock_pins.pin(PINS["next"]).drive_high()
        time.sleep(0.7)
        _press(mock_pins, "done")
        assert _until(lambda: ctl.view.message.startswith("Đã hoàn thành số 1001")), ctl.view.message
        assert ctl.core.state()["today"]["done"] == 1
        assert len(ann.history) == 1
        assert _until(lambda: bus.boards.get(1) == led.render_lines(["Quầy 1"], 64, 16)), "board not back to idle"
    finally:
        keypad.close()
        runtime.stop()


def test_two_calls_at_once_are_announced_in_order_without_overlap(hub: InProcessHub, mock_pins, tmp_path: Path,
                                                                   north_pack: VoicePack) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    kiosk.issue_ticket("HT")
    kiosk.issue_ticket("CT")
    display = DisplayCore(hub.device("display"))
    runtime = DisplayRuntime(display, _hardware(tmp_path, north_pack))
    runtime.announcer.sink = WavFileSink(tmp_path / "wav", realtime=True, speedup=8)  # takes time, like speakers
    runtime.start()
    c1, c3 = _officer(hub, 1, "lan1", "1111"), _officer(hub, 3, "trang3", "3333")
    try:
        barrier = threading.Barrier(2)

        def press(ctl: CounterController) -> None:
            barrier.wait()
            ctl.act("next", blocking=True)

        threads = [threading.Thread(target=press, args=(c,)) for c in (c1, c3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ann = runtime.announcer
        assert _until(lambda: len(ann.history) == 2 and ann.wait_idle(0), 30)
        a, b = ann.history
        assert a.call_id < b.call_id, "announced out of the order the hub called them"
        assert {(a.ticket, a.counter), (b.ticket, b.counter)} == {("1001", 1), ("2001", 3)}
        assert a.ended_at <= b.first_sample_at, "the two announcements overlapped"
        assert runtime.leds.bus.boards[1] == led.render_lines(["1001 → 1"], 64, 16)
        assert runtime.leds.bus.boards[3] == led.render_lines(["2001 → 3"], 64, 16)
    finally:
        runtime.stop()


def test_display_restart_shows_state_without_reannouncing(hub: InProcessHub, mock_pins, tmp_path: Path,
                                                          north_pack: VoicePack) -> None:
    kiosk = KioskCore(hub.device("kiosk"))
    for _ in range(2):
        kiosk.issue_ticket("HT")
    session = hub.device("display")
    runtime = DisplayRuntime(DisplayCore(session), _hardware(tmp_path, north_pack)).start()
    ctl = _officer(hub, 1, "lan1", "1111")
    ctl.act("next", blocking=True)
    assert _until(lambda: len(runtime.announcer.history) == 1)
    runtime.stop()
    session.stop()

    # While the display is off: another call, which is stale by the time it comes back.
    ctl.act("next", blocking=True)
    time.sleep(1.2)
    again = hub.session(session.config, start=False)  # same device, same persistent broker session
    core = DisplayCore(again, stale_after_s=1.0)
    again.start()
    hw = _hardware(tmp_path / "after", north_pack)
    hw["audio"]["stale_after_s"] = 1.0
    runtime2 = DisplayRuntime(core, hw).start()
    try:
        state = core.wait_state(lambda s: s["counters"][0]["current"] is not None, 5)
        assert state is not None and state["counters"][0]["current"]["ticket"] == "1002"
        assert _until(lambda: runtime2.leds.bus.boards.get(1) == led.render_lines(["1002 → 1"], 64, 16))
        assert _until(lambda: core.skipped_stale == 1, 30), "the call made while off was not seen as stale"
        time.sleep(0.5)
        assert runtime2.announcer.history == [], "an old call was read out after the restart"
        assert not (tmp_path / "after" / "wav").exists()
    finally:
        runtime2.stop()
