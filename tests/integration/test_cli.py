"""The commands a technician and a newcomer type, run for real."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from motcua.cli import main
from tests.support.hubproc import InProcessHub

MOTCUA = [sys.executable, "-m", "motcua.cli"]


def test_device_add_then_provision_check_passes(hub: InProcessHub, tmp_path: Path, capsys) -> None:
    out = tmp_path / "counter-3.json"
    rc = main(["hub", "device", "add", "--data", str(hub.data), "--site", "demo", "--role", "counter",
               "--counter", "3", "--broker-port", str(hub.mqtt_port), "--out", str(out)])
    assert rc == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["device_id"] == "demo-counter-01" and printed["secret"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    # The running hub picks the new device up by itself (registry poll), then the check passes.
    deadline = time.monotonic() + 15
    while True:
        rc = main(["provision", "check", "--config", str(out), "--timeout", "4"])
        text = capsys.readouterr().out
        if rc == 0 or time.monotonic() > deadline:
            break
    assert rc == 0, text
    assert "[OK  ] configuration from hub" in text and "Hòa An" in text


def test_device_add_refuses_bad_input(hub: InProcessHub, capsys) -> None:
    rc = main(["hub", "device", "add", "--data", str(hub.data), "--site", "demo", "--role", "counter"])
    assert rc == 2 and "needs --counter" in capsys.readouterr().err
    rc = main(["hub", "device", "add", "--data", str(hub.data), "--site", "nowhere", "--role", "kiosk"])
    assert rc == 2 and "unknown site" in capsys.readouterr().err


def test_revoked_device_is_locked_out(hub: InProcessHub, capsys) -> None:
    session = hub.device("kiosk", device_id="kiosk-old")
    assert main(["hub", "device", "revoke", "--data", str(hub.data), "kiosk-old"]) == 0
    deadline = time.monotonic() + 30
    while session.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session.connected, "a revoked device is still connected"


def test_site_load_reports_errors(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "site.json"
    bad.write_text(json.dumps({"site": {"id": "x", "name": "X"}, "fields": [], "services": [],
                               "counters": [{"number": 1, "services": ["HT"]}]}))
    assert main(["hub", "site", "load", "--data", str(tmp_path / "d"), str(bad)]) == 2
    assert "counter 1" in capsys.readouterr().err
    assert main(["hub", "site", "load", "--data", str(tmp_path / "d"), "--demo"]) == 0


def test_headless_roles_run_against_a_hub(hub: InProcessHub, tmp_path: Path) -> None:
    """`motcua kiosk/counter/display --simulate` as separate processes: tickets issued, called, announced."""
    cfgs = {}
    for role, extra in (("kiosk", []), ("counter", ["--counter", "1"]), ("display", [])):
        path = tmp_path / f"{role}.json"
        assert main(["hub", "device", "add", "--data", str(hub.data), "--site", "demo", "--role", role, *extra,
                     "--broker-port", str(hub.mqtt_port), "--out", str(path)]) == 0
        cfgs[role] = path
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs = {
        "display": subprocess.Popen([*MOTCUA, "display", "--simulate", "--config", str(cfgs["display"])],
                                    stdout=subprocess.PIPE, text=True, env=env),
        "kiosk": subprocess.Popen([*MOTCUA, "kiosk", "--simulate", "--per-minute", "120", "--config",
                                   str(cfgs["kiosk"])], stdout=subprocess.PIPE, text=True, env=env),
        "counter": subprocess.Popen([*MOTCUA, "counter", "--simulate", "--service-s", "1", "--officer", "lan1",
                                     "--pin", "1111", "--config", str(cfgs["counter"])],
                                    stdout=subprocess.PIPE, text=True, env=env),
    }
    # Until each has shown its part (a loaded machine starts three Python processes slowly), at most 60 s.
    lines: dict[str, list[str]] = {name: [] for name in procs}
    readers = [threading.Thread(target=lambda n=n, p=p: lines[n].extend(iter(p.stdout.readline, "")), daemon=True)
               for n, p in procs.items()]
    for r in readers:
        r.start()
    wanted = {"kiosk": "người phía trước", "counter": "call 1", "display": "→ Quầy 1"}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(w in "".join(lines[n]) for n, w in wanted.items()):
        time.sleep(0.5)
    for name, p in procs.items():
        p.send_signal(signal.SIGINT)
        p.wait(timeout=20)
        assert p.returncode == 0, (name, "".join(lines[name]))
    for r in readers:
        r.join(5)
    outs = {name: "".join(got) for name, got in lines.items()}
    assert "vé " in outs["kiosk"] and "người phía trước" in outs["kiosk"]
    assert "call 1" in outs["counter"]
    # issue #4: the sentence is printed as spoken, numbers in Vietnamese words
    assert "Mời công dân có số thứ tự một nghìn" in outs["display"] and "→ Quầy 1" in outs["display"]


def test_kiosk_with_a_missing_config_says_so(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["kiosk", "--config", str(tmp_path / "x.json")])
    assert "x.json: cannot read config" in str(exc.value)


def test_kiosk_print_sample_needs_no_hub(tmp_path: Path) -> None:
    from PIL import Image

    for width in (576, 384):
        out = tmp_path / f"ticket-{width}.png"
        assert main(["kiosk", "print-sample", "--out", str(out), "--width", str(width)]) == 0
        assert Image.open(out).width == width


def test_demo_runs_and_shows_the_office(tmp_path: Path) -> None:
    out = subprocess.run([*MOTCUA, "demo", "--data", str(tmp_path / "demo"), "--duration", "12",
                          "--http-port", "0", "--mqtt-port", "0", "--per-minute", "60", "--service-s", "3",
                          "--seed", "1"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Trung tâm Phục vụ hành chính công xã Hòa An" in out.stdout
    assert "Quầy 8" in out.stdout and "Đang chờ theo dịch vụ" in out.stdout
    assert "Mời công dân có số" in out.stdout
    assert "Demo stopped:" in out.stdout and " 0 tickets issued" not in out.stdout


def _children(pid: int) -> set[int]:
    """Every descendant process of `pid` (from /proc)."""
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids = {int(x) for x in (task / "children").read_text().split()}
                todo += list(kids - out)
                out |= kids
    return out


def test_demo_stops_its_broker_on_sigterm_and_keep_finds_it_again(tmp_path: Path) -> None:
    """`kill -TERM` of the demo (what systemd sends) left its Mosquitto running with no parent; the next
    `--keep` then took another port while the kept device configs pointed at the old one."""
    import socket

    data = tmp_path / "demo"
    args = [*MOTCUA, "demo", "--data", str(data), "--http-port", "0", "--mqtt-port", "0", "--per-minute", "60",
            "--service-s", "3", "--seed", "1"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    brokers: set[int] = set()
    while time.monotonic() < deadline and not brokers:
        brokers = {p for p in _children(proc.pid)
                   if "mosquitto" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")}
        time.sleep(0.3)
    assert brokers, "the demo's broker never started"
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert "Demo stopped:" in out, out[-2000:]
    for pid in brokers:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower(), \
            "the broker outlived the demo"
    port = json.loads((data / "demo-ports.json").read_text())["mqtt"]
    # The kept broker port is taken now: --keep moves to another and rewrites the kept configs.
    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the old broker's connections in TIME_WAIT
        busy.bind(("127.0.0.1", port))
        busy.listen()
        again = subprocess.run([*args, "--keep", "--duration", "12"], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    moved = json.loads((data / "demo-ports.json").read_text())["mqtt"]
    assert moved != port
    configs = [json.loads(p.read_text()) for p in (data / "devices").glob("demo-*.json")]
    assert configs and all(c["broker_port"] == moved for c in configs)
    assert "Mời công dân có số" in again.stdout and "Đang chờ trạng thái" not in again.stdout.split("Quầy 8")[-1]


def test_hub_whose_http_port_is_taken_stops_its_broker(tmp_path: Path) -> None:
    """The hub starts Mosquitto before it binds its HTTP port: a port already taken made `hub serve` exit
    with a traceback and leave that Mosquitto running, holding the MQTT port, without a hub."""
    import socket

    from tests.support.net import free_port

    data = tmp_path / "hub"
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", free_port()))
        squatter.listen()
        out = subprocess.run([*MOTCUA, "hub", "serve", "--data", str(data), "--http-host", "127.0.0.1",
                              "--http-port", str(squatter.getsockname()[1]), "--mqtt-port", str(free_port()),
                              "--mqtt-tls-port", "0"], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "lỗi / error:" in out.stderr and "address already in use" in out.stderr.lower(), out.stderr[-2000:]
    assert (data / "broker" / "mosquitto.conf").exists(), "the broker was never started: nothing tested"
    conf = str((data / "broker" / "mosquitto.conf").resolve())
    left = []
    for p in Path("/proc").iterdir():
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            if p.name.isdigit() and conf in (p / "cmdline").read_bytes().decode(errors="replace"):
                left.append(p)
    assert not left, f"Mosquitto left running without its hub: {[p.name for p in left]}"
