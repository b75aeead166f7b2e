"""Hide the dock tab bars that QMainWindow leaves behind from earlier layouts.

With tabbed dock groups in two dock areas, QMainWindow (Qt 6.10 and 6.11; 6.9 did not) lays its
docks out more than once while the window is built and when a saved state is restored, and keeps
tab bars of the earlier passes on screen: a second "Gradients | Training" bar half under the
status bar, an "Inspector | Task and data" bar from before the Network tab joined them. They are
visible, clickable and lead nowhere.

A tab bar in use sits right under the dock it has raised (tabs are on the south side of each
group); where a restored state left two bars in the same place, the one made last is in use (it
is the one whose clicks switch docks). Every other bar showing a dock of a bar in use is a
leftover.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar


def _docked_tab_bars(window: QMainWindow) -> list[QTabBar]:
    """The visible tab bars of the main window's dock groups, oldest first."""
    return [c for c in window.children() if isinstance(c, QTabBar) and c.isVisible()]


def _in_place(bar: QTabBar, docks: dict[str, QDockWidget]) -> bool:
    """Whether ``bar`` lies right under the dock it has raised, as a bar in use does."""
    dock = docks.get(bar.tabText(bar.currentIndex()))
    if dock is None or dock.isFloating() or not dock.isVisible():
        return False
    g = dock.geometry()
    return bar.x() == g.x() and abs(bar.y() - (g.y() + g.height())) <= 1


def stale_tab_bars(window: QMainWindow) -> list[QTabBar]:
    """The visible tab bars that show a dock which a bar in use shows (see the module docs)."""
    docks = {d.windowTitle(): d for d in window.findChildren(QDockWidget)}
    bars = _docked_tab_bars(window)
    claimed: set[str] = set()
    live: list[QTabBar] = []
    for bar in reversed(bars):  # the newest first: of two bars in one place, it is in use
        if _in_place(bar, docks) and bar.tabText(bar.currentIndex()) not in claimed:
            live.append(bar)
            claimed.update(bar.tabText(i) for i in range(bar.count()))
    return [bar for bar in bars if bar not in live and bar.tabText(bar.currentIndex()) in claimed]


def hide_stale_tab_bars(window: QMainWindow) -> int:
    """Hide the leftover tab bars; returns how many were hidden."""
    stale = stale_tab_bars(window)
    for bar in stale:
        bar.hide()
    return len(stale)
