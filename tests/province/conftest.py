"""A province is several hubs, each with a database of its own: under MOTCUA_TEST_DB=postgresql every hub
of a test would share the test's one PostgreSQL database, so these tests run on SQLite files (and read
them, to compare a commune with the province). Each starts four hub processes with their brokers and
waits out cuts and kills: ten minutes each before pytest-timeout gives up, not the suite's two."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/province/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.sqlite_only)
            item.add_marker(pytest.mark.timeout(600))
