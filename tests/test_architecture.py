"""The house keeps its shape: no import cycle between the project's modules, and no module or view so
long that a reader cannot hold it (docs/architecture.md, "Keeping the shape").

The layer contracts themselves are import-linter's (`lint-imports`, in `make test`); these checks are
the ones it does not make.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("insight", "partnerships", "destinations", "datahub")
MAX_MODULE_LINES = 600
MAX_VIEW_LINES = 60


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that import each other in a ring."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def _module_graph() -> dict[str, set[str]]:
    # Imports under `if TYPE_CHECKING:` never run, so they make no cycle.
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    modules = {m for m in graph.modules if not m.split(".")[-1].startswith("migrations")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            # A package importing its own submodules (an __init__ re-export) is how a package speaks;
            # a submodule importing its parent package back is a cycle like any other.
            if imported in modules and not imported.startswith(module + "."):
                edges[module].add(imported)
    return edges


def test_the_cycle_finder_finds_a_ring() -> None:
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_project_modules() -> None:
    cycles = _strongly_connected(_module_graph())
    assert cycles == [], "modules that import each other in a ring: " + "; ".join(" <-> ".join(c) for c in cycles)


def _project_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


@pytest.mark.parametrize("path", _project_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_too_long_to_read(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by job"


def _view_modules() -> list[Path]:
    return [p for p in _project_modules() if p.stem == "views" or "views" in p.parent.name.split(".")]


def test_the_view_modules_are_found() -> None:
    assert len(_view_modules()) >= 4


@pytest.mark.parametrize("path", _view_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_views_are_thin(path: Path) -> None:
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_VIEW_LINES
    ]
    assert long == [], f"{path.relative_to(ROOT)}: move logic to selectors, services or page assembly: {long}"
