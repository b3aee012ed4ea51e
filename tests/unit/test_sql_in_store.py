"""SQL lives only in hub/store/ (docs/architecture.md, "Store interface"): outside it, no `.execute(…)` or
`.executemany(…)` call and no string that reads as an SQL statement. Both are found in the source's AST,
so a comment or a docstring that merely mentions SQL does not count; an f-string's literal parts do."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "hub"
SQL = re.compile(
    r"^\s*(SELECT\s.+\sFROM\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|"
    r"CREATE\s+(TABLE|INDEX|UNIQUE|TRIGGER|VIEW)\s|ALTER\s+TABLE\s|DROP\s+(TABLE|INDEX)\s|PRAGMA\s|BEGIN\b|COMMIT\b)",
    re.IGNORECASE | re.DOTALL)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("execute", "executemany", "executescript"):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.func.attr}(…)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and SQL.match(node.value):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno}: SQL text {node.value[:40]!r}")
    return out


def test_no_sql_outside_the_store():
    found = [o for p in sorted(HUB.rglob("*.py")) if "store" not in p.relative_to(HUB).parts[:1]
             for o in offences(p)]
    assert found == [], "SQL outside hub/store/ (move it into a store function):\n" + "\n".join(found)


def test_the_scan_sees_sql(tmp_path):
    """The scan is not blind: a call and a statement in a file outside the store are both reported."""
    f = tmp_path / "x.py"
    f.write_text('def f(db):\n    """SELECT a FROM b in a docstring is fine."""\n'
                 '    return db.execute("SELECT code FROM fields WHERE site_id = ?", [1])\n'
                 'Q = "delete from tickets"\n', encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = offences(f)
    finally:
        ROOT = saved
    assert len(found) == 3, found
