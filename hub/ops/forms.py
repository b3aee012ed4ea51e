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


def signed_pdf(db: sqlite_utils.Database, site: Site, code: str, name: str) -> bytes:
    """The form as the centre issues it electronically: PDF/A-style (title, language, output intent) and
    signed with the centre's certificate (hub.signing_keys), as machine-issued documents are."""
    from hub import signing_keys
    from motcua_core import archive, signing
    from motcua_core.documents import pdf as renderers

    build, renderer = _form(name)
    d = build(db, site, code)
    title = f"{d['text'].get('title', '').capitalize()} – {code}".strip(" –")
    unit = d.get("unit_name") or site.name
    doc = archive.archival(getattr(renderers, renderer)(d), title=title, author=unit)
    return signing.sign_pdf(doc, signing_keys.centre_signer(db, unit), role=unit,
                            reason=f"Phát hành điện tử: {title}", location=d.get("place") or "")
