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


def _requests(db, rows: tuple, read: bool = False) -> list[str]:  # noqa: ANN001
    """Each row a request in its own savepoint, queuing its insert; `read`: each also reads (which
    carries the queue); v "refused": the handler refuses after its write was queued. What each got."""
    outcome = []
    for n, v in rows:
        try:
            with savepoint(db, "op"):
                defer(db, "INSERT INTO t(id, v) VALUES(?, ?)", [n, v])
                if read:
                    db.execute("SELECT 1").fetchone()
                if v == "refused":
                    raise ValueError(v)
        except ValueError:
            outcome.append(f"{n} refused")
        except IntegrityError:
            outcome.append(f"{n} failed")
        else:
            outcome.append(f"{n} ok")
    db.execute("SELECT COUNT(*) FROM t").fetchone()
    return outcome


def test_a_batch_replays_carefully_when_a_finished_request_write_fails(db) -> None:  # noqa: ANN001
    def requests() -> list[str]:
        return _requests(db, ((1, "a"), (2, None), (3, "c")), read=True)  # request 2's write breaks NOT NULL

    with pytest.raises(engine_pg.ReplayCarefully) as caught, batch(db), transaction(db):
        requests()
    assert is_replay(caught.value) and _ids(db) == []  # nothing of the fast attempt stands
    with batch(db, fast=False), transaction(db):
        assert requests() == ["1 ok", "2 failed", "3 ok"]
    assert _ids(db) == [1, 3]


def test_a_batch_leaves_out_savepoints_that_only_wrap_queued_writes(db) -> None:  # noqa: ANN001
    """In a router batch a request whose savepoint opens and is released in the same message, around
    queued writes alone, sends no savepoint at all; a refusal still undoes its own queued write, and a
    write failing at the server still makes the batch replay carefully, where it fails alone."""
    def requests(rows: tuple) -> list[str]:
        return _requests(db, rows)

    good = ((1, "a"), (2, "refused"), (3, "c"))
    sent = {}
    for fast in (False, True):
        before = db.stats["statements"]
        with batch(db, fast), transaction(db):
            assert requests(good) == ["1 ok", "2 refused", "3 ok"]
        sent[fast] = db.stats["statements"] - before
        assert _ids(db) == [1, 3]
        db.execute("DELETE FROM t")
    assert sent[True] == sent[False] - 4  # two savepoints and their releases not sent

    bad = ((1, "a"), (2, "refused"), (3, None), (4, "d"))  # 3 breaks NOT NULL at the server
    with pytest.raises(engine_pg.ReplayCarefully), batch(db), transaction(db):
        requests(bad)
    assert _ids(db) == []
    with batch(db, fast=False), transaction(db):
        assert requests(bad) == ["1 ok", "2 refused", "3 failed", "4 ok"]
    assert _ids(db) == [1, 4]


def _prepared(db) -> list[str]:  # noqa: ANN001
    return [r[0] for r in db.raw.execute("SELECT statement FROM pg_prepared_statements").fetchall()]


def test_a_statement_used_often_runs_prepared_with_the_same_answers(db) -> None:  # noqa: ANN001
    with transaction(db):
        for n in range(1, 6):
            defer(db, "INSERT INTO t(id, v) VALUES(?, ?)", [n, f"v{n}"])
    answers = []
    for n in range(1, 6):
        with transaction(db):
            answers.append(read_many(db, [("SELECT v FROM t WHERE id = ?", [n]), ("SELECT COUNT(*) FROM t", [])]))
    assert answers == [[[(f"v{n}",)], [(5,)]] for n in range(1, 6)]
    assert any("FROM t WHERE id = $1" in s for s in _prepared(db))
    # A value of another Python type is still a literal the prepared statement takes as its own type.
    assert db.execute("SELECT v FROM t WHERE id = ?", ["3"]).fetchone() == ("v3",)


def test_a_statement_the_server_cannot_prepare_still_runs(db) -> None:  # noqa: ANN001
    # The type of a bare `? IS NULL` comes only from its value: PREPARE refuses it, the literal text runs.
    got = [db.execute("SELECT ? IS NULL", [v]).fetchone()[0] for v in (None, 1, None, "x", None)]
    assert got == [True, False, True, False, True]
    assert not any("IS NULL" in s for s in _prepared(db))


def test_prepared_statements_survive_a_reconnect_and_a_change_of_table(db) -> None:  # noqa: ANN001
    db.execute("INSERT INTO t(id, v) VALUES(?, ?)", [1, "a"])
    for _ in range(4):
        assert db.execute("SELECT * FROM t WHERE id = ?", [1]).fetchone() == (1, "a")
    db.raw.close()  # the server's prepared statements end with the session
    for _ in range(4):
        assert db.execute("SELECT * FROM t WHERE id = ?", [1]).fetchone() == (1, "a")
    db.execute("ALTER TABLE t ADD COLUMN w TEXT")  # a prepared SELECT * would no longer fit
    assert db.execute("SELECT * FROM t WHERE id = ?", [1]).fetchone() == (1, "a", None)


def test_a_write_outside_a_transaction_is_seen_by_every_other_connection(db) -> None:  # noqa: ANN001
    """A CLI command's single write, outside `transaction()`, moves the revision the other processes'
    registry memos check (an autocommit write would leave their cached rows standing)."""
    other = open_db(db.url)
    seen = other.data_version()
    db.execute("INSERT INTO t(id, v) VALUES(?, ?)", [1, "outside"])
    assert other.data_version() != seen
    seen = other.data_version()
    assert db.execute("UPDATE t SET v = ? WHERE id = ?", ["again", 1]).rowcount == 1
    assert other.data_version() != seen
    with transaction(db):  # and our own memo does not take its own writes for someone else's
        mine = db.data_version()
    assert db.data_version() == mine
    other.close()


def test_a_table_changed_by_another_process_is_tried_again_not_failed(db) -> None:  # noqa: ANN001
    """A prepared `SELECT *` whose table another process altered cannot run; the engine forgets what it
    prepared and calls it busy, so the caller's retry runs in literal SQL."""
    from hub.store.db import is_busy

    db.execute("INSERT INTO t(id, v) VALUES(?, ?)", [1, "a"])
    for _ in range(4):
        db.execute("SELECT * FROM t WHERE id = ?", [1]).fetchone()
    other = open_db(db.url)
    other.execute("ALTER TABLE t ADD COLUMN w TEXT")
    other.close()
    with pytest.raises(engine_pg.psycopg.Error) as caught:
        db.execute("SELECT * FROM t WHERE id = ?", [1])
    assert is_busy(caught.value)
    assert db.execute("SELECT * FROM t WHERE id = ?", [1]).fetchone() == (1, "a", None)


def test_a_batch_that_trusted_a_stale_memo_is_never_committed(db) -> None:  # noqa: ANN001
    """In a router batch the memo is trusted until the revision comes back; should that be with the
    COMMIT itself (a batch that asked nothing else), it is read first, and a stale batch is not committed."""
    other = open_db(db.url)
    with transaction(other):
        other.execute("INSERT INTO t(id, v) VALUES(?, ?)", [1, "elsewhere"])
    other.close()
    with pytest.raises(engine_pg.ReplayCarefully), batch(db), transaction(db):
        db.data_version()  # the memo's check, trusted: no round trip
        defer(db, "INSERT INTO t(id, v) VALUES(?, ?)", [2, "from a stale batch"])
    assert _ids(db) == [1]
