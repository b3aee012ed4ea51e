"""A real, headless Chromium for web page tests (Debian's chromium + chromedriver, driven by selenium).

A fresh profile per browser, no background network; screenshots go to test-artifacts/web/ for a
reviewer to look at. `chromium()` (phone-sized by default) for page flows, `Browser` for the console."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
PHONE = (412, 915)  # a common Android phone's CSS viewport
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


@contextmanager
def chromium(size: tuple[int, int] = PHONE) -> Iterator:
    profile = tempfile.mkdtemp(prefix="motcua-chromium-")
    driver = _driver(profile, size)
    driver.set_page_load_timeout(30)
    # A click that submits a form does not wait for the next page: lookups wait for what they look for.
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name: str) -> Path:  # noqa: ANN001
    """The whole page (not only the viewport) as test-artifacts/web/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    width = driver.execute_script("return document.documentElement.scrollWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(max(width, PHONE[0]), max(height + 120, 400))
    driver.save_screenshot(str(path))
    return path


class Browser:
    """A desktop-sized browser kept open across a test's steps (the console)."""

    def __init__(self, width: int = 1280, height: int = 900) -> None:
        self.profile = tempfile.mkdtemp(prefix="motcua-chromium-")
        self.driver = _driver(self.profile, (width, height))
        self.driver.set_page_load_timeout(20)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def wait(self, predicate, timeout: float = 10.0):  # noqa: ANN001, ANN201
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda d: predicate(d))

    def shot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
