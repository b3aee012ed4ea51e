"""`motcua bench display`: an officer presses Next on the keypad; how long until the counter's LED board
has its new frame, and until the first sample of the announcement is handed to the audio output?

Per call, from the moment the keypad pin goes low (gpiozero mock pin: no keypad on a bench machine):
- `led_*`: until the display controller has rendered the board's bitmap, encoded the serial frame, and the
  simulated bus has decoded it and written the board's PNG (a real RS-485 write is ~1 ms more at 115200 Bd
  for a 16×64 board);
- `audio_*`: until the announcement WAV (chime + sentence from the voice pack) is assembled and its
  first sample is queued to the sink, minus the configured amplifier warm-up (only the first call pays it).
Path: keypad → CounterController → MQTT → hub (SQLite transaction) → MQTT display/call → display
controller → LED renderer + announcer. Hub in its own process, as deployed. Targets: led p99 ≤ 50 ms,
audio p99 ≤ 150 ms.

The keypad's double-press lock-out (0.6 s) is set to 0 here so the run does not take minutes; it is a
human-facing rule, not part of the latency.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from motcua.bench.common import BenchHub, connect, emit, log, ms, percentile

COUNTER = 8  # serves HT, CT and LD
SERVICES = ("HT", "CT", "LD")
NUMBERS_PER_SERVICE = 999
WARMUP = 5
TIMEOUT_S = 10.0
TARGET_LED_P99_MS = 50.0
TARGET_AUDIO_P99_MS = 150.0
NEXT_PIN = 5


def main(args: argparse.Namespace) -> int:
    calls: int = args.calls
    if calls < 1:
        raise SystemExit("error: --calls must be at least 1")
    if calls + WARMUP > NUMBERS_PER_SERVICE * len(SERVICES):
        raise SystemExit(f"error: at most {NUMBERS_PER_SERVICE * len(SERVICES) - WARMUP} calls per run")
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    from counter_terminal.controller import CounterController
    from counter_terminal.core import CounterCore
    from devicekit.drivers import led
    from devicekit.drivers.gpio import KeyGate, Keypad
    from devicekit.session import DeviceSession
    from display_controller.core import DisplayCore
    from display_controller.runtime import DisplayRuntime
    from display_controller.voicepack import default_pack
    from kiosk.core import KioskCore

    Device.pin_factory = MockFactory()
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-display-out-"))
    log("building the espeak-ng voice pack (not timed)")
    pack = default_pack(args.dialect, work / "voice")
    with BenchHub(prefix="motcua-bench-display-") as bh:
        bh.prepare()
        kiosk_cfg = bh.register("kiosk")[0]
        counter_cfg = bh.register("counter", counter=COUNTER)[0]
        display_cfg = bh.register("display")[0]
        bh.start()
        sessions: list[DeviceSession] = []
        runtime = keypad = None
        try:
            kiosk = KioskCore(DeviceSession(kiosk_cfg))
            counter = CounterController(CounterCore(DeviceSession(counter_cfg)))
            display = DisplayCore(DeviceSession(display_cfg))
            hardware = {"led": {"bus": f"png:{work / 'led'}", "width": args.width, "height": args.height},
                        "audio": {"out": f"wav:{work / 'wav'}", "dialect": args.dialect, "voice_pack": str(pack.path),
                                  "repeats": 2, "amp_pin": 17, "amp_warmup_s": args.amp_warmup,
                                  "amp_idle_off_s": 3600}}
            runtime = DisplayRuntime(display, hardware)
            for s in (kiosk.session, counter.session, display.session):
                sessions.append(s)
                connect(s)
            runtime.start()

            frames: list[tuple[float, int]] = []
            frame_seen = threading.Condition()
            bus = runtime.leds.bus
            send = bus.send

            def timed_send(frame: bytes) -> None:
                send(frame)
                with frame_seen:
                    frames.append((time.monotonic(), frame[2]))
                    frame_seen.notify_all()

            bus.send = timed_send
            spoken: dict[str, object] = {}
            spoken_seen = threading.Condition()

            def on_spoken(s) -> None:
                with spoken_seen:
                    spoken[s.ticket] = s
                    spoken_seen.notify_all()

            runtime.announcer.on_spoken = on_spoken

            n = calls + WARMUP
            log(f"issuing {n} tickets (not timed)")
            tickets = []
            for first in range(0, n, 100):
                futures = [kiosk.session.request_async("ticket.issue", {"service": SERVICES[i % len(SERVICES)]},
                                                       timeout=30) for i in range(first, min(n, first + 100))]
                tickets += [f.result()["ticket"]["number"] for f in futures]
            if not counter.login("bao4", "4444", blocking=True):
                raise RuntimeError(f"sign-in failed: {counter.view.message}")
            keypad = Keypad({"next": NEXT_PIN}, lambda k: counter.act(k), gate=KeyGate(bounce_s=0.0, lockout_s=0.0))
            pin = Device.pin_factory.pin(NEXT_PIN)
            addr = runtime.leds.settings.address(COUNTER)
            led_ms: list[float] = []
            audio_ms: list[float] = []
            wrong = 0
            log(f"{WARMUP} warm-up presses, then {calls} timed presses")
            for i, ticket in enumerate(tickets):
                with frame_seen:
                    seen = len(frames)
                t0 = time.monotonic()
                pin.drive_low()
                with frame_seen:
                    if not frame_seen.wait_for(lambda s=seen: any(a == addr for _, a in frames[s:]), TIMEOUT_S):
                        raise RuntimeError(f"no LED frame for call {i + 1} ({ticket})")
                    t_led = next(t for t, a in frames[seen:] if a == addr)
                with spoken_seen:
                    if not spoken_seen.wait_for(lambda t=ticket: t in spoken, TIMEOUT_S):
                        raise RuntimeError(f"call {ticket} was not announced")
                    s = spoken[ticket]
                pin.drive_high()
                if bus.boards.get(addr) != led.render_lines(led.call_lines(ticket, COUNTER, args.height),
                                                            args.width, args.height):
                    wrong += 1
                while counter.view.busy:  # the controller finishes its refresh before the next press
                    time.sleep(0.001)
                if i < WARMUP:
                    continue
                led_ms.append((t_led - t0) * 1000)
                audio_ms.append((s.first_sample_at - t0 - s.warmup_s) * 1000)
                if (i - WARMUP + 1) % 100 == 0:
                    log(f"{i - WARMUP + 1}/{calls} calls")
        finally:
            if keypad is not None:
                keypad.close()
            if runtime is not None:
                runtime.stop()
            for s in sessions:
                s.stop()
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    led_p99, audio_p99 = percentile(led_ms, 99), percentile(audio_ms, 99)
    result = {
        "bench": "display",
        "calls": calls,
        "led_p50_ms": ms(percentile(led_ms, 50)),
        "led_p99_ms": ms(led_p99),
        "audio_p50_ms": ms(percentile(audio_ms, 50)),
        "audio_p99_ms": ms(audio_p99),
        "audio_max_ms": ms(max(audio_ms, default=None)),
        "wrong_frames": wrong,
        "matrix": f"{args.height}x{args.width}",
        "dialect": args.dialect,
        "amp_warmup_s_excluded": args.amp_warmup,
        "targets_met": bool(led_p99 is not None and led_p99 <= TARGET_LED_P99_MS and audio_p99 is not None
                            and audio_p99 <= TARGET_AUDIO_P99_MS and wrong == 0),
    }
    emit(result, args.json)
    return 0 if wrong == 0 else 1
