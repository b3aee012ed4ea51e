"""Procedure (TTHC) documents: checking them and reading them from CSV rows. Pure; the store saves them.

One procedure document is the JSON object of hub/data/catalogue.json (docs/dossiers.md lists the fields).
A CSV row carries the same fields; lists are written inside one cell, items separated by ';'
(documents as "name|copies", liên thông steps as "agency|content|days").
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from motcua_core.text import fold

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
CODE_RE = re.compile(r"^\d\.\d{6}(\.\d+)?$")
# Decree 118/2025 Art. 14: commune, province, ngành dọc (centrally-run agencies' local branches), ministry
# procedures assigned to localities, ministry; district: catalogues from before 1 July 2025 (refused)
LEVELS = ("commune", "district", "province", "nganh_doc", "ministry_assigned", "ministry")
RECEPTIONS = ("counter", "mobile", "on_site", "online_only")  # Art. 14(3): where the dossier is taken in
ONLINE_LEVELS = ("none", "partial", "full")
CUTOFF_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

CSV_COLUMNS = ("id", "code", "name", "name_en", "field", "level", "agency", "processing_days",
               "processing_hours", "processing_note", "fee", "fee_vnd", "documents", "forms", "result",
               "online_level", "post_return", "legal_basis", "keywords", "steps", "same_day_cutoff",
               "anywhere", "reception", "supplement_days")
CSV_REQUIRED = ("id", "name", "field", "agency", "documents")


class RowError(ValueError):
    """One bad catalogue entry; `problems` are Vietnamese sentences for the administrator."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def validate(doc: Any, known_fields: set[str] | None = None) -> list[str]:
    """Problems with one procedure document, in Vietnamese; an empty list means it can be saved."""
    if not isinstance(doc, dict):
        return ["mục thủ tục phải là một đối tượng JSON"]
    out: list[str] = []
    pid = doc.get("id")
    if not isinstance(pid, str) or not ID_RE.match(pid):
        out.append(f"mã định danh (id) {pid!r} không hợp lệ: chỉ chữ thường không dấu, số và '-'")
    if doc.get("code") not in (None, "") and not (isinstance(doc["code"], str) and CODE_RE.match(doc["code"])):
        out.append(f"mã TTHC quốc gia {doc.get('code')!r} không đúng dạng 1.004873")
    for key, label in (("name", "tên thủ tục"), ("field", "lĩnh vực"), ("agency", "cơ quan giải quyết")):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            out.append(f"thiếu {label} ({key})")
    if known_fields is not None and isinstance(doc.get("field"), str) and doc["field"] not in known_fields:
        out.append(f"lĩnh vực {doc['field']!r} chưa có trong danh mục lĩnh vực")
    if doc.get("level") not in (None, *LEVELS):
        out.append(f"cấp thực hiện {doc.get('level')!r} phải là một trong {', '.join(LEVELS)}")
    if doc.get("online_level") not in (None, *ONLINE_LEVELS):
        out.append(f"mức độ trực tuyến {doc.get('online_level')!r} phải là một trong {', '.join(ONLINE_LEVELS)}")
    for key, label in (("processing_days", "thời hạn (ngày làm việc)"), ("processing_hours", "thời hạn (giờ)")):
        v = doc.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v < 0 or v > 365):
            out.append(f"{label} {v!r} phải là số từ 0 đến 365")
    if doc.get("anywhere") not in (None, True, False):
        out.append("anywhere (tiếp nhận không phụ thuộc nơi cư trú) phải là true hoặc false")
    if doc.get("reception") not in (None, "", *RECEPTIONS):
        out.append(f"nơi tiếp nhận (reception) {doc.get('reception')!r} phải là một trong {', '.join(RECEPTIONS)}")
    sd = doc.get("supplement_days")
    if sd is not None and (isinstance(sd, bool) or not isinstance(sd, int) or not 1 <= sd <= 60):
        out.append(f"thời hạn yêu cầu bổ sung (supplement_days) {sd!r} phải là số nguyên từ 1 đến 60")
    cut = doc.get("same_day_cutoff")
    if cut not in (None, "") and not (isinstance(cut, str) and CUTOFF_RE.match(cut)):
        out.append(f"giờ chốt nhận trong ngày (same_day_cutoff) {cut!r} phải có dạng HH:MM, ví dụ 15:00")
    fee = doc.get("fee_vnd")
    if fee is not None and (isinstance(fee, bool) or not isinstance(fee, int) or fee < 0):
        out.append(f"lệ phí (fee_vnd) {fee!r} phải là số nguyên đồng không âm")
    docs = doc.get("documents")
    if not isinstance(docs, list) or not docs:
        out.append("thiếu thành phần hồ sơ (documents)")
    else:
        for i, item in enumerate(docs, 1):
            if not isinstance(item, dict) or not str(item.get("name") or "").strip():
                out.append(f"thành phần hồ sơ thứ {i} thiếu tên")
            elif not isinstance(item.get("copies", 1), int) or item.get("copies", 1) < 1:
                out.append(f"thành phần hồ sơ thứ {i}: số bản phải là số nguyên ≥ 1")
            elif item.get("kind") is not None and item["kind"] not in DOCUMENT_KINDS:
                out.append(f"thành phần hồ sơ thứ {i}: kind phải là required, conditional hoặc optional")
    steps = doc.get("steps")
    if steps not in (None, []):
        if not isinstance(steps, list):
            out.append("các bước liên thông (steps) phải là danh sách")
        else:
            for i, st in enumerate(steps, 1):
                if not isinstance(st, dict) or not str(st.get("agency") or "").strip():
                    out.append(f"bước liên thông {i} thiếu cơ quan")
                    continue
                days = st.get("days")
                if days is not None and (isinstance(days, bool) or not isinstance(days, int | float) or days < 0):
                    out.append(f"bước liên thông {i}: thời hạn {days!r} không hợp lệ")
    return out


