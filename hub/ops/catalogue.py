"""Importing the procedure (TTHC) catalogue: validate every entry, save the valid ones in one transaction
(a crash loses nothing half-way) as one catalogue version, report the others. Kiosks learn of it through
the registry revision (device configs carry the catalogue version). The CLI and the console call this."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hub.domain import catalogue as rules
from hub.ops.context import Ctx
from hub.ops.run import Runner
from hub.store import catalogue as cat_store
from hub.store import devices as device_store
from motcua_core.text import read_text_nfc

CHUNK = 50
Progress = Callable[[int, int], None]  # (done, total)


def read_file(path: Path, fmt: str | None = None) -> tuple[list[dict], list[dict], rules.Problems]:
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "json")
    return rules.parse_file(read_text_nfc(path, "utf-8-sig"), fmt)


def import_file(runner: Runner, path: Path, fmt: str | None = None, *, replace: bool = False,
                progress: Progress | None = None) -> dict:
    """{"imported", "errors", "version", "removed"}; `replace`: the file is the whole catalogue."""
    fields, procs, errors = read_file(path, fmt)
    return runner.run(None, lambda ctx: import_entries(ctx, fields, procs, errors, replace=replace,
                                                         progress=progress))


def import_entries(ctx: Ctx, fields: list[dict], procs: list[dict], errors: rules.Problems, *,
                   replace: bool = False, progress: Progress | None = None) -> dict:
    db = ctx.db
    # ids named in the file, valid or not: replace never withdraws a procedure whose row merely had an error
    seen = {p["id"] for p in procs} | {rules.named_id(where) for where, _ in errors} - {None}
    known = cat_store.field_codes(db) | {f["code"] for f in fields}
    known |= {f["code"] for f in cat_store.fields(db)}
    good = []
    for p in procs:
        problems = rules.validate(p, known or None)
        if problems:
            errors.append((f"thủ tục {p['id']}", problems))
        else:
            good.append(p)
    before = cat_store.version(db)
    if fields:
        cat_store.load(db, {"fields": fields, "procedures": []})
    for i in range(0, len(good), CHUNK):
        cat_store.load(db, {"procedures": good[i:i + CHUNK]})
        if progress:
            progress(min(i + CHUNK, len(good)), len(good))
    removed = 0
    if replace and seen:
        present = cat_store.procedure_ids(db)
        removed = cat_store.remove(db, sorted(present - seen))
    cat_store.collapse_versions(db, before)  # one version per import, whatever the number of chunks
    if cat_store.version(db) != before:
        device_store.bump_revision(db)
    return {"imported": len(good), "errors": errors, "version": cat_store.version(db), "removed": removed}
