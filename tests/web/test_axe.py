"""axe-core (the npm package, injected into Chromium) on every web page at 1366×768 and 390×844: no
critical or serious accessibility violation. Pages: the status page, sign-in, the console's tabs for an
administrator, the fleet page, a phone ticket page, booking, a booking's own page (/hen/q/…) and its
cancel confirmation, a dossier's status page. The specialist's and the post office's tabs, with
dossiers in them, are checked in tests/dossier/test_agency_browser.py.

axe-core is installed by scripts/setup.sh into tests/.axe (npm install axe-core@4)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from kiosk.core import KioskCore
from tests.support.browser import Browser
from tests.support.hubproc import InProcessHub
from tests.web.test_console_browser import sign_in

AXE = Path(__file__).resolve().parents[1] / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
SIZES = [(1366, 768), (390, 844)]


@pytest.fixture
def browser() -> Iterator[Browser]:
    with Browser() as b:
        yield b


def _axe(b: Browser) -> list[dict]:
    d = b.driver
    if not d.execute_script("return !!window.axe"):
        d.execute_script(AXE.read_text(encoding="utf-8"))
    d.set_script_timeout(60)
    result = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}])));")
    return [v for v in json.loads(result) if v.get("impact") in ("critical", "serious")]


def _book(base: str) -> str:
    """Book Hộ tịch on the last bookable day through the public JSON route; the booking's own page."""
    import urllib.error
    import urllib.parse
    import urllib.request

    def get(path: str) -> dict:
        with urllib.request.urlopen(base + path, timeout=10) as r:
            return json.loads(r.read())

    day = get("/api/v1/sites/demo/appointments/slots?service=HT")["days"][-1]
    slot = next(s for s in get(f"/api/v1/sites/demo/appointments/slots?service=HT&day={day}")["slots"] if s["free"])
    form = urllib.parse.urlencode({"service": "HT", "day": day, "slot_start": slot["start"], "name": "Nguyễn Thị Hoa",
                                   "phone": "0912345678"}).encode()

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            return None

    req = urllib.request.Request(f"{base}/hen/demo", data=form, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.build_opener(Stay).open(req, timeout=10)
    except urllib.error.HTTPError as e:  # 303 to the booking's own page (the link the citizen keeps)
        assert e.code == 303, e.read()
        return e.headers["Location"].split("?")[0]
    raise AssertionError("the booking form did not send to the booking's page")


def _summary(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n.get("target", [""])[0] if n.get("target")
                                                                       else "" for n in v["nodes"][:3])
            for v in violations]


# A console tab and what its loader draws last from the hub's data (the account tab has only its form).
TABS = {"dashboard": "#totals [data-total]", "reports": "#rp-out:not([hidden])",
        "admin": "#accounts tbody tr[data-account]", "audit": "#audit-log tbody tr", "devices": "#device-list tbody tr",
        "post": "#post-list tbody tr", "account": "#f-password"}


def test_no_serious_accessibility_violation_on_any_page(console: InProcessHub, browser: Browser) -> None:
    assert AXE.is_file(), "axe-core is missing: run scripts/setup.sh (npm install --prefix tests/.axe axe-core@4)"
    base = f"http://127.0.0.1:{console.http_port}"
    ticket = KioskCore(console.device("kiosk")).issue_ticket("HT")
    d = browser.driver
    booking = _book(base)
    public = [f"{base}/", f"{base}/login", f"{base}/t/demo/{ticket['id']}", f"{base}/hen/demo",
              f"{base}{booking}", f"{base}{booking}?huy=1", f"{base}/d/HOAAN-000000-0000"]
    found: dict[str, list[str]] = {}
    for w, h in SIZES:
        d.set_window_size(w, h)
        for url in public:
            d.get(url)
            time.sleep(0.3)
            if v := _axe(browser):
                found[f"{url} @{w}x{h}"] = _summary(v)
            if booking in url and w < 500:  # the booking's page and its cancel confirmation, to look at
                browser.shot("booking-manage" + ("-cancel" if "huy" in url else ""), whole_page=True)
                d.set_window_size(w, h)
        sign_in(browser, base, "quantri")
        for tab, drawn in TABS.items():  # each tab checked once its data is drawn, however slow the machine
            d.get(f"{base}/console/#{tab}")
            browser.wait(lambda d, t=tab, x=drawn: d.find_element(By.ID, t).is_displayed()
                         and d.find_elements(By.CSS_SELECTOR, x), timeout=30)
            if v := _axe(browser):
                found[f"console#{tab} @{w}x{h}"] = _summary(v)
        d.get(f"{base}/console/fleet")
        browser.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#list tbody tr"), timeout=30)
        if v := _axe(browser):
            found[f"console/fleet @{w}x{h}"] = _summary(v)
    assert not found, "accessibility violations:\n" + json.dumps(found, ensure_ascii=False, indent=1)
