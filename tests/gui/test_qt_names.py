"""No attribute of ours hides a Qt method: ``self.cursor = 3`` on a QWidget replaces
``QWidget.cursor()``, and whatever calls it (Qt's own Python code, pyqtgraph, a later reader)
gets an int instead."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "gui"


def _module_name(path: Path) -> str:
    parts = path.relative_to(GUI.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _assigned_to_self(node: ast.ClassDef) -> set[str]:
    """Names assigned as ``self.<name> = ...`` anywhere in the class's methods."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assign):
            targets = sub.targets
        elif isinstance(sub, ast.AnnAssign | ast.AugAssign):
            targets = [sub.target]
        else:
            continue
        for target in targets:
            for t in target.elts if isinstance(target, ast.Tuple) else [target]:
                is_self = isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                if is_self and t.value.id == "self":
                    names.add(t.attr)
    return names


def _qt_methods(cls: type) -> set[str]:
    """The callables that Qt and pyqtgraph classes in ``cls``'s ancestry define."""
    names: set[str] = set()
    for base in cls.__mro__:
        if base.__module__.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"):
            names |= {k for k, v in vars(base).items() if callable(v)}
    return names


def _shadowing() -> list[str]:
    found = []
    for path in sorted(GUI.rglob("*.py")):
        module = importlib.import_module(_module_name(path))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            cls = getattr(module, node.name, None)
            if not inspect.isclass(cls):
                continue
            for name in sorted(_assigned_to_self(node) & _qt_methods(cls)):
                found.append(f"{path.relative_to(GUI.parent)}: {node.name}.{name}")
    return found


def test_no_instance_attribute_shadows_a_qt_method(qapp) -> None:
    assert _shadowing() == []


def test_the_check_sees_a_shadowing_attribute(qapp) -> None:
    source = "class Bad(QWidget):\n    def __init__(self):\n        self.cursor = 1\n"
    from PySide6.QtWidgets import QWidget

    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ClassDef)
    assert _assigned_to_self(node) & _qt_methods(QWidget) == {"cursor"}
