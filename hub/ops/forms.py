"""The one table of a dossier's printable forms: name → (the form's data, its PDF renderer). The counter's
`dossier.form` verb, the agency page and `motcua hub dossier form` all read it. Names and numbers follow
Circular 03/2025/TT-VPCP Appendix I (hub.domain.forms)."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from hub.domain.forms import FORM_NAMES, canonical
from hub.ops import dossiers
from hub.store.sites import Site
from motcua_core.errors import DomainError

# name → (data builder, name of the renderer in motcua_core.documents.pdf)
FORMS: dict[str, tuple[Callable[[sqlite_utils.Database, Site, str], dict], str]] = {
    "receipt": (dossiers.receipt, "receipt"),  # Mẫu 01
    "supplement": (dossiers.supplement_form, "guidance"),  # Mẫu 02, an agency's request (Art. 19(5))
    "refusal": (dossiers.refusal_form, "refusal"),  # Mẫu 03
    "apology": (dossiers.apology_form, "apology"),  # Mẫu 04
    "stop": (dossiers.stop_form, "refusal"),  # Mẫu 05: the refusal's layout with its own wording
    "control_sheet": (dossiers.control_sheet, "control_sheet"),  # Mẫu 06
}
assert tuple(FORMS) == FORM_NAMES


def _form(name: str) -> tuple[Callable[[sqlite_utils.Database, Site, str], dict], str]:
    key = canonical(name)
    if key is None:
        raise DomainError("not_found", f"unknown form {name!r}", "Không có biểu mẫu này.")
    return FORMS[key]


def data(db: sqlite_utils.Database, site: Site, code: str, name: str) -> dict:
    """The form's content as the renderers (PDF here, thermal on the counter) take it."""
    return _form(name)[0](db, site, code)


def pdf(db: sqlite_utils.Database, site: Site, code: str, name: str) -> bytes:
    from motcua_core.documents import pdf as renderers  # fpdf2 is imported only when a PDF is made

    build, renderer = _form(name)
    return getattr(renderers, renderer)(build(db, site, code))


def signing_job(db: sqlite_utils.Database, site: Site, code: str, name: str) -> dict:
    """Everything `sign_job` needs, read from the database (on the event loop)."""
    from hub import signing_keys

    build, renderer = _form(name)
    d = build(db, site, code)
    title = f"{d['text'].get('title', '').capitalize()} – {code}".strip(" –")
    return {"renderer": renderer, "data": d, "title": title, "unit": d.get("unit_name") or site.name,
            "place": d.get("place") or "", "data_dir": signing_keys.data_dir_of(db)}


def sign_job(job: dict) -> bytes:
    """The form as the centre issues it electronically: rendered and tagged, PDF/A-2a (title, language,
    output intent) and signed with the centre's certificate. No database: a worker thread runs it (seconds)."""
    from hub import signing_keys
    from motcua_core import archive, signing
    from motcua_core.documents import pdf as renderers

    doc = archive.archival(getattr(renderers, job["renderer"])(job["data"]), title=job["title"], author=job["unit"],
                           conformance="A")  # the renderers tag every form (PDF/A-2a)
    return signing.sign_pdf(doc, signing_keys.centre_signer_at(job["data_dir"], job["unit"]), role=job["unit"],
                            reason=f"Phát hành điện tử: {job['title']}", location=job["place"])


def signed_pdf(db: sqlite_utils.Database, site: Site, code: str, name: str) -> bytes:
    """`sign_job` at once (the CLI; a web handler runs `sign_job` in a thread)."""
    return sign_job(signing_job(db, site, code, name))
