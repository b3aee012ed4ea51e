"""The province leader's overview in a real Chromium against a real provincial hub: after signing in the
leader lands on it, sees every centre in Vietnamese alphabetical order with its waiting line and link,
and drills down into one. The centres' rows arrive through the receiver's own operation (real batches of
the sync protocol, hub.ops.sync.apply_batch), not through test SQL. Screenshot: test-artifacts/web/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from hub.app import open_data_dir
from hub.domain import dossier as dm
from hub.domain import sync as rules
from hub.ops import sync as sync_ops
from hub.ops import sync_route
from hub.ops.run import Runner
from motcua_core import clock as wallclock
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub, prepare
from tests.web.conftest import PASSWORD, add_account

CENTRES = {"xa-dong-hoa": "Xã Đông Hòa", "xa-an-binh": "Xã An Bình"}


def _ticket(tid: int, site: str, day: str, status: str, now: float) -> dict:
    return {"id": tid, "site_id": site, "day": day, "service": "HT", "seq": tid, "number": f"{1000 + tid}",
            "status": status, "queued_at": now - 60 * tid, "counter": 1 if status == "called" else None}


@pytest.fixture
def province_hub(tmp_path: Path) -> Iterator[InProcessHub]:
    prepare(tmp_path)
    db = open_data_dir(tmp_path)
    runner = Runner(db)
    runner.run(None, lambda ctx: sync_ops.init_province(ctx, "Tỉnh Mẫu"))
    now = wallclock.time()  # the hub's clock (shifted under make test-days), not the host's
    day = rules.local_day(now)
    for i, (site, name) in enumerate(CENTRES.items()):
        code = runner.run(None, lambda ctx, s=site, n=name: sync_ops.add_centre(ctx, s, n))
        joined = runner.run(None, lambda ctx, c=code, s=site: sync_ops.join(ctx, c, [s], "127.0.0.1"))
        rows = [{"seq": n + 1, "kind": "ticket", "id": str(n + 1), "at": now,
                 "body": _ticket(n + 1, site, day, "waiting" if n < 3 + i else "done", now)} for n in range(6)]
        answer = runner.run(None, lambda ctx, s=site, r=rows, e=joined["epoch"]: sync_ops.apply_batch(
            ctx, s, rules.batch(s, e, s, r, now)))
        assert answer["type"] == "ack" and answer["hwm"] == 6
    # An event the dossier state machine refuses (here: for a dossier this hub does not have) is kept and
    # flagged for a person, through the sync's own operation.
    refused = runner.run(None, lambda ctx: sync_route.append_checked(
        ctx, "XADONGHOA-261206-0007", dm.Event("accepted", now, "Chuyên viên"), "xa-dong-hoa"))
    assert refused is False
    db.conn.close()
    add_account(tmp_path, "lanhdaotinh", "province_leader", None, None)
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()


def test_the_province_leader_sees_every_centre_and_drills_down(province_hub: InProcessHub) -> None:
    base = f"http://127.0.0.1:{province_hub.http_port}"
    with Browser() as b:
        d = b.driver
        d.get(f"{base}/login")
        d.find_element(By.ID, "username").send_keys("lanhdaotinh")
        pw = d.find_element(By.ID, "password")
        pw.send_keys(PASSWORD)
        pw.send_keys(Keys.ENTER)
        b.wait(lambda d: d.current_url == f"{base}/console/province" and d.find_elements(By.CSS_SELECTOR, "tr.centre"))
        # The page redraws its rows every 5 s: each reading is taken whole, again if a redraw came between.
        rows = b.snapshot(lambda d: [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                                     for tr in d.find_elements(By.CSS_SELECTOR, "tr.centre")])
        assert [r[0] for r in rows] == ["Xã An Bình", "Xã Đông Hòa"]  # Vietnamese order: A before Đ
        assert [(r[1], r[4]) for r in rows] == [("4", "2"), ("3", "3")]  # waiting, served today
        assert all("hoạt động" in r[-1] for r in rows)  # both links heard from just now
        assert "Tỉnh Mẫu" in d.find_element(By.ID, "title").text
        b.click("tr.centre[data-site='xa-dong-hoa']")
        b.wait(lambda d: "Xã Đông Hòa" in d.find_element(By.ID, "detail").text)
        statuses = [tr.find_elements(By.TAG_NAME, "td")[2].text for tr in d.find_elements(By.CSS_SELECTOR, "#detail tbody tr")]
        assert sorted(statuses) == ["đang chờ"] * 3 + ["đã phục vụ"] * 3
        shown, attention = b.snapshot(lambda d: (d.find_element(By.ID, "attention").is_displayed(),
                                                 d.find_element(By.ID, "attention").text))
        assert shown and "XADONGHOA-261206-0007" in attention
        assert "“Cơ quan giải quyết nhận hồ sơ” từ xa-dong-hoa" in attention and "Không tìm thấy hồ sơ" in attention
        b.shot("province-overview")


def test_the_province_administrator_publishes_the_calendar_once_for_every_centre(province_hub: InProcessHub) -> None:
    """The console's publish panel: a wrong date is refused in Vietnamese and nothing is published; a right
    one is published once (one row of the down stream, for every centre) and listed."""
    add_account(province_hub.data, "quantritinh", "admin", None, None)
    base = f"http://127.0.0.1:{province_hub.http_port}"
    with Browser() as b:
        d = b.driver
        b.sign_in(base, "quantritinh", PASSWORD)
        d.get(f"{base}/console/province")
        b.wait(lambda d: d.find_element(By.ID, "publish").is_displayed())
        d.find_element(By.ID, "days_off").send_keys("31/02/2027")
        d.find_element(By.ID, "publish_cal").click()
        b.wait(lambda d: "không hợp lệ" in d.find_element(By.ID, "pub_msg").text
               or "dd/mm/yyyy" in d.find_element(By.ID, "pub_msg").text)
        d.find_element(By.ID, "days_off").clear()
        d.find_element(By.ID, "days_off").send_keys("10/03/2027")
        d.find_element(By.ID, "cal_note").send_keys("Nghỉ bù theo thông báo của UBND tỉnh")
        d.find_element(By.ID, "publish_cal").click()
        b.wait(lambda d: "Đã công bố" in d.find_element(By.ID, "pub_msg").text)
        b.wait(lambda d: "lịch làm việc" in d.find_element(By.ID, "published").text)
        b.shot("province-publish-calendar")
        # The forms' wording: a form the hub does not have is refused in Vietnamese; a right one is published.
        d.find_element(By.ID, "forms_texts").send_keys('{"khong-co": {}}')
        d.find_element(By.ID, "publish_forms").click()
        b.wait(lambda d: "không có biểu mẫu" in d.find_element(By.ID, "forms_msg").text)
        d.find_element(By.ID, "forms_texts").clear()
        d.find_element(By.ID, "forms_texts").send_keys('{"receipt": {"note": "Mẫu của tỉnh"}}')
        d.find_element(By.ID, "forms_version").send_keys("2027-1")
        d.find_element(By.ID, "publish_forms").click()
        b.wait(lambda d: "Đã công bố" in d.find_element(By.ID, "forms_msg").text)
        b.wait(lambda d: "biểu mẫu" in d.find_element(By.ID, "published").text)
    db = open_data_dir(province_hub.data)  # whichever engine the provincial hub runs on
    try:
        rows = db.execute("SELECT kind, centre_id, by_who, body FROM sync_docs ORDER BY seq").fetchall()
    finally:
        db.conn.close()
    assert [(k, c, by) for k, c, by, _b in rows] == [("calendar", None, "quantritinh"), ("forms", None, "quantritinh")]
    assert '"2027-03-10"' in rows[0][3]
