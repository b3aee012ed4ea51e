"""A real, headless Chromium for web page tests (Debian's chromium + chromedriver, driven by selenium).

A fresh profile per browser, no background network; screenshots go to test-artifacts/web/ for a
reviewer to look at. One entry point, `Browser`: desktop-sized by default (the console), `PHONE` for the
citizen's pages; `with Browser() as b:` closes it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tests.support.artifacts import ARTIFACTS_ROOT

T = TypeVar("T")

ARTIFACTS = ARTIFACTS_ROOT / "web"
PHONE = (412, 915)  # a common Android phone's CSS viewport
DESKTOP = (1280, 900)
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _driver(profile: str, size: tuple[int, int]):  # noqa: ANN202
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not ((shutil.which("chromium") or shutil.which(CHROMIUM)) and (shutil.which("chromedriver")
                                                                     or shutil.which(CHROMEDRIVER))):
        raise RuntimeError("chromium and chromium-driver are not installed: run `make setup`")
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}", "--lang=vi"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or CHROMEDRIVER), options=opts)


class Browser:
    """A browser kept open across a test's steps; its selenium driver is `driver`.

    `implicit_wait` (seconds) makes every lookup wait for what it looks for: a click that submits a form
    does not wait for the next page, so a page flow written without explicit waits wants it."""

    def __init__(self, size: tuple[int, int] = DESKTOP, *, implicit_wait: float = 0,
                 page_load_timeout: float = 60) -> None:
        self.profile = tempfile.mkdtemp(prefix="motcua-chromium-")
        self.driver = _driver(self.profile, size)
        self.driver.set_page_load_timeout(page_load_timeout)
        if implicit_wait:
            self.driver.implicitly_wait(implicit_wait)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait(self, predicate, timeout: float = 30.0):  # noqa: ANN001, ANN201
        """Until `predicate(driver)` is true (and its value). An element the page redrew between finding it and
        reading it (a live dashboard redraws its tables on every change) is looked up again, not a failure.
        Every wait here is generous (30 s): it ends as soon as the page is right, and a loaded machine is slow."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                             ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: predicate(d))

    def click(self, css: str, timeout: float = 30.0) -> None:
        """Click the element `css` finds, finding it again if the page redrew it meanwhile."""
        from selenium.webdriver.common.by import By

        self.wait(lambda d: d.find_element(By.CSS_SELECTOR, css).click() is None, timeout)

    def submit_and_wait(self, what: str | Callable[[], object], timeout: float = 30.0) -> None:
        """Click what the CSS selector `what` finds (a form's button, a link), or do `what()` (Enter typed in a
        form), and return once the next page has loaded. A click returns before the next page is there: what
        the test reads next, if the previous page had it too (a status, a form, a message), would be the old
        page's, or fail as stale when the old page goes."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.common.by import By

        old = self.driver.find_element(By.TAG_NAME, "html")

        def gone() -> bool:
            """The old page's root is no longer in the document. Chrome says so as a stale element, or,
            caught in the middle of the navigation, as an inspector error naming a node not in the document."""
            try:
                old.is_enabled()
            except StaleElementReferenceException:
                return True
            except WebDriverException as exc:
                if "does not belong to the document" in str(exc):
                    return True
                raise
            return False

        if callable(what):
            what()
        else:
            self.driver.find_element(By.CSS_SELECTOR, what).click()
        self.wait(lambda d: gone() and d.execute_script("return document.readyState") == "complete", timeout)

    def read(self, css: str, until: Callable[[str], bool] | None = None, timeout: float = 30.0) -> str:
        """The text of the element `css` finds, once it exists (and `until(text)` holds): one reading to assert
        on, taken again if the page redrew the element between finding and reading it."""
        from selenium.webdriver.common.by import By

        def text(d: Any) -> tuple[str] | None:
            t = d.find_element(By.CSS_SELECTOR, css).text
            return (t,) if until is None or until(t) else None

        return self.wait(text, timeout)[0]

    def snapshot(self, read: Callable[[Any], T], timeout: float = 30.0) -> T:
        """`read(driver)` (several elements read together, to assert on at once), done again whole if the page
        redrew any of them meanwhile (a live page redraws its lists on every change, or on a timer)."""
        return self.wait(lambda d: (read(d),), timeout)[0]

    def sign_in(self, base: str, username: str, password: str) -> None:
        """Sign in to the console with the keyboard alone, and wait until the tabs are the role's: the site's
        name is written just before the tabs are filtered by role (the name of who signed in before the
        sites are fetched)."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        d = self.driver
        d.delete_all_cookies()
        d.get(f"{base}/login")
        d.find_element(By.ID, "username").send_keys(username)
        pw = d.find_element(By.ID, "password")
        pw.send_keys(password)
        pw.send_keys(Keys.ENTER)
        self.wait(lambda d: d.current_url.startswith(f"{base}/console/") and d.find_element(By.ID, "who").text
                  and d.find_element(By.ID, "site-name").text)

    def shot(self, name: str, *, whole_page: bool = False) -> Path:
        """test-artifacts/web/<name>.png: the viewport, or with `whole_page` the whole page (the window is
        resized to it, and stays so)."""
        path = ARTIFACTS / f"{name}.png"
        if whole_page:
            width = self.driver.execute_script("return document.documentElement.scrollWidth")
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(max(width, PHONE[0]), max(height + 120, 400))
        self.driver.save_screenshot(str(path))
        return path

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
