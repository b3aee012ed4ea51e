"""The offline alert over a real hub follows the site's working calendar: an unplugged counter is not
alerted on a public holiday, and is on a make-up working Saturday the site configured (fleet view and
/metrics, with the hub's clock moved to each day)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from hub.domain.calendar import WorkCalendar
from motcua.cli import main
from tests.fleet.conftest import Api, technician_token, wait_for
from tests.support.hubproc import InProcessHub

pytestmark = pytest.mark.clock  # depends on the date or hour: make test-days

NATIONAL = WorkCalendar()  # the demo site's calendar before this test gives it a make-up day


def _first(after: date, pred) -> date:
    d = after + timedelta(days=1)
    while not pred(d):
        d += timedelta(days=1)
    return d


def _at_nine(d: date) -> float:
    return datetime(d.year, d.month, d.day, 9, 0, tzinfo=NATIONAL.tz).timestamp()


def test_offline_alert_skips_a_holiday_and_counts_a_make_up_saturday(hub: InProcessHub, tmp_path: Path,
                                                                       capsys) -> None:
    api = Api(hub.http_port, technician_token(hub.data))
    counter = hub.device("counter", counter=2, device_id="quay-2")
    counter.stop()  # unplugged: its offline status is the last thing the hub hears
    assert wait_for(lambda: hub.hub.db.execute("SELECT status FROM devices WHERE id = 'quay-2'").fetchone()[0]
                    == "offline")

    today = datetime.fromtimestamp(hub.clock(), NATIONAL.tz).date()
    holiday = _first(today, lambda d: d.weekday() < 5 and not NATIONAL.is_working_day(d))  # 1/1, Tết, 30/4 …
    saturday = _first(today, lambda d: d.weekday() == 5 and not NATIONAL.is_working_day(d))
    assert not NATIONAL.is_working_day(saturday + timedelta(days=7))
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"calendar": {"working_days": [saturday.isoformat()]}}))
    assert main(["hub", "dossier", "settings", "--data", str(hub.data), "--site", "demo", str(settings)]) == 0
    capsys.readouterr()

    def offline_alerts_at(when: float) -> tuple[list[str], str]:
        hub.clock.advance(when - hub.clock())
        status, view = api("GET", "/api/v1/fleet")
        assert status == 200, view
        metrics = api("GET", "/metrics")[1]
        line = next(x for x in metrics.splitlines() if x.startswith('motcua_fleet_alerts{alert="offline"}'))
        return next(d for d in view["devices"] if d["id"] == "quay-2")["alerts"], line

    for day in sorted([holiday, saturday]):
        alerts, metric = offline_alerts_at(_at_nine(day))
        if day == holiday:
            assert alerts == [] and metric.endswith(" 0.0"), (day, alerts, metric)
        else:
            assert alerts == ["offline"] and metric.endswith(" 1.0"), (day, alerts, metric)
    alerts, _ = offline_alerts_at(_at_nine(saturday + timedelta(days=7)))  # the next, ordinary Saturday
    assert alerts == []
