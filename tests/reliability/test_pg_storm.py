"""The provincial hub on PostgreSQL under load: 20 kiosks and 8 counters at once get every number once and
no number skipped, and `kill -9` of PostgreSQL during a ticket storm loses no acknowledged ticket.

The hub runs as its own process (`motcua hub serve`), the database is named by MOTCUA_DB, and the
kiosks and counters are real device sessions through the hub's own Mosquitto."""

from __future__ import annotations

import collections
import threading
import time
from pathlib import Path

import pytest

from counter_terminal.core import CounterCore
from devicekit.session import DeviceSession
from hub.app import open_data_dir
from hub.store import pg_cluster as pgc
from kiosk.core import KioskCore
from motcua_core.errors import RequestError
from tests.support.hubproc import HubProcess, prepare, register
from tests.support.net import free_port

pytestmark = [pytest.mark.integration, pytest.mark.once]  # its own databases: once, in the first pass

SERVICES = ["HT", "CT"]  # counters 1, 2 and 8 serve HT, 2, 3 and 8 serve CT: all compete for the same tickets
OFFICERS = [("lan1", "1111"), ("hung2", "2222"), ("trang3", "3333"), ("bao4", "4444"), ("duc5", "5555"),
            ("huong6", "6666"), ("tuan7", "7777"), ("anh8", "8888")]


def _start(data: Path, kiosks: int, counters: int) -> tuple[HubProcess, list[DeviceSession], list[DeviceSession]]:
    prepare(data)
    proc = HubProcess(data)
    k_cfgs = [register(data, "kiosk", proc.mqtt_port) for _ in range(kiosks)]
    c_cfgs = [register(data, "counter", proc.mqtt_port, counter=n + 1) for n in range(counters)]
    proc.start()
    sessions = [DeviceSession(c) for c in k_cfgs + c_cfgs]
    for s in sessions:
        s.start()
        assert s.wait_connected(10), "a device could not connect to the hub's broker"
    return proc, sessions[:kiosks], sessions[kiosks:]


def _issue_until_answered(kiosk: KioskCore, service: str, give_up_at: float) -> dict:
    """What the kiosk app does: the same confirmation again until the hub answers."""
    rid = kiosk.new_confirmation()
    while True:
        try:
            return kiosk.issue_ticket(service, request_id=rid)
        except RequestError as exc:
            assert exc.code == "timeout", exc
            assert time.monotonic() < give_up_at, "the hub never answered again"


def _problems(rows: list[tuple[str, str, int]]) -> tuple[int, int]:
    """(duplicates, gaps) of seq per (service, day); seq must run 1, 2, 3 … with nothing missing."""
    groups: dict[tuple[str, str], list[int]] = collections.defaultdict(list)
    for service, day, seq in rows:
        groups[(service, day)].append(seq)
    dups = sum(len(v) - len(set(v)) for v in groups.values())
    gaps = sum(max(v) - len(set(v)) for v in groups.values())
    return dups, gaps


def test_20_kiosks_and_8_counters_on_postgresql_no_duplicate_no_gap(tmp_path: Path, pg_cluster, monkeypatch,
                                                                     figures) -> None:
    monkeypatch.setenv("MOTCUA_DB", pg_cluster.create_database("storm_numbers"))
    per_kiosk = 12
    proc, kiosk_sessions, counter_sessions = _start(tmp_path, 20, 8)
    acked: list[dict] = []
    called: list[tuple[int, int]] = []  # (counter, ticket id)
    lock = threading.Lock()
    done = threading.Event()
    give_up = time.monotonic() + 120

    def kiosk_run(i: int, s: DeviceSession) -> None:
        k = KioskCore(s)
        for j in range(per_kiosk):
            t = _issue_until_answered(k, SERVICES[(i + j) % len(SERVICES)], give_up)
            with lock:
                acked.append(t)

    def counter_run(n: int, s: DeviceSession) -> None:
        c = CounterCore(s)
        c.login(*OFFICERS[n])
        c.open()
        while True:
            t = c.next()
            if t is not None:
                with lock:
                    called.append((n + 1, t["id"]))
            elif done.is_set():
                return
            else:
                time.sleep(0.05)

    try:
        threads = [threading.Thread(target=kiosk_run, args=(i, s)) for i, s in enumerate(kiosk_sessions)]
        callers = [threading.Thread(target=counter_run, args=(n, s)) for n, s in enumerate(counter_sessions)]
        for t in threads + callers:
            t.start()
        for t in threads:
            t.join(150)
        done.set()
        for t in callers:
            t.join(60)
        db = open_data_dir(tmp_path)
        rows = db.execute("SELECT id, service, day, seq, number FROM tickets").fetchall()
        calls = db.execute("SELECT ticket_id, COUNT(*) FROM ticket_events WHERE kind = 'call' GROUP BY ticket_id "
                           "HAVING COUNT(*) > 1").fetchall()
    finally:
        for s in kiosk_sessions + counter_sessions:
            s.stop()
        proc.stop()
    dups, gaps = _problems([(r[1], r[2], r[3]) for r in rows])
    figures(engine="postgresql", kiosks=20, counters=len(callers), tickets=len(rows), called=len(called),
            duplicates=dups, gaps=gaps)
    assert len(acked) == 20 * per_kiosk and len(rows) == len(acked)  # every ticket a citizen holds is stored
    assert {t["id"] for t in acked} == {r[0] for r in rows}
    assert (dups, gaps) == (0, 0)
    assert len({(r[1], r[4]) for r in rows}) == len(rows)  # no printed number twice for a service
    assert len({tid for _, tid in called}) == len(called) and calls == []  # no ticket called at two counters


def test_kill_9_of_postgresql_during_a_ticket_storm_loses_no_acknowledged_ticket(tmp_path: Path, monkeypatch,
                                                                                 figures) -> None:
    cluster = pgc.throwaway(fsync=True, port=free_port())  # its own server: this test kills it
    try:
        monkeypatch.setenv("MOTCUA_DB", cluster.create_database("storm_kill"))
        kiosks, per_kiosk = 6, 15
        proc, kiosk_sessions, _ = _start(tmp_path, kiosks, 0)
        acked: list[dict] = []
        lock = threading.Lock()
        give_up = time.monotonic() + 150

        def kiosk_run(s: DeviceSession) -> None:
            k = KioskCore(s)
            for _ in range(per_kiosk):
                t = _issue_until_answered(k, "HT", give_up)
                with lock:
                    acked.append(t)

        threads = [threading.Thread(target=kiosk_run, args=(s,)) for s in kiosk_sessions]
        try:
            for t in threads:
                t.start()
            while len(acked) < kiosks * per_kiosk // 3:
                time.sleep(0.01)
            at_kill = len(acked)
            cluster.kill9()  # requests in flight, transactions open
            time.sleep(2.0)
            cluster.start()
            for t in threads:
                t.join(150)
            db = open_data_dir(tmp_path)
            rows = db.execute("SELECT id, service, day, seq, number FROM tickets").fetchall()
            db.close()
        finally:
            for s in kiosk_sessions:
                s.stop()
            proc.stop()
        dups, gaps = _problems([(r[1], r[2], r[3]) for r in rows])
        figures(engine="postgresql", acked_at_kill=at_kill, acked=len(acked), stored=len(rows), duplicates=dups,
                gaps=gaps)
        assert len(acked) == kiosks * per_kiosk
        assert {t["id"] for t in acked} <= {r[0] for r in rows}, "an acknowledged ticket is missing"
        assert len({t["number"] for t in acked}) == len(acked)  # no number handed out twice
        assert (dups, gaps) == (0, 0)
    finally:
        cluster.destroy()
