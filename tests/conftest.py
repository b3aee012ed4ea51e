"""Fixtures shared by every test: a real, anonymous Mosquitto on a free port."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from motcua_core import clock as wallclock  # imported first: it anchors MOTCUA_TEST_NOW for every child
from tests.support.artifacts import ARTIFACTS_ROOT
from tests.support.net import free_port, wait_port

if TYPE_CHECKING:
    from tests.support.hubproc import InProcessHub


def pytest_report_header(config: pytest.Config) -> str | None:
    """Which moment the run believes it is, when shifted (make test-days), and the host's zone."""
    import os
    import time

    if not os.environ.get(wallclock.TEST_NOW):
        return None
    return (f"clock: as if {os.environ[wallclock.TEST_NOW]} (now {wallclock.now(wallclock.VIETNAM):%Y-%m-%d %H:%M:%S}"
            f" in Vietnam), host TZ={os.environ.get('TZ', '-')} ({time.strftime('%Z')})")


@dataclass
class PlainBroker:
    host: str
    port: int
    proc: subprocess.Popen
    conf: Path

    def restart(self) -> None:
        """Stop and start the same broker (same port, same persistence file)."""
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc = _spawn(self.conf)
        wait_port(self.port)


def _spawn(conf: Path) -> subprocess.Popen:
    with open(conf.with_suffix(".log"), "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def plain_broker(tmp_path: Path) -> Iterator[PlainBroker]:
    """An anonymous Mosquitto with persistence, for tests of device-side code alone."""
    if shutil.which("mosquitto") is None:
        pytest.fail("mosquitto is not installed: run `make setup`")
    port = free_port()
    conf = tmp_path / "plain-mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous true\n"
        "set_tcp_nodelay true\n"
        "persistence true\n"
        f"persistence_location {tmp_path}/\n"
    )
    broker = PlainBroker("127.0.0.1", port, _spawn(conf), conf)
    wait_port(port)
    yield broker
    broker.proc.terminate()
    broker.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """One throwaway PostgreSQL cluster for the whole run (hub.store.pg_cluster), with a migrated template
    database that each test's database is copied from."""
    from hub.store import pg_cluster as pgc
    from hub.store.db import open_db

    if pgc.bin_dir() is None:
        pytest.fail("PostgreSQL is not installed: run `make setup`")
    # a test run needs no power-cut safety (kill -9 keeps the OS cache); a port from this worker's block
    cluster = pgc.throwaway(fsync=False, port=free_port())
    db = open_db(cluster.create_database("motcua_template"))
    db.close()
    yield cluster
    cluster.destroy()


_PG_DATABASES = iter(range(1, 1_000_000))


def on_postgresql() -> bool:
    """This run is the PostgreSQL pass (MOTCUA_TEST_DB=postgresql)."""
    import os

    return os.environ.get("MOTCUA_TEST_DB", "sqlite") == "postgresql"


# Fixtures that reach no hub database: a test that asks for nothing else is engine-independent.
_ENGINE_FREE = {"_engine", "request", "monkeypatch", "capsys", "capfd", "caplog", "pytestconfig", "recwarn",
                "figures", "artifacts_dir"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass leaves out what does not depend on the engine, which the first pass ran: tests
    marked `once` (they start their own PostgreSQL servers or databases) and tests that ask for no
    fixture that could reach a database (pure rules: no hub, no data directory, no tmp_path)."""
    if not on_postgresql():
        return
    keep, once = [], []
    for item in items:
        free = set(getattr(item, "fixturenames", ())) <= _ENGINE_FREE
        (once if free or item.get_closest_marker("once") else keep).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = keep


def _new_database(cluster: object) -> str:
    import psycopg

    name = f"t{next(_PG_DATABASES)}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:  # type: ignore[attr-defined]
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE motcua_template STRATEGY FILE_COPY')  # the quicker here
    return cluster.url(name)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def module_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """For a hub that lives as long as its test module (tests/security's two-site hub): under
    MOTCUA_TEST_DB=postgresql one fresh database for the module, named by MOTCUA_DB while it runs, which
    the module's tests share with that hub instead of getting one each."""
    if not on_postgresql() or request.node.get_closest_marker("sqlite_only"):
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOTCUA_DB", _new_database(request.getfixturevalue("pg_cluster")))
        yield


@pytest.fixture(autouse=True)
def _engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """MOTCUA_TEST_DB=postgresql: every hub, CLI command and helper of the test uses a fresh PostgreSQL
    database (MOTCUA_DB, inherited by subprocesses) instead of <data>/motcua.db. Default: SQLite."""
    if not on_postgresql():
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite-specific (reads the database file itself)")
    if "module_database" in request.fixturenames:
        return  # the module's database, set for the whole module
    monkeypatch.setenv("MOTCUA_DB", _new_database(request.getfixturevalue("pg_cluster")))


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[InProcessHub]:
    """A real hub (the same class `motcua hub serve` runs) with its own Mosquitto, per test."""
    from tests.support.hubproc import InProcessHub, prepare

    prepare(tmp_path)
    h = InProcessHub(tmp_path).start()
    yield h
    h.stop()


@pytest.fixture(scope="session")
def xvfb():
    """One virtual X screen for the whole run; UI tests run their Kivy apps on it (env: xvfb.env())."""
    from tests.support.xvfb import Xvfb

    screen = Xvfb()
    screen.start()
    yield screen
    screen.stop()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where UI tests save screenshots for a reviewer (tests.support.artifacts)."""
    path = ARTIFACTS_ROOT
    path.mkdir(parents=True, exist_ok=True)
    return path


# Time per group (a directory under tests/), printed at the end of a run: where the suite's time goes.
# With pytest-xdist the reports of every worker arrive here; "span" is the group's first start to its last
# end (wall time, overlapping other groups when run in parallel), "test time" the sum of its tests' phases.
_groups: dict[str, list[float]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    parts = report.nodeid.split("::")[0].split("/")
    group = parts[1] if len(parts) > 2 and parts[0] == "tests" else parts[0]
    g = _groups.setdefault(group, [0, 0.0, float("inf"), 0.0])
    if report.when == "call" or (report.when == "setup" and not report.passed):
        g[0] += 1
    g[1] += report.duration
    if report.start:
        g[2], g[3] = min(g[2], report.start), max(g[3], report.stop)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not _groups or hasattr(config, "workerinput"):
        return
    terminalreporter.section("time per group")
    terminalreporter.write_line(f"{'group':16} {'tests':>6} {'test time':>10} {'span':>10}")
    for name, (n, total, first, last) in sorted(_groups.items(), key=lambda kv: -kv[1][1]):
        span = last - first if last else 0.0
        terminalreporter.write_line(f"{name:16} {int(n):6d} {total:9.1f}s {span:9.1f}s")
