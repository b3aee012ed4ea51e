"""A specialist's tab and the post office's tab in a real Chromium against the real hub, counter and
agencies: due dates read "Thứ Sáu, 27/11/2026 17:00" with "còn N ngày làm việc" (then "quá hạn N ngày
làm việc" once late, not by colour alone), "Giải quyết xong" asks first and nothing happens when the
specialist says no; the post tab shows the result's date as dd/mm/yyyy; axe-core finds no critical or
serious violation on either tab at 1366×768 or 390×844. Screenshots: test-artifacts/web/agency-*.png,
post-tab-*.png."""

from __future__ import annotations

import time
from pathlib import Path

from selenium.webdriver.common.by import By

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from tests.dossier.conftest import AGENCY_1, AGENCY_2, APPLICANT, DossierHub
from tests.support.browser import Browser
from tests.web.conftest import add_account
from tests.web.test_axe import AXE, _axe, _summary
from tests.web.test_console_browser import sign_in

PROC = "cap-phep-xay-dung-lien-thong"
ADDRESS = "Số 12 đường Lê Lợi, thị trấn Hòa An, huyện Hòa An"


def cells(d, css: str) -> list[str] | None:  # noqa: ANN001
    """The texts of the cells of the row `css` finds, read at once (the list is redrawn as it loads)."""
    return d.execute_script("const r = document.querySelector(arguments[0]);"
                            "return r ? [...r.cells].map((c) => c.innerText) : null;", css)


def test_specialist_and_post_tabs(dhub: DossierHub, tmp_path: Path) -> None:
    assert AXE.is_file(), "axe-core is missing: run scripts/setup.sh"
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    desk = DossierCore(counter.session, tmp_path)
    code = desk.intake(PROC, APPLICANT, [0, 1, 2], return_method="post", post_address=ADDRESS)["code"]
    add_account(dhub.h.data, "kthatang", "specialist", "demo", AGENCY_1)
    add_account(dhub.h.data, "buudien", "post", "demo", None)
    base = f"http://127.0.0.1:{dhub.h.http_port}"
    found: dict[str, list[str]] = {}
    with Browser((1366, 768)) as b:
        d = b.driver
        sign_in(b, base, "kthatang")
        d.get(f"{base}/console/#agency")
        row = f"#agency-list tr:has(button[data-code='{code}'])"
        _, _, _, due, left, _ = b.wait(lambda d: cells(d, row))
        assert due.startswith("Thứ ") and due[due.index(",") + 2:][2] == "/" and ":" in due  # "Thứ X, dd/mm/yyyy HH:MM"
        assert "T" not in due[due.index(","):]  # no raw ISO text
        assert left.startswith("còn ") and left.endswith(" ngày làm việc")
        b.click(f"button[data-code='{code}'][data-act='accept']")  # the list may redraw meanwhile
        finish = f"button[data-code='{code}'][data-act='finish']"
        b.click(finish)
        alert = b.wait(lambda d: d.switch_to.alert)
        assert f"Xác nhận hồ sơ {code} đã giải quyết xong?" in alert.text and "không hoàn tác" in alert.text
        alert.dismiss()  # "Hủy": nothing happens
        time.sleep(0.3)
        assert dhub.public(code)[1]["where"] == AGENCY_1
        assert "Đang giải quyết" in d.find_element(By.ID, "agency-list").text or d.find_elements(By.CSS_SELECTOR, finish)
        b.shot("agency-tab-1366x768")
        for w, h in ((1366, 768), (390, 844)):
            d.set_window_size(w, h)
            time.sleep(0.3)
            if v := _axe(b):
                found[f"agency @{w}x{h}"] = _summary(v)
        b.shot("agency-tab-390x844")
        d.set_window_size(1366, 768)
        # Late: the words say so.
        dhub.set_time("2027-01-15T09:00")
        dhub.tick()
        sign_in(b, base, "kthatang")  # weeks later: a new working day's session
        d.get(f"{base}/console/#agency")
        b.wait(lambda d: (cells(d, row) or [""] * 5)[4].startswith("quá hạn "))
        assert d.find_elements(By.CSS_SELECTOR, f"{row} td.left.overdue")
        b.shot("agency-tab-overdue")
        b.click(finish)
        b.wait(lambda d: d.switch_to.alert).accept()
        b.wait(lambda d: dhub.public(code)[1]["where"] == AGENCY_2)
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=dhub.tokens[AGENCY_2])
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/finish", {}, token=dhub.tokens[AGENCY_2])
    dhub.tick()
    with Browser((1366, 768)) as b:
        d = b.driver
        sign_in(b, base, "buudien")
        d.get(f"{base}/console/#post")
        got = b.wait(lambda d: cells(d, f"#post-list tr[data-code='{code}']"))
        ready = got[3]
        assert ready[2] == "/" and ready[5] == "/" and "T" not in ready  # dd/mm/yyyy HH:MM
        assert ADDRESS in got[2]
        b.shot("post-tab-1366x768")
        for w, h in ((1366, 768), (390, 844)):
            d.set_window_size(w, h)
            time.sleep(0.3)
            if v := _axe(b):
                found[f"post @{w}x{h}"] = _summary(v)
        b.shot("post-tab-390x844")
        # "Đã gửi" returns the dossier: asked first; "Hủy" leaves it in the list.
        form = d.find_element(By.CSS_SELECTOR, f"#post-list tr[data-code='{code}'] form")
        form.find_element(By.NAME, "tracking").send_keys("EE123456789VN")
        form.find_element(By.NAME, "fees_paid").click()
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        alert = b.wait(lambda d: d.switch_to.alert)
        assert code in alert.text and "EE123456789VN" in alert.text
        alert.dismiss()
        assert d.find_elements(By.CSS_SELECTOR, f"#post-list tr[data-code='{code}']")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        b.wait(lambda d: d.switch_to.alert).accept()
        b.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, f"#post-list tr[data-code='{code}']"))
        assert dhub.public(code)[1]["status"] == "returned"
    assert not found, found
