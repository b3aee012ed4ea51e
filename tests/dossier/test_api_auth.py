"""The HTTP API's one authentication check (hub.web.auth): API tokens scoped to a role and a site, and
agency specialists' tokens, over the real hub."""

from __future__ import annotations

import argparse
import json

import pytest

from counter_terminal.core import CounterCore
from hub.cli import tokens as token_cli
from tests.dossier.conftest import AGENCY_1, AGENCY_2, APPLICANT, DossierHub

PROC = "cap-phep-xay-dung-lien-thong"


def _token(dhub: DossierHub, capsys, **kw) -> dict:
    args = argparse.Namespace(data=dhub.h.data, role=kw["role"], site=kw.get("site", "demo"),
                              agency=kw.get("agency"), name=kw.get("name", "thu nghiem"))
    assert token_cli.cmd_token_add(args) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def dossier(dhub: DossierHub) -> str:
    counter = CounterCore(dhub.h.device("counter", counter=1))
    counter.login("lan1", "1111")
    counter.open()
    r = counter.session.request("dossier.intake", {"token": counter.session.officer_token, "procedure": PROC, "applicant": APPLICANT, "documents": [0, 1, 2]})
    assert dhub.public(r["code"])[1]["where"] == AGENCY_1  # sent at once (Decree 118/2025 Art. 18(2))
    return r["code"]


def test_tokens_are_scoped_to_a_role_an_agency_and_a_site(dhub: DossierHub, dossier: str, capsys) -> None:
    path = f"/api/v1/agency/dossiers/{dossier}"
    assert dhub.http("GET", path)[0] == 401
    assert dhub.http("GET", path, token="mct_not-a-token")[0] == 401
    agency1 = _token(dhub, capsys, role="specialist", agency=AGENCY_1)
    status, d = dhub.http("GET", path, token=agency1["token"])
    assert status == 200 and d["applicant"]["name"] == "Nguyễn Văn An"
    # The next agency on its route may read it; an unrelated agency's specialist gets neither the
    # detail nor a PDF carrying the applicant's name, and is not even told the dossier exists.
    assert dhub.http("GET", f"{path}/control-sheet.pdf", token=dhub.tokens[AGENCY_2])[0] == 200
    other = _token(dhub, capsys, role="specialist", agency="Phòng Tư pháp")
    for p in (path, f"{path}/control-sheet.pdf"):
        status, err = dhub.http("GET", p, token=other["token"])
        assert status == 404 and err["error"]["message_vi"] == "Không tìm thấy hồ sơ có mã này.", p
    assert dhub.http("GET", f"{path}/control-sheet.pdf", token=agency1["token"])[0] == 200
    # A leader's token is not a specialist's.
    leader = _token(dhub, capsys, role="leader")
    status, err = dhub.http("GET", path, token=leader["token"])
    assert status == 403 and err["error"]["code"] == "forbidden"
    # Revoked: refused at once.
    assert token_cli.cmd_token_revoke(argparse.Namespace(data=dhub.h.data, token_id=agency1["id"])) == 0
    assert dhub.http("GET", path, token=agency1["token"])[0] == 401


def test_a_token_needs_a_site_unless_its_role_has_a_province_scope(dhub: DossierHub, capsys) -> None:
    # Administrators, leaders and technicians may hold the province scope; a post office serves one site.
    args = argparse.Namespace(data=dhub.h.data, role="post", site=None, agency=None, name="x")
    assert token_cli.cmd_token_add(args) == 2
    assert "Chỉ mã của quản trị viên" in capsys.readouterr().err
