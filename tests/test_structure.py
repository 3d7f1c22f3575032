"""The package keeps the shape issue 14 asks for, checked by tools rather than memory:
no module over 400 lines, no class in `ui/` with more than 25 methods, no mixins across files,
and no import cycles between modules (function-level imports included, as grimp reads them)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "inspector_app"
MAX_LINES = 400
MAX_UI_METHODS = 25


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_module_over_400_lines() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


def _classes(path: Path) -> list[ast.ClassDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


def test_no_ui_class_over_25_methods() -> None:
    big = {}
    for path in (PACKAGE / "ui").rglob("*.py"):
        for cls in _classes(path):
            methods = [
                n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            ]
            if len(methods) > MAX_UI_METHODS:
                big[f"{path.relative_to(REPO)}:{cls.name}"] = len(methods)
    assert big == {}, f"ui classes over {MAX_UI_METHODS} methods: {big}"


def test_no_mixins_across_files() -> None:
    """A class may inherit one class of this package (a base), never mix in a second one, and
    nothing is named a mixin."""
    own_classes: dict[str, str] = {}
    for path in _modules():
        for cls in _classes(path):
            own_classes.setdefault(cls.name, str(path.relative_to(REPO)))
    offenders = []
    for path in _modules():
        for cls in _classes(path):
            names = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases]
            own = [n for n in names if n in own_classes]
            if "Mixin" in cls.name or any("Mixin" in n for n in names) or len(own) > 1:
                offenders.append(f"{path.relative_to(REPO)}:{cls.name}({', '.join(names)})")
    assert offenders == [], offenders


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child) & modules
                    work.append((child, iter(sorted(imported))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("inspector_app", cache_dir=None)
    modules = set(graph.modules)
    cycles = _cycles(graph, modules)
    detail = [
        " -> ".join(graph.find_shortest_chain(importer=c[0], imported=c[1]) or c) for c in cycles
    ]
    assert cycles == [], f"import cycles: {cycles}\nfor example: {detail}"
