"""A province as separate processes: a provincial hub and three commune hubs, each `motcua hub serve`
with its own Mosquitto and database (the communes SQLite, the province SQLite or, under
MOTCUA_TEST_DB=postgresql, PostgreSQL), joined with `motcua hub province add-centre` / `join`.

Links are cut with the link's own hook (`<data>/sync.pause`: the centre's MQTT client disconnects from the
provincial broker and stays down), not with network namespaces: every hub here listens on loopback.
What is checked is what a province leader would notice: every ticket a kiosk was given at a commune is at
the province exactly once, and the figures of each commune are the same read at the commune or at the
province.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hub.domain import sync as rules
from hub.store import sync as sync_store
from motcua_core import clock as wallclock
from tests.support.hubproc import open_hub_db
from tests.support.province import Commune, Province, cli, province, read


@pytest.fixture
def prov(tmp_path: Path):
    p = province(tmp_path, 3)
    yield p
    p.stop()


def _dicts(data: Path, sql: str, params: tuple = ()) -> list[dict]:
    conn = sqlite3.connect(f"file:{data / 'motcua.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def figures_at_commune(c: Commune, day: str) -> dict:
    return rules.site_figures(_dicts(c.data, "SELECT * FROM tickets WHERE site_id = ?", (c.site,)),
                              _dicts(c.data, "SELECT * FROM votes WHERE site_id = ?", (c.site,)),
                              _dicts(c.data, "SELECT * FROM dossiers WHERE site_id = ?", (c.site,)), day)


def figures_at_province(p: Province, site: str, day: str) -> dict:
    db = open_hub_db(p.data)  # SQLite or PostgreSQL, read through the province's own store
    try:
        return rules.site_figures(sync_store.copied_rows(db, site, "ticket"), sync_store.copied_rows(db, site, "vote"),
                                  sync_store.copied_rows(db, site, "dossier"), day)
    finally:
        db.conn.close()


def assert_converged(p: Province, c: Commune) -> dict:
    """0 lost, 0 duplicated by (site, id), the same figures on both sides."""
    at_commune = c.ticket_ids()
    at_province = [int(k) for k in p.ticket_keys(c.site)]
    lost = sorted(set(at_commune) - set(at_province))
    duplicated = len(at_province) - len(set(at_province))
    extra = sorted(set(at_province) - set(at_commune))
    assert (lost, duplicated, extra) == ([], 0, []), f"{c.site}: lost {lost}, duplicated {duplicated}, extra {extra}"
    events_c = read(c.data, "SELECT COUNT(*) FROM ticket_events WHERE site_id = ?", (c.site,))[0][0]
    events_p = read(p.data, "SELECT COUNT(*) FROM sync_rows WHERE site_id = ? AND kind = 'ticket_event'",
                    (c.site,))[0][0]
    assert events_c == events_p
    days = {r[0] for r in read(c.data, "SELECT DISTINCT day FROM tickets WHERE site_id = ?", (c.site,))}
    for day in days:
        assert figures_at_commune(c, day) == figures_at_province(p, c.site, day)
    return {"tickets": len(at_commune), "events": events_c}


def test_three_communes_cut_and_catch_up(prov: Province) -> None:
    a, b, c = prov.communes
    for commune in (a, b, c):
        commune.issue(10)
    for commune in (a, b, c):
        prov.wait_caught_up(commune)
        assert_converged(prov, commune)
    deadline = time.monotonic() + 30  # the centre writes the province's acknowledgements every 2 s
    while True:
        status = json.loads(cli("hub", "sync", "status", "--data", str(a.data), "--json").stdout)
        if status["links"][0]["lag"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status["links"][0]["link"] == "up" and status["links"][0]["lag"] == 0
    # The link of commune A is cut: A keeps serving, the province does not move for A, B still syncs.
    a.cut()
    time.sleep(0.5)
    before = prov.hwm(a.site)
    t0 = time.monotonic()
    issued = a.issue(40)
    cut_call_s = (time.monotonic() - t0) / 40
    b.issue(5)
    assert [t["number"] for t in issued] == sorted(t["number"] for t in issued)
    prov.wait_caught_up(b)
    assert prov.hwm(a.site) == before < a.seq()
    status = json.loads(cli("hub", "sync", "status", "--data", str(a.data), "--json").stdout)
    assert status["links"][0]["link"] == "paused" and status["links"][0]["lag"] == a.seq() - before
    down = overview(prov)
    a.mend()
    catchup_s = prov.wait_caught_up(a, 30)
    counts = assert_converged(prov, a)
    assert_converged(prov, b)
    # The province leader's overview: every centre, its figures as the commune counts them, its link.
    o = overview(prov)
    lines = {c["site"]: c for c in o["centres"]}
    assert set(lines) == {"xa-1", "xa-2", "xa-3"}
    for commune in (a, b, c):
        day = read(commune.data, "SELECT day FROM tickets ORDER BY id DESC LIMIT 1")[0][0]
        mine = figures_at_commune(commune, day)
        assert (lines[commune.site]["waiting"], lines[commune.site]["served_today"],
                lines[commune.site]["tickets_today"]) == (mine["waiting"], mine["served"], mine["tickets"])
        assert lines[commune.site]["link"]["up"] and lines[commune.site]["link"]["lag"] == 0
    assert down["totals"]["waiting"] < o["totals"]["waiting"]
    deadline = time.monotonic() + 15  # presence summaries go out within a second or two of a change
    while any(line["devices_online"] != 1 for line in overview(prov)["centres"]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert [(x["devices_online"], x["devices_total"]) for x in overview(prov)["centres"]] == [(1, 1)] * 3
    # The province's report over every centre: the same counts as each commune's own tables.
    day = read(a.data, "SELECT day FROM tickets ORDER BY id DESC LIMIT 1")[0][0]
    status, rep = _get(prov, f"/api/v1/province/report?from={day}&to={day}", _tokens[prov.data])
    assert status == 200
    assert {r["site"]: r["tickets"] for r in rep["rows"]} == {
        x.site: len(read(x.data, "SELECT id FROM tickets WHERE day = ?", (day,))) for x in (a, b, c)}
    leader = cli("hub", "token", "add", "--data", str(prov.data), "--role", "leader", "--site", "tinh",
                 "--name", "lanh dao tinh nha").stdout
    leader = json.loads(leader)["token"]
    assert _get(prov, "/api/v1/province/overview", leader)[0] == 403  # a centre's leader is not the province's
    print(json.dumps({"catchup_s": round(catchup_s, 2), "cut_call_s": round(cut_call_s, 4), **counts}))


def _get(p: Province, path: str, token: str) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(f"http://127.0.0.1:{p.proc.http_port}{path}",
                                 headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


_tokens: dict[Path, str] = {}


def overview(p: Province) -> dict:
    """The overview as a province leader reads it (an API token of the role, made once per province)."""
    if p.data not in _tokens:
        out = cli("hub", "token", "add", "--data", str(p.data), "--role", "province_leader", "--name", "lanh dao")
        _tokens[p.data] = json.loads(out.stdout)["token"]
    status, body = _get(p, "/api/v1/province/overview", _tokens[p.data])
    assert status == 200, body
    return body


def _storm(c: Commune, n: int, out: list, errors: list) -> threading.Thread:
    def run() -> None:
        try:
            out.extend(c.issue(n))
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
    t = threading.Thread(target=run)
    t.start()
    return t


def test_kill_9_of_a_commune_hub_and_of_the_provincial_hub_during_transfers(prov: Province) -> None:
    a, b, _c = prov.communes
    # A commune hub killed while it sends its backlog and its kiosk keeps issuing.
    a.cut()
    a.issue(150)
    a.mend()
    given: list[dict] = []
    errors: list = []
    t = _storm(a, 30, given, errors)
    time.sleep(0.3)
    assert len(a.link_processes()) == 1
    a.proc.kill_hard()
    deadline = time.monotonic() + 10  # its link's process goes with it: no second link after the restart
    while a.link_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert a.link_processes() == []
    a.restart()
    t.join(90)
    assert not errors and len(given) == 30
    prov.wait_caught_up(a, 30)
    assert_converged(prov, a)
    # The commune's own broker killed while the commune serves: the hub restarts it, the kiosk reconnects.
    a.cut()
    a.issue(50)
    a.mend()
    time.sleep(0.2)
    os.kill(int((a.data / "broker" / "mosquitto.pid").read_text()), signal.SIGKILL)
    a.issue(10)
    prov.wait_caught_up(a, 30)
    assert_converged(prov, a)
    # The provincial hub killed while it applies a commune's backlog, then its broker killed as well.
    b.cut()
    b.issue(150)
    b.mend()
    time.sleep(0.2)
    prov.proc.kill_hard()
    time.sleep(0.5)
    prov.proc = type(prov.proc)(prov.data, http_port=prov.proc.http_port, mqtt_port=prov.proc.mqtt_port,
                                mqtt_tls_port=prov.proc.mqtt_tls_port).start()
    b.issue(20)
    pid = int((prov.data / "broker" / "mosquitto.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    b.issue(20)
    prov.wait_caught_up(b, 30)
    assert_converged(prov, b)
    assert prov.hwm(b.site) == b.seq()


def test_restored_commune_joins_under_a_new_epoch_and_the_old_epoch_is_refused(prov: Province, tmp_path: Path) -> None:
    a = prov.communes[0]
    a.issue(10)
    prov.wait_caught_up(a)
    cli("hub", "backup", "--data", str(a.data), "--out", str(tmp_path / "a.db"))
    a.issue(10)
    prov.wait_caught_up(a)
    old = json.loads((a.data / "province.json").read_text())
    # The commune's disk is replaced by the older backup: its link stays down until it joins again.
    a.proc.stop()
    out = cli("hub", "restore", "--data", str(a.data), str(tmp_path / "a.db"))
    assert "join" in out.stdout
    a.proc.start()
    time.sleep(3)
    state = json.loads((a.data / "sync-link.state").read_text())["state"]
    assert state == "rejoin"
    prov.join(a)
    a.proc.stop()
    a.proc.start()
    new = json.loads((a.data / "province.json").read_text())
    assert new["epoch"] != old["epoch"]
    assert a.session.wait_connected(30)
    a.issue(3)  # the restored commune numbers on from its backup
    prov.wait_caught_up(a, 30)
    assert read(prov.data, "SELECT epoch FROM sync_hwm WHERE site_id = ?", (a.site,))[0][0] == new["epoch"]
    assert set(a.ticket_ids()) <= {int(k) for k in prov.ticket_keys(a.site)}
    # A batch of the old epoch (an old copy still running, a message late in a broker) is refused, with an alert.
    answers: list[dict] = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=new["username"], protocol=mqtt.MQTTv5)
    client.username_pw_set(new["username"], new["password"])
    client.on_message = lambda _c, _u, m: answers.append(json.loads(m.payload))
    client.on_connect = lambda cl, *_: cl.subscribe(rules.down_topic(new["centre"]), qos=1)
    a.cut()  # the hub's own link steps aside: one client per centre account
    time.sleep(1)
    client.connect("127.0.0.1", prov.proc.mqtt_port)
    client.loop_start()
    try:
        time.sleep(0.5)
        row = {"seq": 1, "kind": "vote", "id": "999999", "at": wallclock.time(), "body": {"rating": 1}}
        client.publish(rules.up_topic(new["centre"]),
                       json.dumps(rules.batch(new["centre"], old["epoch"], a.site, [row], wallclock.time())), qos=1)
        deadline = time.monotonic() + 30
        while not any(x.get("type") == "refused" for x in answers) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        client.loop_stop()
        client.disconnect()
    refused = [x for x in answers if x.get("type") == "refused"]
    assert refused and refused[0]["reason"] == "old_epoch"
    kinds = [r[0] for r in read(prov.data, "SELECT kind FROM sync_alerts WHERE centre_id = ?", (a.site,))]
    assert "old_epoch" in kinds and "new_epoch" in kinds
    assert read(prov.data, "SELECT COUNT(*) FROM sync_rows WHERE key = '999999'")[0][0] == 0


def test_a_catalogue_version_published_at_the_province_reaches_every_centre(prov: Province, tmp_path: Path) -> None:
    """Published once at the province (motcua hub catalog import), in every linked centre within 60 s and in
    a centre cut off meanwhile within 60 s of its link coming back; its kiosks then see it in their replica."""
    a, b, c = prov.communes
    c.cut()
    doc = {"procedures": [{"id": "tinh-thu-tuc-thu", "code": "1.000001", "name": "Thủ tục thử của tỉnh",
                           "field": "tu-phap", "level": "province", "agency": "Sở Tư pháp", "processing_days": 5,
                           "documents": [{"name": "Tờ khai theo mẫu", "copies": 1}]}]}
    (tmp_path / "cat.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    cli("hub", "catalog", "import", "--data", str(prov.data), str(tmp_path / "cat.json"))
    t0 = time.monotonic()

    def has(commune: Commune) -> bool:
        return bool(read(commune.data, "SELECT 1 FROM procedures WHERE id = 'tinh-thu-tuc-thu'"))

    while not (has(a) and has(b)) and time.monotonic() - t0 < 60:
        time.sleep(0.5)
    linked_s = time.monotonic() - t0
    assert has(a) and has(b), "the province's new procedure did not reach the linked centres in 60 s"
    time.sleep(1)
    assert not has(c)  # cut off: it cannot know yet
    c.mend()
    t1 = time.monotonic()
    while not has(c) and time.monotonic() - t1 < 60:
        time.sleep(0.5)
    assert has(c), "the cut-off centre did not get the catalogue within 60 s of reconnecting"
    # A lookup kiosk's replica follows through its existing fetch: the centre's own catalogue API.
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{c.proc.http_port}/api/v1/catalog?since=0", timeout=10) as r:
        assert "tinh-thu-tuc-thu" in {p["id"] for p in json.loads(r.read())["procedures"]}
    print(json.dumps({"catalogue_linked_s": round(linked_s, 1), "catalogue_reconnect_s": round(time.monotonic() - t1, 1)}))
