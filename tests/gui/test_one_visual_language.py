"""One visual language: a value has the same colour in every view that shows it, and every legend
and colour bar agrees with what the views draw.

The main window is rendered offscreen at 1400 x 900 and its pixels are read where public geometry
says a value is drawn: a node's position mapped through its graph view, a heatmap cell's centre
(``pos_of``), a weight's edge (``edge_midpoint``) and its Hinton square (``scene_pos_of``), a
legend's swatch (``swatch_rect``), a colour bar (``bar_rect``). Centres of disks, cells and wide
edges are sampled, with a small tolerance for antialiasing.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget

from core.cursor import position_of
from gui.docks.registry import DockId
from gui.encoding import Encoding, for_trace, network_weights, sign_text
from gui.graph_views import FoldedGraphView, UnfoldedGraphView
from gui.graph_views.folded import NODE_DIAMETER
from gui.main_window import MainWindow

#: per channel: antialiasing at the centre of a disk, an edge or a cell
TOL = 6

RGBA = tuple[int, int, int, int]


@pytest.fixture
def window(qtbot, settings) -> Iterator[MainWindow]:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w


def shot(window: MainWindow, *raise_docks: DockId) -> QImage:
    """The window as drawn, with ``raise_docks`` brought to the front of their tab groups."""
    for dock in raise_docks:
        window.docks[dock].raise_()
    QApplication.processEvents()  # the layout the raised docks and the last step asked for
    image = window.grab().toImage()
    for _ in range(20):  # until the picture settles: a dock brought up lays out in passes
        QApplication.processEvents()
        again = window.grab().toImage()
        if again == image:
            break
        image = again
    return image


def at(image: QImage, window: MainWindow, widget: QWidget, pos: QPointF | QPoint) -> QColor:
    """The window pixel at ``pos`` in ``widget``'s coordinates (it must be visible there)."""
    point = pos if isinstance(pos, QPoint) else pos.toPoint()
    assert widget.isVisible() and widget.rect().contains(point), widget
    return image.pixelColor(widget.mapTo(window, point))


def node(image: QImage, window: MainWindow, view, node_id: tuple[str, int, int]) -> QColor:
    """The pixel at the centre of a graph node's disk (the folded view writes the node's name
    there when it fits: there, the pixel a third of the way down from the centre)."""
    x, y = view.node_position(node_id)
    if isinstance(view, FoldedGraphView):
        y -= NODE_DIAMETER / 3
    p = view.data_point(x, y)
    return at(image, window, view.plot_widget().viewport(), p)


def near(got: QColor, want: RGBA, tol: int = TOL) -> bool:
    return all(abs(g - w) <= tol for g, w in zip(got.getRgb()[:3], want[:3], strict=True))


def assert_colour(got: QColor, want: RGBA, where: str, tol: int = TOL) -> None:
    assert near(got, want, tol), f"{where}: drawn {got.getRgb()[:3]}, encoded {want[:3]}"


def red(c: QColor | RGBA) -> bool:
    r, _, b = c.getRgb()[:3] if isinstance(c, QColor) else c[:3]
    return r > b


# -- the same value, the same colour --------------------------------------------------------------
def test_an_activation_has_one_colour_in_the_graphs_and_the_heatmap(window: MainWindow) -> None:
    session = window.session
    session.seek(3)  # forward t = 3
    trace, encodings = session.trace, for_trace(session.trace)
    image = shot(window, DockId.ACTIVATIONS)
    grid = window.panels[DockId.ACTIVATIONS].grid
    assert trace.h[3, 0] == pytest.approx(0.3578, abs=1e-4)  # h[1](3) of the built-in example
    signs = set()
    for unit in range(trace.net.n_hidden):
        value = float(trace.h[3, unit])
        want = encodings.hidden.colour(value)
        signs.add(red(want))
        name = f"h[{unit + 1}](3) = {value:+.3f}"
        assert_colour(
            node(image, window, window.unfolded, ("h", 3, unit)), want, f"unfolded {name}"
        )
        assert_colour(node(image, window, window.folded, ("h", 0, unit)), want, f"folded {name}")
        cell = at(image, window, grid, grid.pos_of("h", 3, unit))
        assert_colour(cell, want, f"Activations {name}", tol=0)
    assert signs == {True, False}  # both signs are on screen: the hue is what is checked
    assert red(node(image, window, window.unfolded, ("h", 3, 0)))  # +0.358 is red
    for k in range(trace.net.n_out):  # the outputs: probabilities on the positive half
        value = float(trace.y[2, k])
        want = encodings.output.colour(value)
        name = f"ŷ[{k + 1}](3) = {value:.3f}"
        assert_colour(node(image, window, window.unfolded, ("y", 3, k)), want, f"unfolded {name}")
        assert_colour(node(image, window, window.folded, ("y", 0, k)), want, f"folded {name}")
        assert_colour(at(image, window, grid, grid.pos_of("y", 3, k)), want, name, tol=0)


