"""The lobby's notices and image slides managed from the console, over the real hub: what the lobby's
display state says after each change an administrator makes (added, moved, dated, retired, restored), an
upload refused in Vietnamese with nothing kept, a slide a display of the site can fetch and no one else, and
another site's administrator refused."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from hub.cli.common import DEMO_SITE
from hub.domain.lobby_media import NOT_IMAGE_VI, TOO_BIG_VI
from tests.support.hubproc import InProcessHub, prepare
from tests.web.conftest import ACCOUNTS, Client, add_account

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9AM = datetime(2027, 3, 15, 9, 0, tzinfo=TZ).timestamp()  # site-local Monday 15/03/2027


@pytest.fixture
def two_sites(tmp_path: Path):
    """The demo site and a second one (xa2) with its own administrator, the hub's clock on a Monday."""
    from hub.app import load_site_file, open_data_dir

    prepare(tmp_path)
    other = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    other["site"]["id"], other["site"]["name"] = "xa2", "Trung tâm Phục vụ hành chính công xã Hai"
    (tmp_path / "xa2.json").write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    db = open_data_dir(tmp_path)
    load_site_file(db, tmp_path / "xa2.json")
    db.conn.close()
    for username, (role, site, agency) in ACCOUNTS.items():
        add_account(tmp_path, username, role, site, agency)
    add_account(tmp_path, "quantri-xa2", "admin", "xa2", None)
    h = InProcessHub(tmp_path)
    h.clock.set(MONDAY_9AM)
    h.start()
    yield h
    h.stop()


def _state(c: Client) -> dict:
    return c.call("GET", "/api/v1/sites/demo/state")[1]  # what the lobby screens are sent (retained state)


def _png(w: int = 320, h: int = 180) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), (10, 92, 138)).save(out, "PNG")
    return out.getvalue()