def _split(cell: str) -> list[str]:
    return [x.strip() for x in (cell or "").split(";") if x.strip()]


def _number(cell: str, label: str, problems: list[str], integer: bool = False) -> float | int | None:
    cell = (cell or "").strip().replace(",", ".")
    if not cell:
        return None
    try:
        v = float(cell)
    except ValueError:
        problems.append(f"{label} {cell!r} không phải là số")
        return None
    if integer or v == int(v):
        if integer and v != int(v):
            problems.append(f"{label} {cell!r} phải là số nguyên")
            return None
        return int(v)
    return v


def _bool(cell: str, label: str, problems: list[str]) -> bool | None:
    c = (cell or "").strip().lower()
    if not c:
        return None
    if c in ("1", "yes", "true", "có", "co", "x"):
        return True
    if c in ("0", "no", "false", "không", "khong"):
        return False
    problems.append(f"{label} {cell!r} phải là có/không")
    return None


def from_csv_row(row: dict[str, str]) -> dict:
    """A procedure document from one CSV row (header names = CSV_COLUMNS); raises RowError."""
    problems: list[str] = []
    unknown = [k for k in row if k is not None and k not in CSV_COLUMNS]
    if unknown:
        problems.append(f"cột không xác định: {', '.join(unknown)}")
    if None in row:
        problems.append("dòng có nhiều ô hơn tiêu đề (thiếu dấu ngoặc kép quanh ô có dấu phẩy?)")
    for col in CSV_REQUIRED:
        if not (row.get(col) or "").strip():
            problems.append(f"thiếu cột bắt buộc {col}")
    documents = []
    for i, item in enumerate(_split(row.get("documents", "")), 1):
        name, _, copies = item.partition("|")
        n = _number(copies, f"số bản của thành phần {i}", problems, integer=True) if copies else 1
        documents.append({"name": name.strip(), "copies": n or 1})
    steps = []
    for i, item in enumerate(_split(row.get("steps", "")), 1):
        parts = [p.strip() for p in item.split("|")]
        if len(parts) != 3:
            problems.append(f"bước liên thông {i} phải có dạng 'cơ quan|nội dung|số ngày'")
            continue
        steps.append({"agency": parts[0], "content": parts[1],
                      "days": _number(parts[2], f"thời hạn bước {i}", problems)})
    doc: dict[str, Any] = {
        "id": (row.get("id") or "").strip(), "code": (row.get("code") or "").strip() or None,
        "name": (row.get("name") or "").strip(), "name_en": (row.get("name_en") or "").strip() or None,
        "field": (row.get("field") or "").strip(), "level": (row.get("level") or "").strip() or None,
        "agency": (row.get("agency") or "").strip(),
        "processing_days": _number(row.get("processing_days", ""), "thời hạn (ngày)", problems),
        "processing_note": (row.get("processing_note") or "").strip() or None,
        "fee": (row.get("fee") or "").strip() or None,
        "fee_vnd": _number(row.get("fee_vnd", ""), "lệ phí", problems, integer=True) or 0,
        "documents": documents, "forms": _split(row.get("forms", "")),
        "result": (row.get("result") or "").strip() or None,
        "online_level": (row.get("online_level") or "").strip() or None,
        "post_return": _bool(row.get("post_return", ""), "trả qua bưu chính", problems) or False,
        "legal_basis": _split(row.get("legal_basis", "")), "keywords": _split(row.get("keywords", "")),
        "steps": steps or None,
    }
    if (row.get("same_day_cutoff") or "").strip():
        doc["same_day_cutoff"] = row["same_day_cutoff"].strip()
    if (row.get("anywhere") or "").strip():
        doc["anywhere"] = _bool(row["anywhere"], "tiếp nhận không phụ thuộc nơi cư trú", problems) or False
    if (row.get("reception") or "").strip():
        doc["reception"] = row["reception"].strip()
    if (row.get("supplement_days") or "").strip():
        doc["supplement_days"] = _number(row["supplement_days"], "thời hạn yêu cầu bổ sung", problems, integer=True)
    hours = _number(row.get("processing_hours", ""), "thời hạn (giờ)", problems)
    if hours is not None:
        doc["processing_hours"] = hours
    problems += [p for p in validate(doc) if p not in problems and not p.startswith("thiếu")]
    if problems:
        raise RowError(problems)
    return doc


