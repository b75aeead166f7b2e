"""GUI test fixtures: every test must leave no window open and no worker thread running
(napari and ndv check the same)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from gui.worker import LIVE_THREADS


@pytest.fixture(autouse=True)
def _no_leftover_windows(qapp: QApplication) -> Iterator[None]:
    # Set up before qtbot (autouse fixtures come first), so this check runs after qtbot has
    # closed the widgets registered with it.
    yield
    QApplication.processEvents()
    left = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for w in left:
        w.close()
    assert not left, f"test left visible top-level widgets: {left}"
    running = [t for t in LIVE_THREADS if t.isRunning()]
    for t in running:
        t.quit()
        t.wait(5000)
    assert not running, f"test left {len(running)} worker thread(s) running"


@pytest.fixture
def settings(tmp_path) -> QSettings:
    """Window settings in a temporary file, so tests never touch the user's layout."""
    return QSettings(str(tmp_path / "unfold.ini"), QSettings.Format.IniFormat)
