"""Hinton diagrams: the item draws the matrix, the gradients panel's Hinton mode follows the cursor,
and the weights panel shows the network's parameters in the current notation.

Session() opens on the built-in Deep Learning ch. 10 example (I=4, H=5, O=3, T=6).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
import pytest
from numpy.testing import assert_array_equal
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

import gui.panels.weights
from core.cursor import position_of
from core.model import SRN
from core.selection import Selection
from gui.docks.registry import DockId
from gui.encoding import Encoding, round_magnitude
from gui.main_window import MainWindow
from gui.panels import GradientsPanel, InspectorPanel, WeightsPanel
from gui.panels.gradients import gradient_encodings
from gui.session import Session
from gui.widgets.colormaps import BLANK
from gui.widgets.heatmap import Heatmap
from gui.widgets.hinton import BACKGROUND, FULL, HintonItem


def expected_squares(matrix: np.ndarray, scale: float) -> list[tuple[int, int, float, int]]:
    """(row, col, min(1, |v| / scale), sign) of every finite non-zero cell, row by row."""
    m = np.asarray(matrix, dtype=np.float64)
    m = m[:, None] if m.ndim == 1 else m
    out = []
    for r in range(m.shape[0]):
        for c in range(m.shape[1]):
            v = m[r, c]
            if np.isfinite(v) and v != 0:
                out.append((r, c, min(1.0, abs(v) / scale), 1 if v > 0 else -1))
    return out


def assert_squares(shown: list, want: list) -> None:
    assert [s[:2] for s in shown] == [w[:2] for w in want]
    assert [s[3] for s in shown] == [w[3] for w in want]
    np.testing.assert_allclose([s[2] for s in shown], [w[2] for w in want], rtol=1e-12)


def only_window(settle, widget) -> None:
    """Hide other top-level windows (the offscreen platform cannot raise one) and settle."""
    for other in QApplication.topLevelWidgets():
        if other is not widget:
            other.hide()
    settle()


def view_pos(panel, heatmap: Heatmap, row: int, col: int) -> QPoint:
    """Where cell (row, col) of a panel's plot is, in its canvas's coordinates."""
    return panel.canvas.mapFromScene(QPointF(heatmap.scene_pos_of(col, row)))


@pytest.fixture
def session() -> Iterator[Session]:
    yield Session()


# -- the item --------------------------------------------------------------------------------------
MATRIX = np.array([[1.0, -2.0, 0.0], [np.nan, 4.0, -0.5]])


def test_squares_follow_the_matrix_and_the_scale() -> None:
    item = HintonItem()
    item.set_grid(2, 3)
    item.set_encoding(Encoding("weight", 2.0))
    item.set_values(MATRIX)
    assert item.squares() == [(0, 0, 0.5, 1), (0, 1, 1.0, -1), (1, 1, 1.0, 1), (1, 2, 0.25, -1)]
    assert item.blank_cells() == [(1, 0)]
    assert_array_equal(item.shown(), MATRIX)
    item.set_encoding(
        Encoding("weight", 8.0)
    )  # a wider scale: every square shrinks in proportion, none is clamped
    quarter = [(0, 0, 0.125, 1), (0, 1, 0.25, -1), (1, 1, 0.5, 1), (1, 2, 0.0625, -1)]
    assert item.squares() == quarter
    item.set_values(np.array([[1.0], [-3.0]]) @ np.ones((1, 3)))
    assert item.blank_cells() == [] and len(item.squares()) == 6
    with pytest.raises(ValueError, match="shape"):
        item.set_values(np.zeros((3, 2)))


def test_the_painted_squares_have_the_right_colour_and_size(qtbot, settle) -> None:
    heatmap = Heatmap(cursor=False)
    item = HintonItem()
    heatmap.set_grid(3, 2)  # (n_x, n_y) = (cols, rows)
    heatmap.image.setVisible(False)
    heatmap.blank.setVisible(False)
    item.set_grid(2, 3)
    heatmap.plot.addItem(item, ignoreBounds=True)
    encoding = Encoding("weight", 4.0)
    item.set_encoding(encoding)
    item.set_values(MATRIX)
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    widget.addItem(heatmap.plot)
    qtbot.addWidget(widget)
    widget.resize(420, 300)
    widget.show()
    qtbot.waitExposed(widget)
    only_window(settle, widget)
    image = widget.grab().toImage()
    box = heatmap.plot.getViewBox()
    cell_w = box.mapViewToScene(QPointF(1, 0)).x() - box.mapViewToScene(QPointF(0, 0)).x()
    cell_h = box.mapViewToScene(QPointF(0, 1)).y() - box.mapViewToScene(QPointF(0, 0)).y()
    side = FULL * min(abs(cell_w), abs(cell_h))  # a full square, in pixels

    def colour(row: int, col: int, dx: float = 0.0) -> str:
        p = widget.mapFromScene(heatmap.scene_pos_of(col, row) + QPointF(dx, 0))
        return image.pixelColor(p).name()

    def of(value: float) -> str:  # a square has its value's colour, as its heatmap cell
        return QColor(*encoding.colour(value)[:3]).name()

    assert colour(0, 0) == of(1.0) and colour(1, 1) == of(4.0)
    assert colour(0, 1) == of(-2.0) and colour(1, 2) == of(-0.5)
    assert colour(0, 2) == BACKGROUND  # zero: no square
    assert colour(1, 0) == QColor(BLANK).name()  # NaN: blank grey
    # the side is |value| / scale of a full square: 4 -> full, 1 -> a quarter
    assert colour(1, 1, 0.4 * side) == of(4.0)
    assert colour(1, 1, 0.5 * side + 2) == BACKGROUND
    assert colour(0, 0, 0.25 * side / 2 - 2) == of(1.0)
    assert colour(0, 0, 0.25 * side / 2 + 2) == BACKGROUND


# -- the gradients panel ---------------------------------------------------------------------------
@pytest.fixture
def gradients(qtbot, session: Session) -> GradientsPanel:
    panel = GradientsPanel(session)
    qtbot.addWidget(panel)
    panel.resize(800, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def check_hinton_gradients(session: Session, panel: GradientsPanel) -> None:
    """The diagrams draw the trace's contribution and accumulated gradient at the cursor."""
    trace, state = session.trace, session.state
    encodings = gradient_encodings(trace)
    shown = panel.displayed()
    assert shown.mode == "hinton" and shown.squares is not None
    for p in trace.net.trainable():
        step_squares, acc_squares = shown.squares[p]
        step_scale, acc_scale = (e.magnitude for e in encodings[p])
        assert shown.levels[p] == (encodings[p][0].levels, encodings[p][1].levels)
        if state.phase == "backward":
            step, acc = trace.contribution(state.t)[p], trace.accumulated(state.t)[p]
            assert_array_equal(shown.contribution[p], step)
            np.testing.assert_allclose(shown.accumulated[p], acc, atol=1e-15)
            assert_squares(step_squares, expected_squares(step, step_scale))
            assert_squares(acc_squares, expected_squares(shown.accumulated[p], acc_scale))
            assert acc_squares  # something is drawn
        else:
            assert np.isnan(shown.contribution[p]).all()  # blank, not yet computed
            assert step_squares == [] and acc_squares == []
            assert len(panel.grid.plots[p][0].blank_cells()) == trace.net.params()[p].size
    assert panel.grid.mode == "hinton"
    check_painted_squares(panel)


