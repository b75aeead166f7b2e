"""The window builds its docks from the typed registry, under the names saved layouts hold."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QScrollArea

from gui.docks.registry import DOCKS, DockId
from gui.main_window import MainWindow

#: the dock object names of the layouts users saved before the registry was typed
SAVED_NAMES = {
    "dock_activations", "dock_deltas", "dock_gradients", "dock_loss", "dock_inspector",
    "dock_task", "dock_network", "dock_training", "dock_state_space", "dock_flow",
    "dock_gradcheck", "dock_weights",
}  # fmt: skip
#: docks added since, whose names saved layouts hold from now on
NEW_NAMES = {"dock_lesson", "dock_rtrl", "dock_spectral"}


def test_every_dock_has_one_spec_and_keeps_its_saved_name() -> None:
    assert list(DOCKS) == list(DockId)
    assert {dock_id.object_name for dock_id in DockId} == SAVED_NAMES | NEW_NAMES
    for spec in DOCKS.values():
        assert spec.title and spec.tooltip


@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    return w


def test_the_window_builds_each_dock_from_its_spec(window: MainWindow) -> None:
    assert list(window.docks) == list(DockId)
    for dock_id, spec in DOCKS.items():
        dock, panel = window.docks[dock_id], window.panels[dock_id]
        assert dock.objectName() == dock_id.object_name
        assert dock.windowTitle() == spec.tab_title  # on its tab, short
        assert dock.toggleViewAction().text() == spec.title  # in the View menu, whole
        assert isinstance(spec.factory, type) and isinstance(panel, spec.factory)
        assert (getattr(panel, "controller", None) is window.controller) == spec.needs_controller
        shown = dock.widget()
        assert (shown.widget() if isinstance(shown, QScrollArea) else shown) is panel
        assert isinstance(shown, QScrollArea) == spec.scrolls
        assert dock.toggleViewAction().statusTip() == spec.tooltip
