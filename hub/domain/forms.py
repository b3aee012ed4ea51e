"""The names of a dossier's printable forms (hub.ops.forms maps each to its data and renderer) and the
shipped wording of every form: one template per form in hub/data/forms/<name>.json, with its form number,
legal reference and the source of its wording (docs/dossiers.md). Sites lay their own wording over it
(`form_texts`).

Two editions: the forms of Circular 03/2025/TT-VPCP (Appendix I, under Decree 118/2025/NĐ-CP, in force
1 July 2025), and those of Circular 01/2018/TT-VPCP (hub/data/forms/2018/) for dossiers received before
1 July 2025, which keep the forms they were received under."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

# A dossier's forms by name, and by their number in Circular 03/2025 Appendix I.
FORM_NAMES = ("receipt", "supplement", "refusal", "apology", "stop", "control_sheet")
NUMBERS = {"01": "receipt", "02": "supplement", "03": "refusal", "04": "apology", "05": "stop",
           "06": "control_sheet"}  # 07 is the register (Sổ theo dõi hồ sơ): `motcua hub register export`
URL_NAMES = {"control-sheet": "control_sheet"}  # as a URL spells them

FORMS_DIR = Path(__file__).resolve().parent.parent / "data" / "forms"
TEMPLATES = ("guidance", "receipt", "refusal", "apology", "stop", "control_sheet", "register")
EDITION_2025, EDITION_2018 = "2025", "2018"
DECREE_118_IN_FORCE = datetime(2025, 7, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp()


def canonical(name: str) -> str | None:
    """A form's name from what a caller sent: a name, its 2025 number ("01"…"06") or its URL spelling."""
    name = URL_NAMES.get(name, name)
    name = NUMBERS.get(name, name)
    return name if name in FORM_NAMES else None


def edition(received_at: float | None) -> str:
    """The forms a dossier is printed on: those in force when it was received."""
    return EDITION_2018 if received_at is not None and received_at < DECREE_118_IN_FORCE else EDITION_2025


@lru_cache(maxsize=32)
def default(name: str, edition: str = EDITION_2025) -> dict:
    """The shipped template of form `name` in `edition` (a constant table, read once). A form with no
    2018 counterpart (Mẫu 05, the stop notice) is printed on its 2025 template."""
    path = FORMS_DIR / edition / f"{name}.json" if edition == EDITION_2018 else FORMS_DIR / f"{name}.json"
    if not path.exists():
        path = FORMS_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def merged(name: str, overrides: dict | None, edition: str = EDITION_2025) -> dict:
    """The template of form `name` with a site's own wording laid over it."""
    return {**default(name, edition), **((overrides or {}).get(name) or {})}


def check_overrides(overrides: object) -> list[str]:
    """Problems with a site's `form_texts` (unknown form or key, wrong type), in Vietnamese."""
    if not isinstance(overrides, dict):
        return ["form_texts phải là một đối tượng JSON"]
    out = []
    for name, keys in overrides.items():
        if name not in TEMPLATES:
            out.append(f"form_texts: không có biểu mẫu {name!r} (có: {', '.join(TEMPLATES)})")
            continue
        if not isinstance(keys, dict):
            out.append(f"form_texts.{name} phải là một đối tượng JSON")
            continue
        for k, v in keys.items():
            if k not in default(name):
                out.append(f"form_texts.{name}: không có mục {k!r}")
            elif not isinstance(v, type(default(name)[k])):
                out.append(f"form_texts.{name}.{k}: sai kiểu dữ liệu")
    return out