def check_painted_squares(panel: GradientsPanel) -> None:
    """On screen, the centre of every square of at least a third of full size has its value's
    colour (its sign's hue), and an empty (zero) cell the background's."""
    image = panel.grid.grab().toImage()
    grid = panel.grid
    for p, pair in grid.plots.items():
        for k, plot in enumerate(pair):
            for row, col, size, sign in plot.squares():
                if size >= 1 / 3:
                    colour = image.pixelColor(grid.pos_of(p, k, row, col).toPoint())
                    want = QColor(*plot.encoding.colour(plot.shown()[row, col])[:3])
                    assert colour == want, (p, k, row, col)
                    assert (colour.red() > colour.blue()) == (sign > 0), (p, k, row, col)
            for row, col in zip(*np.nonzero(plot.shown() == 0), strict=True):
                colour = image.pixelColor(grid.pos_of(p, k, row, col).toPoint()).name()
                assert colour == BACKGROUND, (p, k, row, col)


def test_gradients_hinton_mode_follows_the_cursor(qtbot, session, gradients) -> None:
    assert gradients.displayed().mode == "heatmap" and gradients.displayed().squares is None
    qtbot.mouseClick(gradients.mode_buttons["hinton"], Qt.MouseButton.LeftButton)
    T = session.trace.T
    for k in (0, 2, T, T + 1, T + 3, 2 * T, T + 2, 1):
        session.seek(k)
        check_hinton_gradients(session, gradients)
    scale = gradient_encodings(session.trace)["W"][1].magnitude
    assert gradients.grid.key_text("W", 1).endswith(f"side = |value| / {scale:.3g}")


