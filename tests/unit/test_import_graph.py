"""The shape of the tree, checked: the shared contract (motcua_core) is a leaf, devices never import the
hub, the hub never imports a device package, and no two modules import each other in a circle.

Imports are read from the source (ast), function-level ones included: a lazy import is still a
dependency. Imports under `if TYPE_CHECKING:` are not run and do not count."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("motcua_core", "hub", "devicekit", "kiosk", "counter_terminal", "display_controller",
            "provisioning", "motcua")
DEVICE_PACKAGES = ("devicekit", "kiosk", "counter_terminal", "display_controller", "provisioning")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str, is_pkg: bool) -> set[str]:
    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                out.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".")
                    base = base[: len(base) - child.level + (1 if is_pkg else 0)]
                    prefix = ".".join(base + ([child.module] if child.module else []))
                else:
                    prefix = child.module or ""
                out.add(prefix)
                out.update(f"{prefix}.{a.name}" for a in child.names)
            visit(child)

    visit(tree)
    return out


def graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in files.items():
        raw = _imports(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py")
        # keep our own modules only; `from pkg import mod` names the module, `from mod import x` the module
        edges[name] = {m for m in raw if m in files and m != name}
    return edges


def _top(module: str) -> str:
    return module.split(".")[0]


def _offenders(edges: dict[str, set[str]], sources: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{a} → {b}" for a, targets in edges.items() if _top(a) in sources
                  for b in targets if _top(b) in forbidden)


def test_devices_do_not_import_the_hub():
    assert _offenders(graph(), DEVICE_PACKAGES, ("hub",)) == []


def test_hub_imports_no_device_package():
    assert _offenders(graph(), ("hub",), DEVICE_PACKAGES + ("motcua",)) == []


def test_the_shared_contract_is_a_leaf():
    assert _offenders(graph(), ("motcua_core",), ("hub", "motcua") + DEVICE_PACKAGES) == []


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    import sys

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            strong(v)
    return sorted(out)


def _without_packages(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's __init__ importing its own submodules (to list them) is no cycle of the code's shape:
    drop edges from a package to the modules inside it."""
    return {a: {b for b in bs if not b.startswith(a + ".")} for a, bs in edges.items()}


def test_no_import_cycles():
    assert cycles(_without_packages(graph())) == []


def test_the_checker_sees_a_cycle_and_a_forbidden_edge():
    """The checks above would pass on an empty graph: show they find what they look for."""
    edges = {"hub.a": {"hub.b"}, "hub.b": {"hub.a"}, "kiosk.x": {"hub.a"}}
    assert cycles(edges) == [["hub.a", "hub.b"]]
    assert _offenders(edges, DEVICE_PACKAGES, ("hub",)) == ["kiosk.x → hub.a"]
    assert len(graph()) > 100
