"""PDF/A checked by an independent validator: `page` (PyPI `page-validation`, a Rust implementation of the
PDF/A-1/2/3 and PDF/UA-1 rules that passes veraPDF's own test corpus and the Isartor suite). veraPDF itself
(a Java program from its site) cannot be installed here: no package of Debian or PyPI carries it."""

from __future__ import annotations


def failures(data: bytes, profile: str | None = None) -> list[str]:
    """The rules `data` breaks, as "RULE-ID: message", against `profile` ("2b", "2u", …) or, without one,
    the PDF/A level the file claims. An empty list: conformant."""
    import page

    report = page.validate_pdf_bytes(data, profile=profile)
    return sorted({f"{f.rule_id}: {f.message}" for f in report.failures})


def profile_of(data: bytes) -> str:
    """The profile the validator chose from the file's own claim ("PDF_A_2B", …)."""
    import page

    return page.validate_pdf_bytes(data).profile.name