@pytest.mark.parametrize("t", [3, 6], ids=["backward-t3", "backward-t6"])
def test_a_delta_has_one_colour_in_the_graph_and_the_heatmap(window: MainWindow, t: int) -> None:
    session = window.session
    trace, encodings = session.trace, for_trace(session.trace)
    session.seek(position_of(trace.T, "backward", t))
    sign = session.notation.delta_sign
    image = shot(window, DockId.DELTAS)
    grid = window.panels[DockId.DELTAS].grid
    layers = [("h", "h", trace.delta_h, encodings.delta_h)]
    if t == trace.T:  # before t = T the label of the flow through Wᵀ lies over the outputs
        layers.append(("o", "y", trace.delta_o, encodings.delta_o))
    signs = set()
    for key, layer, deltas, encoding in layers:
        assert encoding.gamma == 0.5  # the square-root scale, in both views
        for unit in range(deltas.shape[1]):
            value = sign * float(deltas[t - 1, unit])
            want = encoding.colour(value)
            signs.add(red(want))
            name = f"δ{key}[{unit + 1}]({t}) = {value:+.4f}"
            graph = node(image, window, window.unfolded, (layer, t, unit))
            assert_colour(graph, want, f"unfolded {name}")
            assert_colour(at(image, window, grid, grid.pos_of(key, t, unit)), want, name, tol=0)
    assert signs == {True, False}


def strongest(matrix: np.ndarray) -> list[tuple[int, int]]:
    """The cells of the largest positive and the most negative weight."""
    return [
        tuple(int(i) for i in np.unravel_index(k, matrix.shape))  # type: ignore[misc]
        for k in (np.argmax(matrix), np.argmin(matrix))
    ]


