"""End to end over the real hub and broker: add → enrol by code → the device runs with the pushed
hardware map → self-test asked over `cmd`, reported in the fleet view → replaced, old secret refused."""

from __future__ import annotations

import re
from pathlib import Path

from devicekit.session import DeviceSession
from kiosk.runtime import open_runtime
from motcua.cli import main
from motcua_core.device_config import DeviceConfig
from tests.fleet.conftest import Api, hardware, technician_token, wait_for
from tests.support.hubproc import InProcessHub


def _enrol(hub: InProcessHub, code: str, out: Path, capsys) -> None:
    rc = main(["provision", "enrol", "--hub", f"http://127.0.0.1:{hub.http_port}", "--code", code,
               "--out", str(out), "--data-dir", str(out.parent / "state"), "--timeout", "5"])
    text = capsys.readouterr()
    assert rc == 0, text


def _device(api: Api, device_id: str) -> dict:
    status, view = api("GET", "/api/v1/fleet")
    assert status == 200
    return next(d for d in view["devices"] if d["id"] == device_id)


def test_add_enrol_configure_selftest_replace(hub: InProcessHub, tmp_path: Path, qr_folder: Path, capsys) -> None:
    api = Api(hub.http_port, technician_token(hub.data))
    assert api("GET", "/api/v1/fleet", token="wrong")[0] == 401

    status, added = api("POST", "/api/v1/fleet/devices", {"role": "kiosk", "id": "kiosk-sanh", "name": "Kiosk sảnh"})
    assert status == 201 and re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", added["code"])
    assert added["qr_png"].startswith("data:image/png;base64,")
    assert _device(api, "kiosk-sanh")["state"] == "pending"

    cfg_path = tmp_path / "dev1" / "device.json"
    _enrol(hub, added["code"], cfg_path, capsys)

    bad = api("PUT", "/api/v1/fleet/devices/kiosk-sanh/hardware", {"printer": {"type": "laser"}})
    assert bad[0] == 400 and "hardware.printer.type" in bad[1]["error"]["message_vi"]
    hw = hardware("kiosk", tmp_path, qr=qr_folder, printer_state="paper_out")
    status, pushed = api("PUT", "/api/v1/fleet/devices/kiosk-sanh/hardware", hw)
    assert status == 200, pushed

    rt = open_runtime(cfg_path).start()  # the real kiosk runtime, hardware only from the hub's map
    try:
        assert rt.core.wait_config(10) and rt.core.hardware["printer"]["type"] == "sim"
        rt.session.publish_health()  # its regular report, now with the printer the hub configured
        dev = wait_for(lambda: (d := _device(api, "kiosk-sanh"))["printer"] == "paper_out" and d)
        assert dev["state"] == "online" and "paper_out" in dev["alerts"] and dev["version"]
        assert dev["disk_used_pct"] is not None and dev["address"] == "127.0.0.1"

        assert api("POST", "/api/v1/fleet/devices/kiosk-sanh/selftest")[0] == 202
        dev = wait_for(lambda: (d := _device(api, "kiosk-sanh"))["selftest"] and d)
        checks = {c["name"]: c for c in dev["selftest"]["checks"]}
        assert checks["printer"]["state"] == "fail" and "lắp cuộn giấy mới" in checks["printer"]["detail"]
        assert checks["scanner"]["state"] == "pass" and checks["camera"]["state"] == "pass"
        assert dev["selftest"]["summary"] == "fail: printer"

        assert main(["hub", "fleet", "--data", str(hub.data)]) == 0
        table = capsys.readouterr().out
        assert re.search(r"kiosk-sanh .* online .* paper_out .* fail: printer +paper_out", table), table
        status, metrics = api("GET", "/metrics")
        assert status == 200 and 'motcua_fleet_alerts{alert="paper_out"} 1.0' in metrics
        assert 'motcua_devices{state="online"} 1.0' in metrics

        old = DeviceConfig.load(cfg_path)
        status, again = api("POST", "/api/v1/fleet/devices/kiosk-sanh/replace")
        assert status == 200
        assert wait_for(lambda: not rt.session.connected, 30), "the replaced board is still connected"
    finally:
        rt.stop()
    thief = DeviceSession(old)
    thief.start()
    try:
        assert not thief.wait_connected(3), "the old secret still logs in"
    finally:
        thief.stop()
    new_path = tmp_path / "dev2" / "device.json"
    _enrol(hub, again["code"], new_path, capsys)
    new = DeviceConfig.load(new_path)
    assert new.device_id == "kiosk-sanh" and new.secret != old.secret
    assert _device(api, "kiosk-sanh")["hardware"] == hw  # the new board takes the old one's configuration


def test_led_brightness_and_idle_pushed_to_a_running_lobby(hub: InProcessHub, tmp_path: Path) -> None:
    """Remote configuration applied without a restart: the lobby's LED boards change brightness and go
    blank when idle, on the bus they already hold."""
    from display_controller.core import DisplayCore
    from display_controller.runtime import DisplayRuntime

    api = Api(hub.http_port, technician_token(hub.data))
    session = hub.device("display", device_id="sanh", start=False)
    hw = {"led": {"bus": f"png:{tmp_path / 'led'}", "brightness": 8}}
    runtime = DisplayRuntime(DisplayCore(session), hw)
    runtime.follow_hub({})
    session.start()
    runtime.start()
    try:
        assert api("PUT", "/api/v1/fleet/devices/sanh/hardware", hw)[0] == 200
        bus = runtime.leds.bus
        assert wait_for(lambda: bus.brightness.get(1) == 8 and bus.boards.get(1) is not None)
        status, out = api("PUT", "/api/v1/fleet/devices/sanh/hardware",
                          {"led": {**hw["led"], "brightness": 3, "idle": "blank"}})
        assert status == 200 and out["restart_for"] == []
        assert wait_for(lambda: bus.brightness.get(1) == 3 and bus.boards.get(1) is None), bus.brightness
        leds = runtime.leds
        status, out = api("PUT", "/api/v1/fleet/devices/sanh/hardware", {"led": {**hw["led"], "width": 128}})
        assert out["restart_for"] == ["led"] and runtime.leds is leds  # another matrix size: the app restarts
    finally:
        runtime.stop()
