"""The ticket's QR is an absolute link to the hub's address on the office network, whatever address
the device itself uses for the broker (issue #13 item 1): a phone opens it (real Chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from devicekit.drivers.camera import decode_qr
from devicekit.drivers.printer import SimPrinter
from hub.ops.links import lan_address
from kiosk.core import KioskCore
from tests.support.browser import PHONE, Browser
from tests.support.hubproc import InProcessHub, prepare


@pytest.fixture
def lan_hub(tmp_path: Path) -> Iterator[InProcessHub]:
    """A hub listening on every interface, as `motcua hub serve` does by default."""
    prepare(tmp_path)
    h = InProcessHub(tmp_path, http_host="0.0.0.0").start()
    yield h
    h.stop()


def test_ticket_qr_opens_the_hub_on_the_lan(lan_hub: InProcessHub, tmp_path: Path) -> None:
    session = lan_hub.device("kiosk", start=False)
    assert session.config.broker_host == "127.0.0.1"  # as the README's `device add` writes it
    core = KioskCore(session, SimPrinter(tmp_path / "paper"))
    session.start()
    assert session.wait_connected(10) and core.wait_config(10)
    base = f"http://{lan_address()}:{lan_hub.http_port}"
    assert core.config["public_url"] == base
    issued = core.take_ticket("HT", "none", "vi", core.new_confirmation())
    url = decode_qr(np.asarray(Image.open(issued.png).convert("RGB")))
    assert url == f"{base}/t/demo/{issued.ticket['id']}"
    with Browser(PHONE) as browser:
        phone = browser.driver
        phone.get(url)
        browser.shot("ticket-status-from-qr")
        text = phone.find_element("tag name", "body").text
        assert "1001" in text and "Không có ai chờ trước ông/bà." in text
        issued_at = phone.find_element("id", "issued").text
        assert issued_at.startswith("Lấy số lúc ") and "T" not in issued_at and "+07" not in issued_at
