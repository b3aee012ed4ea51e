"""Enrolment by code over the real hub and broker: what a technician sees at a new device."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

from motcua.cli import main
from motcua_core.device_config import DeviceConfig
from tests.support.hubproc import InProcessHub


def _add(hub: InProcessHub, capsys, *extra: str) -> str:
    assert main(["hub", "device", "add", "--data", str(hub.data), "--site", "demo", *extra]) == 0
    out = capsys.readouterr().out
    return re.search(r"enrolment code ([A-Z0-9]{4}-[A-Z0-9]{4})", out)[1]


def _enrol(hub: InProcessHub, code: str, out: Path, capsys) -> tuple[int, str]:
    rc = main(["provision", "enrol", "--hub", f"http://127.0.0.1:{hub.http_port}", "--code", code,
               "--out", str(out), "--data-dir", str(out.parent / "state"), "--timeout", "5"])
    captured = capsys.readouterr()
    return rc, captured.out + captured.err


def test_code_gives_a_working_config_once(hub: InProcessHub, tmp_path: Path, capsys) -> None:
    code = _add(hub, capsys, "--role", "counter", "--counter", "2", "--id", "quay-2")
    out = tmp_path / "device.json"
    rc, text = _enrol(hub, code.lower().replace("-", " "), out, capsys)  # typed in lower case with a space
    assert rc == 0, text
    assert "[OK  ] broker login" in text and "[OK  ] hub round trip" in text
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    cfg = DeviceConfig.load(out)
    assert (cfg.device_id, cfg.role, cfg.broker_port) == ("quay-2", "counter", hub.mqtt_port)
    rc, text = _enrol(hub, code, tmp_path / "again.json", capsys)
    assert rc == 2 and "đã được dùng" in text and not (tmp_path / "again.json").exists()


def test_wrong_codes_are_refused_then_throttled(hub: InProcessHub, tmp_path: Path, capsys) -> None:
    code = _add(hub, capsys, "--role", "kiosk")
    rc, text = _enrol(hub, "ABC", tmp_path / "d.json", capsys)
    assert rc == 2 and "8 chữ và số" in text  # refused before asking the hub
    for _ in range(5):
        rc, text = _enrol(hub, "2345-6789", tmp_path / "d.json", capsys)
        assert rc == 2 and "không đúng" in text
    rc, text = _enrol(hub, code, tmp_path / "d.json", capsys)  # even the right code waits now
    assert rc == 2 and "chờ 10 phút" in text and not (tmp_path / "d.json").exists()


def test_expired_code_is_refused(hub: InProcessHub, tmp_path: Path, capsys) -> None:
    code = _add(hub, capsys, "--role", "kiosk", "--valid-hours", "0.0001")
    time.sleep(0.5)
    rc, text = _enrol(hub, code, tmp_path / "d.json", capsys)
    assert rc == 2 and "hết hạn" in text


def test_pending_device_has_no_broker_login(hub: InProcessHub, capsys) -> None:
    _add(hub, capsys, "--role", "display", "--id", "sanh-1")
    time.sleep(1.5)  # past the hub's registry poll, which rewrites the broker accounts
    passwd = (hub.data / "broker" / "passwd").read_text()
    assert "sanh-1" not in passwd
    with urllib.request.urlopen(f"http://127.0.0.1:{hub.http_port}/api/v1/health") as r:
        assert json.loads(r.read())["status"] == "ok"


def test_a_lan_device_enrols_onto_tls_with_the_hubs_ca_and_device_self_needs_the_device(
        tmp_path: Path, capsys) -> None:
    """From another machine (the Host it reached the hub at is not loopback) the enrolment hands out the
    TLS listener and the hub's own CA; the config it makes connects over TLS and the hub answers it."""
    from tests.support.hubproc import InProcessHub, prepare
    from tests.support.net import free_port

    prepare(tmp_path)
    hub = InProcessHub(tmp_path, mqtt_tls_port=free_port()).start()
    try:
        code = _add(hub, capsys, "--role", "lookup", "--id", "tra-cuu")
        req = urllib.request.Request(f"http://127.0.0.1:{hub.http_port}/api/v1/enrol", method="POST",
                                     data=json.dumps({"code": code}).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Host": f"192.0.2.10:{hub.http_port}"})
        with urllib.request.urlopen(req) as r:
            got = json.loads(r.read())
        assert got["tls"] is True and got["broker_port"] == hub.mqtt_tls_port and got["broker_host"] == "192.0.2.10"
        assert got["ca_cert"].startswith("-----BEGIN CERTIFICATE-----")
        cfg = DeviceConfig.from_dict({k: got[k] for k in ("device_id", "secret", "site", "role", "broker_port",
                                                          "tls", "ca_cert")}
                                     | {"broker_host": "127.0.0.1", "data_dir": str(tmp_path / "dev")})
        session = hub.session(cfg)  # TLS to the hub's listener, trusting its CA alone
        assert session.request("site.state")["site"] == "demo"

        def me(credential: str) -> tuple[int, dict]:
            req = urllib.request.Request(f"http://127.0.0.1:{hub.http_port}/api/v1/device/self",
                                         headers={"Authorization": f"Bearer {credential}"})
            try:
                with urllib.request.urlopen(req) as r:
                    return r.status, json.loads(r.read())
            except urllib.error.HTTPError as exc:
                return exc.code, json.loads(exc.read())

        assert me(f"tra-cuu:{cfg.secret}")[0] == 200
        assert me("tra-cuu:wrong")[0] == 401 and me(cfg.secret)[0] == 401
    finally:
        hub.stop()


def test_a_technician_of_another_site_sees_and_touches_nothing_here(hub: InProcessHub, tmp_path: Path,
                                                                    capsys) -> None:
    from hub.cli.common import DEMO_SITE
    from tests.fleet.conftest import Api, technician_token

    other = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    other["site"]["id"], other["site"]["name"] = "xa-khac", "Xã khác"
    (tmp_path / "other.json").write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    assert main(["hub", "site", "load", "--data", str(hub.data), str(tmp_path / "other.json")]) == 0
    _add(hub, capsys, "--role", "kiosk", "--id", "kiosk-demo")
    api = Api(hub.http_port, technician_token(hub.data, "xa-khac"))
    status, view = api("GET", "/api/v1/fleet")
    assert status == 200 and [d["id"] for d in view["devices"]] == []
    # Another site's device reads as unknown (its existence is not told), as a device that is not there.
    for path in ("replace", "selftest", "update"):
        assert api("POST", f"/api/v1/fleet/devices/kiosk-demo/{path}")[0] == 404, path
    assert api("PUT", "/api/v1/fleet/devices/kiosk-demo/hardware", {})[0] == 404
    assert api("POST", "/api/v1/fleet/devices", {"role": "kiosk", "site": "demo"})[0] == 403
