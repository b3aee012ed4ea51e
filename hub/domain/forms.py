"""The names of a dossier's printable forms (hub.ops.forms maps each to its data and renderer) and the
shipped wording of every form: one template per form in hub/data/forms/<name>.json, with its form
number and legal reference (docs/dossiers.md). Sites lay their own wording over it (`form_texts`)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

# receipt (giấy tiếp nhận và hẹn trả), control sheet, apology, refusal. "03"/"04" are the names the
# protocol has used since the 2015 templates; the printed form numbers come from the templates.
FORM_NAMES = ("03", "04", "apology", "refusal")
URL_NAMES = {"receipt": "03", "control-sheet": "04", "apology": "apology", "refusal": "refusal"}

FORMS_DIR = Path(__file__).resolve().parent.parent / "data" / "forms"
TEMPLATES = ("guidance", "receipt", "refusal", "apology", "control_sheet", "register")


@lru_cache(maxsize=16)
def default(name: str) -> dict:
    """The shipped template of form `name` (a constant table, read once)."""
    return json.loads((FORMS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def merged(name: str, overrides: dict | None) -> dict:
    """The template of form `name` with a site's own wording laid over it."""
    return {**default(name), **((overrides or {}).get(name) or {})}


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
