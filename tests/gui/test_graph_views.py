"""The folded and unfolded graph views show the trace's numbers at every cursor position."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolButton, QToolTip

from core.bptt import Trace
from core.cursor import StepState
from core.data import Dataset, Sequence
from core.model import SRN
from core.selection import Selection
from gui.encoding import UNKNOWN_ROW as UNKNOWN
from gui.encoding import for_trace
from gui.graph_views import FoldedGraphView, UnfoldedGraphView
from gui.graph_views.base import GraphView
from gui.graph_views.folded import WIDTHS
from gui.session import Session


@pytest.fixture
def session() -> Session:
    return Session()


@pytest.fixture
def unfolded(qtbot, session: Session) -> UnfoldedGraphView:
    view = UnfoldedGraphView(session)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.fit()
    return view


@pytest.fixture
def folded(qtbot, session: Session) -> FoldedGraphView:
    view = FoldedGraphView(session)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    return view


def screen(view: GraphView) -> QImage:
    """The plot as it is drawn now."""
    return view.plot_widget().grab().toImage()


def pixel_at(
    image: QImage, view: GraphView, x: float, y: float, dx: int = 0, dy: int = 0
) -> QColor:
    """The colour drawn at data point (x, y), moved by (dx, dy) pixels (y down)."""
    p = view.data_point(x, y)
    return image.pixelColor(p.x() + dx, p.y() + dy)


def lut_colour(row) -> QColor:
    return QColor(*(int(v) for v in row))


def expected_unfolded(trace: Trace, state: StepState, sign: int, node_ids) -> np.ndarray:
    """What each node must show, written out from the definitions (not from the view's code)."""
    out = np.full(len(node_ids), np.nan)
    backward = state.phase == "backward"
    for i, (layer, t, u) in enumerate(node_ids):
        if layer == "L":
            if backward or t <= state.forward_known:
                out[i] = trace.loss_t[t - 1]
        elif not backward:
            if t <= state.forward_known:
                out[i] = trace.h[t, u] if layer == "h" else getattr(trace, layer)[t - 1, u]
        elif layer == "h" and t == 0:
            if state.backward_from == 1:
                out[i] = sign * trace.delta_h0[u]  # dL/dh0 = W^T delta_h(1)
        elif layer != "x" and t >= state.backward_from:
            delta = trace.delta_h if layer == "h" else trace.delta_o
            out[i] = sign * delta[t - 1, u]
    return out


@pytest.mark.parametrize(
    "notation", ["deep-learning", "boden"], ids=["gradient-sign", "boden-sign"]
)
def test_unfolded_shows_the_trace_forward_and_back(
    unfolded: UnfoldedGraphView, session: Session, notation: str
) -> None:
    session.set_notation(notation)
    sign = session.notation.delta_sign
    trace, T = session.trace, session.trace.T
    assert (T, session.net.n_hidden) == (6, 5)
    seen = {}
    for k in range(2 * T + 1):
        session.seek(k)
        shown = unfolded.displayed_values()
        state = session.state
        expected = expected_unfolded(trace, state, sign, shown.node_ids)
        np.testing.assert_array_equal(shown.values, expected, err_msg=f"position {k}")
        assert np.array_equal(shown.colour_index == UNKNOWN, np.isnan(expected))
        assert shown.lod == "detailed"
        assert shown.current_column == state.t
        assert shown.band == (state.t - 0.5, state.t + 0.5)
        if state.phase == "backward":
            assert shown.mode == "delta"
            assert shown.lit_columns == (state.t, T)
            assert shown.flow == ((state.t + 1, state.t) if state.t < T else None)
            if state.t > 1:
                assert shown.fog is not None and shown.fog[1] == state.t - 0.5
        else:
            assert shown.mode == "activation"
            assert shown.lit_columns == (0, state.t)
            assert shown.flow is None
            assert (shown.fog is None) == (state.t == T)
        seen[k] = shown.values.copy()
    # h(t) during the forward sweep, e.g. h(3) at position 3
    session.seek(3)
    assert unfolded.displayed_values().value("h", 3, 2) == trace.h[3, 2]
    assert np.isnan(unfolded.displayed_values().value("h", 4, 2))
    for k in range(2 * T, -1, -1):  # stepping back redraws exactly the same numbers
        session.seek(k)
        np.testing.assert_array_equal(unfolded.displayed_values().values, seen[k])


def test_unfolded_colours_follow_the_values(unfolded: UnfoldedGraphView, session: Session) -> None:
    session.seek(9)  # backward t = 4
    shown = unfolded.displayed_values()
    known = np.isfinite(shown.values)
    assert known.sum() > 0 and (~known).sum() > 0
    # the hidden deltas take the deltas' encoding (square-root scale), the Deltas dock's
    h = [i for i, n in enumerate(shown.node_ids) if n[0] == "h" and known[i]]
    encoding = for_trace(session.trace).delta_h
    assert encoding.gamma == 0.5
    assert encoding.magnitude >= abs(session.trace.delta_h).max()
    np.testing.assert_array_equal(shown.colour_index[h], encoding.index(shown.values[h]))
    np.testing.assert_array_equal(shown.fills[h], encoding.rgba(shown.values[h]))
    # on screen: each known node is filled with its encoded colour; the nodes not reached yet
    # are blank under the veil. (Sampled up and left of the centre: the flow label "Wᵀ δh(5)"
    # covers the lower right of ŷ3 in the current column.)
    image = screen(unfolded)
    for i, node in enumerate(shown.node_ids):
        if node[0] not in ("h", "y"):
            continue
        drawn = pixel_at(image, unfolded, *unfolded.node_position(node), dx=-3, dy=-3)
        if known[i]:
            assert drawn == lut_colour(shown.fills[i]), node
        else:  # veiled: a neutral grey, never a sign's hue
            r, g, b, _ = drawn.getRgb()
            assert max(r, g, b) - min(r, g, b) <= 4, (node, drawn.name())


def test_unfolded_headers_and_labels(unfolded: UnfoldedGraphView, session: Session) -> None:
    shown = unfolded.displayed_values()
    assert shown.headers == tuple(f"t = {t}" for t in range(7))
    assert {"x1", "h1", "h5", "ŷ3", "L(t)"} <= set(shown.axis_labels)
    assert {"U", "W", "V"} <= set(shown.texts)
    session.set_notation("tutorial")
    shown = unfolded.displayed_values()
    assert {"s1", "s5", "E(t)"} <= set(shown.axis_labels)
    assert {"Wx", "Ws", "Wy"} <= set(shown.texts)
    assert any("Wx, Ws, Wy" in text for text in shown.legend)
    session.seek(8)  # backward t = 5: the flow label speaks the notation too
    assert "Wsᵀ δs(6)" in unfolded.displayed_values().texts
    session.set_notation("boden")
    assert any("δj = -∂C/∂netj" in t for t in unfolded.displayed_values().legend)


def test_unfolded_truncation_window(unfolded: UnfoldedGraphView, session: Session) -> None:
    session.set_truncation(2, "sliding")
    session.seek(session.trace.T * 2 + 1 - 4)  # backward t = 4
    shown = unfolded.displayed_values()
    assert shown.window == session.trace.window(4) == (3, 4)
    assert shown.propagated == (4, 5)  # L(4) and L(5) reach step 4 with k = 2
    assert shown.flow == (5, 4)
    assert any("window of L(4): steps 3..4" in t for t in shown.legend)
    # on screen the window tints steps 3 and 4 (seen above the loss row, left of each column's
    # nodes) and nothing else: the same spots without truncation differ there only
    above_loss = unfolded.node_position(("L", 1, 0))[1] + 0.5
    tinted = screen(unfolded)
    session.set_truncation(None)
    plain = screen(unfolded)
    spots = [(t - 0.3, above_loss) for t in range(7)]
    differ = [pixel_at(tinted, unfolded, *xy) != pixel_at(plain, unfolded, *xy) for xy in spots]
    assert np.flatnonzero(differ).tolist() == [3, 4]

    session.set_truncation(2, "chunked")
    shown = unfolded.displayed_values()
    assert shown.chunk_starts == (3, 5)
    assert shown.window == (3, 4)
    assert shown.flow is None  # step 5 starts a chunk: no gradient from h(5) to h(4)
    session.seek(session.position + 1)  # backward t = 3
    assert unfolded.displayed_values().flow == (4, 3)

    session.set_truncation(None)
    shown = unfolded.displayed_values()
    assert shown.window is None and shown.chunk_starts == () and shown.propagated == ()


def _click(qtbot, view, session: Session, x: float, y: float) -> Selection:
    with qtbot.waitSignal(session.selectionChanged, timeout=2000) as blocker:
        QTest.mouseClick(
            view.plot_widget().viewport(), Qt.MouseButton.LeftButton, pos=view.data_point(x, y)
        )
    return blocker.args[0]


def test_unfolded_click_selects(qtbot, unfolded: UnfoldedGraphView, session: Session) -> None:
    selected = _click(qtbot, unfolded, session, *unfolded.node_position(("h", 3, 1)))
    assert selected == Selection("node", "h", t=3, unit=1)
    assert session.selection == selected
    selected = _click(qtbot, unfolded, session, *unfolded.node_position(("h", 0, 4)))
    assert selected == Selection("node", "h", t=0, unit=4)
    # the h1(2) -> h1(3) edge, at its middle (no other edge passes there)
    selected = _click(qtbot, unfolded, session, *unfolded.edge_point("W", 3, 0, 0, at=0.5))
    assert selected == Selection("edge", "W", t=3, row=0, col=0)
    text = unfolded.tooltip_at(*unfolded.edge_point("W", 3, 0, 0, at=0.5))
    source = session.notation.source  # the text the notation is from, never a file of ours
    assert text.startswith(f"W[1,1] = {session.net.W[0, 0]:.3f} (W in {source})")
    assert source.startswith("Goodfellow, Bengio and Courville (2016)")
    assert unfolded.selection_at(*unfolded.node_position(("L", 2, 0))) == Selection(
        "node", "L", t=2
    )
    assert unfolded.selection_at(-0.55, -5.0) is None


def test_unfolded_level_of_detail_follows_zoom(
    qtbot, unfolded: UnfoldedGraphView, session: Session
) -> None:
    assert unfolded.lod == "detailed"
    unfolded.plot_widget().getViewBox().setXRange(-0.5, 200, padding=0)  # columns ~4 px wide
    qtbot.waitUntil(lambda: unfolded.lod == "bundled")
    session.seek(4)
    shown = unfolded.displayed_values()
    assert shown.lod == "bundled"
    assert shown.value("h", 4, 0) == session.trace.h[4, 0]
    assert unfolded.selection_at(*unfolded.node_position(("y", 2, 1))) == Selection(
        "node", "y", t=2, unit=1
    )
    unfolded.fit()
    qtbot.waitUntil(lambda: unfolded.lod == "detailed")
    np.testing.assert_array_equal(unfolded.displayed_values().values, shown.values)


def _random_dataset(T: int, I: int, O: int) -> Dataset:
    rng = np.random.default_rng(3)
    seq = Sequence(np.eye(I)[rng.integers(0, I, T)], np.eye(O)[rng.integers(0, O, T)])
    names_in = tuple(f"i{i}" for i in range(I))
    return Dataset("random", (seq,), names_in, tuple(f"o{k}" for k in range(O)), "softmax")


def test_unfolded_large_trace_is_bundled(
    qtbot, unfolded: UnfoldedGraphView, session: Session, settle
) -> None:
    T, I, H, O = 1000, 4, 64, 3
    session.set_dataset(_random_dataset(T, I, O), SRN.init(I, H, O, seed=5))
    assert session.trace.T == T
    assert unfolded.lod == "bundled"
    box = unfolded.plot_widget().getViewBox()
    for k in (0, 1, 500, 1000, 1001, 1500, 2000, 1500, 3):  # forward, backward, and back
        session.seek(k)
        settle(unfolded)  # a phase change may change the legend's rows, and the graph refits
        shown = unfolded.displayed_values()
        state = session.state
        assert shown.lod == "bundled" and shown.current_column == state.t
        t = max(state.t, 1)
        if state.phase == "backward":
            assert shown.value("h", t, 7) == session.trace.delta_h[t - 1, 7]
            assert np.isnan(shown.value("h", t - 1, 7)) or t == 1
        else:
            assert shown.value("h", state.t, 7) == session.trace.h[state.t, 7]
            if state.t < T:
                assert np.isnan(shown.value("h", state.t + 1, 7))
        # on screen, zoomed in on the cursor's step: the heatmap cell of h8 there has the
        # colour of its value
        box.setXRange(state.t - 5, state.t + 5, padding=0)
        settle()
        node = ("h", state.t, 7)
        drawn = pixel_at(screen(unfolded), unfolded, *unfolded.node_position(node))
        assert drawn == lut_colour(shown.fills[shown.index[node]]), k
    # zooming in does not bring 4 million edges back, the strips just gain gaps
    session.seek(T)  # the forward sweep done: every column lit
    box.setXRange(480, 500, padding=0)
    settle()
    assert unfolded.lod == "bundled"
    shown = unfolded.displayed_values()
    image = screen(unfolded)
    y = unfolded.node_position(("h", 490, 9))[1]
    cells = [lut_colour(shown.fills[shown.index[("h", t, 9)]]) for t in (490, 491)]
    assert [pixel_at(image, unfolded, t, y) for t in (490, 491)] == cells
    assert pixel_at(image, unfolded, 490.5, y) not in cells  # the gap between the two
    assert unfolded.selection_at(*unfolded.node_position(("h", 490, 9))) == Selection(
        "node", "h", t=490, unit=9
    )
    assert any(h.startswith("t = 4") for h in unfolded.displayed_values().headers)


def test_folded_shows_activations_at_the_cursor(folded: FoldedGraphView, session: Session) -> None:
    trace = session.trace
    for k in range(2 * trace.T + 1):
        session.seek(k)
        t = session.state.t
        nodes = folded.displayed_values()["nodes"]
        for (layer, _, u), v in nodes.items():
            if layer == "h":
                assert v == trace.h[t, u]  # h0 at the start
            elif t == 0:
                assert np.isnan(v), (layer, u)
            else:
                assert v == {"x": trace.x, "y": trace.y}[layer][t - 1, u]
    session.seek(0)
    shown = folded.displayed_values()
    assert shown["colour_index"][("x", 0, 0)] == UNKNOWN
    assert shown["colour_index"][("h", 0, 0)] != UNKNOWN


def test_folded_edges_encode_weights(folded: FoldedGraphView, session: Session) -> None:
    net = session.net
    edges = folded.displayed_values()["edges"]
    assert len(edges) == net.U.size + net.W.size + net.V.size
    biggest = max(np.abs(net.U).max(), np.abs(net.W).max(), np.abs(net.V).max())
    for (param, r, c), (w, sign, width) in edges.items():
        assert w == getattr(net, param)[r, c]
        assert sign == (1 if w >= 0 else -1)
        assert width == WIDTHS[min(int(abs(w) / biggest * len(WIDTHS)), len(WIDTHS) - 1)]
    assert max(width for _, _, width in edges.values()) == WIDTHS[-1]
    # new weights, same shape: the edges follow
    session.set_network(SRN.init(4, 5, 3, seed=11))
    w = folded.displayed_values()["edges"][("W", 1, 2)][0]
    assert w == session.net.W[1, 2]


def test_folded_elman_context(qtbot, folded: FoldedGraphView, session: Session) -> None:
    action = folded.context_action()
    assert action.isCheckable() and "Elman" in action.toolTip()
    assert ("c", -1, 0) not in folded.displayed_values()["nodes"]
    action.trigger()
    assert folded.elman_context
    session.seek(3)
    shown = folded.displayed_values()
    for j in range(5):
        assert shown["nodes"][("c", -1, j)] == session.trace.h[2, j]  # the context holds h(t-1)
        assert shown["labels"][("c", -1, j)] == f"c{j + 1}"
    assert ("W", 0, 0) in shown["edges"] and len(shown["edges"]) == 20 + 25 + 15
    assert any("copy h → c" in text for text in shown["legend"])
    # the pointer finds one copy edge h_j -> c_j per unit, crossing the line between the rows
    box = folded.plot_widget().getViewBox()
    (x0, x1), _ = box.viewRange()
    middle = (folded.node_position(("h", 0, 0))[1] + folded.node_position(("c", -1, 0))[1]) / 2
    tips = {folded.tooltip_at(x, middle) for x in np.linspace(x0, x1, int(box.width()))}
    copies = sorted(tip for tip in tips if tip.startswith("copy"))
    assert copies == [
        f"copy h{j} → c{j}: fixed weight 1 (Elman 1990), not trained" for j in range(1, 6)
    ]
    assert folded.selection_at(*folded.node_position(("c", -1, 2))) == Selection(
        "node", "h", t=2, unit=2
    )
    action.trigger()
    assert ("c", -1, 0) not in folded.displayed_values()["nodes"]


def test_folded_labels_and_tooltips_follow_the_notation(
    folded: FoldedGraphView, session: Session
) -> None:
    shown = folded.displayed_values()
    assert shown["labels"][("y", 0, 0)] == "ŷ1"
    assert shown["labels"][("h", 0, 1)] == "h2"
    x, y = folded.edge_midpoint("W", 1, 1)  # the self-loop of h2
    assert folded.tooltip_at(x, y).startswith(f"W[2,2] = {session.net.W[1, 1]:.3f} (W in")
    session.set_notation("tutorial")
    shown = folded.displayed_values()
    assert shown["labels"][("h", 0, 1)] == "s2"
    assert "Ws" in shown["texts"] and "Wx" in shown["texts"]
    assert folded.tooltip_at(x, y).startswith(
        f"W[2,2] = {session.net.W[1, 1]:.3f} (Ws in the Recurrent Neural Networks - Part 2 tutorial"
    )
    session.set_notation("boden")
    assert folded.displayed_values()["labels"][("h", 0, 0)] == "yj1"
    session.seek(2)
    tip = folded.tooltip_at(*folded.node_position(("h", 0, 0)))
    assert tip.startswith(f"yj1(t=2) = {session.trace.h[2, 0]:.4f}")


def test_folded_click_selects(qtbot, folded: FoldedGraphView, session: Session) -> None:
    session.seek(4)
    assert _click(qtbot, folded, session, *folded.node_position(("y", 0, 2))) == Selection(
        "node", "y", t=4, unit=2
    )
    assert _click(qtbot, folded, session, *folded.edge_midpoint("W", 3, 3)) == Selection(
        "edge", "W", t=4, row=3, col=3
    )


def test_views_let_go_of_the_session(qtbot, session: Session) -> None:
    before = session.receivers("2cursorChanged(int)")
    views = [UnfoldedGraphView(session), FoldedGraphView(session)]
    assert session.receivers("2cursorChanged(int)") == before + 2
    for view in views:
        view.deleteLater()
    qtbot.waitUntil(lambda: session.receivers("2cursorChanged(int)") == before)
    session.step()
    session.set_notation("tutorial")
    session.set_truncation(2)


def test_hover_shows_the_number_under_the_pointer(
    qtbot, unfolded: UnfoldedGraphView, session: Session
) -> None:
    session.seek(9)  # backward t = 4 (its longer legend may take a row more: the graph refits)

    def hover() -> bool:
        x, y = unfolded.node_position(("h", 5, 2))
        QTest.mouseMove(unfolded.plot_widget().viewport(), unfolded.data_point(x, y))
        return QToolTip.isVisible() and QToolTip.text().startswith("δh3(t=5)")

    qtbot.waitUntil(hover)
    value = session.trace.delta_h[4, 2]
    assert QToolTip.text().startswith(f"δh3(t=5) = {value:.4g}")
    assert unfolded.tooltip_at(*unfolded.node_position(("h", 2, 2))).endswith(
        "not reached by the backward sweep yet"
    )
    assert "inputs get no delta" in unfolded.tooltip_at(*unfolded.node_position(("x", 5, 0)))


def test_folded_big_network_shows_its_strongest_weights(
    folded: FoldedGraphView, session: Session
) -> None:
    from gui.graph_views.folded import EDGE_LIMIT

    session.set_network(SRN.init(4, 64, 3, seed=2))
    net = session.net
    edges = folded.displayed_values()["edges"]
    assert len(edges) == EDGE_LIMIT
    everything = {
        (p, r, c): getattr(net, p)[r, c]
        for p in ("U", "W", "V")
        for r in range(getattr(net, p).shape[0])
        for c in range(getattr(net, p).shape[1])
    }
    hidden = [abs(w) for key, w in everything.items() if key not in edges]
    assert min(abs(w) for w, _, _ in edges.values()) >= max(hidden)
    legend = folded.displayed_values()["legend"]
    assert any(f"strongest {EDGE_LIMIT} of {len(everything)}" in t for t in legend)
    texts = folded.displayed_values()["texts"]
    assert "hidden h(t)" in texts and "h1" not in texts  # node labels would not fit
    session.seek(2)
    assert folded.displayed_values()["nodes"][("h", 0, 63)] == session.trace.h[2, 63]


def test_folded_big_network_labels_its_nodes_once_they_can_be_read(
    qtbot, folded: FoldedGraphView, session: Session
) -> None:
    """64 hidden units: no node labels while the nodes are too small for text; zoomed in, the
    nodes on screen show their labels in the current notation, and a pan labels the nodes it
    brings into view (also after the notation changed)."""
    session.set_network(SRN.init(4, 64, 3, seed=2))
    box = folded.plot_widget().getViewBox()

    def texts() -> tuple[str, ...]:
        return folded.displayed_values()["texts"]

    def zoom_to(unit: int) -> None:  # a few units wide around hidden unit ``unit``
        x, y = folded.node_position(("h", 0, unit))
        box.setRange(xRange=(x - 2, x + 2), yRange=(y - 1, y + 1), padding=0)
        box.sigRangeChangedManually.emit([True, True])  # as a wheel reports it: no refit

    assert not any(t.startswith("h") and t[1:].isdigit() for t in texts())
    zoom_to(10)
    qtbot.waitUntil(lambda: "h11" in texts())
    assert "h10" in texts() and "h12" in texts()
    assert "h61" not in texts()  # far off screen: not labelled
    session.set_notation("tutorial")
    qtbot.waitUntil(lambda: "s11" in texts())
    assert "h11" not in texts()
    zoom_to(60)  # a pan to nodes never shown before: labelled in the notation now in use
    qtbot.waitUntil(lambda: "s61" in texts())
    assert "h61" not in texts()
    folded.fit()  # the whole network again: the labels no longer fit
    qtbot.waitUntil(lambda: "s61" not in texts() and "s11" not in texts())
    assert "hidden s(t)" in texts()


def _wheel(view: GraphView, clicks: int) -> None:
    """Turn the mouse wheel over the middle of the plot (positive: zoom in)."""
    viewport = view.plot_widget().viewport()
    centre = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(
        centre,
        viewport.mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, 120 * clicks),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


def _resize(qtbot, view: GraphView, width: int, height: int) -> None:
    """Resize the view and wait until its plot has taken the new size."""
    box = view.plot_widget().getViewBox()
    before = (box.width(), box.height())
    view.resize(width, height)
    qtbot.waitUntil(lambda: (box.width(), box.height()) != before)


def _whole_graph_shown(view: FoldedGraphView) -> bool:
    (x0, x1), (y0, y1) = view.plot_widget().getViewBox().viewRange()
    points = [view.node_position(node) for node in view.displayed_values()["nodes"]]
    return all(x0 < x < x1 and y0 < y < y1 for x, y in points)


def _centre(view_range) -> tuple[float, float]:
    (x0, x1), (y0, y1) = view_range
    return (x0 + x1) / 2, (y0 + y1) / 2


def test_views_refit_on_resize_until_the_user_zooms(
    qtbot, folded: FoldedGraphView, unfolded: UnfoldedGraphView, settle
) -> None:
    box = folded.plot_widget().getViewBox()
    before = box.viewRange()
    _resize(qtbot, folded, 300, 500)
    settle()
    assert box.viewRange() != before and _whole_graph_shown(folded)  # refitted
    fitted = box.viewRange()
    _wheel(folded, 3)  # the user zooms in
    qtbot.waitUntil(lambda: box.viewRange() != fitted)
    zoomed = _centre(box.viewRange())
    assert not _whole_graph_shown(folded)
    _resize(qtbot, folded, 600, 500)
    settle()
    kept = box.viewRange()
    np.testing.assert_allclose(_centre(kept), zoomed, atol=1e-9)  # still about the same point
    fit_button = next(b for b in folded.findChildren(QToolButton) if b.text() == "Fit")
    qtbot.mouseClick(fit_button, Qt.MouseButton.LeftButton)
    fitted = box.viewRange()
    assert _whole_graph_shown(folded)
    assert not np.allclose(fitted, kept)  # the resize had kept the user's zoom, not refitted
    _resize(qtbot, folded, 500, 500)
    settle()
    resized = box.viewRange()
    assert not np.allclose(resized, fitted) and _whole_graph_shown(folded)
    qtbot.mouseClick(fit_button, Qt.MouseButton.LeftButton)
    np.testing.assert_allclose(box.viewRange(), resized)  # the resize had refitted already
    # the unfolded view shows every column after a resize
    _resize(qtbot, unfolded, 500, 400)
    settle()
    ux0, ux1 = unfolded.plot_widget().getViewBox().viewRange()[0]
    assert ux0 <= -0.5 and ux1 >= 6.5


@pytest.mark.parametrize("size", [(260, 340), (420, 300), (900, 500)])
def test_folded_wide_network_keeps_its_labels_apart(qtbot, session: Session, size, settle) -> None:
    """16 hidden units: the W label sits clear of the "h(t)" row label at every view size."""
    rng = np.random.default_rng(0)
    data = Dataset(
        "wide",
        (Sequence(np.eye(8)[rng.integers(0, 8, 20)], np.eye(8)[rng.integers(0, 8, 20)]),),
        tuple(f"i{k}" for k in range(8)),
        tuple(f"o{k}" for k in range(8)),
        output="softmax",
    )
    session.set_dataset(data, net=SRN.init(8, 16, 8, seed=0))
    view = FoldedGraphView(session)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.fit()
    settle()
    # the texts on screen: "W" and the hidden row's label ("h(t)", or "hidden h(t)" when wide)
    texts = [
        item
        for item in view.plot_widget().scene().items()
        if isinstance(item, pg.TextItem) and item.isVisible()
    ]
    (w_label,) = [t for t in texts if t.toPlainText() == "W"]
    (h_label,) = [t for t in texts if t.toPlainText().endswith("h(t)")]
    # the text itself: the items' rectangles less the margin around the text
    w_box, h_box = (
        item.sceneBoundingRect().adjusted(m, m, -m, -m)
        for item in (w_label, h_label)
        for m in [item.textItem.document().documentMargin()]
    )
    assert not w_box.intersects(h_box), (w_box, h_box)
    # and the rows are spread out: the graph is at least half as tall as it is wide on screen
    pos = np.array([view.node_position(node) for node in view.displayed_values()["nodes"]])
    corner = view.data_point(pos[:, 0].min(), pos[:, 1].min())
    other = view.data_point(pos[:, 0].max(), pos[:, 1].max())
    assert abs(other.y() - corner.y()) >= 0.5 * abs(other.x() - corner.x())


def test_folded_status_tells_forward_from_backward_at_the_same_step(
    folded: FoldedGraphView, session: Session
) -> None:
    """Forward and backward t = 3 show the same activations; the status line still says which."""
    T = session.trace.T
    session.seek(3)
    assert folded.displayed_values()["status"] == session.state.label == f"forward t = 3 / {T}"
    session.seek(2 * T + 1 - 3)  # backward t = 3
    assert session.state.label == "backward t = 3"
    assert folded.displayed_values()["status"] == "backward t = 3"


def test_unfolded_long_trace_shows_a_window_around_the_cursor(
    qtbot, unfolded: UnfoldedGraphView, session: Session, settle
) -> None:
    """A sequence longer than MAX_STEPS: the view shows at most MAX_STEPS columns, follows the
    cursor, builds only the columns around those on screen, and shows the trace's numbers
    there; a step repaints what a full redraw would draw."""
    from PySide6.QtGui import QGuiApplication

    from gui.widgets.time_window import MAX_STEPS

    T, I, H, O = 3000, 3, 16, 3
    session.set_dataset(_random_dataset(T, I, O), SRN.init(I, H, O, seed=5))
    box = unfolded.plot_widget().getViewBox()
    x0, x1 = box.viewRange()[0]
    assert x1 - x0 <= MAX_STEPS + 1.2 and x0 <= 0 <= x1
    box.setXRange(100, 300, padding=0)  # zoomed in: only the columns around these are built
    box.sigRangeChangedManually.emit([True, False])  # as a wheel reports it: no refit

    def narrow() -> bool:  # the columns built are those around the zoomed-in view
        first, last = unfolded.displayed_values().steps
        return last - first < 500

    qtbot.waitUntil(narrow)
    trace, sign = session.trace, session.notation.delta_sign
    for k in (150, 151, 1200, 2999, 3000, 3001, 3002, 4500, 5990, 6000, 5999):
        session.seek(k)
        state = session.state
        t = state.t
        shown = unfolded.displayed_values()
        first, last = shown.steps
        x0, x1 = box.viewRange()[0]
        assert x0 <= t <= x1 and first <= t <= last, (k, (x0, x1), shown.steps)
        assert last - first <= 4 * (x1 - x0)
        assert {n[1] for n in shown.node_ids} == set(range(first, last + 1))
        expected = expected_unfolded(trace, state, sign, shown.node_ids)
        np.testing.assert_array_equal(shown.values, expected, err_msg=f"position {k}")
        assert np.array_equal(shown.colour_index == UNKNOWN, np.isnan(expected))
        # the heatmap pixel of h3(t) has the colour of its value
        column = max(t, 1)
        strip = unfolded._strips["h"]
        strip.render()
        image = strip.qimage
        per_step = image.width() // (last - first + 1)
        pixel = image.pixelColor((column - first) * per_step, image.height() - 1 - 2)
        want = shown.fills[shown.index[("h", column, 2)]]
        assert pixel.getRgb() == tuple(int(v) for v in want), k
        settle(unfolded)  # its repaints done: the screen is what it last painted
        window = unfolded.window()
        screen = QGuiApplication.primaryScreen().grabWindow(window.winId()).toImage()
        fresh = window.grab().toImage()
        assert screen.convertToFormat(fresh.format()) == fresh, k


def test_unfolded_long_trace_zoomed_in_draws_single_units(
    qtbot, unfolded: UnfoldedGraphView, session: Session
) -> None:
    """Zoomed in on a long sequence, the few columns around the screen are built unit by unit:
    nodes show the trace's numbers, and nodes and edges answer hover and click."""
    T, I, H, O = 2500, 2, 4, 2
    session.set_dataset(_random_dataset(T, I, O), SRN.init(I, H, O, seed=5))
    box = unfolded.plot_widget().getViewBox()
    box.setXRange(1200, 1206, padding=0)
    box.sigRangeChangedManually.emit([True, False])
    qtbot.waitUntil(lambda: unfolded.lod == "detailed")
    trace, sign = session.trace, session.notation.delta_sign
    for k in (1203, 2 * T + 1 - 1204):
        session.seek(k)
        shown = unfolded.displayed_values()
        assert shown.lod == "detailed" and shown.steps[1] - shown.steps[0] < 40
        expected = expected_unfolded(trace, session.state, sign, shown.node_ids)
        np.testing.assert_array_equal(shown.values, expected)
        brushes = unfolded._nodes.brushes()
        assert len(brushes) == len(shown.node_ids)
        for i in range(len(brushes)):
            assert brushes[i].color().getRgb() == tuple(shown.fills[i].tolist())
    assert unfolded.selection_at(*unfolded.node_position(("h", 1203, 1))) == Selection(
        "node", "h", t=1203, unit=1
    )
    point = unfolded.edge_point("W", 1204, 0, 0, at=0.5)
    assert unfolded.selection_at(*point) == Selection("edge", "W", t=1204, row=0, col=0)
    assert unfolded.tooltip_at(*point).startswith(f"W[1,1] = {session.net.W[0, 0]:.3f}")


@pytest.mark.parametrize(
    "shape",
    [
        (8, 64, 8, False, "hidden", 0),
        (3, 5, 3, True, "hidden", 0),
        (3, 5, 3, False, "output", 0),
        (4, 6, 2, True, "output", 0),
        (3, 5, 3, True, "target", 0),
        (3, 5, 3, False, "none", 2),
    ],
    ids=["elman-loops", "elman-context", "jordan", "jordan-context", "teacher-forced", "tdl"],
)
def test_folded_straight_edges_all_at_once_are_the_edges_one_by_one(shape) -> None:
    """The segments drawn for many straight edges at once are exactly edge_polyline's, and
    every edge it curves is left to it."""
    from core.graphs import folded_arrays
    from gui.graph_views.folded import edge_polyline, straight_edges, straight_segments

    arrays = folded_arrays(*shape)
    edges = np.arange(len(arrays.edge_kind))
    straight = straight_edges(arrays, edges)
    assert straight.any()
    lines = straight_segments(arrays, edges[straight])
    for line, e in zip(lines, edges[straight].tolist(), strict=True):
        (piece,) = edge_polyline(arrays, e, 9)
        assert np.array_equal(piece, line)
    for e in edges[~straight].tolist():
        pieces = edge_polyline(arrays, e, 9)
        assert len(pieces) > 1 or len(pieces[0]) > 2  # a curve, or an arrowed one
