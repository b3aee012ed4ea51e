"""The reliability suite's figures: each test records a JSON line in test-artifacts/reliability.json, and
the terminal summary prints them (with or without `-s`), so CI logs carry the numbers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from devicekit.session import DeviceSession
from motcua_core.device_config import DeviceConfig
from tests.support.artifacts import ARTIFACTS_ROOT
from tests.support.hubproc import HubProcess
from tests.support.storm import hub_with_kiosks

ARTIFACT = ARTIFACTS_ROOT / "reliability.json"
_lines: list[str] = []


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[..., None]:
    """figures(key=value, …): the numbers a reviewer wants from this test, kept even when it fails later."""

    def record(**data: object) -> None:
        line = json.dumps({"test": request.node.name, "at": round(time.time(), 1), **data}, ensure_ascii=False)
        _lines.append(line)
        ARTIFACT.parent.mkdir(exist_ok=True)
        with ARTIFACT.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    return record


def hub_process_with_kiosk(data: Path) -> tuple[HubProcess, DeviceConfig, DeviceSession]:
    """A demo hub as its own process (for kill -9 and restarts) and one connected kiosk session."""
    proc, (cfg,), (session,) = hub_with_kiosks(data, 1)
    return proc, cfg, session


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 (pytest's own type)
    if _lines:
        terminalreporter.section("reliability figures")
        for line in _lines:
            terminalreporter.write_line(line)
