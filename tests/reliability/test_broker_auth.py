"""What a device's credentials allow at the real broker (issue #10 item 2 and the ACL): no client-id
takeover of another device or of the hub, no publishing or reading under another device's topics."""

from __future__ import annotations

import json
import threading
import time

from motcua_core import protocol as p
from tests.support.hubproc import InProcessHub
from tests.support.probe import Probe


def _creds(hub: InProcessHub, device_id: str, role: str = "kiosk", counter: int | None = None) -> tuple[str, str]:
    cfg = hub.device(role, device_id=device_id, start=False, counter=counter).config
    return cfg.device_id, cfg.secret


def test_client_id_takeover_is_impossible(hub: InProcessHub, figures) -> None:
    victim_id, victim_secret = _creds(hub, "kiosk-v")
    att_id, att_secret = _creds(hub, "kiosk-x")
    victim = Probe(hub.mqtt_port, victim_id, victim_secret, client_id=victim_id)
    drops = []
    victim.client.on_disconnect = lambda *a: drops.append(time.time())
    assert victim.connect().value == 0
    hub_down = [0]
    stop = threading.Event()

    def watch_hub() -> None:
        while not stop.is_set():
            hub_down[0] += not hub.hub.mqtt.connected
            time.sleep(0.02)

    w = threading.Thread(target=watch_hub, daemon=True)
    w.start()
    kicks = 0
    for i in range(10):  # the attack: our own login, the victim's (or the hub's) client id, 1 kick per 0.1 s
        attacker = Probe(hub.mqtt_port, att_id, att_secret, client_id=victim_id if i % 2 else "motcua-hub")
        assert attacker.connect().value == 0
        kicks += 1
        time.sleep(0.1)
        attacker.close()
    stop.set()
    w.join()
    # The victim still works: it gets an answer to a request.
    victim.subscribe(p.dev_topic("demo", victim_id, "res"))
    victim.publish(p.req_topic("demo", victim_id, "site.state"), p.encode(p.make_request("site.state")))
    answer = json.loads(victim.messages.get(timeout=30).payload)
    figures(takeover_attempts=kicks, victim_disconnects=len(drops), hub_disconnected_samples=hub_down[0])
    assert drops == [], "the victim was disconnected by a client using its client id"
    assert hub_down[0] == 0, "the hub lost its connection to a client using its client id"
    assert answer["ok"] is True
    victim.close()


def test_cross_device_publish_and_subscribe_are_refused(hub: InProcessHub, figures) -> None:
    a_id, a_secret = _creds(hub, "kiosk-a")
    b_id, _ = _creds(hub, "counter-b", role="counter", counter=1)
    a = Probe(hub.mqtt_port, a_id, a_secret, client_id=a_id)
    assert a.connect().value == 0
    sub_codes = {t: a.subscribe(t).value for t in (
        p.dev_topic("demo", b_id, "res"), p.dev_topic("demo", b_id, "cmd"), p.dev_topic("demo", b_id, "config"),
        p.req_topic("demo", b_id, "counter.next"), f"{p.ROOT}/#")}
    pub_code = a.publish(p.req_topic("demo", b_id, "counter.next"), p.encode(p.make_request("counter.next"))).value
    # Mosquitto 2.0 grants the SUBACK and filters at delivery: what counts is what arrives. B's retained
    # config (it holds B's settings) and B's replies must not reach A; the lobby state may.
    hub.hub.router.publish_config(b_id)
    leaked = [m.topic for m in a.received(1.0) if "/display/" not in m.topic and f"/dev/{a_id}/" not in m.topic]
    figures(subscribe_codes=sorted(set(sub_codes.values())), publish_code=pub_code, leaked_messages=len(leaked))
    assert pub_code == 135  # 135: not authorized
    assert leaked == []
    a.close()
