"""The shape of console/, read from its source with ast: no import circles, Qt only in the window,
no module past 600 lines. Every import counts: at module level, inside a function, under
TYPE_CHECKING, so a circle cannot hide behind a lazy import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "console"
MAX_LINES = 600
# Qt lives in the window (console/ui) and the module that starts it; all else runs without Qt.
QT_ALLOWED = ("console.ui", "console.app")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(name: str, path: Path) -> Iterator[str]:
    """Every module name this module imports, anywhere in it, absolute."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from pkg import module` is an edge to that module; `from pkg import name`, to pkg.
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in _modules() else base


@cache
def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {m for m in _imported(name, path) if m in modules and m != name}
        for name, path in modules.items()
    }


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected group of modules (Tarjan), as a path back to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_path_in(graph, group) for group in groups]


def _path_in(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest way from the group's first module back to itself, through the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    return [*paths[v], start]
                if w not in paths:
                    paths[w] = [*paths[v], w]
                    following.append(w)
        frontier = following
    raise AssertionError(f"no way back to {start} in {sorted(group)}")


def test_the_import_graph_reads_every_kind_of_import() -> None:
    graph = _graph()
    assert "console.app" in graph["console.cli"]  # inside a function
    # `from package import module` is an edge to the module
    assert "console.services.legal.reports" in graph["console.services.reporting.catalogue"]


def test_no_module_imports_itself_through_others() -> None:
    circles = _circles(_graph())
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_qt_is_imported_only_by_the_window() -> None:
    outside = sorted(
        name
        for name, path in _modules().items()
        if not name.startswith(QT_ALLOWED)
        and any(m.split(".")[0] == "PySide6" for m in _imported(name, path))
    )
    assert not outside, f"PySide6 imported outside console/ui and console/app.py: {outside}"


def test_no_module_is_longer_than_600_lines() -> None:
    long = sorted(
        (len(path.read_text("utf-8").splitlines()), str(path.relative_to(PACKAGE.parent)))
        for path in _modules().values()
    )
    over = [f"{name} ({n} lines)" for n, name in long if n > MAX_LINES]
    assert not over, f"modules over {MAX_LINES} lines: {', '.join(over)}"
