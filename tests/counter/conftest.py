"""Counter tests: gpiozero mock pins (the shared `hub` fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


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
