"""Nothing that grants access is kept or logged in clear (issue #21, item 4): a booking's manage link
reaches the citizen's phone, but the hub's database, its backups and its log (a private file) keep only
`/hen/q/…`; the log masks the phone number, the CCCD and the e-mail address. Real hub, real SQLite, a
real SMS gateway stand-in (an HTTP server on loopback) that refuses, then accepts."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hub import logfmt
from hub.notify import senders as senders_mod
from hub.ops import dossier_tasks
from hub.store import backup
from tests.security.conftest import Client, seats
from tests.support.hubproc import InProcessHub, prepare

pytestmark = pytest.mark.integration

PHONE, CCCD, EMAIL = "0912345678", "001090012345", "dung.pham@example.vn"


class Gateway(ThreadingHTTPServer):
    """An SMS gateway: answers 503 while `down`, else 200; keeps every text it accepted."""

    def __init__(self) -> None:
        self.down, self.texts = True, []
        gw = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not gw.down:
                    gw.texts.append(data["text"])
                self.send_response(503 if gw.down else 200)
                self.end_headers()

            def log_message(self, *a) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def logged(tmp_path: Path):
    """The hub's log set up as `hub serve --log-file` does; the test's own logging put back after."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    path = tmp_path / "logs" / "hub.log"
    logfmt.setup("text", log_file=path)
    yield path
    for h in root.handlers:
        h.close()
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def _bodies(data: Path) -> list[tuple[str, str, object]]:
    conn = sqlite3.connect(data / "motcua.db")
    try:
        return conn.execute("SELECT channel, body, sent_at FROM notifications ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.mark.sqlite_only  # reads the database file's bytes and its backup's
def test_a_booking_link_reaches_the_phone_but_is_kept_nowhere_in_clear(tmp_path: Path, logged: Path) -> None:
    gw = Gateway()
    threading.Thread(target=gw.serve_forever, daemon=True).start()
    data = tmp_path / "hub"
    prepare(data, with_catalogue=True)
    (data / "notify.json").write_text(json.dumps({"sms": {"url": f"http://127.0.0.1:{gw.server_port}/sms"}}))
    hub = InProcessHub(data).start()
    try:
        c = Client(hub)
        day, free = seats(c)
        status, headers, text = c.request("POST", "/hen/demo", form={
            "service": "HT", "day": day, "slot_start": free[0], "name": "Phạm Văn Dũng", "phone": PHONE,
            "email": EMAIL, "cccd": CCCD})
        assert status == 303, text
        secret = re.fullmatch(r"/hen/q/([\w-]+)\?moi=1", headers["Location"]).group(1)

        def deliver() -> None:
            asyncio.run_coroutine_threadsafe(
                dossier_tasks.deliver(hub.hub, senders_mod.load(data)), hub.thread.loop).result(30)

        deliver()  # the e-mail goes to the log sender; the SMS gateway is down
        rows = _bodies(data)
        assert {ch for ch, _b, _s in rows} == {"sms", "email"}
        assert all(secret not in body for _c, body, _s in rows), rows
        sms = next(body for ch, body, sent in rows if ch == "sms")
        assert "/hen/q/⟦sealed:…|" in sms  # pending: kept sealed, so it can still be sent
        email = next(body for ch, body, sent in rows if ch == "email")
        assert "/hen/q/…" in email and "⟦" not in email  # sent: stripped

        copy = backup.take(data, tmp_path / "copy.db")
        assert secret.encode() not in copy.read_bytes()

        gw.down = False
        deliver()
        assert len(gw.texts) == 1 and f"/hen/q/{secret}" in gw.texts[0]  # the citizen gets the working link
        assert all(secret not in body and "⟦" not in body and sent for _c, body, sent in _bodies(data))
        for f in data.glob("motcua.db*"):
            assert secret.encode() not in f.read_bytes(), f
        status, _h, page = c.request("GET", f"/hen/q/{secret}")
        assert status == 200 and "Phạm Văn Dũng" not in page  # the link still opens the booking
    finally:
        hub.stop()
        gw.shutdown()

    for h in logging.getLogger().handlers:
        h.flush()
    log = logged.read_text(encoding="utf-8")
    assert stat.S_IMODE(logged.stat().st_mode) == 0o600
    assert "notification to" in log and "/hen/q/…" in log
    for clear in (secret, PHONE, CCCD, EMAIL):
        assert clear not in log, clear
