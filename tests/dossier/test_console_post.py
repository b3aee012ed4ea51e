"""Post staff in the console (seed 004): a result to return by post appears in their tab with the
address, and "sent" with a tracking number returns it — over the real hub, counter and agencies."""

from __future__ import annotations

from pathlib import Path

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from tests.dossier.conftest import AGENCY_1, AGENCY_2, APPLICANT, DossierHub
from tests.web.conftest import Client, add_account

PROC = "cap-phep-xay-dung-lien-thong"
ADDRESS = "Số 12 đường Lê Lợi, thị trấn Hòa An, huyện Hòa An"


def test_post_staff_send_a_result_by_post(dhub: DossierHub, tmp_path: Path) -> None:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path)
    code = desk.intake(PROC, APPLICANT, [0, 1, 2], return_method="post", post_address=ADDRESS)["code"]
    for t, agency in (("2026-11-25T10:40", AGENCY_1), ("2026-11-26T10:31", AGENCY_2)):
        dhub.set_time(t)
        dhub.tick()
        dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=dhub.tokens[agency])
        dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=dhub.tokens[agency])
    dhub.set_time("2026-11-27T10:31")
    dhub.tick()
    add_account(dhub.h.data, "buudien", "post", "demo", None)
    post = Client(f"http://127.0.0.1:{dhub.h.http_port}")
    assert post.sign_in("buudien")[0] == 200
    status, body = post.call("GET", "/api/v1/sites/demo/post/dossiers")
    assert status == 200
    (d,) = body["dossiers"]
    assert d["code"] == code and d["post_address"] == ADDRESS and d["name"] == APPLICANT["name"]
    path = f"/api/v1/sites/demo/post/dossiers/{code}/sent"
    status, body = post.call("POST", path, {"tracking": "EE123456789VN", "fees_paid": False})
    assert status == 409 and body["error"]["message_vi"] == "Phải xác nhận đã thu phí, lệ phí trước khi trả kết quả."
    status, body = post.call("POST", path, {"tracking": "x", "fees_paid": True})
    assert status == 400 and "số hiệu bưu gửi" in body["error"]["message_vi"]
    status, body = post.call("POST", path, {"tracking": "ee123456789vn", "fees_paid": True})
    assert status == 200 and body["status"] == "returned" and body["postal_tracking"] == "EE123456789VN"
    assert post.call("GET", "/api/v1/sites/demo/post/dossiers")[1]["dossiers"] == []
    # Post staff see nothing else: not the dashboard, not another agency's dossiers.
    assert post.call("GET", "/api/v1/sites/demo/dashboard")[0] == 403
    assert post.call("GET", "/api/v1/agency/dossiers")[0] == 403
