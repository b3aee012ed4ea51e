"""Dossiers across a province (Decree 118/2025 Art. 14, 18, 20; docs/province.md): where the agency that
holds a dossier sits, who must have a copy of it, the dossier-code prefixes a centre may use (unique in
the province, so two centres never print the same code), and how a file is cut for the sync. Pure
functions; hub/ops/sync_route.py and hub/ops/sync_files.py are the shell."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping

from motcua_core.dossier_codes import agency_code

PROVINCE = ""  # "where" of an agency that sits at the provincial hub itself

# A file travels in pieces of this many bytes (base64 in JSON: about 64 KB a row), so a batch of a few
# pieces stays far below the brokers' 1 MiB packet limit.
FILE_PIECE = 48 * 1024
# A batch (up) or a down message carries rows up to about this many bytes of JSON.
BATCH_BYTES = 400 * 1024


# --- dossier-code prefixes --------------------------------------------------------------------------

def code_prefixes(site_id: str, settings: Mapping) -> list[tuple[str, str]]:
    """The prefixes a site's dossier codes may start with (hub.domain.intake.code_prefix): each agency's
    official identifier it maps, and the unit's identifier — or, where it has none, its free-text agency
    code (the site id by default). (prefix, what it is), in a stable order."""
    out: list[tuple[str, str]] = []
    for agency, ident in sorted((settings.get("agency_ids") or {}).items()):
        if ident:
            out.append((str(ident), f"mã định danh của {agency}"))
    unit = settings.get("unit_id")
    if unit:
        out.append((str(unit), "mã định danh của Bộ phận một cửa"))
    else:
        out.append((str(settings.get("agency_code") or agency_code(site_id)), "mã cơ quan (agency_code)"))
    return out


def code_clashes(mine: Mapping[str, list[tuple[str, str]]], taken: Mapping[str, tuple[str, str]]) -> list[str]:
    """Why a centre with these prefixes per site (`mine`) may not join, in Vietnamese, one line per clash
    (empty: it may). `taken`: prefix → (where: a centre's name or the province's, site) of every other
    centre's prefixes. Two of the centre's own sites sharing one is a clash as well: the day's sequence is
    counted per site."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for site, prefixes in sorted(mine.items()):
        for prefix, what in prefixes:
            if prefix in taken:
                where, other = taken[prefix]
                problems.append(f"Mã {prefix} ({what}, đơn vị {site}) đã được dùng ở {where} (đơn vị {other}): "
                                "mã hồ sơ hai nơi sẽ trùng nhau.")
            elif prefix in seen and seen[prefix] != site:
                problems.append(f"Mã {prefix} được dùng ở cả hai đơn vị {seen[prefix]} và {site} của trung tâm này: "
                                "mã hồ sơ sẽ trùng nhau.")
            seen.setdefault(prefix, site)
    return problems


# --- where a dossier goes ---------------------------------------------------------------------------

def holder_place(holder: str, origin: str, at_province: set[str], at_centres: Mapping[str, set[str]]
                 ) -> str | None:
    """Where the agency holding a dossier received at centre `origin` works: PROVINCE (specialists on the
    provincial hub's own sites), another centre's id (its specialists there), or None — the receiving
    centre's own agency, the unit, or an agency nobody in the province serves: it stays where it is. The
    receiving centre's own agency wins over a namesake elsewhere (a commune's "Ủy ban nhân dân cấp xã")."""
    if holder in at_centres.get(origin, set()):
        return None
    if holder in at_province:
        return PROVINCE
    others = sorted(c for c, agencies in at_centres.items() if c != origin and holder in agencies)
    return others[0] if others else None


def is_handover(state: Mapping) -> bool:
    """A dossier just handed to an agency (the `transferred` event, the control sheet's line)."""
    return state.get("status") == "transferred"


def fan_out(origin_centre: str | None, receiving: str, copies: Iterable[str]) -> list[str]:
    """The centres an event of a held dossier goes down to: the receiving centre (none, PROVINCE, for a
    dossier received at the provincial hub's own sites) and every centre the province relayed the dossier
    to, except the one the event came from."""
    return sorted({receiving, *copies} - {origin_centre, None, PROVINCE})  # type: ignore[arg-type]


def digest(value: object) -> str:
    """A short digest of a value (sorted keys): to tell whether a centre holds the current one."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def already_has(mine: Iterable[Mapping], ev: Mapping) -> bool:
    """An event a copy already holds (same kind, time and author): applying it again would double it."""
    for m in mine:
        if m.get("kind") == ev.get("kind") and abs(float(m.get("at", 0)) - float(ev.get("at", 0))) < 1e-6 \
                and (m.get("by_who", m.get("by")) or "") == (ev.get("by_who", ev.get("by")) or ""):
            return True
    return False


# --- files ------------------------------------------------------------------------------------------

def pieces(data: bytes, size: int = FILE_PIECE) -> list[str]:
    """A file cut for the sync, each piece base64 (JSON carries text)."""
    return [base64.b64encode(data[i:i + size]).decode() for i in range(0, len(data), size)] or [""]


def piece_count(size: int, piece: int = FILE_PIECE) -> int:
    return max(1, -(-size // piece))


def piece_problem(meta: Mapping, n: object, data: str) -> str | None:
    """Why a piece cannot belong to the file `meta` describes (size, pieces), or None."""
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < int(meta.get("pieces") or 0):
        return "số thứ tự phần tệp không hợp lệ"
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        return "phần tệp không phải base64"
    last = n == int(meta["pieces"]) - 1
    want = int(meta["size"]) - FILE_PIECE * n if last else FILE_PIECE
    if len(raw) != want:
        return f"phần tệp {n} dài {len(raw)} byte, cần {want}"
    return None


def whole(pieces_in_order: Iterable[bytes], sha256: str) -> bytes | None:
    """The file from its pieces when its SHA-256 is the one the sender declared, else None."""
    data = b"".join(pieces_in_order)
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def rows_within(rows: list[dict], budget: int = BATCH_BYTES, size_of=None) -> list[dict]:  # noqa: ANN001
    """The first rows whose JSON fits `budget` bytes (at least one): a batch of file pieces stays under the
    brokers' packet limit."""
    import json

    measure = size_of or (lambda r: len(json.dumps(r, ensure_ascii=False)))
    out, total = [], 0
    for r in rows:
        total += measure(r)
        if out and total > budget:
            break
        out.append(r)
    return out
