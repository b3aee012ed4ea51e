"""The embedded broker against a real Mosquitto: credentials, ACL, reload, crash restart, stop.

Each test runs its scenario with asyncio.run so the supervisor's watcher task really runs; the
blocking paho clients are driven through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from hub.broker.files import Account
from hub.broker.passwd import hash_secret
from hub.broker.supervisor import BrokerError, BrokerSupervisor
from tests.broker import Probe, try_connect
from tests.support.net import free_port

pytestmark = pytest.mark.integration
T = TypeVar("T")

SITE = "hcm-q1"
SECRETS = {"motcua-hub": "hub-pw", "kiosk-a": "a-pw", "kiosk-b": "b-pw", "kiosk-c": "c-pw", "lobby-x": "x-pw"}
HUB = Account("motcua-hub", hash_secret(SECRETS["motcua-hub"]))
A = Account("kiosk-a", hash_secret(SECRETS["kiosk-a"]), SITE)
B = Account("kiosk-b", hash_secret(SECRETS["kiosk-b"]), SITE)
C = Account("kiosk-c", hash_secret(SECRETS["kiosk-c"]), SITE)
X = Account("lobby-x", hash_secret(SECRETS["lobby-x"]), "hn-hk")  # another site


def dev(device: str, leaf: str, site: str = SITE) -> str:
    return f"motcua/v1/{site}/dev/{device}/{leaf}"


def run(tmp_path: Path, accounts: list[Account],
        scenario: Callable[[BrokerSupervisor], Awaitable[None]]) -> BrokerSupervisor:
    """Start a supervised broker, run the scenario, always stop it; return it for final checks."""
    sup = BrokerSupervisor(tmp_path / "broker", port=free_port())

    async def main() -> None:
        await sup.start(accounts)
        try:
            await scenario(sup)
        finally:
            await sup.stop()

    asyncio.run(main())
    return sup


async def connect(sup: BrokerSupervisor, user: str) -> Probe:
    probe = Probe(sup.port, user, SECRETS[user], client_id=f"{user}-{time.monotonic_ns()}")
    rc = await asyncio.to_thread(probe.connect)
    assert not rc.is_failure, f"{user} refused: {rc}"
    return probe


async def call(fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking paho call off the event loop, so the supervisor's watcher keeps running."""
    return await asyncio.to_thread(fn, *args)


def test_credentials_and_acl(tmp_path: Path) -> None:
    async def scenario(sup: BrokerSupervisor) -> None:
        assert (await call(try_connect, sup.port, None, None)).value == 135  # anonymous: Not authorized
        assert (await call(try_connect, sup.port, "kiosk-a", "b-pw")).is_failure
        hub = await connect(sup, "motcua-hub")
        a = await connect(sup, "kiosk-a")
        x = await connect(sup, "lobby-x")
        assert not (await call(hub.subscribe, "motcua/#")).is_failure

        # A's own request reaches the hub; a request forged as B's is refused and never delivered.
        assert not (await call(a.publish, dev("kiosk-a", "req/ticket.issue"))).is_failure
        forged = await call(a.publish, dev("kiosk-b", "req/ticket.issue"))
        assert forged.value == 135  # Mosquitto 2.0.11 answers a v5 client PUBACK "Not authorized"
        assert (await call(a.publish, f"motcua/v1/{SITE}/display/call")).value == 135
        assert (await call(a.publish, dev("kiosk-a", "res"))).value == 135
        got = await call(hub.received, 0.5)
        assert [m.topic for m in got] == [dev("kiosk-a", "req/ticket.issue")]

        # Reads: Mosquitto 2.0.11 grants the SUBACK for B's res but never delivers B's messages to A.
        sub_b = await call(a.subscribe, dev("kiosk-b", "res"))
        assert sub_b.is_failure or sub_b.value in (0, 1, 2)
        for leaf in ("res", "cmd", "config"):
            assert not (await call(a.subscribe, dev("kiosk-a", leaf))).is_failure
        assert not (await call(a.subscribe, f"motcua/v1/{SITE}/display/#")).is_failure
        assert not (await call(x.subscribe, f"motcua/v1/{SITE}/display/#")).is_failure  # other site
        for topic in (dev("kiosk-b", "res"), dev("kiosk-a", "res"), dev("kiosk-a", "cmd"),
                      dev("kiosk-a", "config"), f"motcua/v1/{SITE}/display/state"):
            assert not (await call(hub.publish, topic)).is_failure
        assert sorted(m.topic for m in await call(a.received, 0.5)) == sorted(
            [dev("kiosk-a", "res"), dev("kiosk-a", "cmd"), dev("kiosk-a", "config"),
             f"motcua/v1/{SITE}/display/state"])
        assert await call(x.received, 0.2) == []
        for probe in (hub, a, x):
            probe.close()

    run(tmp_path, [HUB, A, B, X], scenario)


