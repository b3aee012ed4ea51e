"""The hardware map schema the hub checks pushed maps against agrees with what the drivers read."""

from __future__ import annotations

from pathlib import Path

from devicekit.drivers.camera import make_camera
from devicekit.drivers.printer import make_printer
from devicekit.drivers.scanner import make_scanner
from display_controller.led_boards import LedSettings
from motcua_core.hardware_schema import needs_restart, validate


def test_maps_that_pass_build_their_drivers(tmp_path: Path) -> None:
    hw = {"printer": {"type": "sim", "dir": str(tmp_path / "p"), "paper_mm": 58},
          "scanner": {"type": "serial", "port": "loop://", "baudrate": 9600},
          "camera": {"type": "files", "dir": str(tmp_path / "c")},
          "led": {"bus": f"png:{tmp_path}", "width": 96, "height": 16, "brightness": 3, "boards": {"1": 7}},
          "audio": {"out": "none", "dialect": "south", "amp_pin": 17},
          "keypad": {"pins": {"next": 5, "done": 19}, "mock": True}}
    assert validate(hw) == []
    assert make_printer(hw["printer"], tmp_path).width == 384
    assert make_scanner(hw["scanner"], print) is not None
    assert make_camera(hw["camera"], print) is not None
    assert LedSettings.from_hardware(hw).address(1) == 7


def test_mistakes_are_named_by_their_path() -> None:
    problems = validate({"printer": {"type": "laser", "paper_mm": 76}, "led": {"brightness": 20},
                         "keypad": {"pins": {"nxt": 5}}, "fan": {}, "scanner": {"type": "serial"}})
    text = "; ".join(problems)
    for expected in ("hardware.printer.type", "hardware.printer.paper_mm", "hardware.led.brightness",
                     "hardware.led.bus: required", "hardware.keypad.pins.nxt", "hardware.fan: unknown device",
                     "hardware.scanner.port: required"):
        assert expected in text, expected
    assert validate({"printer": {"type": "usb", "vendor": "0x0416", "width": True, "product": 1}}) == [
        "hardware.printer.width: wrong type"]


def test_printer_and_led_settings_change_without_a_restart() -> None:
    old = {"printer": {"type": "sim"}, "led": {"bus": "png:/a", "brightness": 8}}
    assert needs_restart(old, {"printer": {"type": "file", "path": "/dev/usb/lp0"},
                               "led": {"bus": "png:/a", "brightness": 2, "idle": "blank"}}) == []
    assert needs_restart(old, {"printer": {"type": "sim"}, "led": {"bus": "/dev/ttyUSB0"}}) == ["led"]
    assert needs_restart(old, {**old, "keypad": {"pins": {"next": 5}}}) == ["keypad"]
