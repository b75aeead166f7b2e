"""GUI test fixtures: every test must leave no window open and no worker thread running
(napari and ndv check the same)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.training.worker import LIVE_THREADS


@pytest.fixture(autouse=True)
def _no_leftover_windows(qapp: QApplication) -> Iterator[None]:
    # Set up before qtbot (autouse fixtures come first), so this check runs after qtbot has
    # closed the widgets registered with it.
    yield
    QApplication.processEvents()
    # Shown windows, not QApplication.topLevelWidgets(): that list also holds every popup menu
    # pyqtgraph and Qt create, and wrapping all of them in Python after each test is both slow
    # and fragile (a crash in PySide's wrapper lookup was seen there).
    left = [w for w in QGuiApplication.topLevelWindows() if w.isVisible()]
    names = [w.title() or w.objectName() or type(w).__name__ for w in left]
    for w in left:
        w.close()
    assert not left, f"test left visible top-level windows: {names}"
    running = [t for t in LIVE_THREADS if t.isRunning()]
    for t in running:
        t.quit()
        t.wait(5000)
    assert not running, f"test left {len(running)} worker thread(s) running"


@pytest.fixture(autouse=True)
def _no_unexpected_dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A message box nobody asked for fails the test instead of blocking the suite.

    Offscreen, a modal QMessageBox waits forever for a click: an error routed to the dialog of
    gui/errors.py would hang the run until CI's time limit. Tests that expect a message replace
    the window's own hooks (``files.show_error``, ``ask``) before acting.
    """
    shown: list[str] = []

    def record(kind: str, answer: object):
        def static(parent, title, text, *args, **kwargs):
            shown.append(f"{kind}: {title}: {text}")
            return answer

        return static

    no = QMessageBox.StandardButton.No
    for kind, answer in (
        ("critical", QMessageBox.StandardButton.Ok),
        ("warning", QMessageBox.StandardButton.Ok),
        ("information", QMessageBox.StandardButton.Ok),
        ("question", no),
        ("about", None),
    ):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record(kind, answer)))
    yield
    assert not shown, f"unexpected message boxes: {shown}"


@pytest.fixture
def settings(tmp_path) -> QSettings:
    """Window settings in a temporary file, so tests never touch the user's layout."""
    return QSettings(str(tmp_path / "unfold.ini"), QSettings.Format.IniFormat)