def drawn_along(image: QImage, window: MainWindow, view, param, row, col, want: RGBA) -> int:
    """At how many of eight points along an edge of the folded graph a pixel (of the 3 x 3
    around the line's centre) has the colour ``want``: other edges cross it here and there."""
    viewport = view.plot_widget().viewport()
    found = 0
    for frac in np.linspace(0.15, 0.85, 8):
        p = view.data_point(*view.edge_point(param, row, col, frac))
        around = (p + QPoint(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
        found += any(near(at(image, window, viewport, q), want) for q in around)
    return found


@pytest.mark.parametrize("mode", ["hinton", "heatmap"])
def test_a_weight_has_one_colour_as_an_edge_and_in_the_weights_dock(
    window: MainWindow, mode: str
) -> None:
    net = window.session.net
    panel = window.panels[DockId.WEIGHTS]
    panel.set_mode(mode)
    encoding = network_weights(net)
    image = shot(window, DockId.WEIGHTS)
    for p in ("U", "W", "V"):
        matrix = net.params()[p]
        for row, col in strongest(matrix):
            value = float(matrix[row, col])
            want = encoding.colour(value)
            name = f"{p}[{row + 1},{col + 1}] = {value:+.3f}"
            found = drawn_along(image, window, window.folded, p, row, col, want)
            assert found >= 3, f"folded edge {name}: its colour at {found} of 8 points"
            canvas = panel.canvas
            cell = canvas.mapFromScene(panel.maps[p].scene_pos_of(col, row))
            assert_colour(at(image, window, canvas.viewport(), cell), want, name, tol=0)
            assert red(want) == (value > 0)


# -- legends and colour bars agree with the pixels ------------------------------------------------
def swatch_ends(image: QImage, window: MainWindow, legend, index: int) -> tuple[QColor, QColor]:
    """The first and the last pixel inside a legend entry's swatch."""
    rect: QRectF = legend.swatch_rect(index)
    y = rect.center().y()
    left = at(image, window, legend, QPoint(round(rect.left()), round(y)))
    right = at(image, window, legend, QPoint(round(rect.right()) - 1, round(y)))
    return left, right


def check_bar(image, window, legend, index: int, encoding: Encoding) -> None:
    """A legend bar runs from the colour of its low end to that of +m, its words say the range."""
    entry = legend.entries()[index]
    assert entry.kind == "bar"
    assert encoding.range_text() in entry.text
    left, right = swatch_ends(image, window, legend, index)
    lo, hi = encoding.levels
    assert_colour(right, encoding.colour(hi), f"'+' end of {entry.text!r}", tol=0)
    assert_colour(left, encoding.colour(lo), f"low end of {entry.text!r}", tol=0)


def test_the_graph_legends_draw_and_name_the_encodings_colours(window: MainWindow) -> None:
    session = window.session
    encodings = for_trace(session.trace)
    session.seek(3)
    image = shot(window)
    legend = _legend(window.unfolded)
    texts = legend.texts()
    assert sign_text() in texts[0] and sign_text() == "red +, blue −"
    check_bar(image, window, legend, 0, encodings.hidden)  # x, h, ŷ share ±1
    _, plus = swatch_ends(image, window, legend, 0)
    assert red(plus)  # the words say red is positive: so is the pixel
    check_bar(image, window, legend, 1, encodings.loss)
    folded = _legend(window.folded)
    weights = network_weights(session.net)
    line = folded.swatch_rect(0)  # "+" then "−": a line of each colour
    y = line.center().y()
    positive = at(image, window, folded, QPointF(line.left() + line.width() / 4, y))
    negative = at(image, window, folded, QPointF(line.left() + 3 * line.width() / 4, y))
    assert_colour(positive, weights.colour(weights.magnitude), "folded legend '+' line")
    assert_colour(negative, weights.colour(-weights.magnitude), "folded legend '−' line")
    assert weights.range_text() in folded.texts()[0]
    check_bar(image, window, folded, 1, encodings.hidden)
    assert sign_text() in folded.texts()[1]
    session.seek(position_of(session.trace.T, "backward", 3))  # the deltas' bars
    image = shot(window)
    check_bar(image, window, legend, 0, encodings.delta_h)
    check_bar(image, window, legend, 1, encodings.delta_o)
    assert "√ scale" in legend.texts()[0] and sign_text() in legend.texts()[0]


def _legend(view: FoldedGraphView | UnfoldedGraphView):
    """A graph view's legend: the widget under its plot that the user reads."""
    from gui.graph_views.legend import Legend

    (legend,) = view.findChildren(Legend)
    return legend


def bar_ends(image, window, widget, rect: QRectF, vertical: bool) -> tuple[QColor, QColor]:
    """The first pixels inside the low and the high end of a colour bar."""
    c = rect.center()
    if vertical:  # high end at the top
        return (
            at(image, window, widget, QPointF(c.x(), round(rect.bottom()) - 1)),
            at(image, window, widget, QPointF(c.x(), round(rect.top()))),
        )
    return (
        at(image, window, widget, QPointF(round(rect.left()), c.y())),
        at(image, window, widget, QPointF(round(rect.right()) - 1, c.y())),
    )


def test_the_docks_colour_bars_and_keys_end_at_the_encodings_colours(window: MainWindow) -> None:
    session = window.session
    encodings = for_trace(session.trace)
    session.seek(position_of(session.trace.T, "backward", 3))
    checks = []
    image = shot(window, DockId.ACTIVATIONS)
    grid = window.panels[DockId.ACTIVATIONS].grid
    for index, encoding in ((0, encodings.hidden), (1, encodings.output)):
        checks.append((bar_ends(image, window, grid, grid.bar_rect(index), True), encoding))
    image = shot(window, DockId.DELTAS)
    grid = window.panels[DockId.DELTAS].grid
    for index, encoding in ((0, encodings.delta_h), (1, encodings.delta_o)):
        assert grid.bar_levels(index) == encoding.levels
        checks.append((bar_ends(image, window, grid, grid.bar_rect(index), True), encoding))
    image = shot(window, DockId.GRADIENTS)
    matrices = window.panels[DockId.GRADIENTS].grid
    for k in (0, 1):
        encoding = matrices.plots["W"][k].encoding
        rect = matrices.bar_rect("W", k)
        checks.append((bar_ends(image, window, matrices, rect, False), encoding))
    for (low, high), encoding in checks:
        lo, hi = encoding.levels
        assert_colour(high, encoding.colour(hi), f"high end of the {encoding.quantity} bar", 0)
        assert_colour(low, encoding.colour(lo), f"low end of the {encoding.quantity} bar", 0)
    panel = window.panels[DockId.WEIGHTS]
    panel.set_mode("hinton")
    image = shot(window, DockId.WEIGHTS)
    weights = network_weights(session.net)
    for rect, value in zip(panel.key.swatch_rects(), (1.0, -1.0), strict=True):
        scene = panel.key.mapToScene(rect.center())
        pos = QPointF(panel.canvas.mapFromScene(scene))
        key = at(image, window, panel.canvas.viewport(), pos)
        assert_colour(key, weights.colour(value * weights.magnitude), f"Hinton key {value:+}", 0)


def test_unknown_values_are_the_encodings_grey_everywhere(window: MainWindow) -> None:
    session = window.session
    session.seek(0)  # the start: only h(0) is known
    image = shot(window, DockId.ACTIVATIONS)
    grey = Encoding("unknown", 1.0).colour(np.nan)
    grid = window.panels[DockId.ACTIVATIONS].grid
    assert_colour(at(image, window, grid, grid.pos_of("h", 1, 0)), grey, "Activations h(1)", 0)
    assert_colour(node(image, window, window.folded, ("x", 0, 0)), grey, "folded x(0)")
    assert_colour(node(image, window, window.folded, ("y", 0, 0)), grey, "folded ŷ(0)")
    known = node(image, window, window.folded, ("h", 0, 0))  # h(0) = h0 is known
    assert not near(known, grey, 40)
