"""The names of a dossier's printable forms (hub.ops.forms maps each to its data and renderer)."""

from __future__ import annotations

FORM_NAMES = ("03", "04", "apology")  # receipt (giấy tiếp nhận và hẹn trả), control sheet, apology
URL_NAMES = {"receipt": "03", "control-sheet": "04", "apology": "apology"}  # as the agency page's URLs say
