"""Generated Mosquitto files: exact ACL contents, config settings, atomic writes and permissions."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hub.broker.files import Account, render_acl, render_conf, render_passwd, write_files
from hub.broker.passwd import hash_secret
from motcua_core.protocol import BROKER_MAX_PACKET

H = hash_secret("x", salt=b"0123456789ab")
HUB = Account("motcua-hub", H)
KIOSK = Account("kiosk-01", H, site="hcm-q1")
COUNTER = Account("counter-03", H, site="hcm-q1")


def _user_rules(acl: str) -> dict[str, list[str]]:
    """ACL text -> {username: [rule lines]}, failing on any rule outside a `user` block."""
    rules: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in acl.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("user "):
            current = rules.setdefault(line.split(" ", 1)[1], [])
        else:
            assert current is not None, f"rule outside a user block applies to everyone: {line!r}"
            current.append(line)
    return rules


def test_acl_for_two_devices_is_exactly_their_topics() -> None:
    rules = _user_rules(render_acl([KIOSK, COUNTER, HUB]))
    assert rules == {
        "motcua-hub": ["topic readwrite motcua/#", "topic read $SYS/#"],
        "kiosk-01": [
            "topic write motcua/v1/hcm-q1/dev/kiosk-01/status",
            "topic write motcua/v1/hcm-q1/dev/kiosk-01/health",
            "topic write motcua/v1/hcm-q1/dev/kiosk-01/req/+",
            "topic read motcua/v1/hcm-q1/dev/kiosk-01/res",
            "topic read motcua/v1/hcm-q1/dev/kiosk-01/cmd",
            "topic read motcua/v1/hcm-q1/dev/kiosk-01/config",
            "topic read motcua/v1/hcm-q1/display/#",
        ],
        "counter-03": [
            "topic write motcua/v1/hcm-q1/dev/counter-03/status",
            "topic write motcua/v1/hcm-q1/dev/counter-03/health",
            "topic write motcua/v1/hcm-q1/dev/counter-03/req/+",
            "topic read motcua/v1/hcm-q1/dev/counter-03/res",
            "topic read motcua/v1/hcm-q1/dev/counter-03/cmd",
            "topic read motcua/v1/hcm-q1/dev/counter-03/config",
            "topic read motcua/v1/hcm-q1/display/#",
        ],
    }
    assert "pattern" not in render_acl([KIOSK, COUNTER, HUB])


def test_conf_settings(tmp_path: Path) -> None:
    lines = render_conf(port=18830, bind="127.0.0.1", workdir=tmp_path).splitlines()
    assert "listener 18830 127.0.0.1" in lines
    assert "allow_anonymous false" in lines
    assert "set_tcp_nodelay true" in lines
    assert f"max_packet_size {BROKER_MAX_PACKET}" in lines
    assert f"password_file {tmp_path.resolve() / 'passwd'}" in lines
    assert f"acl_file {tmp_path.resolve() / 'acl'}" in lines
    assert "persistence true" in lines
    assert f"persistence_location {tmp_path.resolve()}/" in lines
    assert f"log_dest file {tmp_path.resolve() / 'mosquitto.log'}" in lines
    assert "log_timestamp true" in lines
    assert "max_packet_size 2048" in render_conf(port=1, bind="::", workdir=tmp_path, max_packet=2048)


def test_passwd_lines_sorted() -> None:
    assert render_passwd([KIOSK, HUB, COUNTER]) == f"counter-03:{H}\nkiosk-01:{H}\nmotcua-hub:{H}\n"


BAD_NAMES = [
    [KIOSK, Account("kiosk-01", H, site="other")],  # duplicate
    [Account("kiosk/#", H, site="hcm-q1")],  # would widen the ACL
    [Account("kiosk-01", H, site="+")],
    [Account("hub user", H)],
    [Account("hub:x", H)],
]
BAD_HASHES = [
    [Account("kiosk-01", "plaintext", site="hcm-q1")],
    [Account("kiosk-01", H + "\nevil:$7$", site="hcm-q1")],
]


@pytest.mark.parametrize("accounts", BAD_NAMES)
def test_bad_names_rejected(accounts: list[Account]) -> None:
    with pytest.raises(ValueError):
        render_acl(accounts)
    with pytest.raises(ValueError):
        render_passwd(accounts)


@pytest.mark.parametrize("accounts", BAD_HASHES)
def test_bad_hashes_rejected(accounts: list[Account]) -> None:
    with pytest.raises(ValueError):
        render_passwd(accounts)


def test_write_files(tmp_path: Path) -> None:
    workdir = tmp_path / "broker"
    conf = write_files(workdir, port=18830, bind="127.0.0.1", accounts=[HUB, KIOSK])
    assert conf == workdir.resolve() / "mosquitto.conf"
    assert conf.read_text() == render_conf(port=18830, bind="127.0.0.1", workdir=workdir)
    assert (workdir / "passwd").read_text() == render_passwd([HUB, KIOSK])
    assert (workdir / "acl").read_text() == render_acl([HUB, KIOSK])
    assert stat.S_IMODE((workdir / "passwd").stat().st_mode) == 0o600
    assert sorted(p.name for p in workdir.iterdir()) == ["acl", "mosquitto.conf", "passwd"]  # no temp files


def test_failed_render_leaves_old_files(tmp_path: Path) -> None:
    write_files(tmp_path, port=18830, bind="127.0.0.1", accounts=[HUB])
    before = (tmp_path / "passwd").read_text()
    with pytest.raises(ValueError):
        write_files(tmp_path, port=18830, bind="127.0.0.1", accounts=[HUB, HUB])
    assert (tmp_path / "passwd").read_text() == before
