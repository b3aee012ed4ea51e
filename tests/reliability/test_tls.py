"""The broker's LAN listener is TLS with the hub's own CA (issue #10, broker hardening): a device whose
config carries the CA connects and works; plain MQTT or an untrusting client cannot; the plain listener
stays on loopback unless the site asks for it."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from devicekit.session import DeviceSession
from hub.cli.common import DEMO_SITE
from kiosk.core import KioskCore
from motcua.cli import main
from motcua_core.device_config import DeviceConfig
from tests.support.hubproc import HubProcess, prepare


def _connect(port: int, user: str, secret: str, context: ssl.SSLContext | None) -> str:
    """Connect with paho; return "ok" or why it failed."""
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=user, protocol=mqtt.MQTTv5)
    c.username_pw_set(user, secret)
    if context is not None:
        c.tls_set_context(context)
    try:
        c.connect("127.0.0.1", port, keepalive=5)
        rc = c.loop(timeout=2.0)
        for _ in range(10):
            if c.is_connected():
                break
            rc = c.loop(timeout=0.3)
        return "ok" if c.is_connected() else f"not connected (rc {rc})"
    except (ssl.SSLError, OSError) as exc:
        return type(exc).__name__
    finally:
        c.disconnect()


def test_lan_device_connects_over_tls_with_the_hubs_ca(tmp_path: Path, figures, capsys) -> None:
    data = tmp_path / "hub"
    prepare(data, DEMO_SITE)
    proc = HubProcess(data).start()
    cfg_path = tmp_path / "kiosk-lan.json"
    try:
        assert main(["hub", "device", "add", "--data", str(data), "--site", "demo", "--role", "kiosk", "--tls",
                     "--broker-host", "127.0.0.1", "--broker-port", str(proc.mqtt_tls_port),
                     "--out", str(cfg_path)]) == 0
        capsys.readouterr()
        cfg = DeviceConfig.load(cfg_path)
        assert cfg.tls and cfg.ca_cert and "BEGIN CERTIFICATE" in cfg.ca_cert
        cfg = DeviceConfig.from_dict({**json.loads(cfg_path.read_text()), "data_dir": str(tmp_path / "dev")})
        session = DeviceSession(cfg)
        session.start()
        try:
            assert session.wait_connected(15), "the LAN device could not connect over TLS"
            ticket = KioskCore(session).issue_ticket("HT")
        finally:
            session.stop()
        plain = _connect(proc.mqtt_tls_port, cfg.device_id, cfg.secret, None)
        untrusting = _connect(proc.mqtt_tls_port, cfg.device_id, cfg.secret, ssl.create_default_context())
        trusting = _connect(proc.mqtt_tls_port, cfg.device_id, cfg.secret,
                            ssl.create_default_context(cadata=cfg.ca_cert))
    finally:
        proc.stop()
    conf = (data / "broker" / "mosquitto.conf").read_text()
    key_mode = oct((data / "broker" / "ca.key").stat().st_mode & 0o777)
    figures(ticket=ticket["number"], plain_to_tls_port=plain, untrusting_client=untrusting,
            trusting_client=trusting, ca_key_mode=key_mode)
    assert trusting == "ok" and plain != "ok" and untrusting != "ok"
    assert f"listener {proc.mqtt_port} 127.0.0.1" in conf and f"listener {proc.mqtt_tls_port} 0.0.0.0" in conf
    assert key_mode == "0o600"


@pytest.mark.parametrize("extra, refused", [([], True), (["--mqtt-plain-lan"], False)])
def test_plain_mqtt_beyond_loopback_only_when_the_site_asks(tmp_path: Path, extra: list[str], refused: bool) -> None:
    prepare(tmp_path)
    proc = HubProcess(tmp_path)
    args = [sys.executable, "-m", "motcua.cli", "hub", "serve", "--data", str(tmp_path), "--http-host",
            "127.0.0.1", "--http-port", str(proc.http_port), "--mqtt-bind", "0.0.0.0", "--mqtt-port",
            str(proc.mqtt_port), "--mqtt-tls-port", "0", *extra]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        rc = p.wait(8)
        err = p.stderr.read() if p.stderr else ""
    except subprocess.TimeoutExpired:
        rc, err = None, ""  # still serving
    finally:
        if p.poll() is None:
            p.terminate()
            p.wait(15)
    if refused:
        assert rc not in (None, 0) and "--mqtt-plain-lan" in err, err
    else:
        assert rc is None, "the hub did not serve plain MQTT on the LAN although the site asked for it"
