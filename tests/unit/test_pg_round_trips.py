"""The PostgreSQL engine's queued statements (docs/architecture.md, "How the PostgreSQL engine keeps round
trips low"): what waits goes with the next statement, a failing queued write still fails its own savepoint
alone, and in a router batch a write that fails after its request finished makes the batch run again
carefully instead of being pinned on the wrong request."""

from __future__ import annotations

import pytest

from hub.store import engine_pg
from hub.store.db import (
    IntegrityError,
    batch,
    defer,
    defer_returning,
    is_replay,
    open_db,
    read_many,
    savepoint,
    transaction,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def db(pg_cluster):  # noqa: ANN001, ANN201
    db = open_db(pg_cluster.create_database("round_trips"))
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    yield db
    db.close()


def _ids(db) -> list[int]:  # noqa: ANN001
    return [r[0] for r in db.execute("SELECT id FROM t ORDER BY id").fetchall()]


def test_queued_statements_travel_with_the_next_answer(db) -> None:  # noqa: ANN001
    before = dict(db.stats)
    with transaction(db):
        with savepoint(db, "a"):
            defer(db, "INSERT INTO t(id, v) VALUES(?, ?)", [1, "50% off; 'quoted'"])  # % and quotes stay literal
            later = defer_returning(db, "INSERT INTO t(id, v) VALUES(?, ?) RETURNING id", [2, "x"])
            rows = read_many(db, [("SELECT COUNT(*) FROM t", []), ("SELECT v FROM t WHERE id = ?", [1])])
        assert rows == [[(2,)], [("50% off; 'quoted'",)]]
        assert later() == 2
    # BEGIN, the savepoint, two writes, two reads, the release and COMMIT: two messages.
    assert db.stats["round_trips"] - before["round_trips"] == 2
    assert _ids(db) == [1, 2]


def test_a_failing_queued_write_undoes_its_own_savepoint_only(db) -> None:  # noqa: ANN001
    with transaction(db):
        with savepoint(db, "a"):
            defer(db, "INSERT INTO t(id, v) VALUES(?, ?)", [1, "kept"])
        with pytest.raises(IntegrityError), savepoint(db, "b"):
            defer(db, "INSERT INTO t(id, v) VALUES(?, ?)", [2, None])  # NOT NULL: fails at the release
        with savepoint(db, "c"):
            defer(db, "INSERT INTO t(id, v) VALUES(?, ?)", [3, "kept too"])
    assert _ids(db) == [1, 3]


def test_a_batch_replays_carefully_when_a_finished_request_write_fails(db) -> None:  # noqa: ANN001
    def requests() -> list[str]:
        outcome = []
        for n, v in ((1, "a"), (2, None), (3, "c")):  # request 2's write breaks NOT NULL
            try:
                with savepoint(db, "op"):
                    defer(db, "INSERT INTO t(id, v) VALUES(?, ?)", [n, v])
                    db.execute("SELECT 1").fetchone()  # a read that would carry the queue
            except IntegrityError:
                outcome.append(f"{n} refused")
            else:
                outcome.append(f"{n} ok")
        db.execute("SELECT COUNT(*) FROM t").fetchone()
        return outcome

    with pytest.raises(engine_pg.ReplayCarefully) as caught, batch(db), transaction(db):
        requests()
    assert is_replay(caught.value) and _ids(db) == []  # nothing of the fast attempt stands
    with batch(db, fast=False), transaction(db):
        assert requests() == ["1 ok", "2 refused", "3 ok"]
    assert _ids(db) == [1, 3]
