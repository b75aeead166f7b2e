"""The window's layout as a person sees it at 1280 x 800, 1400 x 900 and 1920 x 1080: the graphs
get the largest area, no tab title is cut, the window fits its screen, a saved layout that no
longer fits is dropped, tick labels do not overlap and the loss axis keeps one scale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QRect, QRectF, QSettings
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QStyle, QTabBar

from core.bptt import bptt
from core.data import Dataset, Sequence
from core.model import SRN
from core.tasks import TASKS
from gui.dock_tabs import stale_tab_bars
from gui.docks.registry import DOCKS, DockId
from gui.main_window import MainWindow
from gui.panels.gradients import GradientsPanel
from gui.panels.loss import LossPanel
from gui.session import NetworkOrigin
from gui.widgets.time_grid import TimeGrid

ROOT = Path(__file__).resolve().parents[2]
SIZES = [(1280, 800), (1400, 900), (1920, 1080)]


def _ids(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _open(qtbot, settings: QSettings, size: tuple[int, int], task: str | None = None) -> MainWindow:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    if task is not None:
        spec = TASKS[task]
        data = spec.make(0)
        window.session.set_dataset(data, net=spec.network(data), origin=NetworkOrigin.TASK)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: not stale_tab_bars(window))  # the dock layout has settled
    return window


def _shown_docks(window: MainWindow) -> dict[DockId, QRect]:
    """The docks on screen (not tabbed away or closed) and their rectangles."""
    return {
        dock_id: dock.geometry()
        for dock_id, dock in window.docks.items()
        if not dock.visibleRegion().isEmpty()
    }


def _area(rect: QRect) -> int:
    return rect.width() * rect.height()


@pytest.mark.parametrize("task", [None, "letters"], ids=["example", "letters"])
@pytest.mark.parametrize("size", SIZES, ids=_ids)
def test_the_graphs_get_the_largest_area(qtbot, settings, size, task) -> None:
    window = _open(qtbot, settings, size, task)
    assert (window.width(), window.height()) == size
    graphs = window.centralWidget().geometry()
    docks = _shown_docks(window)
    assert {DockId.INSPECTOR, DockId.ACTIVATIONS, DockId.LOSS, DockId.GRADIENTS} <= set(docks)
    for dock_id, rect in docks.items():
        assert _area(graphs) > _area(rect), f"{dock_id.value} {rect} beats the graphs {graphs}"
    for dock_id, rect in docks.items():  # and no dock is squeezed below its panel's need
        least = DOCKS[dock_id].min_size
        assert rect.width() >= least[0] and rect.height() >= least[1], dock_id.value
    window.session.set_modified(False)


@pytest.mark.parametrize("size", SIZES, ids=_ids)
def test_no_dock_tab_title_is_cut(qtbot, settings, size) -> None:
    window = _open(qtbot, settings, size)
    bars = [c for c in window.children() if isinstance(c, QTabBar) and c.isVisible()]
    assert len(bars) == 3  # the left, right and bottom tab groups
    space = window.style().pixelMetric(QStyle.PixelMetric.PM_TabBarTabHSpace)
    tips = {spec.tab_title: spec.title for spec in DOCKS.values()}
    for bar in bars:
        for i in range(bar.count()):
            text = bar.tabText(i)
            needs = bar.fontMetrics().horizontalAdvance(text) + space
            assert needs <= bar.tabRect(i).width(), f"{text!r} cut at {_ids(size)}"
    # a short tab title gives its whole title in the tab's tooltip
    for bar in bars:
        for i in range(bar.count()):
            centre = bar.tabRect(i).center()
            event = QHelpEvent(QEvent.Type.ToolTip, centre, bar.mapToGlobal(centre))
            assert window.dock_tips.tip_at(bar, event).startswith(f"{tips[bar.tabText(i)]}: ")


def _overlapping(rects: list[tuple[QRectF, str]]) -> list[tuple[str, str]]:
    return [(a, b) for (ra, a), (rb, b) in combinations(rects, 2) if ra.intersects(rb)]


@pytest.mark.parametrize("size", SIZES, ids=_ids)
def test_letters_axis_labels_do_not_overlap(qtbot, settings, size) -> None:
    window = _open(qtbot, settings, size, "letters")
    window.session.seek(window.session.trace.T + 1)  # the backward sweep: every plot drawn
    gradients = window.panels[DockId.GRADIENTS]
    assert isinstance(gradients, GradientsPanel)
    names = set(window.session.dataset.input_names)
    for k in (0, 1):
        bottom, left = gradients.grid.axis_labels("U", k)
        assert len(bottom) >= 2 and {label for _, label in bottom} <= names
        assert not _overlapping(bottom) and not _overlapping(left)
        assert len(left) >= 2
    # the heatmaps of the activations: every row named, or a regular subset, none overlapping
    grids = window.panels[DockId.ACTIVATIONS].findChildren(TimeGrid)
    assert grids
    for key in ("h", "y", "d"):
        units = grids[0].unit_labels(key)
        times = grids[0].time_labels(key)
        assert len(units) >= 2 and len(times) >= 2
        assert not _overlapping(units) and not _overlapping(times)
    window.session.set_modified(False)


def test_the_loss_axis_keeps_one_scale(qtbot, settings) -> None:
    """Losses of 5e-05 would make pyqtgraph label the axis '(x1e-05)' and rescale its ticks."""
    net = SRN.init(2, 3, 1, output="linear", seed=0)
    x = np.random.default_rng(0).normal(size=(8, 2))
    y = bptt(net, x, np.zeros((8, 1))).y
    data = Dataset("tiny losses", (Sequence(x, y + 0.01),), ("a", "b"), ("o",), "linear")
    window = _open(qtbot, settings, (1280, 800))
    window.session.set_dataset(data, net=net)
    panel = window.panels[DockId.LOSS]
    assert isinstance(panel, LossPanel)
    axis = panel.plot.getAxis("left")
    for position in range(window.session.n_positions):
        window.session.seek(position)
        qtbot.waitUntil(lambda p=position: panel.displayed().cursor is not None or p == 0)
        assert axis.autoSIPrefixScale == 1.0
        assert "(x" not in axis.labelString()
    assert 0 < float(np.nanmax(panel.displayed().loss)) < 1e-3
    window.session.set_modified(False)


# -- the screen ------------------------------------------------------------------------------------
SCRIPT = """
import json, sys
import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from gui.docks.registry import DockId
from gui.main_window import MainWindow
window = MainWindow(settings=QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.show()
app.processEvents()
if sys.argv[2] == "spread":  # a layout for a large screen: three docks side by side
    for dock_id in (DockId.DELTAS, DockId.STATE_SPACE):
        window.splitDockWidget(
            window.docks[DockId.ACTIVATIONS], window.docks[dock_id], Qt.Orientation.Horizontal
        )
    app.processEvents()
tabbed = window.tabifiedDockWidgets(window.docks[DockId.ACTIVATIONS])
print(json.dumps({
    "frame": window.frameGeometry().getRect(),
    "screen": window.screen().availableGeometry().getRect(),
    "tabbed": sorted(d.objectName() for d in tabbed),
}))
window.close()
window.controller.shutdown()
shiboken6.delete(window)  # before the application: the other order crashes on exit (main.py)
"""


def _run(tmp_path: Path, screen: tuple[int, int], ini: Path, how: str = "plain") -> dict:
    """Open the window on an offscreen screen of this size, with the layout saved in ``ini``,
    and close it (saving the layout); what it showed."""
    config = tmp_path / f"screen_{screen[0]}x{screen[1]}.json"
    config.write_text(
        json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": screen[0],
                                 "height": screen[1], "logicalDpi": 96, "dpr": 1}]})
    )  # fmt: skip
    script = tmp_path / "open_window.py"
    script.write_text(SCRIPT)
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script), str(ini), how],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env={**_base_env(), **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}


def _inside(frame: list[int], screen: list[int]) -> bool:
    return QRect(*screen).contains(QRect(*frame))


@pytest.mark.parametrize("screen", [(1280, 800), (1366, 768)], ids=_ids)
def test_the_window_opens_inside_its_screen(tmp_path, screen) -> None:
    """(A 1920 x 1080 screen: see the next test.)"""
    shown = _run(tmp_path, screen, tmp_path / "unfold.ini")
    assert _inside(shown["frame"], shown["screen"]), shown


def test_a_saved_layout_that_no_longer_fits_is_dropped(tmp_path) -> None:
    ini = tmp_path / "unfold.ini"
    wide = _run(tmp_path, (1920, 1080), ini, "spread")  # saved on a large screen
    assert wide["tabbed"] == []  # three docks side by side
    again = _run(tmp_path, (1920, 1080), ini)
    assert again["tabbed"] == [] and _inside(again["frame"], again["screen"])  # it fits: kept
    small = _run(tmp_path, (1280, 800), ini)  # too wide for this screen: the default layout
    assert small["tabbed"] == ["dock_deltas", "dock_spectral", "dock_state_space"]
    assert _inside(small["frame"], small["screen"]), small


def test_a_saved_layout_that_fits_is_kept(qtbot, settings) -> None:
    first = _open(qtbot, settings, (1400, 900))
    first.tabifyDockWidget(first.docks[DockId.ACTIVATIONS], first.docks[DockId.LOSS])
    first.docks[DockId.TRAINING].hide()
    first.close()
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    tabbed = second.tabifiedDockWidgets(second.docks[DockId.ACTIVATIONS])
    assert second.docks[DockId.LOSS] in tabbed  # the user's grouping, not the default one
    assert second.docks[DockId.TRAINING].isHidden()
