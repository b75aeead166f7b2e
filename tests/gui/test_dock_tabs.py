"""Every dock tab bar on screen is one that switches docks: none left over from earlier layouts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTabBar

from gui.dock_tabs import hide_stale_tab_bars, stale_tab_bars
from gui.docks.registry import DockId
from gui.main_window import MainWindow


def _visible_bars(window: MainWindow) -> list[QTabBar]:
    return [c for c in window.children() if isinstance(c, QTabBar) and c.isVisible()]


def _raised(window: MainWindow) -> set[str]:
    return {n for n, d in window.docks.items() if not d.visibleRegion().isEmpty()}


def _assert_every_bar_switches_docks(qtbot, window: MainWindow) -> None:
    bars = _visible_bars(window)
    titles = [bar.tabText(i) for bar in bars for i in range(bar.count())]
    assert len(titles) == len(set(titles)), f"a dock has two tab bars: {titles}"
    assert stale_tab_bars(window) == []
    by_title = {d.windowTitle(): name for name, d in window.docks.items()}
    for bar in bars:
        other = (bar.currentIndex() + 1) % bar.count()
        QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(other).center())
        qtbot.waitUntil(lambda: by_title[bar.tabText(other)] in _raised(window))  # noqa: B023


def _open(qtbot, settings: QSettings) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    # Handles the posted events, the window's tidy among them, but not deferred deletions:
    # those remove Qt's leftover bars by themselves (as a running event loop does), and a wait
    # here would let the tests pass with a tidy that does nothing.
    QApplication.processEvents()
    return w


@pytest.mark.parametrize("when", ["first-launch", "after-reset", "restored-layout"])
def test_only_tab_bars_in_use_are_shown(qtbot, settings: QSettings, when: str) -> None:
    window = _open(qtbot, settings)
    if when == "after-reset":
        window.reset_layout()
        QApplication.processEvents()  # (as in _open)
    elif when == "restored-layout":
        window.docks[DockId.TRAINING].raise_()
        window.close()
        window = _open(qtbot, settings)
    assert len(_visible_bars(window)) == 3  # left, right and bottom groups
    _assert_every_bar_switches_docks(qtbot, window)


def test_a_resized_window_keeps_its_tab_bars(qtbot, settings: QSettings, settle) -> None:
    window = _open(qtbot, settings)
    before = _visible_bars(window)
    window.resize(1100, 760)
    settle()  # laid out anew: the bars have moved with their docks
    # tidying again, as the window does when shown or reset, finds every moved bar in use
    assert hide_stale_tab_bars(window) == 0
    assert _visible_bars(window) == before
    _assert_every_bar_switches_docks(qtbot, window)
