"""The docks offer exactly the values core accepts: task parameters, seeds and layer sizes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

from core.limits import MAX_LAYER_SIZE, SEED_MAX
from core.tasks import TASKS
from gui.docks.network import NetworkPanel
from gui.docks.task import TaskPanel
from gui.session import Session


@pytest.mark.parametrize("name", sorted(TASKS))
def test_task_parameter_boxes_stop_at_the_bounds(qtbot, name: str) -> None:
    panel = TaskPanel(Session())
    qtbot.addWidget(panel)
    panel.select_task(name)
    for key, param in TASKS[name].param_specs.items():
        widget = panel.param_widgets[key]
        assert param.describe() in widget.toolTip()
        if isinstance(widget, QSpinBox | QDoubleSpinBox):
            assert (widget.minimum(), widget.maximum()) == (param.low, param.high)
            panel.set_param_values({key: 10**9})  # as from a file: clamped to the bound
            assert widget.value() == param.high
    assert panel.seed_box.maximum() == SEED_MAX


def test_the_dock_generates_at_the_bounds_and_refuses_beyond(qtbot) -> None:
    panel = TaskPanel(Session())
    qtbot.addWidget(panel)
    panel.select_task("two-back")
    panel.fresh_check.setChecked(True)
    panel.set_param_values({"n_sequences": 10**9, "length": 3})
    assert panel.generate()
    assert len(panel.session.dataset) == TASKS["two-back"].param_specs["n_sequences"].high
    panel.select_task("sine")
    panel.param_widgets["preset"].setText("square")  # type: ignore[attr-defined]
    assert not panel.generate()
    assert "'preset' must be 'sine' or 'damped', got 'square'" in panel.hint.text()


def test_hidden_units_box_stops_at_the_layer_limit(qtbot) -> None:
    panel = NetworkPanel(Session())
    qtbot.addWidget(panel)
    assert panel.hidden_box.maximum() == MAX_LAYER_SIZE
    assert str(MAX_LAYER_SIZE) in panel.hidden_box.toolTip()
