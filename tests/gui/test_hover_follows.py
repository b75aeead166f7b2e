"""A hover readout never stays stale: under a still mouse it follows the cursor and the network.

The mouse is moved onto a cell once; then the cursor steps (or the network changes) without
any further mouse event, and the hover line must show the number of the new moment.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from core.cursor import position_of
from gui.panels import ActivationsPanel, DeltasPanel, GradientsPanel, LossPanel
from gui.panels.weights import WeightsPanel
from gui.session import Session


@pytest.fixture
def session() -> Iterator[Session]:
    yield Session()


def shown(qtbot, panel, size=(700, 450)):
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    for other in QApplication.topLevelWidgets():  # the offscreen platform cannot raise windows
        if other is not panel:
            other.hide()
    return panel


def test_activation_readout_follows_the_forward_sweep(qtbot, session) -> None:
    panel = shown(qtbot, ActivationsPanel(session))
    session.seek(1)  # forward t = 1: h(2) not known yet
    qtbot.mouseMove(panel.grid, panel.grid.pos_of("h", 2, 3).toPoint())
    qtbot.waitUntil(lambda: panel.displayed().hover.startswith("h[4](2)"))
    assert panel.displayed().hover == "h[4](2) = ?  (computed at forward t = 2)"
    session.step()  # the mouse does not move
    assert panel.displayed().hover == f"h[4](2) = {session.trace.h[2, 3]:.6g}"
    session.back()
    assert panel.displayed().hover.endswith("(computed at forward t = 2)")


def test_delta_readout_follows_the_backward_sweep(qtbot, session) -> None:
    panel = shown(qtbot, DeltasPanel(session))
    T = session.trace.T
    session.seek(position_of(T, "backward", 4))
    qtbot.mouseMove(panel.grid, panel.grid.pos_of("h", 3, 1).toPoint())
    qtbot.waitUntil(lambda: "(3)" in panel.displayed().hover)
    before = panel.displayed().hover
    assert "= ?" in before
    session.step()  # backward t = 3: δh(3) is computed now
    after = panel.displayed().hover
    assert after != before and f"{session.trace.delta_h[2, 1]:.6g}" in after


def test_gradient_readout_follows_the_cursor(qtbot, session) -> None:
    panel = shown(qtbot, GradientsPanel(session), (800, 500))
    T = session.trace.T
    session.seek(position_of(T, "backward", 3))
    qtbot.mouseMove(panel.grid, panel.grid.pos_of("W", 1, 1, 2).toPoint())
    qtbot.waitUntil(lambda: panel.displayed().hover.startswith("∂L/∂W[2,3]"))
    session.step()  # backward t = 2
    acc = session.trace.accumulated(2)["W"][1, 2]
    step = session.trace.contribution(2)["W"][1, 2]
    hover = panel.displayed().hover
    assert hover.startswith(f"∂L/∂W[2,3] = {acc:.6g}") and f"adds {step:.6g}" in hover
    session.to_start()
    assert panel.displayed().hover.endswith("(nothing accumulated in the forward sweep)")


def test_loss_readout_follows_the_forward_sweep(qtbot, session) -> None:
    panel = shown(qtbot, LossPanel(session))
    session.seek(2)
    box = panel.plot.getViewBox()
    qtbot.waitUntil(lambda: box.sceneBoundingRect().width() > 100)
    pos = panel.canvas.mapFromScene(box.mapViewToScene(QPointF(3, 0.01)))
    qtbot.mouseMove(panel.canvas.viewport(), pos)
    qtbot.waitUntil(lambda: panel.displayed().hover.startswith("L(3)"))
    assert panel.displayed().hover == "L(3) = ?  (computed at forward t = 3)"
    session.step()
    assert panel.displayed().hover == f"L(3) = {session.trace.loss_t[2]:.6g}"


def test_weight_readout_follows_a_new_network(qtbot, session) -> None:
    panel = shown(qtbot, WeightsPanel(session), (600, 500))
    heatmap = panel.maps["W"]
    pos = panel.canvas.mapFromScene(QPointF(heatmap.scene_pos_of(2, 1)))  # W[2,3]
    qtbot.mouseMove(panel.canvas.viewport(), pos)
    qtbot.waitUntil(lambda: panel.displayed().hover.startswith("W[2,3]"))
    trained = session.net.with_params(W=session.net.W + 0.5)
    session.set_network(trained)  # as training does, under a still mouse
    value = float(np.asarray(trained.W)[1, 2])
    assert panel.displayed().hover.startswith(f"W[2,3] = {value:.6g}  (")
    assert panel.canvas.toolTip() == panel.displayed().hover


def test_readout_is_cleared_when_its_cell_may_be_gone(qtbot, session) -> None:
    panel = shown(qtbot, ActivationsPanel(session))
    qtbot.mouseMove(panel.grid, panel.grid.pos_of("h", 2, 3).toPoint())
    qtbot.waitUntil(lambda: panel.displayed().hover.startswith("h[4](2)"))
    net = session.net
    session.set_network(net.with_params(b=np.zeros(net.n_hidden)))  # same shape: kept
    assert panel.displayed().hover.startswith("h[4](2)")
    from core.model import SRN

    session.set_network(SRN.init(net.n_in, 3, net.n_out, output=net.output))  # 3 units
    assert panel.displayed().hover == panel.hint


def test_gradient_flow_readout_follows_the_truncation(qtbot, session) -> None:
    from gui.analysis.gradient_flow import GradientFlowPanel

    panel = shown(qtbot, GradientFlowPanel(session), (700, 500))
    pos = panel.canvas.mapFromScene(QPointF(panel.map.scene_pos_of(1, 4)))  # s = 5, t = 2
    qtbot.mouseMove(panel.canvas.viewport(), pos)
    qtbot.waitUntil(lambda: panel.displayed().hover.startswith("‖∂L(5)/∂h(2)‖"))
    assert panel.displayed().hover.endswith("(kept by truncation)")
    session.set_truncation(2, "sliding")  # from the toolbar, under a still mouse
    assert panel.displayed().hover == panel.hover_text(5, 2)
    assert panel.displayed().hover.endswith("(cut off by truncation)")
