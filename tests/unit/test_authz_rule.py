"""The authorisation rule alone (hub.domain.authz): each line of docs/security.md §8 as a case."""

from __future__ import annotations

import pytest

from hub.domain.authz import AgencyId, Subject, Target, refusal

AGENCY = "Phòng Kinh tế – Hạ tầng"
DOSSIER = Target("dossier", "DEMO-261125-0001", "demo", (AGENCY, "Phòng Tài nguyên và Môi trường"))


def code(subject: Subject, target: Target) -> str:
    exc = refusal(subject, target)
    return "ok" if exc is None else exc.code


@pytest.mark.parametrize(("subject", "target", "want"), [
    # a site's objects: its own principals and the province's
    (Subject("token", "1", "leader", "demo"), Target("site", "demo", "demo"), "ok"),
    (Subject("token", "1", "leader", None), Target("site", "demo", "demo"), "ok"),
    (Subject("token", "1", "leader", "xa2"), Target("site", "demo", "demo"), "forbidden"),
    # an object by id, outside the scope: as unknown
    (Subject("device", "c", "counter", "xa2"), DOSSIER, "not_found"),
    (Subject("device", "c", "counter", "demo"), DOSSIER, "ok"),
    (Subject("token", "1", "technician", "xa2"), Target("device", "k", "demo"), "not_found"),
    (Subject("device", "v", "voting", "xa2"), Target("ticket", "7", "demo"), "not_found"),
    # a specialist: its site AND its agency, the agency known by site and name together
    (Subject("specialist", "s", "specialist", "demo", AgencyId("demo", AGENCY)), DOSSIER, "ok"),
    (Subject("specialist", "s", "specialist", "xa2", AgencyId("xa2", AGENCY)), DOSSIER, "not_found"),
    (Subject("specialist", "s", "specialist", "demo", AgencyId("xa2", AGENCY)), DOSSIER, "not_found"),
    (Subject("specialist", "s", "specialist", "demo", AgencyId("demo", "Phòng Tư pháp")), DOSSIER, "not_found"),
    (Subject("specialist", "s", "specialist", "demo", None), DOSSIER, "not_found"),
    # accounts: administrators and site-less accounts are the province administrator's
    (Subject("token", "1", "admin", "xa2"), Target("account", "quantri", None, role="admin"), "forbidden"),
    (Subject("token", "1", "admin", "xa2"), Target("account", "qt-xa2", "xa2", role="admin"), "forbidden"),
    (Subject("token", "1", "admin", "xa2"), Target("account", "tinh", None, role="leader"), "forbidden"),
    (Subject("token", "1", "admin", "xa2"), Target("account", "ld", "demo", role="leader"), "not_found"),
    (Subject("token", "1", "admin", "xa2"), Target("account", "ld", "demo", role="leader", hidden=False), "forbidden"),
    (Subject("token", "1", "admin", "xa2"), Target("account", "ld", "xa2", role="leader"), "ok"),
    (Subject("token", "1", "admin", None), Target("account", "quantri", None, role="admin"), "ok"),
    (Subject("token", "1", "leader", None), Target("account", "ld", "xa2", role="leader"), "forbidden"),
    # the hub: the province, or the one site the hub serves
    (Subject("token", "1", "technician", "demo"), Target("hub", "hub", None, hub_sites=("demo", "xa2")), "forbidden"),
    (Subject("token", "1", "technician", "demo"), Target("hub", "hub", None, hub_sites=("demo",)), "ok"),
    (Subject("token", "1", "technician", None), Target("hub", "hub", None, hub_sites=("demo", "xa2")), "ok"),
])
def test_the_rule(subject: Subject, target: Target, want: str) -> None:
    assert code(subject, target) == want


def test_a_hidden_refusal_reads_as_an_unknown_object() -> None:
    exc = refusal(Subject("device", "c", "counter", "xa2"), DOSSIER)
    assert exc is not None and exc.message_vi == "Không tìm thấy hồ sơ có mã này."
