"""DeviceConfig: one JSON file, every field checked, errors that name the key."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from motcua_core.device_config import ConfigError, DeviceConfig

BASE = {"device_id": "kiosk-01", "secret": "s3cret", "site": "hcm-q1", "role": "kiosk"}


def test_defaults_and_round_trip(tmp_path: Path) -> None:
    cfg = DeviceConfig.from_dict({**BASE, "data_dir": str(tmp_path / "d"), "hardware": {"printer": "usb"}})
    assert (cfg.broker_host, cfg.broker_port, cfg.tls, cfg.keepalive_s) == ("127.0.0.1", 1883, False, 15)
    assert cfg.data_dir == tmp_path / "d" and isinstance(cfg.data_dir, Path)
    path = tmp_path / "etc" / "device.json"
    cfg.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["data_dir"] == str(tmp_path / "d")
    assert DeviceConfig.load(path) == cfg


def test_save_tightens_an_existing_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "device.json"
    path.write_text("{}")
    path.chmod(0o644)
    DeviceConfig.from_dict(BASE).save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secret_is_not_in_repr() -> None:
    assert "s3cret" not in repr(DeviceConfig.from_dict(BASE))


def test_default_data_dir_is_the_devices_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Two devices on one machine never share an outbox or journal."""
    monkeypatch.setenv("HOME", str(tmp_path))
    cfg = DeviceConfig.from_dict(BASE)
    assert cfg.data_dir == tmp_path / ".local/share/motcua/device" / cfg.device_id
    other = DeviceConfig.from_dict({**BASE, "device_id": "kiosk-other"})
    assert other.data_dir != cfg.data_dir
    assert DeviceConfig.from_dict({**BASE, "data_dir": "~/x"}).data_dir == tmp_path / "x"


def test_numbers_are_normalised() -> None:
    cfg = DeviceConfig.from_dict({**BASE, "request_timeout_s": 2, "health_interval_s": 10})
    assert isinstance(cfg.request_timeout_s, float) and cfg.request_timeout_s == 2.0


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"device_id": "Kiosk 01"}, "'device_id'"),
        ({"device_id": "-x"}, "'device_id'"),
        ({"site": ""}, "'site'"),
        ({"role": "boss"}, "'role': 'boss' is not one of kiosk"),
        ({"secret": ""}, "'secret'"),
        ({"broker_host": " "}, "'broker_host'"),
        ({"broker_port": 0}, "'broker_port': must be an integer from 1 to 65535, got 0"),
        ({"broker_port": "1883"}, "'broker_port'"),
        ({"broker_port": True}, "'broker_port'"),
        ({"tls": "yes"}, "'tls': must be true or false"),
        ({"data_dir": 5}, "'data_dir'"),
        ({"request_timeout_s": -1}, "'request_timeout_s'"),
        ({"request_timeout_s": float("nan")}, "'request_timeout_s'"),
        ({"request_retries": 1.5}, "'request_retries'"),
        ({"health_interval_s": "30"}, "'health_interval_s'"),
        ({"keepalive_s": 0}, "'keepalive_s'"),
        ({"hardware": []}, "'hardware': must be a JSON object"),
        ({"language": "fr"}, "'language': must be one of vi, en, got 'fr'"),
        ({"brokr_host": "hub.local"}, "unknown config key(s): brokr_host"),
    ],
)
def test_bad_values_name_the_key(change: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        DeviceConfig.from_dict({**BASE, **change})
    assert needle in str(info.value)


def test_missing_keys_are_listed() -> None:
    with pytest.raises(ConfigError, match="missing required config key.*secret, site"):
        DeviceConfig.from_dict({"device_id": "kiosk-01", "role": "kiosk"})


def test_load_reports_the_file_and_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "device.json"
    with pytest.raises(ConfigError, match="cannot read config"):
        DeviceConfig.load(path)
    path.write_text('{"device_id": "kiosk-01",\n  "secret": }')
    with pytest.raises(ConfigError, match=r"device\.json: not valid JSON \(line 2"):
        DeviceConfig.load(path)
    path.write_text("[]")
    with pytest.raises(ConfigError, match="must be a JSON object"):
        DeviceConfig.load(path)
    path.write_text(json.dumps({**BASE, "broker_port": 99999}))
    with pytest.raises(ConfigError, match=r"device\.json: config key 'broker_port'"):
        DeviceConfig.load(path)


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)
