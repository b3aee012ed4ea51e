"""The public booking page's POSTs are limited per client address (issue #12's known gap): one phone or
script cannot book every seat under invented phone numbers, nor move or cancel as fast as it likes,
while another address still books. Real hub, real SQLite; a second client is a second loopback source
address (127.0.0.2, …), which the hub sees as another TCP peer."""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest

from hub.app import open_data_dir
from hub.web.booking import BOOKINGS_PER_10_MIN, POSTS_PER_MINUTE
from tests.support.hubproc import InProcessHub

pytestmark = [pytest.mark.integration, pytest.mark.clock]

LIMITED_VI = "Đã có quá nhiều yêu cầu đặt lịch từ thiết bị hoặc mạng này"


class Client:
    """An HTTP client from one source address; redirects are not followed (a booking answers 303)."""

    def __init__(self, hub: InProcessHub, address: str) -> None:
        self.hub, self.address = hub, address

    def request(self, method: str, path: str, form: dict | None = None,
                body: dict | None = None) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.hub.http_port, timeout=10,
                                          source_address=(self.address, 0))
        try:
            if form is not None:
                data, ctype = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
            else:
                data, ctype = json.dumps(body).encode() if body is not None else None, "application/json"
            conn.request(method, path, body=data, headers={"Content-Type": ctype} if data else {})
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode()
        finally:
            conn.close()

    def json(self, path: str) -> dict:
        status, _h, text = self.request("GET", path)
        assert status == 200, text
        return json.loads(text)


def _seats(c: Client, service: str = "HT") -> tuple[str, list[int]]:
    """The last bookable day (so moving the clock a few minutes never puts its slots in the past) and one
    slot start per free seat of it."""
    day = c.json(f"/api/v1/sites/demo/appointments/slots?service={service}")["days"][-1]
    slots = c.json(f"/api/v1/sites/demo/appointments/slots?service={service}&day={day}")["slots"]
    return day, [s["start"] for s in slots for _ in range(s["free"])]


def _form(day: str, start: int, n: int) -> dict:
    return {"service": "HT", "day": day, "slot_start": start, "name": f"Người thứ {n}",
            "phone": f"09120000{n:02d}"}


def _bookings(hub: InProcessHub) -> dict[str, tuple[str, float]]:
    """phone → (status, slot start) of every booking, read through the hub's own data directory."""
    db = open_data_dir(hub.data)
    try:
        return {p: (st, s) for p, st, s in db.execute("SELECT phone, status, slot_start FROM appointments")}
    finally:
        db.conn.close()


def test_one_address_books_a_few_then_waits_while_another_still_books(ahub: InProcessHub) -> None:
    a, b = Client(ahub, "127.0.0.1"), Client(ahub, "127.0.0.2")
    day, seats = _seats(a)
    assert len(seats) > BOOKINGS_PER_10_MIN + 3, "the demo site should have seats to spare"
    # A typo is refused by the form and does not use up a booking.
    assert a.request("POST", "/hen/demo", form={**_form(day, seats[0], 0), "phone": "09123"})[0] == 400
    for n in range(1, BOOKINGS_PER_10_MIN + 1):
        status, headers, text = a.request("POST", "/hen/demo", form=_form(day, seats[n], n))
        assert status == 303, text
        assert headers["Location"].startswith("/hen/q/")
    # The next booking from the same address: 429, a Vietnamese page, Retry-After, nothing booked.
    n = BOOKINGS_PER_10_MIN + 1
    status, headers, text = a.request("POST", "/hen/demo", form=_form(day, seats[n], n))
    assert status == 429, text
    assert LIMITED_VI in text and "rồi thử lại" in text and "gọi điện" in text and "phút" in text
    assert 0 < int(headers["Retry-After"]) <= 600
    booked = _bookings(ahub)
    assert len(booked) == BOOKINGS_PER_10_MIN and _form(day, 0, n)["phone"] not in booked
    # The JSON twin shares the allowance (a script would use it otherwise).
    status, headers, text = a.request("POST", "/api/v1/sites/demo/appointments", body=_form(day, seats[n], n))
    assert status == 429 and json.loads(text)["error"]["code"] == "rate_limited" and "Retry-After" in headers
    assert LIMITED_VI in json.loads(text)["error"]["message_vi"]
    assert len(_bookings(ahub)) == BOOKINGS_PER_10_MIN
    # The form's GET pages are not limited.
    assert a.request("GET", f"/hen/demo?service=HT&day={day}")[0] == 200

    # Another address books at once, by the form and by JSON.
    assert b.request("POST", "/hen/demo", form=_form(day, seats[n], n))[0] == 303
    status, _h, text = b.request("POST", "/api/v1/sites/demo/appointments", body=_form(day, seats[n + 1], n + 1))
    assert status == 201, text
    assert len(_bookings(ahub)) == BOOKINGS_PER_10_MIN + 2

    # Ten minutes later the first address books again.
    ahub.clock.advance(601)
    assert a.request("POST", "/hen/demo", form=_form(day, seats[n + 2], n + 2))[0] == 303


def test_moving_and_cancelling_are_limited_per_address_too(ahub: InProcessHub) -> None:
    a, b = Client(ahub, "127.0.0.3"), Client(ahub, "127.0.0.4")
    day, seats = _seats(a)
    first, other = seats[0], next(s for s in seats if s != seats[0])
    status, headers, _t = a.request("POST", "/hen/demo", form=_form(day, first, 1))
    assert status == 303
    link = headers["Location"].split("?")[0]
    # The booking used one POST of the minute; moving back and forth uses the rest.
    where = first
    for _ in range(POSTS_PER_MINUTE - 1):
        where = other if where == first else first
        status, _h, text = a.request("POST", f"{link}/doi", form={"day": day, "slot_start": where})
        assert status == 200 and "Đã đổi lịch hẹn" in text
    status, headers, text = a.request("POST", f"{link}/doi",
                                      form={"day": day, "slot_start": other if where == first else first})
    assert status == 429 and LIMITED_VI in text and 0 < int(headers["Retry-After"]) <= 60
    status, headers, text = a.request("POST", f"{link}/huy")
    assert status == 429 and LIMITED_VI in text and "Retry-After" in headers
    assert _bookings(ahub)[_form(day, 0, 1)["phone"]] == ("booked", where)  # neither went through
    assert a.request("GET", link)[0] == 200  # the booking's page still opens
    # Another address (the citizen's other phone, say) holding the link may cancel it.
    status, _h, text = b.request("POST", f"{link}/huy")
    assert status == 200 and "Đã hủy lịch hẹn" in text
    assert _bookings(ahub)[_form(day, 0, 1)["phone"]][0] == "cancelled"
    # A minute later the first address may post again.
    ahub.clock.advance(61)
    assert a.request("POST", "/hen/demo", form=_form(day, seats[2], 2))[0] == 303
