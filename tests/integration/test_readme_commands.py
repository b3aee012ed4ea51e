"""README.md's commands, as a new office types them, in order, in a fresh temporary directory: the
"Running the parts yourself" block (and its token line) and the dossier block, each checked by its effect
(issue #13 item 3). The commands are read from README.md itself, so the README cannot drift from them.

Changed before running, and only these: ports (8080/1883/8883 become free ones, so the test runs beside
other hubs), the simulated kiosk's arrival rate (`--per-minute 60`, so the first citizen comes within
seconds), and the clone's example files the dossier block names are copied into the directory."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from hub.app import open_data_dir
from hub.store.db import Db
from tests.devicekit.conftest import wait_until
from tests.support.hubproc import health
from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def _block(readme: str, heading: str) -> list[str]:
    """The commands of the first ```sh block after `heading`, comments dropped."""
    part = readme.split(heading, 1)[1]
    body = part.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in body.splitlines() if line.strip() and not line.startswith(". ")]


def _argv(line: str) -> list[str]:
    argv = shlex.split(line, comments=True)
    assert argv[0] == "motcua", line
    return [PY, "-m", "motcua.cli", *argv[1:]]


def _ported(argv: list[str], http: int, mqtt: int, tls: int = 0) -> list[str]:
    """The README's command on this test's free ports: its defaults may be taken by another run on the
    machine (another run here held 8883, and `hub serve` exited with "Address already in use")."""
    if "serve" in argv:
        return [*argv, "--http-port", str(http), "--mqtt-port", str(mqtt), "--mqtt-tls-port", str(tls)]
    if "device" in argv and "add" in argv:
        return [*argv, "--broker-port", str(mqtt)]
    if "kiosk" in argv and "--simulate" in argv:
        return [*argv, "--per-minute", "60"]
    return argv


class Shell:
    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "MOTCUA_DATA": str(cwd / "nowhere"),
                    "HOME": str(cwd / "home")}
        self.bg: list[tuple[subprocess.Popen, Path]] = []

    def run(self, argv: list[str], ok: bool = True) -> subprocess.CompletedProcess:
        r = subprocess.run(argv, cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=120)
        if ok:
            assert r.returncode == 0, f"{argv[3:]} → {r.returncode}\n{r.stdout}\n{r.stderr}"
        return r

    def start(self, argv: list[str], name: str) -> Path:
        out = self.cwd / f"{name}.out"
        f = out.open("w")
        self.bg.append((subprocess.Popen(argv, cwd=self.cwd, env=self.env, stdout=f, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL), out))
        return out

    def stop(self) -> None:
        for p, _ in reversed(self.bg):
            p.terminate()
        for p, _ in reversed(self.bg):
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()


def _db(office: Path) -> Db:
    """The office's database (the file, or PostgreSQL under MOTCUA_TEST_DB), a connection of our own."""
    return open_data_dir(office)


def test_readme_commands_work_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parts = _block(readme, "## Running the parts yourself")
    token_line = re.search(r"`(motcua hub token add [^`]+)`", readme).group(1)
    dossier = _block(readme, "### Dossiers")
    for rel in ("hub/data/catalogue.json", "docs/examples/dossier-settings.json"):  # what the block names
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    http, mqtt, tls = free_port(), free_port(), free_port()
    sh = Shell(tmp_path)
    office = tmp_path / "office"
    try:
        # 1. The demo unit, with the catalogue the counter's search needs.
        load, serve, *adds, check, kiosk, counter, display = parts
        assert "site load --demo" in load
        out = sh.run(_argv(load)).stdout
        assert "site demo loaded" in out and "Đã nhập 120 thủ tục" in out
        db = _db(office)
        assert db.execute("SELECT COUNT(*) FROM procedures").fetchone()[0] == 120
        assert db.execute("SELECT COUNT(*) FROM counters WHERE site_id = 'demo'").fetchone()[0] == 8
        db.close()
        # 2. The hub.
        sh.start(_ported(_argv(serve), http, mqtt, tls), "hub")
        wait_until(lambda: _healthy(http), timeout=40, interval=0.3)  # the hub is up
        # 3. Three devices, each with its config file readable by its owner only.
        for line in adds:
            argv = _ported(_argv(line), http, mqtt)
            cfg = json.loads(sh.run(argv).stdout)
            path = tmp_path / argv[argv.index("--out") + 1]
            assert json.loads(path.read_text())["device_id"] == cfg["device_id"]
            assert path.stat().st_mode & 0o777 == 0o600
        # 4. The technician's check of the counter's config.
        r = sh.run(_argv(check))
        assert "counter1.json" in check and r.returncode == 0
        # 5. Simulated people on the real devices: tickets, calls at counter 1, announcements.
        kiosk_out = sh.start(_ported(_argv(kiosk), http, mqtt), "kiosk")
        sh.start(_argv(counter), "counter")
        display_out = sh.start(_argv(display), "display")
        wait_until(lambda: "vé " in kiosk_out.read_text(), timeout=40, interval=0.3)  # a ticket from the kiosk
        wait_until(lambda: _calls_at(office, 1), timeout=60, interval=0.3)  # counter 1 calling
        wait_until(lambda: "quầy" in display_out.read_text().lower(), timeout=40, interval=0.3)  # announced
        # 6. An API token for scripts; it opens what a leader may read.
        tok = json.loads(sh.run(_argv(token_line)).stdout)["token"]
        req = urllib.request.Request(f"http://127.0.0.1:{http}/api/v1/sites/demo/kpis",
                                     headers={"Authorization": f"Bearer {tok}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200

        # 7. The dossier block, in order.
        (imp, settings, due, due_same_day, spec, weekly, index766, period, period_range, issue, issued, register,
         portal) = dossier
        assert "Đã nhập 120 thủ tục" in sh.run(_argv(imp)).stdout
        sh.run(_argv(settings))
        db = _db(office)
        saved = json.loads(db.execute("SELECT config FROM dossier_settings WHERE site_id = 'demo'").fetchone()[0])
        db.close()
        assert saved["agency_code"] == "HOAAN"
        assert sh.run(_argv(due)).stdout.strip() == "Hạn trả kết quả: 25/02/2026 17:00 (Thứ Tư)"
        assert sh.run(_argv(due_same_day)).stdout.strip() == "Hạn trả kết quả: 05/03/2026 17:00 (Thứ Năm)"
        token = json.loads(sh.run(_argv(spec)).stdout)["token"]
        req = urllib.request.Request(f"http://127.0.0.1:{http}/api/v1/agency/me",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert json.loads(resp.read())["name"] == "Trần Quang Khải"
        r = sh.run(_argv(weekly))
        assert (tmp_path / "tuan47.pdf").read_bytes()[:4] == b"%PDF" and "Tuần 47 năm 2026" in r.stdout
        r = sh.run(_argv(index766))
        assert (tmp_path / "chiso766.pdf").read_bytes()[:4] == b"%PDF" and "Tháng 11 năm 2026" in r.stdout
        r = sh.run(_argv(period))
        assert (tmp_path / "quy4.pdf").read_bytes()[:4] == b"%PDF" and "Quý IV năm 2026" in r.stdout
        assert (tmp_path / "quy4.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
        assert json.loads(sh.run(_argv(period_range)).stdout)["period_label"] == "Từ ngày 03/11/2026 đến ngày 02/12/2026"
        r = sh.run(_argv(issue))
        assert r.stdout.startswith("Số: 01/BC-") and (tmp_path / "bc.pdf").read_bytes()[:4] == b"%PDF"
        assert "Số: 01/BC-" in sh.run(_argv(issued)).stdout
        r = sh.run(_argv(register))
        assert (tmp_path / "so.pdf").read_bytes()[:4] == b"%PDF"
        assert (tmp_path / "so.csv").read_text(encoding="utf-8-sig").startswith("Quyển số,TT,")
        sh.run(_argv(portal))
        assert not (tmp_path / "nowhere").exists(), "a command created a database outside --data"

        # 8. A command pointed at an empty data directory says so and creates nothing (with MOTCUA_DB, the
        # PostgreSQL database named there is the hub's, wherever --data points).
        if "MOTCUA_DB" not in os.environ:
            (tmp_path / "empty").mkdir()
            argv = [a if a != "./office" else "./empty" for a in _argv(weekly)]
            r = sh.run(argv, ok=False)
            assert r.returncode == 2 and "không có dữ liệu của hub ở empty" in r.stderr
            assert list((tmp_path / "empty").iterdir()) == []
            r = sh.run([a for a in _argv(spec) if a not in ("--data", "./office")], ok=False)  # --data forgotten
            assert r.returncode == 2 and "Kiểm tra --data" in r.stderr and not (tmp_path / "nowhere").exists()
    finally:
        sh.stop()


def _healthy(port: int) -> bool:
    try:
        return health(port).get("status") == "ok"
    except OSError:
        return False


def _calls_at(office: Path, counter: int) -> bool:
    db = _db(office)
    try:
        return db.execute("SELECT COUNT(*) FROM tickets WHERE counter = ? AND called_at IS NOT NULL",
                          [counter]).fetchone()[0] > 0
    finally:
        db.close()