def step_agencies(doc: dict) -> list[str]:
    """The ordered agencies a dossier of this procedure goes through (one for a single-agency procedure)."""
    steps = doc.get("steps") or []
    return [s["agency"] for s in steps] or [doc["agency"]]


def step_days(doc: dict) -> list[float | None]:
    steps = doc.get("steps") or []
    return [s.get("days") for s in steps] or [doc.get("processing_days")]


# --- catalogue files (JSON or CSV) -----------------------------------------------------------------

Problems = list[tuple[str, list[str]]]


def parse_file(text: str, fmt: str) -> tuple[list[dict], list[dict], Problems]:
    """(fields, procedures, errors) of a catalogue file's text, `fmt` "json" or "csv"; each error is
    (where, Vietnamese problems). Duplicate ids are errors; nothing is saved here."""
    errors: Problems = []
    procs: list[dict] = []
    fields: list[dict] = []
    if fmt == "json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [], [("tệp", [f"JSON không hợp lệ: dòng {exc.lineno}, cột {exc.colno}: {exc.msg}"])]
        if not isinstance(doc, dict) or not isinstance(doc.get("procedures"), list):
            return [], [], [("tệp", ["cần một đối tượng JSON có danh sách \"procedures\""])]
        fields = [f for f in doc.get("fields", []) if isinstance(f, dict) and f.get("code") and f.get("name")]
        for i, p in enumerate(doc["procedures"], 1):
            problems = validate(p)
            where = f"thủ tục {i}" + (f" ({p.get('id')})" if isinstance(p, dict) and p.get("id") else "")
            if problems:
                errors.append((where, problems))
            else:
                procs.append(p)
    else:
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None:
            return [], [], [("tệp", ["tệp CSV rỗng"])]
        missing = [c for c in CSV_REQUIRED if c not in reader.fieldnames]
        if missing:
            return [], [], [("tiêu đề", [f"thiếu cột {', '.join(missing)}"])]
        for row in reader:
            where = f"dòng {reader.line_num}" + (f" ({row.get('id')})" if row.get("id") else "")
            try:
                procs.append(from_csv_row(row))
            except RowError as exc:
                errors.append((where, exc.problems))
    seen: set[str] = set()
    unique = []
    for p in procs:
        if p["id"] in seen:
            errors.append((f"thủ tục {p['id']}", ["mã định danh bị trùng trong tệp"]))
            continue
        seen.add(p["id"])
        unique.append(p)
    return fields, unique, errors


def named_id(where: str) -> str | None:
    """The procedure id an error's place names: 'dòng 4 (thu-tuc-c)' → 'thu-tuc-c'."""
    if "(" in where and where.endswith(")"):
        return where[where.rindex("(") + 1:-1]
    if where.startswith("thủ tục "):
        return where[len("thủ tục "):]
    return None


# --- required, conditional and optional documents (issue #13) ---------------------------------------

REQUIRED, CONDITIONAL, OPTIONAL = "required", "conditional", "optional"
DOCUMENT_KINDS = (REQUIRED, CONDITIONAL, OPTIONAL)
KIND_VI = {REQUIRED: "bắt buộc", CONDITIONAL: "nếu thuộc trường hợp", OPTIONAL: "nếu có"}
# The published catalogues mark a document needed only in some cases by a closing "(trường hợp …)" or
# "(nếu …)"; "(nếu có)" means: bring it when you have it.
_CONDITION_RE = re.compile(r"\(\s*((?:trường hợp|trong trường hợp|nếu|đối với)\b[^()]*)\)\s*$", re.IGNORECASE)


def document_kind(doc: dict) -> tuple[str, str]:
    """(kind, condition) of a catalogue document: its own `kind`/`condition` when the catalogue gives
    them, else read from the name's closing parenthesis; anything else is required."""
    kind = doc.get("kind")
    if kind in DOCUMENT_KINDS:
        return kind, str(doc.get("condition") or "")
    m = _CONDITION_RE.search(str(doc.get("name") or ""))
    if m is None:
        return REQUIRED, ""
    cond = " ".join(m.group(1).split())
    folded = fold(cond).rstrip(" .")
    if folded.startswith("neu khong co"):  # "(nếu không có thì …)": an alternative, still required
        return REQUIRED, ""
    return (OPTIONAL if folded == "neu co" else CONDITIONAL), cond


def with_document_kinds(proc: dict) -> dict:
    """The procedure with `kind` (and `condition`) on each document, so that counters and kiosks show
    which documents are required, which only in some cases and which optional, without the rule."""
    docs = []
    for d in proc.get("documents") or []:
        kind, cond = document_kind(d)
        docs.append({**d, "kind": kind, **({"condition": cond} if cond else {})})
    return {**proc, "documents": docs}