def test_gradients_mode_persists_over_steps_and_new_traces(qtbot, session, gradients) -> None:
    gradients.set_mode("hinton")
    session.seek(position_of(session.trace.T, "backward", 4))
    session.step()
    assert gradients.mode_buttons["hinton"].isChecked()
    check_hinton_gradients(session, gradients)
    session.set_network(SRN.init(4, 7, 3, seed=3))  # new shapes: the plots are rebuilt
    assert gradients.displayed().contribution["W"].shape == (7, 7)
    check_hinton_gradients(session, gradients)
    session.set_truncation(2, "chunked")
    check_hinton_gradients(session, gradients)
    qtbot.mouseClick(gradients.table_button, Qt.MouseButton.LeftButton)  # table mode still works
    shown = gradients.displayed()
    assert shown.mode == "table" and shown.table is not None and shown.squares is None
    gradients.set_mode("heatmap")  # back to heatmaps: they show the current position
    shown = gradients.displayed()
    t = session.state.t
    assert shown.mode == "heatmap" and shown.table is None
    assert_array_equal(shown.contribution["V"], session.trace.contribution(t)["V"])
    assert gradients.grid.mode == "heatmap"
    image = gradients.grid.grab().toImage()
    encoding = gradient_encodings(session.trace)["V"][0]
    for (row, col), value in np.ndenumerate(shown.contribution["V"]):  # cells coloured by value
        want = QColor(*encoding.colour(value)[:3])
        got = image.pixelColor(gradients.grid.pos_of("V", 0, row, col).toPoint())
        assert got == want, (row, col)


def test_gradients_hover_and_click_work_in_hinton_mode(qtbot, session, gradients, settle) -> None:
    gradients.set_mode("hinton")
    t = 2
    session.seek(position_of(session.trace.T, "backward", t))
    only_window(settle, gradients)
    pos = gradients.grid.pos_of("V", 1, 2, 3).toPoint()  # V[3,4], accumulated
    qtbot.mouseMove(gradients.grid, pos)
    qtbot.waitUntil(lambda: gradients.displayed().hover.startswith("∂L/∂V[3,4]"))
    acc = session.trace.accumulated(t)["V"][2, 3]
    assert gradients.displayed().hover.startswith(f"∂L/∂V[3,4] = {acc:.6g}")
    with qtbot.waitSignal(session.selectionChanged):
        qtbot.mouseClick(gradients.grid, Qt.MouseButton.LeftButton, pos=pos)
    assert session.selection == Selection("cell", "V", t=t, row=2, col=3)


