"""A tapped delay line (Bodén 2001 §4) through the window: built in the Network dock, drawn folded
(the delay buffer) and unfolded (the window sliding), with the activations and the inspector
showing its trace.

The session opens on the built-in example (I=4, H=5, O=3, T=6); the tests swap in a tapped delay
line of the same shape with window 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from core.cursor import position_of
from core.limits import MAX_WINDOW
from core.selection import Selection
from core.tdl import TDL
from gui.compare import CompareWindow
from gui.docks.network import NetworkPanel
from gui.docks.task import TaskPanel
from gui.graph_views import FoldedGraphView, UnfoldedGraphView
from gui.main_window import MainWindow
from gui.panels.activations import ActivationsPanel
from gui.panels.inspector import InspectorPanel
from gui.session import Session
from gui.timebar import PlaybackActions
from gui.training.controller import TrainingController
from gui.training.panel import TrainingPanel

WINDOW = 2


def tdl_session(notation: str = "deep-learning") -> Session:
    session = Session()
    net = session.net
    session.set_network(
        TDL.init(net.n_in, net.n_hidden, net.n_out, window=WINDOW, output=net.output, seed=3)
    )
    session.set_notation(notation)
    return session


def shown_view(qtbot, view):
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.mark.parametrize(
    "notation", ["deep-learning", "boden"], ids=["gradient-sign", "boden-sign"]
)
def test_unfolded_delay_line_forward_and_back(qtbot, notation: str) -> None:
    session = tdl_session(notation)
    view = shown_view(qtbot, UnfoldedGraphView(session))
    trace, T, sign = session.trace, session.trace.T, session.notation.delta_sign
    I, H = session.net.n_in, session.net.n_hidden
    for k in range(2 * T + 1):
        session.seek(k)
        state, shown = session.state, view.displayed_values()
        assert ("h", 0, 0) not in shown.index and ("y", 0, 0) not in shown.index
        for t in range(1, T + 1):
            for i in range(I):  # the sequence x(t): the first I units of the delay buffer
                if state.phase != "backward" and t <= state.forward_known:
                    assert shown.value("x", t, i) == trace.x[t - 1, i]
            for j in range(H):
                v = shown.value("h", t, j)
                if state.phase != "backward":
                    want = trace.h[t, j] if t <= state.forward_known else np.nan
                else:
                    want = sign * trace.delta_h[t - 1, j] if t >= state.backward_from else np.nan
                np.testing.assert_equal(v, want)
        assert shown.flow is None  # nothing flows back from step t+1: no recurrence
    n = session.notation  # the weights' legend names U and V only: there is no W
    assert any(text.startswith(f"{n['U']}, {n['V']} ") for text in shown.legend), shown.legend
    # the window slides: x(t-k) feeds h(t) through U_k, column k I + i of U = [U_0 U_1 U_2];
    # whichever of the crossing edges the pointer lands on, its text names that edge's ends
    point = view.edge_point("U", 4, 1, 2 * I + 3, at=0.75)
    picked, text = view.selection_at(*point), view.tooltip_at(*point)
    assert picked is not None and picked.layer == "U"
    r, c = picked.row, picked.col
    k, i = divmod(c, I)
    assert text.startswith(f"U[{r + 1},{c + 1}] = {session.net.U[r, c]:.3f}")
    assert f"{n['x']}{i + 1}({picked.t - k}) → {n['h']}{r + 1}({picked.t})" in text
    with qtbot.waitSignal(session.selectionChanged, timeout=2000) as blocker:
        x, y = view.node_position(("x", 2, 3))  # the input x4(2), which h(2..4) read
        QTest.mouseClick(
            view.plot_widget().viewport(), Qt.MouseButton.LeftButton, pos=view.data_point(x, y)
        )
    assert blocker.args[0] == Selection("node", "x", t=2, unit=3)


def test_folded_delay_buffer(qtbot) -> None:
    session = tdl_session()
    view = shown_view(qtbot, FoldedGraphView(session))
    net, trace = session.net, session.trace
    I, H = net.n_in, net.n_hidden
    assert not view.context_action().isEnabled()  # no context layer to draw
    session.seek(position_of(trace.T, "forward", 4))
    shown = view.displayed_values()
    u_edges = {key: val for key, val in shown["edges"].items() if key[0] == "U"}
    assert len(u_edges) == H * (WINDOW + 1) * I
    assert not any(key[0] == "W" for key in shown["edges"])
    for (_, r, c), (w, _, _) in u_edges.items():
        assert w == net.U[r, c]
    for k in range(WINDOW + 1):  # the buffer at t = 4 holds x(4), x(3), x(2)
        for i in range(I):
            assert shown["nodes"][("x", -k, i)] == trace.x[3, k * I + i]
            assert shown["nodes"][("x", -k, i)] == trace.x[3 - k, i]
    assert {"x(t)", "x(t-1)", "x(t-2)"} <= set(shown["texts"])
    assert any("delay line" in text for text in shown["texts"])
    assert "shift x(t-k) → x(t-k-1) per step" in shown["legend"]
    # clicking the buffer unit x_3(t-1) at t = 4 selects input 3 at step 3
    assert view.selection_at(*view.node_position(("x", -1, 2))) == Selection(
        "node", "x", t=3, unit=2
    )
    session.seek(0)  # at the start the buffer is empty and nothing is known
    assert all(np.isnan(v) for v in view.displayed_values()["nodes"].values())


def test_network_panel_builds_a_tapped_delay_line(qtbot) -> None:
    session = Session()
    panel = NetworkPanel(session)
    qtbot.addWidget(panel)
    assert (
        panel.window_box.maximum() == MAX_WINDOW and str(MAX_WINDOW) in panel.window_box.toolTip()
    )
    assert not panel.window_box.isEnabled() and panel.context_box.isEnabled()
    panel.network_box.setCurrentIndex(panel.network_box.findData("tdl"))
    assert panel.window_box.isEnabled() and not panel.context_box.isEnabled()
    assert not panel.h0_check.isEnabled()
    panel.window_box.setValue(4)
    panel.ask = lambda title, text: True
    assert panel.apply()
    net = session.net
    assert isinstance(net, TDL) and net.window == 4 and net.n_in == session.dataset.n_in
    assert session.trace.x.shape == (session.trace.T, 5 * net.n_in)
    assert "tapped delay line, window ω = 4" in panel.summary.text()
    assert f"{net.n_params} trainable parameters" in panel.summary.text()
    panel.network_box.setCurrentIndex(panel.network_box.findData("srn"))
    assert panel.apply() and not isinstance(session.net, TDL)
    assert "Current network (Elman)" in panel.summary.text()


def test_activations_and_inspector_for_a_delay_line(qtbot) -> None:
    session = tdl_session()
    acts, inspector = ActivationsPanel(session), InspectorPanel(session)
    for w in (acts, inspector):
        qtbot.addWidget(w)
    session.seek(position_of(session.trace.T, "forward", 4))
    shown = acts.displayed()
    assert np.all(np.isnan(shown.h[0]))  # no h(0) in a tapped delay line
    np.testing.assert_array_equal(shown.h[1:5], session.trace.h[1:5])
    assert "no recurrence" in shown.titles[0]
    session.seek(0)  # the default selection is h(1), not a missing h(0)
    assert "hidden unit h[1](1)" in inspector.displayed().text
    session.seek(2 * session.trace.T)
    session.select(Selection("node", "h", t=3, unit=1))
    explanation = inspector.displayed().explanation
    forward = explanation.step("forward")
    I = session.net.n_in
    assert len(forward.terms) == 1 + (WINDOW + 1) * I  # b and every buffer unit
    assert sum(term.value for term in forward.terms) == pytest.approx(session.trace.a[2, 1])
    assert "Σk Σi" in forward.equation and "Bodén (2001) §4" in forward.citation
    delta = explanation.step("delta")
    assert sum(term.value for term in delta.terms) * delta.factor == pytest.approx(
        session.trace.delta_h[2, 1]
    )
    assert any("no recurrence" in note for note in delta.notes)


def test_a_delay_line_trains_and_new_data_keeps_its_kind(qtbot) -> None:
    session = Session()
    controller = TrainingController(session)
    task, network = TaskPanel(session, controller), NetworkPanel(session, controller)
    training = TrainingPanel(session, controller)
    for w in (task, network, training):
        qtbot.addWidget(w)
    network.network_box.setCurrentIndex(network.network_box.findData("tdl"))
    network.window_box.setValue(2)
    network.ask = task.ask = lambda title, text: True
    assert network.apply()
    task.select_task("temporal-xor")
    task.set_param_values({"n_sequences": 4})
    task.fresh_check.setChecked(True)
    assert task.generate()
    net = session.net
    assert isinstance(net, TDL) and net.window == 2 and net.n_in == session.dataset.n_in
    training.epochs_box.setValue(3)
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        qtbot.mouseClick(training.train_button, Qt.MouseButton.LeftButton)
    assert len(controller.history) == 3
    trained = session.net
    assert isinstance(trained, TDL) and trained.window == 2
    assert not np.array_equal(trained.U, net.U)
    assert "window ω = 2" in network.summary.text()


def test_save_and_reopen_a_delay_line(qtbot, settings: QSettings, tmp_path, monkeypatch) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    errors: list[str] = []
    monkeypatch.setattr(window.files, "show_error", lambda title, text: errors.append(text))
    monkeypatch.setattr(window.files, "ask", lambda title, text: True)
    net = window.session.net
    tdl = TDL.init(net.n_in, 3, net.n_out, window=3, output=net.output, seed=5)
    window.session.set_network(tdl, modified=True)
    path = tmp_path / "tdl.json"
    assert window.files.save_as(str(path)) and not errors
    other = MainWindow(settings=QSettings(str(tmp_path / "b.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(other)
    monkeypatch.setattr(other.files, "show_error", lambda title, text: errors.append(text))
    monkeypatch.setattr(other.files, "ask", lambda title, text: True)
    assert other.files.open_model(str(path)) and not errors
    assert isinstance(other.session.net, TDL) and other.session.net.same_weights(tdl)
    # data of another shape: a new tapped delay line with the same window
    examples = Path(__file__).resolve().parents[2] / "resources" / "examples"
    assert other.files.open_sequences(str(examples / "xor_sequences.csv"))
    fresh = other.session.net
    assert isinstance(fresh, TDL) and fresh.window == 3 and fresh.n_in == other.session.dataset.n_in
    other.close()
    window.close()


def test_compare_mode_takes_a_delay_line(qtbot) -> None:
    session = tdl_session()
    playback = PlaybackActions(session, session)
    window = CompareWindow(session, playback)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    a, b = window.pair.traces.a, window.pair.traces.b
    assert isinstance(a.net, TDL) and isinstance(b.net, TDL)  # truncation: no effect on it
    assert a.loss == b.loss == session.trace.loss
    window.setup.choiceChanged.emit("context", "hidden", "output")
    assert "tapped delay line" in window.setup.message.text()
    assert window.pair.choice == ("truncation", (1, "sliding"), None)  # left as it was
    window.setup.choiceChanged.emit("hidden", "tanh", "logistic")
    assert window.setup.message.text() == ""
    assert window.pair.traces.b.net.hidden == "logistic"
    assert window.columns[1].heading.text() == "B: f = logistic"


def test_truncation_is_off_for_a_delay_line_and_says_why(qtbot, settings: QSettings) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    training = window.findChild(TrainingPanel)
    boxes = (window.truncation_box, training.truncation_box)
    assert all(box.isEnabled() for box in boxes)
    srn = window.session.net
    window.session.set_network(
        TDL.init(srn.n_in, srn.n_hidden, srn.n_out, window=2, output=srn.output, seed=0)
    )
    for box in boxes:
        assert not box.isEnabled() and "no recurrence" in box.toolTip()
    assert not window.k_box.isEnabled() and not training.k_box.isEnabled()
    window.session.set_network(srn)
    for box in boxes:
        assert box.isEnabled() and "no recurrence" not in box.toolTip()
    window.session.set_modified(False)
