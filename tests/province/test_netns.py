"""A WAN cut with network namespaces: the commune hub, its broker and its kiosk live in a namespace of
their own (the commune's LAN), reaching the provincial hub only through a veth pair (the WAN), over the
provincial broker's TLS listener with the CA the join gave. `ip link set … down` cuts the WAN; the
commune keeps issuing tickets; after `up` the province catches up with nothing lost or doubled.
Needs root and `ip` (the tests run as root here); elsewhere the pause-hook test covers the same path."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.province.test_sync import assert_converged
from tests.support.hubproc import hub_env, prepare
from tests.support.net import free_port, wait_port
from tests.support.province import (
    Commune,
    HubProcess,
    Province,
    bind_commune,
    bind_province,
    cli,
    read,
    site_file,
)

pytestmark = [pytest.mark.skipif(os.geteuid() != 0 or shutil.which("ip") is None,
                                 reason="network namespaces need root and iproute2"),
              pytest.mark.once]  # the WAN's path, not the engine's: the pause-hook tests run on PostgreSQL too


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@pytest.fixture
def wan(tmp_path: Path):
    """A namespace with a veth pair to the root namespace: 10.231.N.1 (province side), .2 (commune)."""
    n = secrets.randbelow(200) + 20
    ns, host_if, ns_if = f"mc-{n}", f"mcp{n}", f"mcc{n}"
    _ip("netns", "add", ns)
    try:
        _ip("link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        _ip("link", "set", ns_if, "netns", ns)
        _ip("addr", "add", f"10.231.{n}.1/24", "dev", host_if)
        _ip("link", "set", host_if, "up")
        _ip("netns", "exec", ns, "ip", "addr", "add", f"10.231.{n}.2/24", "dev", ns_if)
        _ip("netns", "exec", ns, "ip", "link", "set", ns_if, "up")
        _ip("netns", "exec", ns, "ip", "link", "set", "lo", "up")
        yield {"ns": ns, "host_if": host_if, "province_ip": f"10.231.{n}.1"}
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            _ip("link", "del", host_if)
        _ip("netns", "del", ns)


def _in_ns(ns: str, data: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    """A command of the commune's (data directory `data`) inside its namespace, on its SQLite file."""
    return subprocess.run(["ip", "netns", "exec", ns, sys.executable, *args], capture_output=True, text=True,
                          timeout=120, env=hub_env(data), **kw)


def test_wan_cut_by_network_namespace(tmp_path: Path, wan: dict) -> None:
    ns, pip = wan["ns"], wan["province_ip"]
    pdata, cdata = tmp_path / "tinh", tmp_path / "xa-wan"
    bind_province(pdata)
    bind_commune(cdata)
    prepare(pdata, site_file(tmp_path, "tinh", "Tỉnh"))
    cli("hub", "province", "init", "--data", str(pdata), "--name", "Tỉnh Mẫu")
    http, mqtt_port, tls_port = free_port(), free_port(), free_port()
    with open(pdata / "hub-process.log", "ab") as log:
        pproc = subprocess.Popen([sys.executable, "-m", "motcua.cli", "hub", "serve", "--data", str(pdata),
                                  "--http-host", "0.0.0.0", "--http-port", str(http), "--mqtt-port", str(mqtt_port),
                                  "--mqtt-tls-port", str(tls_port), "--mqtt-tls-bind", pip],
                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=hub_env(pdata))
    prepare(cdata, site_file(tmp_path, "xa-wan", "Xã qua WAN"))
    cproc = None
    try:
        wait_port(http, timeout=30)
        province = Province(tmp_path, pdata, HubProcess(pdata, http_port=http, mqtt_port=mqtt_port), [])
        code = cli("hub", "province", "add-centre", "--data", str(pdata), "xa-wan", "--name", "Xã qua WAN"
                   ).stdout.split(": ")[1].split()[0]
        out = _in_ns(ns, cdata, "-m", "motcua.cli", "hub", "province", "join", "--data", str(cdata), "--hub",
                     f"http://{pip}:{http}", "--code", code)
        assert out.returncode == 0, out.stderr
        link = json.loads((cdata / "province.json").read_text())
        assert link["ca_file"] and link["port"] == tls_port and link["host"] == pip  # TLS over the WAN
        with open(cdata / "hub-process.log", "ab") as log:
            cproc = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-m", "motcua.cli", "hub", "serve",
                                      "--data", str(cdata), "--http-host", "127.0.0.1", "--http-port", "8080",
                                      "--mqtt-port", "1883", "--mqtt-tls-port", "8883"],
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                     env=hub_env(cdata))
        commune = Commune("xa-wan", cdata, HubProcess(cdata))
        time.sleep(3)
        out = _in_ns(ns, cdata, "-m", "tests.support.province", str(cdata), "xa-wan", "1883", "10")
        assert out.returncode == 0, out.stderr
        province.wait_caught_up(commune, 30)
        _ip("link", "set", wan["host_if"], "down")  # the WAN is cut
        before = province.hwm("xa-wan")
        out = _in_ns(ns, cdata, "-m", "tests.support.province", str(cdata), "xa-wan", "1883", "30")
        assert out.returncode == 0, out.stderr  # the commune kept serving
        assert len(json.loads(out.stdout.strip().splitlines()[-1])) == 30
        time.sleep(2)
        assert province.hwm("xa-wan") == before < commune.seq()
        _ip("link", "set", wan["host_if"], "up")
        catchup_s = province.wait_caught_up(commune, 30)
        counts = assert_converged(province, commune)
        print(json.dumps({"catchup_s": round(catchup_s, 2), **counts}))
        assert read(pdata, "SELECT COUNT(*) FROM sync_hwm WHERE site_id = 'xa-wan'")[0][0] == 1
    finally:
        for proc in (cproc, pproc):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(15)
