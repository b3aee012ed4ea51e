"""The HTTP API's contract (issue #21, item 7), against a live hub: a malformed body of any kind gets a 4xx
in the one error shape on every POST/PUT route, never a 500; a partial settings update changes only the
fields it names; the OpenAPI document validates and gives every operation's statuses with their schemas;
and a bounded schemathesis run (positive and negative cases, destructive routes pinned to a throwaway
site) finds no server error and no undocumented answer."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.app import load_site_file, open_data_dir
from hub.cli.common import DEMO_SITE
from hub.ops.run import Runner
from hub.store import tokens
from hub.store.db import transaction
from motcua_core import clock as wallclock
from tests.security.conftest import Client
from tests.support.hubproc import InProcessHub, prepare

pytestmark = pytest.mark.integration
SCHEMATHESIS_EXAMPLES = 5  # per operation and phase: the run takes about two minutes on two cores


def _admin(hub: InProcessHub) -> str:
    return Runner(hub.hub.db).run(None, lambda ctx: tokens.add(ctx.db, role="admin", site_id=None, name="contract",
                                                               now=ctx.now))[1]


def _spec(c: Client) -> dict:
    status, spec = c.json("/api/v1/openapi.json")
    assert status == 200
    return spec


def _fill(path: str) -> str:
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: {"site": "demo", "fmt": "csv"}.get(m.group(1), "x1"), path)


MALFORMED = {
    "multipart without boundary": (b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n",
                                   "multipart/form-data"),
    "wrong content type": (b"\x00\xff not a body", "application/octet-stream"),
    "invalid JSON": (b'{"name": "Nguy', "application/json"),
    "JSON that is not an object": (b'["a", 1]', "application/json"),
    "bad charset": (b'{"a": 1}', "application/json; charset=no-such-charset"),
    "url-encoded garbage": (b"%%%=%zz&\xff\xfe=1", "application/x-www-form-urlencoded"),
    "oversized": (b'{"a": "' + b"x" * 70_000 + b'"}', "application/json"),
}


def test_malformed_bodies_get_a_4xx_in_the_one_error_shape_on_every_post_route(shub: InProcessHub) -> None:
    c, admin = Client(shub), _admin(shub)
    routes = [(m.upper(), p) for p, ops in _spec(c)["paths"].items() for m in ops if m in ("post", "put")]
    assert ("POST", "/login") in routes and ("POST", "/hen/{site}") in routes and len(routes) > 25
    seen: dict[int, int] = {}
    n = 0
    for method, path in routes:
        for auth in (None, admin):  # anonymous (the public routes) and an administrator (every other one)
            for what, (raw, ctype) in MALFORMED.items():
                headers = {"Content-Type": ctype, **({"Authorization": f"Bearer {auth}"} if auth else {})}
                n += 1  # each from its own address: the per-address limits are not what is tested here
                status, h, text = Client(shub, f"127.1.{n // 250}.{n % 250 + 1}").request(
                    method, _fill(path), raw=raw, headers=headers)
                where = f"{method} {path} ({what}, {'admin' if auth else 'anonymous'})"
                assert 400 <= status < 500, f"{where}: {status} {text[:300]}"
                if h["Content-Type"].startswith("text/html") and not path.startswith("/api/"):
                    # a citizen's form page: the page again, with what was wrong, in Vietnamese
                    assert h["Content-Type"].startswith("text/html") and "class='err'" in text, where
                    continue
                assert h.get("Content-Type", "").startswith("application/json"), f"{where}: {h}"
                err = json.loads(text)["error"]
                assert set(err) == {"code", "message", "message_vi"} and err["message_vi"], where
                seen[status] = seen.get(status, 0) + 1
    assert 400 in seen and 413 in seen


def test_a_partial_settings_update_changes_only_what_it_names(shub: InProcessHub) -> None:
    c, admin = Client(shub), _admin(shub)
    auth = {"Authorization": f"Bearer {admin}"}

    def names() -> dict:
        return next(s for s in c.json("/api/v1/sites")[1]["sites"] if s["id"] == "demo")

    before = names()
    assert before["name_en"]
    for body in ({"notice": "Nghỉ trưa 11:30–13:30"}, {}):
        status, _h, text = c.request("POST", "/api/v1/sites/demo/settings", body=body, headers=auth)
        assert status == 200, text
        assert names() == before  # the English name (and the name) stay
    status, _h, text = c.request("POST", "/api/v1/sites/demo/settings", body={"name_en": "Hoa An Centre"},
                                 headers=auth)
    assert status == 200 and names()["name_en"] == "Hoa An Centre" and names()["name"] == before["name"]
    notice = c.json("/api/v1/sites/demo/config", headers=auth)[1]["site"]["notice"]
    assert notice == "Nghỉ trưa 11:30–13:30"


def test_the_openapi_document_validates_and_gives_every_answer_a_schema(shub: InProcessHub) -> None:
    from openapi_spec_validator import validate

    spec = _spec(Client(shub))
    validate(spec)
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            codes = set(op["responses"])
            assert {"400", "503"} <= codes and any(c.startswith("2") or c in ("302", "303") for c in codes), where
            for code, r in op["responses"].items():
                if code in ("302", "303"):
                    assert "Location" in r["headers"], where
                    continue
                assert r["content"] and all("schema" in v for v in r["content"].values()), f"{where} {code}"
            if op["security"]:
                assert {"401", "403"} <= codes, where
    lookup = spec["paths"]["/api/v1/dossiers/{code}"]["get"]
    assert next(p for p in lookup["parameters"] if p["name"] == "k")["required"] is True
    booking = spec["paths"]["/api/v1/sites/{site}/appointments"]["post"]["responses"]
    assert "manage_path" in booking["201"]["content"]["application/json"]["schema"]["properties"]["appointment"][
        "properties"] and "429" in booking


@pytest.mark.timeout(600)
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(tmp_path: Path, artifacts_dir: Path) -> None:
    exe = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    data = tmp_path / "hub"
    prepare(data, with_catalogue=True)
    throwaway = json.loads(DEMO_SITE.read_text(encoding="utf-8"))
    throwaway["site"].update(id="thu", name="Trung tâm thử (xóa được)")
    (tmp_path / "thu.json").write_text(json.dumps(throwaway, ensure_ascii=False), encoding="utf-8")
    db = open_data_dir(data)
    load_site_file(db, tmp_path / "thu.json")
    with transaction(db):
        admin = tokens.add(db, role="admin", site_id=None, name="schemathesis", now=wallclock.time())[1]
    db.conn.close()
    hub = InProcessHub(data).start()
    try:
        spec = _spec(Client(hub))
        for ops in spec["paths"].values():  # every {site} is the throwaway one: its data may be wrecked
            for op in ops.values():
                for p in op.get("parameters", []):
                    if p["in"] == "path" and p["name"] == "site":
                        p["schema"] = {"type": "string", "enum": ["thu"]}
        (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        report = artifacts_dir / "schemathesis"
        shutil.rmtree(report, ignore_errors=True)
        t0 = time.monotonic()
        run = subprocess.run(
            [exe, "run", str(tmp_path / "spec.json"), "--url", f"http://127.0.0.1:{hub.http_port}",
             "-H", f"Authorization: Bearer {admin}",
             "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                         "response_schema_conformance",
             "--mode", "all", "--phases", "coverage,fuzzing", "--max-examples", str(SCHEMATHESIS_EXAMPLES),
             "--workers", "1", "--seed", "21", "--request-timeout", "10", "--max-redirects", "0",
             "--continue-on-failure", "--warnings", "off", "--no-color",
             "--report", "junit", "--report-dir", str(report)],
            capture_output=True, text=True, timeout=540, cwd=tmp_path)
        took = time.monotonic() - t0
    finally:
        hub.stop()
    out = run.stdout
    (artifacts_dir / "schemathesis.txt").write_text(out + run.stderr, encoding="utf-8")
    generated = re.search(r"(\d+) generated", out)
    print(f"schemathesis: {generated.group(1) if generated else '?'} cases in {took:.0f} s")
    assert generated and int(generated.group(1)) > 500, out[-3000:]
    assert run.returncode == 0 and "Server error" not in out and "Undocumented" not in out, out[-6000:]
