"""The import graph of core and gui, read from the source with ``ast`` (nothing is imported).

Every ``import`` counts, also those inside functions: a lazy import still ties two modules
together, it only hides the cycle until the function runs. The rules:

* no import cycle among gui modules, and none among the rooms of gui (its subpackages and
  top-level modules): the rooms depend one way;
* core imports nothing from gui; ``gui/session.py`` imports only core;
* the shared widgets import nothing of gui outside ``gui/widgets`` but the leaves;
* the leaves of gui (``gui/encoding.py``, the visual language every view draws in) import
  nothing of gui, so anything may use them;
* nothing in gui imports the main window (``main.py`` builds it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "gui")
#: the rooms of gui that must not reach back to the window that holds them
ROOMS_BELOW_THE_WINDOW = (
    "gui.graph_views",
    "gui.panels",
    "gui.widgets",
    "gui.docks",
    "gui.analysis",
    "gui.training",
)

#: Qt-free modules of gui that import nothing of gui, below every room
LEAVES = ("gui.encoding",)

Graph = dict[str, set[str]]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of core and gui by dotted name (a package by its ``__init__``)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def _known(name: str, known: Iterable[str]) -> str | None:
    """The longest prefix of ``name`` that is one of our modules (``gui.panels.base.Panel``
    gives ``gui.panels.base``), or None for a module of another project."""
    known = set(known)
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in known:
            return prefix
    return None


def imports_of(tree: ast.AST, name: str, is_package: bool, known: Iterable[str]) -> set[str]:
    """Our modules that the module ``name`` imports anywhere in ``tree`` (functions included).

    ``from a.b import c`` depends on ``a.b.c`` when that is a module, else on ``a.b``.
    """
    known = set(known)
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                package = name.split(".")
                package = package if is_package else package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            targets = [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            module = _known(target, known)
            if module is not None and module != name:
                found.add(module)
    return found


def import_graph() -> Graph:
    mods = modules()
    return {
        name: imports_of(
            ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py", mods
        )
        for name, path in mods.items()
    }


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def restricted(graph: Graph, package: str) -> Graph:
    inside = {n for n in graph if n == package or n.startswith(package + ".")}
    return {n: {m for m in graph[n] if m in inside} for n in inside}


def room(name: str) -> str:
    """The room of a gui module: its subpackage (``gui.panels``) or the module itself."""
    parts = name.split(".")
    return ".".join(parts[:2])


@pytest.fixture(scope="module")
def graph() -> Graph:
    return import_graph()


# -- the reading of the graph ---------------------------------------------------------------------
def test_the_graph_holds_every_module_and_its_imports(graph: Graph) -> None:
    assert {"core.bptt", "gui.session", "gui.main_window", "gui.widgets.heatmap"} <= set(graph)
    assert "gui.session" in graph["gui.main_window"]
    assert "gui.panels.base" in graph["gui.panels.loss"]  # from gui.panels.base import Panel
    assert "core.jordan" in graph["core.bptt"]  # imported inside a function


def test_lazy_and_relative_imports_count() -> None:
    known = {"gui", "gui.a", "gui.b", "gui.pkg", "gui.pkg.c"}
    source = "import os\ndef f():\n    from gui.a import thing\n    import gui.b\n"
    assert imports_of(ast.parse(source), "gui.x", False, known) == {"gui.a", "gui.b"}
    relative = "from . import c\nfrom ..a import thing\n"
    assert imports_of(ast.parse(relative), "gui.pkg", True, known) == {"gui.pkg.c", "gui.a"}


def test_a_cycle_is_found_and_shown() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


# -- the rules ------------------------------------------------------------------------------------
def test_no_import_cycles_in_gui(graph: Graph) -> None:
    assert find_cycle(restricted(graph, "gui")) is None


def test_no_import_cycles_in_core(graph: Graph) -> None:
    assert find_cycle(restricted(graph, "core")) is None


def test_the_rooms_of_gui_depend_one_way(graph: Graph) -> None:
    rooms: Graph = {}
    for name, targets in restricted(graph, "gui").items():
        mine = rooms.setdefault(room(name), set())
        mine |= {room(t) for t in targets if room(t) != room(name)}
    assert find_cycle(rooms) is None


def test_core_imports_nothing_from_gui(graph: Graph) -> None:
    bad = {n: sorted(t for t in ts if t.startswith("gui")) for n, ts in graph.items()}
    assert {n: ts for n, ts in bad.items() if n.startswith("core") and ts} == {}


def test_the_session_imports_only_core(graph: Graph) -> None:
    assert graph["gui.session"]
    assert {t for t in graph["gui.session"] if not t.startswith("core.")} == set()


def test_the_widgets_import_nothing_else_of_gui(graph: Graph) -> None:
    widgets = restricted(graph, "gui.widgets")
    assert widgets
    outside = {
        n: sorted(t for t in graph[n] if t.startswith("gui") and t not in {*widgets, *LEAVES})
        for n in widgets
    }
    assert {n: ts for n, ts in outside.items() if ts} == {}


def test_the_leaves_import_nothing_of_gui(graph: Graph) -> None:
    for leaf in LEAVES:
        assert leaf in graph
        assert {t for t in graph[leaf] if t.startswith("gui")} == set(), leaf


def test_nothing_in_gui_imports_the_main_window(graph: Graph) -> None:
    rooms = {n for n in graph if room(n) in ROOMS_BELOW_THE_WINDOW}
    assert {room(n) for n in rooms} == set(ROOMS_BELOW_THE_WINDOW)
    importers = sorted(n for n in restricted(graph, "gui") if "gui.main_window" in graph[n])
    assert importers == []
