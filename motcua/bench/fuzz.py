"""`motcua bench fuzz`: a kiosk's legitimate requests while a registered device floods the hub with junk.

A counter device sends `--payloads` generated requests (raw bytes, odd JSON, wrong types, deep nesting,
every verb, the verbs' own field names with odd values) over the real broker, one every 5 ms; beside
it a kiosk asks for the lobby state every 10 ms, as a citizen's screen would. Printed: how long the
kiosk's answers took while fuzzed (`legit_p50_ms`, `legit_p99_ms`; target 100 ms at p99), and whether
every fuzzed request got exactly one reply and none of them `internal` (which devices retry forever).

tests/reliability/test_fuzz.py sends hypothesis-drawn payloads and checks the replies; the latency is a
figure of the machine and of the engine (on PostgreSQL every statement is a message to another
process), so it is measured here, with `--db postgresql` on its own throwaway cluster, not asserted
there. The payloads are drawn from a seeded generator: the same run sends the same junk.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from motcua.bench.common import BenchHub, connect, database, emit, log, ms, percentile
from motcua_core import protocol as p

TARGET_P99_MS = 100.0
REPLY_WAIT_S = 15.0


def add_parser(bsub: argparse._SubParsersAction) -> None:
    fz = bsub.add_parser("fuzz", help="a kiosk's requests answered while a device sends junk (issue #22)")
    fz.add_argument("--payloads", type=int, default=300)
    fz.add_argument("--seed", type=int, default=22)
    fz.add_argument("--json", action="store_true")
    fz.add_argument("--db", default="sqlite",
                    help="sqlite (default), postgresql (a throwaway cluster of its own) or a postgresql:// server URL")
    fz.set_defaults(func=main)


def _leaf(rng: random.Random) -> Any:
    return rng.choice([None, True, False, rng.randint(-2**70, 2**70), rng.random() * 1e6, float("nan"),
                       "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(0, 30))), "HT", "x" * 300])


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.random()
    if depth > 2 or kind < 0.5:
        return _leaf(rng)
    if kind < 0.75:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {"".join(rng.choice("abcxyz_") for _ in range(rng.randint(0, 8))): _value(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


def _raw(obj: object) -> bytes:
    """JSON text as a device might send it: surrogates escaped, NaN allowed."""
    return json.dumps(obj, ensure_ascii=True).encode()


def payloads(count: int, seed: int) -> list[tuple[str, bytes]]:
    """(verb, payload) pairs: what tests/reliability/test_fuzz.py draws with hypothesis, from a seed."""
    from hub.mqtt.verbs import VERBS

    rng = random.Random(seed)
    verbs = sorted(VERBS) + ["no.such", "ticket.issue"]
    fields = sorted({f for v in VERBS.values() for f in v.schema})
    out = []
    for _ in range(count):
        kind = rng.randrange(5)
        if kind == 0:
            body = rng.randbytes(rng.randint(0, 200))
        elif kind == 1:
            body = _raw(_value(rng))
        elif kind == 2:
            body = _raw({"v": rng.choice([1, 1, 1, True, 1.0, 2, "1", None]),
                         "request_id": rng.choice([uuid.UUID(int=rng.getrandbits(128)).hex, rng.randint(0, 9)]),
                         "data": _value(rng)})
        elif kind == 3:  # well-formed envelopes whose data uses the verbs' own field names: these reach handlers
            data = {rng.choice(fields): rng.choice([_leaf(rng), rng.randint(0, 5), "HT", "CT"])
                    for _ in range(rng.randint(0, 4))}
            body = _raw({"v": 1, "request_id": str(uuid.UUID(int=rng.getrandbits(128))), "data": data})
        else:
            n = rng.randint(1, 3000)
            body = b'{"v":1,"request_id":"deep","data":{"x":' + b"[" * n + b"]" * n + b"}}"
        out.append((rng.choice(verbs), body))
    return out


def main(args: argparse.Namespace) -> int:
    with database(getattr(args, "db", "sqlite")) as url:
        return _run(args, url)


def _run(args: argparse.Namespace, url: str | None) -> int:
    from devicekit.session import DeviceSession
    from kiosk.core import KioskCore

    drawn = payloads(args.payloads, args.seed)
    with BenchHub(prefix="motcua-bench-fuzz-") as bh:
        bh.prepare()
        fuzzer = bh.register("counter", counter=1)[0]
        kiosk_cfg = bh.register("kiosk")[0]
        bh.start()
        replies: dict[bytes, int] = {}
        codes: dict[str, int] = {}
        got = threading.Condition()

        def on_reply(client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
            corr = getattr(msg.properties, "CorrelationData", None) or b""
            try:
                body = json.loads(msg.payload)
                code = "ok" if body["ok"] else body["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = "unreadable"
            with got:
                replies[corr] = replies.get(corr, 0) + 1
                codes[code] = codes.get(code, 0) + 1
                got.notify_all()

        subscribed = threading.Event()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=fuzzer.device_id, protocol=mqtt.MQTTv5)
        client.username_pw_set(fuzzer.device_id, fuzzer.secret)
        client.on_message = on_reply
        client.on_connect = lambda cl, *_: cl.subscribe(p.dev_topic("demo", fuzzer.device_id, "res"), qos=1)
        client.on_subscribe = lambda *_: subscribed.set()
        client.connect("127.0.0.1", bh.mqtt_port, keepalive=30)
        client.loop_start()
        kiosk = KioskCore(DeviceSession(kiosk_cfg))
        connect(kiosk.session)
        lat: list[float] = []
        unanswered = 0
        stop = threading.Event()

        def legit() -> None:
            nonlocal unanswered
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    kiosk.session.request("site.state", {})
                except Exception:  # a timeout: the citizen's screen got nothing
                    unanswered += 1
                else:
                    lat.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.01)

        try:
            if not subscribed.wait(15):
                raise RuntimeError("the fuzzing device could not subscribe to its replies")
            thread = threading.Thread(target=legit, daemon=True)
            thread.start()
            log(f"sending {len(drawn)} fuzzed requests, a kiosk asking for the lobby state beside them")
            started = time.monotonic()
            sent = []
            for verb, body in drawn:
                corr = f"f{len(sent)}".encode()
                sent.append(corr)
                props = Properties(PacketTypes.PUBLISH)
                props.CorrelationData = corr
                client.publish(p.req_topic("demo", fuzzer.device_id, verb), body, qos=1, properties=props)
                time.sleep(0.005)
            deadline = time.monotonic() + REPLY_WAIT_S
            with got:
                while len(replies) < len(sent) and time.monotonic() < deadline:
                    got.wait(0.5)
            fuzz_s = time.monotonic() - started
            time.sleep(1.0)  # anything late would be a second reply
            stop.set()
            thread.join(10)
        finally:
            stop.set()
            client.disconnect()
            client.loop_stop()
            kiosk.session.stop()
    missing = sum(1 for c in sent if c not in replies)
    doubled = sum(1 for n in replies.values() if n > 1)
    p50, p99 = percentile(lat, 50), percentile(lat, 99)
    ok = missing == 0 and doubled == 0 and codes.get("internal", 0) == 0 and unanswered == 0
    result = {
        "bench": "fuzz",
        "engine": "sqlite" if url is None else "postgresql",
        "fuzzed": len(sent),
        "replies": sum(replies.values()),
        "missing": missing,
        "doubled": doubled,
        "internal": codes.get("internal", 0),
        "codes": codes,
        "legit_requests": len(lat),
        "legit_unanswered": unanswered,
        "legit_p50_ms": ms(p50),
        "legit_p99_ms": ms(p99),
        "fuzz_s": round(fuzz_s, 1),
        "targets_met": bool(ok and p99 is not None and p99 <= TARGET_P99_MS),
    }
    emit(result, args.json)
    return 0 if ok else 1
