"""The national portal boundary over the real hub and a local STAND-IN server that follows the contract
of docs/portal.md (not the real portal): one exporter with status and procedure-code mapping, a durable
queue that survives the far side being down, retries with back-off, and a backlog a technician can see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from counter_terminal.core import CounterCore
from counter_terminal.dossier_core import DossierCore
from hub.ops import portal
from hub.store import portal as store
from motcua.cli import main
from tests.dossier.conftest import AGENCY_1, APPLICANT, DossierHub
from tests.support.portal_standin import PortalStandIn

PROC = "cap-phep-xay-dung-lien-thong"


def _sync(dhub: DossierHub, cfg: portal.PortalConfig, later_s: float = 0.0) -> dict:
    """One exporter turn as the hub's timer does it, `later_s` after the hub's clock."""
    def turn() -> dict:
        queued = dhub.h.hub.runner.run("demo", lambda ctx: portal.collect(ctx, cfg))
        return {"queued": queued, **portal.deliver(dhub.db, cfg, dhub.h.hub.clock() + later_s)}
    return dhub.on_loop(turn)


def test_progress_reaches_the_portal_through_outages(dhub: DossierHub, tmp_path: Path, capsys) -> None:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    dhub.morning_sign_in.append((counter, "lan1", "1111"))
    desk = DossierCore(counter.session, tmp_path / "printed")
    code = desk.intake(PROC, APPLICANT, [0, 1, 2])["code"]
    dhub.set_time("2026-11-25T10:31")
    dhub.tick()
    dhub.http("POST", f"/api/v1/agency/dossiers/{code}/accept", {}, token=dhub.tokens[AGENCY_1])
    with PortalStandIn() as far:
        cfg = portal.PortalConfig(url=far.url, token=far.token, procedure_codes={"1.009999": "G22-XD-0001"})
        far.down_for = 1
        out = _sync(dhub, cfg)
        assert out == {"queued": 3, "sent": 0, "rejected": 0, "failed": 3}
        backlog = dhub.on_loop(lambda: store.backlog(dhub.db))
        assert backlog["pending"] == 3 and "503" in backlog["last_error"] and far.records == {}
        # Not before its retry time (30 s back-off), then everything goes in order.
        assert _sync(dhub, cfg, 5)["sent"] == 0
        assert _sync(dhub, cfg, 31) == {"queued": 0, "sent": 3, "rejected": 0, "failed": 0}
        got = far.for_dossier(code)
        assert [r["status"] for r in got] == [2, 4, 4]
        assert {(r["channel"], r["channel_vi"]) for r in got} == {(1, "Trực tiếp")}
        assert {r["procedure_code"] for r in got} == {"G22-XD-0001"}, "procedure code not mapped"
        assert got[0]["status_vi"] == "Được tiếp nhận" and got[0]["due_at"] == "2026-12-02T17:00:00+07:00"
        assert dhub.on_loop(lambda: store.backlog(dhub.db))["pending"] == 0
        # A record the far side refuses is kept, visible, and not retried for ever.
        far.known_codes = {"G22-XD-0001"}
        second = desk.intake("nhan-cha-me-con", APPLICANT, [0, 1, 2])["code"]
        out = _sync(dhub, cfg, 60)
        # Two records (received, and sent to the agency at once: Decree 118/2025 Art. 18), both refused.
        assert out["rejected"] == 2 and not far.for_dossier(second)
        # The backlog as a technician sees it (the CLI reads the same database).
        conf = dhub.h.data / "portal.json"
        conf.write_text(json.dumps({"url": far.url, "token": far.token}))
        conf.chmod(0o644)
        # The hub keeps its data directory private (issue #10): opening it makes the token file 0600, and
        # load_config refuses one that others can read should it ever be found so.
        assert main(["hub", "portal", "status", "--data", str(dhub.h.data), "--json"]) == 0
        st = json.loads(capsys.readouterr().out)
        assert conf.stat().st_mode & 0o077 == 0, "the portal token file stayed readable by others"
        conf.chmod(0o644)
        with pytest.raises(ValueError, match="chmod 600"):
            portal.load_config(dhub.h.data)
        assert st["configured"] and st["sent"] == 3 and st["rejected"] == 2 and st["pending"] == 0
        assert "mã thủ tục" in st["last_error"]
        requests = far.requests
        assert _sync(dhub, cfg, 3600) == {"queued": 0, "sent": 0, "rejected": 0, "failed": 0}
        assert far.requests == requests, "nothing due, yet the exporter called the portal"
