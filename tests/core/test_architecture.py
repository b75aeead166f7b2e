"""The core package is pure numpy: importing all of it loads no Qt and no pyqtgraph; neither does
``gui.encoding``, the visual language the views are drawn in."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_core_imports_no_qt() -> None:
    # A fresh interpreter, so that modules loaded by other tests do not count.
    code = (
        "import importlib, pkgutil, sys, core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'PyQt5', 'PyQt6', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"core loaded Qt modules: {out.stdout}"


def test_the_encoding_imports_no_qt() -> None:
    # A fresh interpreter: gui.encoding must load with numpy alone (no Qt, no core)
    code = (
        "import sys, gui.encoding\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'PyQt5', 'PyQt6', 'shiboken6', 'core'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"gui.encoding loaded: {out.stdout}"


def test_every_core_module_imports() -> None:
    import core

    names = [m.name for m in pkgutil.walk_packages(core.__path__, "core.")]
    assert "core.bptt" in names
    for name in names:
        importlib.import_module(name)