def _upload(c: Client, data: bytes, caption: str = "", ctype: str = "image/png") -> tuple[int, dict]:
    import urllib.error
    import urllib.parse
    import urllib.request

    req = urllib.request.Request(f"{c.base}/api/v1/sites/demo/lobby/images?caption={urllib.parse.quote(caption)}",
                                 data=data, method="POST", headers={"Content-Type": ctype, "X-CSRF-Token": c.csrf})
    try:
        with c.opener.open(req, timeout=20) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_notices_added_moved_dated_retired_and_restored_reach_the_lobby_state(two_sites: InProcessHub) -> None:
    c = Client(f"http://127.0.0.1:{two_sites.http_port}")
    c.sign_in("quantri")
    demo_notice = json.loads(DEMO_SITE.read_text(encoding="utf-8"))["site"]["notice"]
    # The site's single notice of before is its first notice.
    assert [n["text"] for n in _state(c)["notices"]] == [demo_notice]
    path = "/api/v1/sites/demo/lobby/notices"
    status, body = c.call("POST", path, {"text": "Tháng 3: tiếp nhận hồ sơ cấp đổi căn cước cả sáng thứ Bảy."})
    assert status == 200, body
    second = body["notice"]["id"]
    assert [n["text"] for n in _state(c)["notices"]][1].startswith("Tháng 3")
    # Dated notices: one whose last day was yesterday and one that starts tomorrow are not shown today.
    assert c.call("POST", path, {"text": "Nghỉ Tết đến hết ngày 14/03.", "active_until": "14/03/2027"})[0] == 200
    assert c.call("POST", path, {"text": "Từ 16/03 làm việc cả thứ Bảy.", "active_from": "2027-03-16"})[0] == 200
    assert len(_state(c)["notices"]) == 2
    # Refusals in Vietnamese, nothing changed.
    for bad, words in (({"text": " "}, "nội dung"), ({"text": "x" * 301}, "300 ký tự"),
                       ({"text": "Hai ngày", "active_from": "20/03/2027", "active_until": "10/03/2027"}, "Ngày kết thúc"),
                       ({"text": "Ngày sai", "active_from": "31/02/2027"}, "dd/mm/yyyy")):
        status, body = c.call("POST", path, bad)
        assert status == 400 and words in body["error"]["message_vi"], body
    assert len(c.call("GET", "/api/v1/sites/demo/lobby")[1]["notices"]) == 4
    # Moved up: the lobby shows it first.
    assert c.call("POST", path + "/move", {"id": second, "step": -1})[0] == 200
    assert [n["id"] for n in _state(c)["notices"]] == [second, 1]
    # Retired: gone from the lobby, still in the console's list; restored: back in its place.
    assert c.call("POST", path + "/retire", {"id": 1})[0] == 200
    assert [n["id"] for n in _state(c)["notices"]] == [second]
    assert _state(c)["notice"] == _state(c)["notices"][0]["text"]  # a lobby of an earlier version
    listed = {n["id"]: n for n in c.call("GET", "/api/v1/sites/demo/lobby")[1]["notices"]}
    assert listed[1]["retired"] is True and listed[1]["text"] == demo_notice
    assert c.call("POST", path + "/retire", {"id": 1, "retired": False})[0] == 200
    assert [n["id"] for n in _state(c)["notices"]] == [second, 1]
    # Edited in place.
    assert c.call("POST", path, {"id": second, "text": "Tháng 3: làm việc cả sáng thứ Bảy."})[0] == 200
    assert _state(c)["notices"][0]["text"] == "Tháng 3: làm việc cả sáng thứ Bảy."
    # The audit log names each change in Vietnamese, with its target.
    rows = c.call("GET", "/api/v1/sites/demo/audit?action=lobby")[1]["entries"]
    assert {r["action_vi"] for r in rows} >= {"Thêm thông báo màn hình sảnh", "Đổi thứ tự thông báo màn hình sảnh",
                                              "Ngừng thông báo màn hình sảnh", "Khôi phục thông báo màn hình sảnh",
                                              "Sửa thông báo màn hình sảnh"}
    assert any(r["target"] == f"thông báo {second}" for r in rows)
    # The settings form's single notice still works: it is the text of the first notice.
    assert c.call("POST", "/api/v1/sites/demo/settings", {"notice": "Nghỉ trưa 11:30–13:30."})[0] == 200
    assert _state(c)["notices"][0] == {"id": second, "text": "Nghỉ trưa 11:30–13:30."}
    assert len(_state(c)["notices"]) == 2


