"""What the province publishes down, as separate processes (a provincial hub and two commune hubs, each
`motcua hub serve` with its own Mosquitto and SQLite file): the province's calendar, a centre's site
configuration, a release and commands, published once at the province, reach a linked centre within
60 s and a centre cut off meanwhile (the link's pause hook) within 60 s of its link coming back — and
the centre then behaves differently: its kiosk gives no ticket on the day off the province announced,
and a dossier's due date moves past it.

The hubs run as if on Wednesday 10 March 2027, 10:00 in Vietnam (MOTCUA_TEST_NOW, inherited by every
hub process), so the day off and the ticket hours do not depend on the day the suite runs."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from motcua_core import clock
from motcua_core.errors import RequestError
from tests.support.province import Commune, Province, cli, province, read

DAY = "2027-03-10"  # a Wednesday, no public holiday


@pytest.fixture
def prov(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(clock.TEST_NOW, f"{DAY}T10:00:00+07:00")
    monkeypatch.delenv(clock.TEST_NOW_OFFSET, raising=False)
    clock.offset()  # anchored here: every hub process inherits the same moment
    p = province(tmp_path, 2)
    yield p
    p.stop()


def wait_for(check: Callable[[], bool], timeout: float = 60.0) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if check():
            return max(0.01, round(time.monotonic() - t0, 2))  # truthy: found
        time.sleep(0.2)
    return None


def refusal(c: Commune) -> str | None:
    """The kiosk's answer to a ticket request: None (a ticket) or the refusal's code."""
    assert c.kiosk is not None
    try:
        c.kiosk.issue_ticket("HT", request_id=c.kiosk.new_confirmation())
        return None
    except RequestError as exc:
        return exc.code if exc.code != "timeout" else "timeout"


def due(c: Commune, received: str, days: int) -> str:
    out = cli("hub", "calendar", "due", "--data", str(c.data), "--site", c.site, "--received", received,
              "--working-days", str(days), "--json")
    return json.loads(out.stdout)["due_at"]


def test_calendar_and_site_configuration_published_at_the_province_change_each_centre(prov: Province,
                                                                                       tmp_path: Path) -> None:
    a, b = prov.communes
    hours = {"ticket_hours": {"opens": "07:30", "last_ticket": "16:30", "weekdays": [0, 1, 2, 3, 4]}}
    (tmp_path / "hours.json").write_text(json.dumps(hours), encoding="utf-8")
    for c in (a, b):
        cli("hub", "province", "publish", "site-config", "--data", str(prov.data), c.site, str(tmp_path / "hours.json"))
    assert wait_for(lambda: all(read(c.data, "SELECT ticket_hours FROM sites WHERE id = ?", (c.site,))[0][0]
                                for c in (a, b))), "the ticket hours the province set did not reach the centres"
    assert refusal(a) is None and refusal(b) is None  # a Wednesday at 10:00: tickets
    before = due(a, f"{DAY[:8]}09T09:00", 1)
    assert before.startswith(DAY)  # received on Tuesday, one working day: Wednesday
    # The province announces Wednesday a day off for the whole province while B is cut off.
    b.cut()
    time.sleep(0.5)
    cal = {"days_off": [DAY], "note": "Nghỉ bù theo thông báo của UBND tỉnh"}
    (tmp_path / "cal.json").write_text(json.dumps(cal, ensure_ascii=False), encoding="utf-8")
    cli("hub", "province", "publish", "calendar", "--data", str(prov.data), str(tmp_path / "cal.json"))
    linked_s = wait_for(lambda: refusal(a) == "closed")
    assert linked_s is not None, "the linked centre's kiosk still gives tickets on the province's day off"
    assert a.kiosk is not None
    with pytest.raises(RequestError) as refused:
        a.kiosk.issue_ticket("HT", request_id=a.kiosk.new_confirmation())
    assert "ngày nghỉ" in refused.value.message_vi
    assert due(a, f"{DAY[:8]}09T09:00", 1).startswith("2027-03-11")  # the day off is not counted
    assert refusal(b) is None  # cut off: it cannot know yet
    b.mend()
    reconnect_s = wait_for(lambda: refusal(b) == "closed")
    assert reconnect_s is not None, "the cut-off centre did not get the calendar within 60 s of reconnecting"
    assert due(b, f"{DAY[:8]}09T09:00", 1).startswith("2027-03-11")
    # The province lists the calendar as applied by both centres (their hellos acknowledge it).
    def applied() -> tuple:
        docs = json.loads(cli("hub", "province", "published", "--data", str(prov.data), "--json").stdout)["docs"]
        cal_doc = next(d for d in docs if d["kind"] == "calendar")
        return cal_doc["applied"], cal_doc["centres"]

    assert wait_for(lambda: applied() == (2, 2), 30), f"the province counts {applied()} centres holding the calendar"
    # The province's wording of the forms: the centre's register is printed with it.
    from hub.domain import forms

    heads = list(forms.default("register")["heads"])
    heads[0] = "STT (mẫu của tỉnh)"
    (tmp_path / "forms.json").write_text(json.dumps({"version": "2027-1", "form_texts": {"register": {"heads": heads}}},
                                                    ensure_ascii=False), encoding="utf-8")
    cli("hub", "province", "publish", "forms", "--data", str(prov.data), str(tmp_path / "forms.json"))

    def register_head(c: Commune) -> str:
        out = tmp_path / f"{c.site}-register.csv"
        cli("hub", "register", "export", "--data", str(c.data), "--site", c.site, "--from", DAY, "--to", DAY,
            "--csv", str(out))
        return out.read_text(encoding="utf-8-sig").splitlines()[0]

    forms_s = wait_for(lambda: "STT (mẫu của tỉnh)" in register_head(b))
    assert forms_s is not None, "the province's wording of the forms did not reach the centre"
    # The centre's audit log names the change and who made it: the province, over the sync.
    assert read(b.data, "SELECT who, via FROM audit_log WHERE action = 'province.calendar'") == [("province", "sync")]
    print(json.dumps({"calendar_linked_s": linked_s, "calendar_reconnect_s": reconnect_s, "forms_s": forms_s}))


def test_release_and_commands_reach_a_centre(prov: Province, tmp_path: Path) -> None:
    a, b = prov.communes
    # A release published at the province is fetched by every centre into the folder its devices update from.
    wheel = tmp_path / "motcua-99.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK\x03\x04 a wheel for the test " * 100)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    b.cut()
    time.sleep(0.5)
    cli("hub", "province", "publish", "release", "--data", str(prov.data), str(wheel))

    def has_release(c: Commune) -> bool:
        from hub.ops import releases

        rel = releases.current(c.data)
        return rel is not None and rel.version == "99.1.0" and rel.sha256 == digest

    assert wait_for(lambda: has_release(a)), "the linked centre did not fetch the release"
    assert not has_release(b)
    b.mend()
    assert wait_for(lambda: has_release(b)), "the centre cut off did not fetch the release after reconnecting:\n" + \
        "\n".join(line for line in (b.data / "hub-process.log").read_text().splitlines() if "sync" in line)[-3000:]
    # A command: the centre holding xa-1 takes a backup (named for the moment it was taken); carried out once.
    def backups(c: Commune) -> list[Path]:
        return sorted((c.data / "backups").glob(f"motcua-{DAY.replace('-', '')}-*.db"))

    cli("hub", "province", "command", "--data", str(prov.data), a.site, "backup")
    assert wait_for(lambda: bool(backups(a))), "the centre did not take the backup the province asked for"
    time.sleep(2)
    assert len(backups(a)) == 1 and backups(b) == []
    assert read(a.data, "SELECT action, who FROM audit_log WHERE action = 'province.command'") == [
        ("province.command", "province")]
    # resync: the centre sends every row up again, numbered on; the province's copy is refreshed, nothing doubled.
    a.issue(3)
    prov.wait_caught_up(a, 30)
    before = prov.hwm(a.site)
    tickets = sorted(prov.ticket_keys(a.site))
    cli("hub", "province", "command", "--data", str(prov.data), a.site, "resync")
    assert wait_for(lambda: prov.hwm(a.site) > before + len(tickets)), "the centre did not send its rows again"
    prov.wait_caught_up(a, 30)
    assert sorted(prov.ticket_keys(a.site)) == tickets
    # An unknown site or command is refused at the province with a clear message.
    out = cli("hub", "province", "command", "--data", str(prov.data), "xa-khong-co", "backup", check=False)
    assert out.returncode != 0 and "Không có trung tâm" in out.stderr


def test_a_full_catalogue_resend_retires_what_the_province_no_longer_has(prov: Province, tmp_path: Path) -> None:
    a, _b = prov.communes
    doc = {"procedures": [{"id": "tinh-1", "code": "1.000001", "name": "Thủ tục của tỉnh", "field": "tu-phap",
                           "level": "province", "agency": "Sở Tư pháp", "processing_days": 5,
                           "documents": [{"name": "Tờ khai", "copies": 1}]}]}
    (tmp_path / "cat.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    cli("hub", "catalog", "import", "--data", str(prov.data), str(tmp_path / "cat.json"))

    def ids(c: Commune) -> set[str]:
        return {r[0] for r in read(c.data, "SELECT id FROM procedures")}

    assert wait_for(lambda: "tinh-1" in ids(a))
    # A procedure the centre got some other way (an old import), which the province does not have.
    stray = {"procedures": [{**doc["procedures"][0], "id": "cu-1", "name": "Thủ tục cũ"}]}
    (tmp_path / "stray.json").write_text(json.dumps(stray, ensure_ascii=False), encoding="utf-8")
    cli("hub", "catalog", "import", "--data", str(a.data), str(tmp_path / "stray.json"))
    assert "cu-1" in ids(a)
    cli("hub", "province", "command", "--data", str(prov.data), a.site, "resend")
    assert wait_for(lambda: ids(a) == {"tinh-1"}), f"after a full resend the centre holds {ids(a)}"
