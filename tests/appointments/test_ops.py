"""Appointment operations on a real SQLite file through the one runner (hub.ops.run): the interleave
policy, early and late arrivals, cancel and move, days off, limits, counter booking and reminders."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.ops import appointments as ops
from hub.ops import queue
from hub.ops.run import Runner
from hub.store import catalogue
from hub.store import devices as device_store
from hub.store.db import transaction
from motcua_core import clock as wallclock
from motcua_core.errors import DomainError
from tests.support.hubproc import Clock

pytestmark = pytest.mark.clock  # depends on the date or hour: make test-days

TZ = "+07:00"


class World:
    def __init__(self, path: Path) -> None:
        self.db = open_data_dir(path)
        load_site_file(self.db, DEMO_SITE)
        self.clock = Clock()
        self.runner = Runner(self.db, clock=self.clock)
        with transaction(self.db):
            catalogue.load(self.db, json.loads(catalogue.STARTER.read_text(encoding="utf-8")))
            self.counter, _ = device_store.add(self.db, site_id="demo", role="counter", now=wallclock.time(), counter=1)
            self.kiosk, _ = device_store.add(self.db, site_id="demo", role="kiosk", now=wallclock.time())
        today = wallclock.now(wallclock.VIETNAM).date()
        # The first bookable weekday after today: not a public holiday (Tết, 2/9 …), whatever today is.
        bookable = [date.fromisoformat(d) for d in self.runner.view("demo", ops.bookable_days)]
        self.day = next(d for d in bookable if d > today and d.weekday() < 5)

    def at(self, hm: str, day: date | None = None) -> None:
        self.clock.advance(datetime.fromisoformat(f"{(day or self.day).isoformat()}T{hm}:00{TZ}").timestamp()
                           - self.clock())

    def run(self, op, device=None):
        return self.runner.run("demo", op, device=device)

    def slot(self, hm: str) -> int:
        return int(datetime.fromisoformat(f"{self.day.isoformat()}T{hm}:00{TZ}").timestamp())

    def book(self, i: int, hm: str = "09:00", **kw) -> dict:
        return self.run(lambda ctx: ops.book(ctx, service="HT", day=self.day.isoformat(), slot_start=self.slot(hm),
                                             name=f"Công dân {i}", phone=f"09000000{i:02d}", **kw))["appointment"]

    def walk_in(self) -> dict:
        return self.run(lambda ctx: queue.issue_ticket(ctx, "HT"), self.kiosk)["ticket"]

    def check_in(self, scan: str) -> dict:
        return self.run(lambda ctx: ops.check_in(ctx, scan), self.kiosk)

    def next(self) -> dict | None:
        return self.run(queue.call_next, self.counter)["ticket"]


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    world = World(tmp_path)
    yield world
    world.db.conn.close()


def test_interleave_calls_one_appointment_after_every_two_walkins(w: World) -> None:
    w.run(lambda ctx: ops.configure(ctx, {"mode": "interleave", "every": 2}, None))
    a1, a2 = w.book(1), w.book(2)
    w.at("08:50")
    walk = [w.walk_in() for _ in range(3)]
    t1, t2 = w.check_in(a1["code"])["ticket"], w.check_in(a2["code"])["ticket"]
    w.at("09:01")
    w.run(lambda ctx: queue.counter_open(ctx), w.counter)
    order = [w.next()["number"] for _ in range(5)]
    assert order == [t1["number"], walk[0]["number"], walk[1]["number"], t2["number"], walk[2]["number"]]


def test_an_early_arrival_waits_for_the_slot_and_a_late_one_gets_a_normal_ticket(w: World) -> None:
    early, late = w.book(1, "09:00"), w.book(2, "08:00")
    w.at("06:30")
    with pytest.raises(DomainError, match="too early") as caught:
        w.check_in(early["code"])
    assert "Xin quay lại" in caught.value.message_vi
    w.at("08:40")
    got = w.check_in(early["code"].lower())  # typed in lower case
    assert got["early"] and got["ticket"]["appointment"]["time"] == "09:00"
    w.run(lambda ctx: queue.counter_open(ctx), w.counter)
    assert w.next() is None  # nobody else waits, yet the early arrival waits for 09:00
    w.at("09:00")
    assert w.next()["number"] == got["ticket"]["number"]
    w.at("08:20")  # 20 minutes after the 08:00 slot: past the 15-minute grace window
    got = w.check_in(late["code"])
    assert got["late"] and got["ticket"]["appointment"] is None
    assert "như khách không hẹn" in got["message_vi"]


def test_cancel_and_move_by_the_link_and_full_slots_refused(w: World) -> None:
    w.run(lambda ctx: ops.configure(ctx, None, {"HT": 1}))
    mine = w.book(1, "09:00")
    with pytest.raises(DomainError, match="slot is full") as full:
        w.book(2, "09:00")
    assert "vừa hết chỗ" in full.value.message_vi
    other = w.book(3, "09:30")
    with pytest.raises(DomainError, match="slot is full"):
        w.run(lambda ctx: ops.move(ctx, mine["manage_secret"], w.day.isoformat(), w.slot("09:30")))
    moved = w.run(lambda ctx: ops.move(ctx, mine["manage_secret"], w.day.isoformat(), w.slot("10:00")))
    assert moved["appointment"]["time"] == "10:00"
    assert w.book(2, "09:00")["status"] == "booked"  # the seat it left is free again
    w.run(lambda ctx: ops.cancel(ctx, other["manage_secret"]))
    assert w.book(4, "09:30")["status"] == "booked"  # and the cancelled one's
    with pytest.raises(DomainError, match="booking is cancelled"):
        w.run(lambda ctx: ops.cancel(ctx, other["manage_secret"]))
    with pytest.raises(DomainError) as cancelled:  # on any day: "cancelled", not "come back on its day"
        w.check_in(other["code"])
    assert cancelled.value.message_vi == "Lịch hẹn này đã bị hủy."
    with pytest.raises(DomainError, match="no such booking"):
        w.run(lambda ctx: ops.cancel(ctx, "not-a-secret"))


def test_days_off_are_never_bookable_and_limits_hold(w: World) -> None:
    saturday = w.day + timedelta(days=(5 - w.day.weekday()) % 7)
    with pytest.raises(DomainError, match="day off") as off:
        w.runner.view("demo", lambda ctx: ops.slots(ctx, "HT", saturday.isoformat()))
    assert "ngày nghỉ" in off.value.message_vi
    with pytest.raises(DomainError, match="not a slot"):  # a forged form: lunch time
        w.book(1, "12:00")
    w.book(1, "09:00", cccd="001090012345")
    with pytest.raises(DomainError, match="daily booking limit"):  # same CCCD, another phone
        w.run(lambda ctx: ops.book(ctx, service="HT", day=w.day.isoformat(), slot_start=w.slot("10:00"),
                                   name="Công dân khác", phone="0999999999", cccd="001 090 012345"))
    with pytest.raises(DomainError, match="citizen ID number is not valid"):
        w.book(5, "10:00", cccd="003090012345")


def test_an_officer_books_at_the_counter_and_the_reminder_goes_out_the_day_before(w: World) -> None:
    from hub.mqtt.verbs import lookup
    from hub.ops import signin

    verb = lookup("appointment.book")
    token = w.run(lambda ctx: signin.login(ctx, "lan1", "1111"), w.counter)["token"]  # an officer's action
    data = verb.validate({"service": "HT", "day": w.day.isoformat(), "slot_start": w.slot("14:00"),
                          "name": "Phạm Văn Dũng", "phone": "0933333333", "email": "dung@example.vn",
                          "procedure": "khai-sinh", "token": token})
    booked = w.run(lambda ctx: verb.handler(ctx, data), w.counter)["appointment"]
    assert booked["procedure"] == "khai-sinh" and booked["time"] == "14:00"
    sent = w.db.execute("SELECT kind, channel, recipient, body FROM notifications ORDER BY id").fetchall()
    assert [(k, c) for k, c, _r, _b in sent] == [("appointment_booked", "sms"), ("appointment_booked", "email")]
    assert booked["code_display"] in sent[0][3] and "/hen/q/" in sent[0][3]
    w.at("00:01", w.day - timedelta(days=1))
    assert w.run(ops.tick)["reminders"] == 0  # not in the night
    w.at("16:00", w.day - timedelta(days=1))
    assert w.run(ops.tick)["reminders"] == 1
    assert w.run(ops.tick)["reminders"] == 0  # once
    body = w.db.execute("SELECT body FROM notifications WHERE kind = 'appointment_reminder' AND channel = 'sms'"
                        ).fetchone()[0]
    assert "Nhắc lịch: ngày mai" in body and "14:00" in body
