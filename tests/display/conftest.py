"""Voice packs built once per test run with the real espeak-ng, into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from display_controller.voicepack import VoicePack, build_espeak_pack


@pytest.fixture(scope="session")
def voice_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("voicepacks")


@pytest.fixture(scope="session")
def north_pack(voice_cache: Path) -> VoicePack:
    return build_espeak_pack(voice_cache / "espeak-north", "north")


@pytest.fixture(scope="session")
def south_pack(voice_cache: Path) -> VoicePack:
    return build_espeak_pack(voice_cache / "espeak-south", "south")


@pytest.fixture
def hub(tmp_path: Path):
    from tests.support.hubproc import InProcessHub, prepare

    prepare(tmp_path)
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()


@pytest.fixture
def mock_pins():
    """gpiozero's simulated pins: the only mocked thing, because no keypad or relay is wired here."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    old = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.close()
    Device.pin_factory = old
