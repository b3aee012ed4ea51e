"""Debian's Chromium driven by selenium, headless, with a profile of its own, for tests of web pages.

Screenshots go to test-artifacts/web/ for a reviewer to look at."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


class Browser:
    def __init__(self, width: int = 1280, height: int = 900) -> None:
        if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
            raise RuntimeError("chromium and chromium-driver are not installed: run `make setup`")
        self.profile = tempfile.mkdtemp(prefix="motcua-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "--lang=vi"):
            opts.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.set_page_load_timeout(20)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def wait(self, predicate, timeout: float = 10.0):  # noqa: ANN001, ANN201
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(lambda d: predicate(d))

    def shot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
