"""The one wall clock for decisions about the date, the weekday, the hour or a day boundary.

Intervals use `time.monotonic`; everything that asks "what day or hour is it?" asks here, so that the
whole system can be run as if at another moment. That is a test hook: `MOTCUA_TEST_NOW` (an ISO moment
with its offset, e.g. `2027-02-08T10:00:00+07:00`) shifts this clock, and with it the hub's, the
devices' and the displays' clocks, to start at that moment and advance normally from there.

The first process that reads `MOTCUA_TEST_NOW` turns it into a fixed offset from the real clock and puts
that in its environment (`MOTCUA_TEST_NOW_OFFSET`), so every child it starts (a hub, a Kivy app, a device
simulator) shares the same shifted moment instead of re-anchoring at its own start. Whole-process
libfaketime is no substitute: it breaks `time.sleep`.
"""

from __future__ import annotations

import os
import time as _time
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

TEST_NOW = "MOTCUA_TEST_NOW"
TEST_NOW_OFFSET = "MOTCUA_TEST_NOW_OFFSET"  # "<seconds> <the MOTCUA_TEST_NOW it was computed from>"

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the zone of a CCCD's dates, and a site's zone unless it names one

_cached: tuple[str, float] | None = None  # (MOTCUA_TEST_NOW value, offset)


def parse_moment(text: str) -> datetime:
    """An ISO moment that names its offset; a bare local time would mean the host's zone, so it is refused."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{TEST_NOW}={text!r} is not an ISO moment (e.g. 2027-02-08T10:00:00+07:00)") from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{TEST_NOW}={text!r} has no UTC offset (e.g. 2027-02-08T10:00:00+07:00)")
    return moment


def offset() -> float:
    """Seconds to add to the real clock: 0 unless `MOTCUA_TEST_NOW` is set."""
    global _cached
    wanted = os.environ.get(TEST_NOW, "").strip()
    if not wanted:
        return 0.0
    seconds, _, source = os.environ.get(TEST_NOW_OFFSET, "").partition(" ")
    if source == wanted:  # inherited from the process that anchored the moment
        value = float(seconds)
    elif _cached is not None and _cached[0] == wanted:
        value = _cached[1]
    else:  # the first process to see this moment anchors it
        value = parse_moment(wanted).timestamp() - _time.time()
    if source != wanted:  # (again, if something cleared it) so that children inherit it
        os.environ[TEST_NOW_OFFSET] = f"{value!r} {wanted}"
    _cached = (wanted, value)
    return value


def time() -> float:
    """Seconds since the epoch, like `time.time()`, shifted when the system runs as if at another moment."""
    return _time.time() + offset()


def now(tz: tzinfo) -> datetime:
    """The current moment in `tz` (the site's zone: never the host's)."""
    return datetime.fromtimestamp(time(), tz)


offset()  # anchor now, so children started before any clock read still inherit this process's moment
