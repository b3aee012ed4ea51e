"""A streaming standby of the provincial hub's PostgreSQL database, and its promotion (docs/operations.md,
"A standby that takes over").

`create` makes a replica on this machine with PostgreSQL's own tools: `pg_basebackup -R` copies the
primary and writes its connection, the standby starts and streams, and — asked for — the primary is told to
wait for it at every commit (`synchronous_standby_names`), so a ticket the hub acknowledged is on both
machines before the kiosk prints it. `promote` turns the standby into the primary after the primary is
lost. The hub follows by itself when its `--db` names both servers with `target_session_attrs=read-write`
(libpq tries each and keeps the one that accepts writes).

The server tools run as `postgres` through runuser when we are root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg

from hub.store.pg_cluster import owned_dir, run_tool


class StandbyError(RuntimeError):
    """The standby could not be made, started or promoted; the message says what the server said."""


def _conf_value(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _tool(name: str, *args: str, timeout: float = 600) -> str:
    out = run_tool(name, *args, check=False, timeout=timeout)
    if out.returncode != 0:
        raise StandbyError(f"{name}: {(out.stderr or out.stdout).strip()}")
    return out.stdout


def _admin(url: str, *statements: str) -> list[tuple]:
    """Run statements on a server (autocommit); the last one's rows."""
    rows: list[tuple] = []
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        for sql in statements:
            cur = conn.execute(sql)  # type: ignore[arg-type]
            rows = cur.fetchall() if cur.description else []
    return rows


def _wait(what, timeout: float, failure: str):
    deadline = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        if time.monotonic() > deadline:
            raise StandbyError(failure)
        time.sleep(0.2)


def replication(primary_url: str) -> list[dict]:
    """The standbys a primary streams to: name, state (streaming …), sync_state (sync, async …), and how
    many bytes of WAL each has not yet replayed."""
    rows = _admin(primary_url, "SELECT application_name, state, sync_state, "
                               "COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint "
                               "FROM pg_stat_replication ORDER BY application_name")
    return [{"name": r[0], "state": r[1], "sync_state": r[2], "replay_lag_bytes": int(r[3])} for r in rows]


def role(url: str) -> str:
    """"standby" while the server replays a primary's WAL, else "primary"."""
    return "standby" if _admin(url, "SELECT pg_is_in_recovery()")[0][0] else "primary"


def create(primary_url: str, pgdata: Path, *, name: str = "standby1", port: int = 5432, listen: str = "*",
           socket_dir: Path | None = None, synchronous: bool = False, start: bool = True,
           timeout: float = 120) -> dict:
    """Copy the primary into the empty `pgdata`, configure it as the standby `name` and start it; with
    `synchronous`, make the primary wait for it at every commit (once it streams, not before: a primary
    told to wait for a standby that is not there yet would hold every commit)."""
    if pgdata.exists() and any(pgdata.iterdir()):
        raise StandbyError(f"{pgdata} is not empty: a standby starts from an empty directory")
    owned_dir(pgdata)
    _tool("pg_basebackup", "--dbname", primary_url, "--pgdata", str(pgdata), "--write-recovery-conf",
          "--wal-method=stream", "--checkpoint=fast", "--no-password", timeout=timeout * 10)
    settings = {"cluster_name": name,  # the name the primary knows it by (the WAL receiver's application_name)
                "port": str(port), "listen_addresses": listen,
                # a copy of a primary that waited for a standby must not wait for itself once promoted
                "synchronous_standby_names": ""}
    if socket_dir is not None:
        settings["unix_socket_directories"] = str(socket_dir)
    with open(pgdata / "postgresql.auto.conf", "a", encoding="utf-8") as f:
        f.write("# motcua hub db standby\n")
        f.writelines(f"{k} = {_conf_value(v)}\n" for k, v in settings.items())
    out = {"name": name, "pgdata": str(pgdata), "port": port, "started": False, "synchronous": False}
    if not start:
        return out
    _tool("pg_ctl", "--pgdata", str(pgdata), "--log", str(pgdata / "standby.log"), "--wait",
          "--timeout", str(int(timeout)), "start", timeout=timeout + 10)
    out["started"] = True

    def streaming() -> bool:
        return any(r["name"] == name and r["state"] == "streaming" for r in replication(primary_url))

    _wait(streaming, timeout, f"the standby {name} does not stream from the primary (see {pgdata}/standby.log)")
    if synchronous:
        make_synchronous(primary_url, name, timeout=timeout)
        out["synchronous"] = True
    return out


def make_synchronous(primary_url: str, name: str, *, timeout: float = 120) -> None:
    """Make the primary wait for the standby `name` at every commit (`synchronous_standby_names`, written
    with ALTER SYSTEM: a superuser's connection), once that standby streams; returns when it is `sync`."""
    _wait(lambda: any(r["name"] == name and r["state"] == "streaming" for r in replication(primary_url)),
          timeout, f"no standby named {name} streams from the primary")
    _admin(primary_url, f"ALTER SYSTEM SET synchronous_standby_names = {_conf_value(_quoted(name))}",
           "SELECT pg_reload_conf()")
    _wait(lambda: any(r["name"] == name and r["sync_state"] == "sync" for r in replication(primary_url)),
          timeout, f"the primary does not wait for {name} (synchronous_standby_names)")


def _quoted(name: str) -> str:
    """A standby name as synchronous_standby_names spells it (double quotes keep its case and dashes)."""
    return '"' + name.replace('"', '""') + '"'


def promote(*, pgdata: Path | None = None, url: str | None = None, timeout: float = 60) -> str:
    """Make the standby the primary: `pg_ctl promote` on its data directory, or `pg_promote()` over a
    connection (a superuser's, or one granted it). Returns its role afterwards ("primary")."""
    if pgdata is not None:
        _tool("pg_ctl", "--pgdata", str(pgdata), "--wait", "--timeout", str(int(timeout)), "promote",
              timeout=timeout + 10)
        return "primary"
    if url is None:
        raise StandbyError("promote needs the standby's data directory or its URL")
    if not _admin(url, f"SELECT pg_promote(true, {int(timeout)})")[0][0]:
        raise StandbyError("the standby did not finish its promotion in time")
    return role(url)