# -- the weights panel -----------------------------------------------------------------------------
@pytest.fixture
def weights(qtbot, session: Session) -> WeightsPanel:
    panel = WeightsPanel(session)
    qtbot.addWidget(panel)
    panel.resize(600, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def check_weights(session: Session, panel: WeightsPanel) -> None:
    net = session.net
    params = net.params()
    scale = round_magnitude(max(float(np.abs(params[p]).max()) for p in net.trainable()))
    shown = panel.displayed()
    assert tuple(shown.values) == net.trainable()
    assert shown.scale == scale
    for p in net.trainable():
        assert_array_equal(shown.values[p], params[p])
        if shown.mode == "hinton":
            assert_squares(shown.squares[p], expected_squares(params[p], scale))
    if shown.mode == "hinton":
        assert shown.legend.endswith(f"side = |value| / {scale:.3g}")


def test_weights_panel_shows_the_network_and_follows_it(qtbot, session, weights) -> None:
    shown = weights.displayed()
    assert shown.mode == "hinton"
    assert shown.titles == ("U  (5×4)", "W  (5×5)", "V  (3×5)", "b  (5)", "c  (3)")
    check_weights(session, weights)
    assert sum(len(s) for s in shown.squares.values()) == 20 + 25 + 15  # biases start at 0
    rng = np.random.default_rng(5)
    net = session.net
    new = net.with_params(W=-2 * net.W, b=rng.normal(size=5), c=rng.normal(size=3))
    session.set_network(new)  # as training does
    check_weights(session, weights)
    assert len(weights.displayed().squares["b"]) == 5
    session.set_network(SRN.init(4, 7, 3, seed=1, train_h0=True, h0=0.25))  # new shapes, h0
    check_weights(session, weights)
    assert weights.displayed().titles[-1] == "h⁽⁰⁾  (7)"
    weights.set_mode("heatmap")
    check_weights(session, weights)
    assert weights.color_bar.isVisible() and not weights.key.isVisible()
    assert weights.color_bar.levels() == (-weights.displayed().scale, weights.displayed().scale)


def test_weights_relabel_with_the_notation(session, weights) -> None:
    session.set_notation("boden")  # Bodén calls U, W, V the matrices V, U, W
    assert weights.displayed().titles == ("V  (5×4)", "U  (5×5)", "W  (3×5)", "θj  (5)", "θk  (3)")
    weights.set_mode("table")
    weights.param_box.setCurrentIndex(weights.param_box.findData("W"))
    param, texts, rows, cols = weights.displayed().table
    assert param == "W" and weights.param_box.currentText() == "U"
    assert rows == tuple(f"yj{j}" for j in range(1, 6)) == cols
    assert texts == [[f"{v:.6g}" for v in row] for row in session.net.W]
    session.set_notation("deep-learning")
    assert weights.param_box.currentText() == "W"
    assert weights.displayed().table[2][0] == "h1"


def test_weights_hover_and_click_select_for_the_inspector(qtbot, session, weights, settle) -> None:
    inspector = InspectorPanel(session)
    qtbot.addWidget(inspector)
    session.seek(position_of(session.trace.T, "backward", 3))
    only_window(settle, weights)
    pos = view_pos(weights, weights.maps["W"], 1, 2)  # W[2,3]
    qtbot.mouseMove(weights.canvas.viewport(), pos)
    qtbot.waitUntil(lambda: weights.displayed().hover.startswith("W[2,3]"))
    value = session.net.W[1, 2]
    assert weights.displayed().hover.startswith(f"W[2,3] = {value:.6g}  (")
    assert "from h3 to h2" in weights.displayed().hover
    assert float(weights.displayed().hover.split()[2]) == pytest.approx(value, rel=1e-5)
    session.set_notation("boden")
    assert weights.hover_text("W", 1, 2).startswith(f"U[2,3] = {value:.6g}")
    assert weights.hover_text("b", 4, 0).startswith(f"θj[5] = {session.net.b[4]:.6g}")
    with qtbot.waitSignal(session.selectionChanged):
        qtbot.mouseClick(weights.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert session.selection == Selection("cell", "W", t=3, row=1, col=2)
    assert inspector.displayed().explanation.title == "gradient cell ∂C/∂U[2,3]"


def count_calls(monkeypatch, module, name: str) -> list[int]:
    """Spy on ``module.name``, a function the panel calls: one entry per call."""
    calls: list[int] = []
    real = getattr(module, name)

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


class Paints(QObject):
    """Counts the paint events of a widget."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_cursor_step_costs_the_weights_panel_nothing(
    qtbot, session, weights, monkeypatch, settle
) -> None:
    views = count_calls(monkeypatch, gui.panels.weights, "weights_view")
    settle(weights.canvas.viewport())  # shown and painted
    paints = Paints(weights.canvas.viewport())
    for k in range(session.n_positions):
        session.seek(k)
    settle()  # a repaint asked for would have happened by now
    assert views == [] and paints.count == 0  # no view state computed, nothing repainted
    session.set_notation("tutorial")  # the spy sees what does reach the panel
    assert views == [1]
    assert weights.displayed().titles[:3] == ("Wx  (5×4)", "Ws  (5×5)", "Wy  (3×5)")
    qtbot.waitUntil(lambda: paints.count > 0)  # the new titles are drawn


def test_main_window_docks_the_weights_panel_with_the_gradients(
    qtbot, settings, monkeypatch
) -> None:
    window = MainWindow(settings=QSettings(settings.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    panel = window.panels[DockId.WEIGHTS]
    assert isinstance(panel, WeightsPanel)
    tabbed = window.tabifiedDockWidgets(window.docks[DockId.GRADIENTS])
    assert window.docks[DockId.WEIGHTS] in tabbed  # the parameters beside their gradients
    assert window.docks[DockId.WEIGHTS].visibleRegion().isEmpty()  # tabbed away
    views = count_calls(monkeypatch, gui.panels.weights, "weights_view")
    window.session.set_network(window.session.net.with_params(W=-window.session.net.W))
    assert views == []  # skips updates until shown
    window.docks[DockId.WEIGHTS].raise_()
    qtbot.waitUntil(lambda: views != [])  # shown: catches up by itself
    check_weights(window.session, panel)
    gradients = window.panels[DockId.GRADIENTS]
    window.docks[DockId.GRADIENTS].raise_()  # back from the weights, its tab neighbour
    qtbot.waitUntil(lambda: not window.docks[DockId.GRADIENTS].visibleRegion().isEmpty())
    gradients.set_mode("hinton")
    window.session.seek(window.session.n_positions - 1)
    check_hinton_gradients(window.session, gradients)
    window.session.set_modified(False)  # close without asking to save


def test_weights_of_a_jordan_network_take_their_shapes_from_the_arrays(session, weights) -> None:
    net = SRN.init(4, 5, 3, seed=2, context="output")  # W is (H, O), h0 is (O,)
    session.set_network(net)
    check_weights(session, weights)
    assert weights.displayed().values["W"].shape == (5, 3)
    assert weights.displayed().titles[1] == "W  (5×3)"
    outputs = session.dataset.output_names
    assert weights.hover_text("W", 1, 2).endswith(f"from {outputs[2]} to h2)")
    weights.set_mode("table")
    weights.param_box.setCurrentIndex(weights.param_box.findData("W"))
    param, texts, rows, cols = weights.displayed().table
    assert rows == tuple(f"h{j}" for j in range(1, 6))
    assert (param, cols) == ("W", tuple(outputs)) and len(texts) == 5 and len(texts[0]) == 3
