"""Enrolment by code on a new device (issue #14): trade the code the console or `motcua hub device add`
printed for this device's identity, secret and broker address; write the config file (mode 0600).

Used by `motcua provision enrol` and by the first-boot screen of the Kivy roles (devicekit.ui.enrol)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from motcua_core.device_config import DeviceConfig
from motcua_core.enrol_code import looks_valid, normalize


class EnrolError(Exception):
    """A refusal to show as is: `message` in Vietnamese first, the English detail after it."""


def enrol(hub_url: str, code: str, out: Path, *, data_dir: Path | None = None, timeout: float = 15.0) -> DeviceConfig:
    """Ask the hub, write `out` (0600) and the broker's CA beside it when the hub has one."""
    if not looks_valid(code):
        raise EnrolError("Mã đăng ký gồm 8 chữ và số (dạng ABCD-EFGH). Vui lòng kiểm tra lại. "
                         "(an enrolment code is 8 letters and digits)")
    url = hub_url.rstrip("/") + "/api/v1/enrol"
    req = urllib.request.Request(url, data=json.dumps({"code": normalize(code)}).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            got = json.loads(r.read())
    except urllib.error.HTTPError as exc:
        try:
            err = json.loads(exc.read())["error"]
        except (ValueError, KeyError, TypeError):
            err = {"message_vi": f"Máy chủ trả lời lỗi {exc.code}.", "message": str(exc)}
        raise EnrolError(f"{err.get('message_vi')} ({err.get('message')})") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EnrolError(f"Không kết nối được máy chủ {hub_url}: kiểm tra địa chỉ, mạng và tường lửa. ({reason})") from None
    cfg = {k: got[k] for k in ("device_id", "secret", "site", "role", "broker_host", "broker_port")}
    if got.get("tls"):  # a LAN device: TLS to the hub's listener, trusting the hub's own CA alone
        cfg.update(tls=True, ca_cert=got["ca_cert"])
    if data_dir is not None:
        cfg["data_dir"] = str(data_dir)
    config = DeviceConfig.from_dict(cfg)
    config.save(out)
    return config
