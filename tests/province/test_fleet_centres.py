"""The fleet page of a provincial hub, for the province's technician: beside the hub's own devices, every
centre's devices as the centre's presence summary tells them (state and printer in words), in Vietnamese
order of the centres; a centre still on the older summary shows its counts; a site's technician sees no
centre. The summaries are made by the centre's own function (hub.store.sync.presence over a real
database with registered devices) and arrive through the receiver's own operation (real batches of the
sync protocol), not through test SQL. Screenshot: test-artifacts/web/fleet-province.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from hub.domain import sync as rules
from hub.ops import sync as sync_ops
from hub.ops.run import Runner
from hub.store import devices as device_store
from hub.store import sync as sync_store
from motcua_core import clock as wallclock
from tests.fleet.test_fleet_page import sign_in_at
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub, open_hub_db, prepare
from tests.support.province import bind_commune, bind_province
from tests.web.conftest import Client, add_account


def centre_summary(root: Path) -> dict:
    """A centre's presence summary, computed by the centre's own code over its own devices: a kiosk out of
    paper, a counter terminal that lost its link, a display never connected."""
    bind_commune(root)  # a centre: its SQLite file
    prepare(root)
    db = open_hub_db(root)
    now = wallclock.time()  # the hubs' clock (shifted under make test-days), not the host's
    device_store.add(db, site_id="demo", role="kiosk", now=now, device_id="kiosk-sanh", name="Sảnh chính")
    device_store.add(db, site_id="demo", role="counter", now=now, device_id="quay-1", counter=1)
    device_store.add(db, site_id="demo", role="display", now=now, device_id="man-hinh")
    device_store.record_status(db, "kiosk-sanh", "online", "0.1.0", now)
    device_store.record_health(db, "kiosk-sanh", {"printer": {"state": "paper_out"}}, now)
    device_store.record_status(db, "quay-1", "offline", "0.1.0", now)
    db.conn.commit()
    summary = sync_store.presence(db)["demo"]
    db.conn.close()
    return summary


@pytest.fixture
def province_hub(tmp_path: Path) -> Iterator[InProcessHub]:
    summary = centre_summary(tmp_path / "centre")
    old_style = {k: v for k, v in summary.items() if k != "devices"}  # a centre not yet updated
    root = tmp_path / "province"
    bind_province(root)
    prepare(root)
    db = open_hub_db(root)
    runner = Runner(db)
    runner.run(None, lambda ctx: sync_ops.init_province(ctx, "Tỉnh Mẫu"))
    now = wallclock.time()  # the hubs' clock (shifted under make test-days), not the host's
    for site, name, body in (("xa-dong-hoa", "Xã Đông Hòa", summary), ("xa-an-binh", "Xã An Bình", old_style)):
        code = runner.run(None, lambda ctx, s=site, n=name: sync_ops.add_centre(ctx, s, n))
        joined = runner.run(None, lambda ctx, c=code, s=site: sync_ops.join(ctx, c, [s], "127.0.0.1"))
        rows = [{"seq": 1, "kind": "presence", "id": site, "at": now, "body": body}]
        answer = runner.run(None, lambda ctx, s=site, r=rows, e=joined["epoch"]: sync_ops.apply_batch(
            ctx, s, rules.batch(s, e, s, r, now)))
        assert answer["type"] == "ack"
    db.conn.close()
    add_account(root, "kythuattinh", "technician", None, None)
    add_account(root, "kythuat", "technician", "demo", None)
    h = InProcessHub(root).start()
    yield h
    h.stop()


def test_the_province_technician_sees_every_centres_devices(province_hub: InProcessHub) -> None:
    base = f"http://127.0.0.1:{province_hub.http_port}"
    with Browser((1366, 768)) as b:
        d = b.driver
        sign_in_at(b, base, "kythuattinh")
        b.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#centres section.centre"))

        def page(d) -> dict:  # noqa: ANN001  (read at once: the page redraws its lists every 15 s)
            centres = d.find_elements(By.CSS_SELECTOR, "#centres section.centre")
            return {"names": [c.find_element(By.TAG_NAME, "h3").text for c in centres], "first": centres[0].text,
                    **{k: d.find_element(By.ID, f"centre-dev-xa-dong-hoa-{k}").text
                       for k in ("kiosk-sanh", "quay-1", "man-hinh")}}

        seen = b.snapshot(page)
        assert seen["names"] == ["Xã An Bình (xa-an-binh)", "Xã Đông Hòa (xa-dong-hoa)"]  # Vietnamese order
        assert "chỉ gửi số lượng" in seen["first"] and "0/3" not in seen["first"] and "1/3" in seen["first"]
        kiosk = seen["kiosk-sanh"]
        assert "Trực tuyến" in kiosk and "Hết giấy" in kiosk and "Sảnh chính" in kiosk
        assert "Mất kết nối" in seen["quay-1"]
        assert "Chưa từng kết nối" in seen["man-hinh"]
        d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "centres-card"))
        b.shot("fleet-province")
    # The province scope only: a site's technician on the same hub gets no centre.
    client = Client(base)
    client.sign_in("kythuat")
    status, body = client.call("GET", "/api/v1/fleet")
    assert status == 200 and "centres" not in body
    client.sign_in("kythuattinh")
    assert [c["site"] for c in client.call("GET", "/api/v1/fleet")[1]["centres"]] == ["xa-an-binh", "xa-dong-hoa"]
