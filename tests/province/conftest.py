"""A province is several hubs, each with a database of its own. Under MOTCUA_TEST_DB=postgresql the
provincial hub runs on the test's PostgreSQL database and every commune hub on its own SQLite file, as in
real life (tests/support/province.py binds each data directory to its database). Each test starts up to
four hub processes with their brokers and waits out cuts and kills: ten minutes each before
pytest-timeout gives up, not the suite's two."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/province/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.timeout(600))