def test_an_image_slide_refused_kept_and_served_to_the_sites_displays_only(two_sites: InProcessHub) -> None:
    h = two_sites
    c = Client(f"http://127.0.0.1:{h.http_port}")
    c.sign_in("quantri")
    # A PDF renamed .png, a cut-off PNG and a 3 MB file: refused in Vietnamese, nothing kept or logged.
    png = _png()
    for data, status, words in ((b"%PDF-1.7\n" + b"0" * 5000, 400, NOT_IMAGE_VI), (png[: len(png) // 2], 400, NOT_IMAGE_VI),
                                (b"\x89PNG" + b"0" * (3 * 1024 * 1024), 413, TOO_BIG_VI)):
        got, body = _upload(c, data)
        assert got == status and body["error"]["message_vi"] == words, body
    # Sent without a length (chunked), a file too big is cut off as it arrives.
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", h.http_port, timeout=20)
    cookie = "; ".join(f"{k.name}={k.value}" for k in c.jar)
    conn.request("POST", "/api/v1/sites/demo/lobby/images", body=iter([b"\x89PNG" + b"0" * (512 * 1024)] * 6),
                 headers={"Content-Type": "image/png", "X-CSRF-Token": c.csrf, "Cookie": cookie}, encode_chunked=True)
    r = conn.getresponse()
    assert r.status == 413 and json.loads(r.read())["error"]["message_vi"] == TOO_BIG_VI
    conn.close()
    assert c.call("GET", "/api/v1/sites/demo/lobby")[1]["images"] == []
    assert c.call("GET", "/api/v1/sites/demo/audit?action=lobby")[1]["entries"] == []
    assert _state(c)["slides"] == []
    # A real image: kept, on the lobby state by its checksum.
    status, body = _upload(c, png, "Sơ đồ các quầy tiếp nhận")
    assert status == 200, body
    slide = _state(c)["slides"][0]
    assert slide["sha256"] == hashlib.sha256(png).hexdigest() and slide["caption"] == "Sơ đồ các quầy tiếp nhận"
    assert (slide["width"], slide["height"]) == (320, 180)
    # A display of the site fetches it with its own credential; a kiosk, another site's display, a wrong
    # secret or no credential do not.
    import urllib.error
    import urllib.request

    def fetch(cfg, secret: str | None = None) -> tuple[int, bytes]:
        headers = {} if cfg is None else {"Authorization": f"Bearer {cfg.device_id}:{secret or cfg.secret}"}
        req = urllib.request.Request(f"http://127.0.0.1:{h.http_port}{slide['url']}", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    from tests.support.hubproc import register

    display = register(h.data, "display", h.mqtt_port)
    assert fetch(display) == (200, png)
    assert fetch(display, "wrong-secret")[0] == 401
    assert fetch(None)[0] == 401
    assert fetch(register(h.data, "kiosk", h.mqtt_port))[0] == 401
    assert fetch(register(h.data, "display", h.mqtt_port, site="xa2"))[0] == 404
    # A big photo is scaled down once to the largest lobby screen (ratio kept), never stretched.
    out = io.BytesIO()
    Image.new("RGB", (6000, 4000), (200, 30, 30)).save(out, "JPEG", quality=30)
    status, body = _upload(c, out.getvalue(), "Ảnh lớn", "image/jpeg")
    assert status == 200 and (body["image"]["width"], body["image"]["height"]) == (3240, 2160), body
    # Retired: off the lobby, kept in the list.
    assert c.call("POST", "/api/v1/sites/demo/lobby/images/retire", {"id": 1})[0] == 200
    assert [s["caption"] for s in _state(c)["slides"]] == ["Ảnh lớn"]
    assert [i["retired"] for i in c.call("GET", "/api/v1/sites/demo/lobby")[1]["images"]] == [True, False]
    rows = c.call("GET", "/api/v1/sites/demo/audit?action=lobby")[1]["entries"]
    assert {r["action_vi"] for r in rows} == {"Thêm ảnh màn hình sảnh", "Ngừng ảnh màn hình sảnh"}


def test_another_sites_administrator_and_other_roles_are_refused(two_sites: InProcessHub) -> None:
    other = Client(f"http://127.0.0.1:{two_sites.http_port}")
    assert other.sign_in("quantri-xa2")[0] == 200
    for method, path, body in (("GET", "/api/v1/sites/demo/lobby", None),
                               ("POST", "/api/v1/sites/demo/lobby/notices", {"text": "Thông báo lạ."}),
                               ("POST", "/api/v1/sites/demo/lobby/notices/retire", {"id": 1}),
                               ("GET", "/api/v1/sites/demo/lobby/images/1", None)):
        status, answer = other.call(method, path, body)
        assert status == 403 and "không thuộc đơn vị" in answer["error"]["message_vi"], (path, answer)
    assert other.call("POST", "/api/v1/sites/xa2/lobby/notices", {"text": "Thông báo của xã Hai."})[0] == 200
    leader = Client(f"http://127.0.0.1:{two_sites.http_port}")
    leader.sign_in("lanhdao")
    assert leader.call("POST", "/api/v1/sites/demo/lobby/notices", {"text": "Lãnh đạo viết."})[0] == 403
    c = Client(f"http://127.0.0.1:{two_sites.http_port}")
    c.sign_in("quantri")
    assert [n["text"] for n in _state(c)["notices"]] == [json.loads(DEMO_SITE.read_text(encoding="utf-8"))["site"]["notice"]]
