"""A Jordan network through the window: graph views, activations and the inspector show its trace.

The session opens on the built-in example (I=4, H=5, O=3, T=6); each test swaps in a Jordan
network of the same shape (context "output": the previous output is fed back; "target": teacher
forcing, the previous target is).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from core.cursor import position_of
from core.model import SRN
from core.selection import Selection
from gui.graph_views import FoldedGraphView, UnfoldedGraphView
from gui.panels.activations import ActivationsPanel
from gui.panels.inspector import InspectorPanel
from gui.session import Session

CONTEXTS = ["output", "target"]


def jordan_session(context: str, notation: str = "deep-learning") -> Session:
    session = Session()
    net = session.net
    session.set_network(
        SRN.init(net.n_in, net.n_hidden, net.n_out, output=net.output, context=context, seed=3)
    )
    session.set_notation(notation)
    return session


def shown_view(qtbot, view):
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize(
    "notation", ["deep-learning", "boden"], ids=["gradient-sign", "boden-sign"]
)
def test_unfolded_jordan_graph_forward_and_back(qtbot, context: str, notation: str) -> None:
    session = jordan_session(context, notation)
    view = shown_view(qtbot, UnfoldedGraphView(session))
    trace, T, sign = session.trace, session.trace.T, session.notation.delta_sign
    H, O = session.net.n_hidden, session.net.n_out
    for k in range(2 * T + 1):
        session.seek(k)
        state, shown = session.state, view.displayed_values()
        assert ("h", 0, 0) not in shown.index and ("y", 0, O - 1) in shown.index
        for u in range(O):  # column 0 holds the initial context y(0) = h0 (delta: dL/dh0)
            v = shown.value("y", 0, u)
            if state.phase != "backward":
                assert v == trace.net.h0[u]
            elif state.backward_from == 1:
                assert v == sign * trace.delta_h0[u]
            else:
                assert np.isnan(v)
        for t in range(1, T + 1):
            for j in range(H):
                v = shown.value("h", t, j)
                if state.phase != "backward":
                    want = trace.h[t, j] if t <= state.forward_known else np.nan
                else:
                    want = sign * trace.delta_h[t - 1, j] if t >= state.backward_from else np.nan
                np.testing.assert_equal(v, want)
            for q in range(O):
                if state.phase == "backward" and t >= state.backward_from:
                    assert shown.value("y", t, q) == sign * trace.delta_o[t - 1, q]
        flows = state.phase == "backward" and state.t < T and context == "output"
        assert shown.flow == ((state.t + 1, state.t) if flows else None)
    # a W edge runs from y(t-1) to h(t); clicking it selects that weight at step t
    text = view.tooltip_at(*view.edge_point("W", 3, 1, 2, at=0.5))
    assert text.startswith(f"W[2,3] = {session.net.W[1, 2]:.3f}")
    n = session.notation
    sender = f"{n['y'] if context == 'output' else n['d']}3(2)"  # d(t-1): teacher forcing
    kind = "output(t-1)" if context == "output" else "target(t-1)"
    assert text.splitlines()[1].startswith(kind) and f"{sender} → {n['h']}2(3)" in text
    with qtbot.waitSignal(session.selectionChanged, timeout=2000) as blocker:
        x, y = view.node_position(("y", 0, 1))
        QTest.mouseClick(
            view.plot_widget().viewport(), Qt.MouseButton.LeftButton, pos=view.data_point(x, y)
        )
    assert blocker.args[0] == Selection("node", "y", t=0, unit=1)


@pytest.mark.parametrize("context", CONTEXTS)
def test_folded_jordan_graph(qtbot, context: str) -> None:
    session = jordan_session(context)
    view = shown_view(qtbot, FoldedGraphView(session))
    net, trace = session.net, session.trace
    H, O = net.n_hidden, net.n_out
    shown = view.displayed_values()
    w_edges = {key: val for key, val in shown["edges"].items() if key[0] == "W"}
    assert len(w_edges) == H * O
    for (_, r, c), (w, _, _) in w_edges.items():
        assert w == net.W[r, c]
    # teacher forcing always draws the context units, which hold targets
    assert shown["elman_context"] == (context == "target")
    for u in range(O):  # at the start the initial context y(0) = h0 is what is known
        key = ("c", -1, u) if context == "target" else ("y", 0, u)
        if context == "target":
            assert np.isnan(shown["nodes"][key])
        else:
            assert shown["nodes"][key] == net.h0[u]
    view.set_elman_context(True)
    session.seek(4)
    shown = view.displayed_values()
    for u in range(O):
        assert shown["nodes"][("c", -1, u)] == trace.context[3, u]  # c(4) = y(3) or d(3)
    want = (
        trace.y[2] if context == "output" else trace.d[2]  # c(4) = d(3): teacher forcing
    )
    np.testing.assert_array_equal([shown["nodes"][("c", -1, u)] for u in range(O)], want)
    copy_text = [t for t in shown["legend"] if "copy" in t or "teacher" in t]
    if context == "output":
        assert copy_text == ["copy ŷ → c (weight 1)"]
    else:
        assert copy_text == ["c = previous target (teacher forcing)"]
    row_labels = "ŷ(t-1)" if context == "output" else "y(t-1)"  # Goodfellow et al. write targets y
    assert any(row_labels in text for text in shown["texts"])
    assert view.selection_at(*view.node_position(("c", -1, 2))) == Selection(
        "node", "y", t=3, unit=2
    )


@pytest.mark.parametrize("context", CONTEXTS)
def test_activations_and_inspector_for_a_jordan_network(qtbot, context: str) -> None:
    session = jordan_session(context)
    acts, inspector = ActivationsPanel(session), InspectorPanel(session)
    for w in (acts, inspector):
        qtbot.addWidget(w)
    session.seek(position_of(session.trace.T, "forward", 4))
    shown = acts.displayed()
    assert np.all(np.isnan(shown.h[0]))  # no h(0) in a Jordan network
    np.testing.assert_array_equal(shown.h[1:5], session.trace.h[1:5])
    fed = "ŷ" if context == "output" else "y"
    assert f"context {fed}(t-1)" in shown.titles[0]
    # the default selection at the start is the initial context, not a missing h(0)
    session.seek(0)
    text = inspector.displayed().text
    assert "initial context" in text and f"{fed}[1](0)" in text
    session.seek(2 * session.trace.T)
    session.select(Selection("node", "y", t=2, unit=0))
    explanation = inspector.displayed().explanation
    delta = explanation.step("delta")
    assert sum(term.value for term in delta.terms) == pytest.approx(session.trace.delta_o[1, 0])
    assert (len(delta.terms) == 3) == (context == "output")  # + the term through y(2) -> a(3)
