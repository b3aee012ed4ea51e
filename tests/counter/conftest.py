"""A real hub with its own Mosquitto per test (as in tests/integration)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hubproc import InProcessHub, prepare


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[InProcessHub]:
    prepare(tmp_path)
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()


@pytest.fixture
def mock_pins() -> Iterator[object]:
    """gpiozero's simulated pins: the only mocked thing, because no keypad is wired to this machine."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    old = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.close()
    Device.pin_factory = old
