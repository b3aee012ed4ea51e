"""The lobby card of the administration tab in a real Chromium against a real hub, as an administrator
uses it: a notice added with its last day typed dd/mm/yyyy, moved up, retired after a confirmation (refused
once, then accepted) and restored; a file that is not an image and one too big refused in Vietnamese with
nothing kept; an image previewed, uploaded with its caption and shown in the list; the lobby's state
following each change; axe-core clean at both sizes.

Screenshots: test-artifacts/web/lobby-card-1366x768.png, lobby-card-images-1366x768.png, lobby-card-390x844.png,
lobby-card-refused-1366x768.png.
"""

from __future__ import annotations

import io
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from selenium.webdriver.common.by import By

from hub.domain.lobby_media import NOT_IMAGE_VI
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub
from tests.web.test_admin_browser import confirm_text, text
from tests.web.test_axe import AXE, _axe, _summary
from tests.web.test_console_browser import sign_in

NEW = "Từ tháng 3, bộ phận một cửa nhận hồ sơ cả sáng thứ Bảy."


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser((1366, 768)) as b:
        yield b


def lobby_state(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/v1/sites/demo/state", timeout=10) as r:
        return json.loads(r.read())


def rows(d) -> list[str]:  # noqa: ANN001
    return [r.find_elements(By.TAG_NAME, "td")[1].text
            for r in d.find_elements(By.CSS_SELECTOR, "#notice-list tbody tr[data-notice]")]


def test_notices_and_an_image_managed_from_the_console(console: InProcessHub, browser: Browser, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{console.http_port}"
    sign_in(browser, base, "quantri")
    d = browser.driver
    d.get(f"{base}/console/#admin")
    browser.wait(lambda d: len(rows(d)) == 1)
    first = rows(d)[0]
    assert first.startswith("Giờ làm việc")  # the site's single notice of before, now its first
    # Add a notice with its last day typed as on paper.
    f = d.find_element(By.ID, "f-notice")
    f.find_element(By.NAME, "text").send_keys(NEW)
    f.find_element(By.NAME, "active_until").send_keys("31/12/2099")
    f.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait(lambda d: rows(d) == [first, NEW])
    assert "Đến hết 31/12/2099" in text(d, "#notice-list tbody tr:nth-child(2)")
    assert [n["text"] for n in lobby_state(base)["notices"]] == [first, NEW]
    # Move it up: the lobby shows it first.
    d.find_element(By.CSS_SELECTOR, "#notice-list tbody tr:nth-child(2) button[data-move='-1']").click()
    browser.wait(lambda d: rows(d) == [NEW, first])
    assert [n["text"] for n in lobby_state(base)["notices"]] == [NEW, first]
    # Retire the old one: asked first; "Hủy" changes nothing, "OK" takes it off the lobby, kept in the list.
    retire = "#notice-list tbody tr:nth-child(2) button[data-retired='1']"
    d.find_element(By.CSS_SELECTOR, retire).click()
    assert "Ngừng thông báo" in confirm_text(browser, accept=False)
    assert len(lobby_state(base)["notices"]) == 2
    d.find_element(By.CSS_SELECTOR, retire).click()
    confirm_text(browser, accept=True)
    browser.wait(lambda d: "Đã ngừng" in text(d, "#notice-list tbody tr:nth-child(2)"))
    assert [n["text"] for n in lobby_state(base)["notices"]] == [NEW]
    # A file that is not an image, and one too big: refused in Vietnamese, nothing kept.
    fake = tmp_path / "so-do.png"
    fake.write_bytes(b"%PDF-1.7\n" + b"0" * 4000)
    big = tmp_path / "anh-lon.jpg"
    big.write_bytes(b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024))
    fi = d.find_element(By.ID, "f-image")
    fi.find_element(By.NAME, "file").send_keys(str(fake))
    fi.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait(lambda d: text(d, "#image-err") == NOT_IMAGE_VI)
    fi.find_element(By.NAME, "file").send_keys(str(big))
    browser.wait(lambda d: "Ảnh quá lớn: tối đa 2 MB" in text(d, "#image-err"))
    d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "f-image"))
    browser.shot("lobby-card-refused-1366x768")
    fi.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    time.sleep(0.5)
    assert "Chưa có ảnh nào" in text(d, "#image-list") and lobby_state(base)["slides"] == []
    # A real image: previewed before it is sent, then listed with its caption.
    img = io.BytesIO()
    Image.new("RGB", (960, 540), (10, 92, 138)).save(img, "PNG")
    good = tmp_path / "so-do-quay.png"
    good.write_bytes(img.getvalue())
    fi.find_element(By.NAME, "file").send_keys(str(good))
    browser.wait(lambda d: d.find_element(By.ID, "image-preview").is_displayed())
    assert text(d, "#image-err") == ""
    fi.find_element(By.NAME, "caption").send_keys("Sơ đồ các quầy")
    fi.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    browser.wait(lambda d: "Sơ đồ các quầy" in text(d, "#image-list li[data-image='1']"))
    listed = d.find_element(By.CSS_SELECTOR, "#image-list li[data-image='1'] img")
    browser.wait(lambda d: d.execute_script("return arguments[0].naturalWidth", listed) == 960)
    assert [s["caption"] for s in lobby_state(base)["slides"]] == ["Sơ đồ các quầy"]
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", d.find_element(By.ID, "image-list"))
    browser.shot("lobby-card-images-1366x768")
    d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "lobby-card"))
    browser.shot("lobby-card-1366x768")
    assert AXE.is_file(), "axe-core is missing: run scripts/setup.sh"
    found = {}
    if v := _axe(browser):
        found["1366x768"] = _summary(v)
    d.set_window_size(390, 844)
    time.sleep(0.5)
    d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, "lobby-card"))
    browser.shot("lobby-card-390x844")
    if v := _axe(browser):
        found["390x844"] = _summary(v)
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
    # Restore the retired notice from the phone: back on the lobby, after the other.
    d.find_element(By.CSS_SELECTOR, "#notice-list tbody tr:nth-child(2) button[data-retired='0']").click()
    assert "Khôi phục" in confirm_text(browser, accept=True)
    browser.wait(lambda d: "Đang dùng" in text(d, "#notice-list tbody tr:nth-child(2)"))
    assert [n["text"] for n in lobby_state(base)["notices"]] == [NEW, first]