def test_reload_adds_and_revokes_without_restart(tmp_path: Path) -> None:
    async def scenario(sup: BrokerSupervisor) -> None:
        pid = sup.status()["pid"]
        hub = await connect(sup, "motcua-hub")
        assert (await call(try_connect, sup.port, "kiosk-c", "c-pw")).is_failure

        await sup.reload([HUB, C])
        assert not (await call(try_connect, sup.port, "kiosk-c", "c-pw")).is_failure
        c = await connect(sup, "kiosk-c")
        assert sup.status()["pid"] == pid and sup.status()["restarts"] == 0

        await sup.reload([HUB])  # revoked: refused from now on, and the live session is dropped
        assert (await call(try_connect, sup.port, "kiosk-c", "c-pw")).is_failure
        assert hub.client.is_connected(), "a reload must not drop accounts that still exist"
        deadline = time.monotonic() + 30
        while c.client.is_connected() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not c.client.is_connected()
        assert sup.status()["pid"] == pid
        c.close()
        hub.close()

    run(tmp_path, [HUB], scenario)


def test_restart_after_crash(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario(sup: BrokerSupervisor) -> None:
        old = sup.status()["pid"]
        os.kill(old, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            st = sup.status()
            if st["running"] and st["pid"] != old:
                try:  # the new pid is known as soon as it is spawned, a moment before it listens
                    if not (await call(try_connect, sup.port, "kiosk-a", SECRETS["kiosk-a"])).is_failure:
                        break
                except OSError:
                    pass
            await asyncio.sleep(0.1)
        st = sup.status()
        assert st["running"] and st["pid"] != old
        assert st["restarts"] == 1 and st["last_exit"] == -signal.SIGKILL
        probe = await connect(sup, "kiosk-a")
        probe.close()

    with caplog.at_level("INFO", logger="motcua.broker"):
        run(tmp_path, [HUB, A], scenario)
    assert any("restarting mosquitto" in r.getMessage() for r in caplog.records)


def test_stop_leaves_no_process_and_keeps_retained(tmp_path: Path) -> None:
    sup = BrokerSupervisor(tmp_path / "broker", port=free_port())

    async def main() -> int:
        await sup.start([HUB, A])
        hub = await connect(sup, "motcua-hub")
        info = hub.client.publish(dev("kiosk-a", "config"), b'{"v":1}', qos=1, retain=True)
        await call(info.wait_for_publish, 5)
        hub.close()
        pid = sup.status()["pid"]
        await sup.stop()
        await asyncio.sleep(0.8)  # longer than the first restart backoff: nothing may come back
        return pid

    pid = asyncio.run(main())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    st = sup.status()
    assert st["running"] is False and st["pid"] is None and st["last_exit"] == 0 and st["restarts"] == 0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", sup.port), timeout=0.5):
        pass

    async def again() -> None:  # the persistence file brings the retained config back
        await sup.start([HUB, A])
        try:
            a = await connect(sup, "kiosk-a")
            await call(a.subscribe, dev("kiosk-a", "config"))
            got = await call(a.received, 2)
            assert [(m.topic, m.payload, m.retain) for m in got] == [(dev("kiosk-a", "config"), b'{"v":1}', True)]
            a.close()
        finally:
            await sup.stop()

    asyncio.run(again())


def test_start_failure_reports_log(tmp_path: Path) -> None:
    """A port taken by someone else must fail loudly, not pass because *something* accepts."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        sup = BrokerSupervisor(tmp_path / "broker", port=squatter.getsockname()[1])
        with pytest.raises(BrokerError, match="Address already in use"):
            asyncio.run(sup.start([HUB]))
    assert sup.status()["running"] is False


def test_missing_binary_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="apt-get install mosquitto"):
        BrokerSupervisor(tmp_path, port=1, mosquitto=str(tmp_path / "no-such-mosquitto"))
