"""The audit log over the real hub: a counter's actions, a console change and a CLI command each leave a
row (who, role, edge, before → after), leaders read and export it, and nobody can rewrite it."""

from __future__ import annotations

import argparse

import pytest

from counter_terminal.core import CounterCore
from hub.app import open_data_dir
from hub.cli.tokens import cmd_token_add
from hub.store.db import IntegrityError
from tests.support.hubproc import InProcessHub
from tests.web.conftest import Client


def test_counter_console_and_cli_changes_are_audited(console: InProcessHub, client: Client, capsys) -> None:  # noqa: ANN001
    counter = CounterCore(console.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    assert counter.next() is None  # nobody waiting: still a change of state (the call was tried)
    admin = Client(client.base)
    admin.sign_in("quantri")
    status, _ = admin.call("POST", "/api/v1/console/accounts/lanhdao/active", {"active": False})
    assert status == 200
    admin.call("POST", "/api/v1/console/accounts/lanhdao/active", {"active": True})
    assert cmd_token_add(argparse.Namespace(data=console.data, role="leader", site="demo", agency=None,
                                            name="bao cao")) == 0
    capsys.readouterr()

    client.sign_in("lanhdao")
    # By default the routine queue work (calls, tickets) is left out: a morning's log was 96 % calls.
    status, body = client.call("GET", "/api/v1/sites/demo/audit?limit=50")
    assert status == 200 and not any(r["action"] in ("counter.open", "counter.next") for r in body["entries"])
    off = next(r for r in body["entries"] if r["action"] == "account.deactivate")
    assert off["action_vi"] == "Khóa tài khoản"
    assert off["role_vi"] == "Quản trị viên" and off["at_vi"][2] == "/" and off["at_vi"][5] == "/"  # dd/mm/yyyy
    status, body = client.call("GET", "/api/v1/sites/demo/audit?limit=50&queue=1")
    assert status == 200
    rows = body["entries"]
    nxt = next(r for r in rows if r["action"] == "counter.next")
    assert nxt["action_vi"] == "Gọi số tiếp" and nxt["queue"] is True
    actions = [(r["action"], r["via"]) for r in rows]
    assert ("counter.open", "mqtt") in actions and ("counter.next", "mqtt") in actions
    opened = next(r for r in rows if r["action"] == "counter.open")
    assert opened["who"].startswith("nguyen-thi-lan@") and opened["role"] == "officer"
    off = next(r for r in rows if r["action"] == "account.deactivate")
    assert off["who"] == "quantri" and off["via"] == "console"
    assert off["before"]["active"] is True and off["after"]["active"] is False
    assert any(r["action"] == "token_add" and r["via"] == "cli" for r in rows)
    assert not any(r["action"] == "counter.state" for r in rows)  # reads are not changes
    status, body = client.call("GET", "/api/v1/sites/demo/audit?who=quantri")
    assert {r["who"] for r in body["entries"]} == {"quantri"}
    status, csv_text = client.call("GET", "/api/v1/sites/demo/audit.csv")
    assert status == 200 and "người thực hiện" in csv_text and "account.deactivate" in csv_text
    assert "Gọi số tiếp" not in csv_text  # the export follows the same filter
    assert "Gọi số tiếp" in client.call("GET", "/api/v1/sites/demo/audit.csv?queue=1")[1]
    # A technician may not read it.
    tech = Client(client.base)
    tech.sign_in("kythuat")
    assert tech.call("GET", "/api/v1/sites/demo/audit")[0] == 403


def test_the_log_cannot_be_rewritten(console: InProcessHub) -> None:
    db = open_data_dir(console.data)  # whichever engine: the database itself refuses, not our code
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] > 0  # the accounts made by the CLI
    with pytest.raises(IntegrityError, match="append-only"):
        db.execute("UPDATE audit_log SET who = 'someone else'")
    with pytest.raises(IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_log")


def test_site_load_from_the_cli_is_audited(tmp_path, capsys) -> None:  # noqa: ANN001
    from hub.app import open_data_dir
    from hub.store import audit
    from motcua.cli import main

    assert main(["hub", "site", "load", "--demo", "--data", str(tmp_path)]) == 0
    rows = audit.query(open_data_dir(tmp_path), "demo", action="site.load")
    assert len(rows) == 1 and rows[0]["who"].startswith("cli:") and rows[0]["via"] == "cli"
