"""The panels show the trace's numbers at every cursor position, in every notation.

Session() opens on the built-in example (I=4, H=5, O=3, T=6). The tests drive the real
widgets and compare what each panel displays (its image arrays, bar heights, texts) with the trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.bptt import bptt
from core.cursor import position_of
from core.data import Dataset, Sequence
from core.derivation import cite
from core.explain import fmt
from core.model import SRN
from core.selection import Selection
from gui.encoding import round_magnitude
from gui.panels import ActivationsPanel, DeltasPanel, GradientsPanel, InspectorPanel, LossPanel
from gui.panels.gradients import gradient_encodings
from gui.session import Session

PANELS = (ActivationsPanel, DeltasPanel, GradientsPanel, LossPanel, InspectorPanel)


@pytest.fixture
def session() -> Iterator[Session]:
    yield Session()


@pytest.fixture
def panels(qtbot, session: Session) -> dict[str, object]:
    out = {}
    for cls in PANELS:
        panel = cls(session)
        qtbot.addWidget(panel)
        panel.resize(700, 450)
        panel.show()
        out[cls.__name__] = panel
    qtbot.waitExposed(out["GradientsPanel"])
    return out


def masked(full: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """full with rows outside lo:hi set to NaN (what a panel shows for unknown steps)."""
    out = np.full(full.shape, np.nan)
    out[lo:hi] = full[lo:hi]
    return out


def snapshot(panels: dict[str, object]) -> dict[str, object]:
    return {name: panel.displayed() for name, panel in panels.items()}  # type: ignore[attr-defined]


def check_against_trace(session: Session, shown: dict[str, object]) -> None:
    """Every panel's numbers equal the trace's, blank exactly where not yet known."""
    trace, state = session.trace, session.state
    k, first, t = state.forward_known, state.backward_from, state.t
    sign = session.notation.delta_sign
    act = shown["ActivationsPanel"]
    assert_array_equal(act.h, masked(trace.h, 0, k + 1))
    assert_array_equal(act.y, masked(trace.y, 0, k))
    assert_array_equal(act.d, trace.d)
    assert act.cursor == t
    deltas = shown["DeltasPanel"]
    assert_array_equal(deltas.delta_h, sign * masked(trace.delta_h, first - 1, trace.T))
    assert_array_equal(deltas.delta_o, sign * masked(trace.delta_o, first - 1, trace.T))
    assert deltas.cursor == (t if t >= 1 else None)
    for (lo, hi), full in zip(deltas.levels, (trace.delta_h, trace.delta_o), strict=True):
        # symmetric about 0, fixed for the trace, its largest magnitude rounded up
        assert lo == -hi == -round_magnitude(np.abs(full).max())
    grads = shown["GradientsPanel"]
    for p in trace.net.trainable():
        if state.phase == "backward":
            assert_array_equal(grads.contribution[p], trace.contribution(t)[p])
            np.testing.assert_allclose(grads.accumulated[p], trace.accumulated(t)[p], atol=1e-15)
        else:
            assert np.isnan(grads.contribution[p]).all()
            assert_array_equal(grads.accumulated[p], np.zeros_like(trace.net.params()[p]))
    loss = shown["LossPanel"]
    assert_array_equal(loss.loss, masked(trace.loss_t, 0, k))
    assert loss.cursor == (t if 1 <= t <= k else None)
    assert_array_equal(loss.visited, np.arange(1, trace.T + 1) >= first)
    if k == trace.T:
        assert loss.title.endswith(fmt(trace.loss))
    inspector = shown["InspectorPanel"]
    e = inspector.explanation
    assert inspector.default and e.selection == Selection("node", "h", t=t, unit=0)
    if state.phase == "backward":
        assert e.value == sign * trace.delta_h[t - 1, 0]
        assert f"= {fmt(sign * trace.delta_h[t - 1, 0])}" in inspector.text
    elif t >= 1:
        assert e.step("forward").value == trace.h[t, 0]


def test_stepping_forward_and_back_shows_the_trace_and_is_exact(session, panels) -> None:
    seen = []
    for k in range(session.n_positions):
        session.seek(k)
        shown = snapshot(panels)
        check_against_trace(session, shown)
        seen.append(shown)
    for k in range(session.n_positions - 1, -1, -1):
        session.seek(k)
        again = snapshot(panels)
        check_against_trace(session, again)
        for name in ("ActivationsPanel", "DeltasPanel", "LossPanel"):
            before, now = seen[k][name], again[name]
            for field in before.__dataclass_fields__:
                if field != "hover":
                    assert_array_equal(getattr(now, field), getattr(before, field))
        for p, arr in seen[k]["GradientsPanel"].accumulated.items():
            assert_array_equal(again["GradientsPanel"].accumulated[p], arr)
        assert again["InspectorPanel"].blocks == seen[k]["InspectorPanel"].blocks
        assert again["InspectorPanel"].text == seen[k]["InspectorPanel"].text


def test_notation_switch_relabels_and_flips_delta_signs(session, panels) -> None:
    session.seek(position_of(session.trace.T, "backward", 4))
    before = snapshot(panels)
    assert "∂L/∂W" in before["GradientsPanel"].titles
    session.set_notation("tutorial")
    shown = snapshot(panels)
    assert "∂E/∂Ws" in shown["GradientsPanel"].titles
    assert "Ws" in shown["InspectorPanel"].text and "δs[1](4)" in shown["InspectorPanel"].text
    session.set_notation("boden")
    shown = snapshot(panels)
    check_against_trace(session, shown)
    assert shown["DeltasPanel"].titles[0].startswith("hidden deltas δj(t) = -∂C/∂netj(t)")
    assert "yj(t) = tanh(netj(t))" in shown["ActivationsPanel"].titles[0]
    assert shown["LossPanel"].title.startswith("C = Σt C(t)")
    assert_array_equal(shown["DeltasPanel"].delta_h, -before["DeltasPanel"].delta_h)
    assert "δj[1](4)" in shown["InspectorPanel"].text
    assert "∂C/∂U" in shown["GradientsPanel"].titles  # Bodén's U is the recurrent matrix


def _only(settle, panel) -> None:
    """Make the panel the only window shown, and let its layout settle."""
    for other in QApplication.topLevelWidgets():  # the offscreen platform cannot raise windows
        if other is not panel:
            other.hide()
    settle()


def test_gradient_hover_shows_the_exact_value_and_click_selects(
    qtbot, session, panels, settle
) -> None:
    grads = panels["GradientsPanel"]
    t = 3
    session.seek(position_of(session.trace.T, "backward", t))
    _only(settle, grads)
    pos = grads.grid.pos_of("W", 1, 1, 2).toPoint()  # accumulated W, row 2, column 3
    qtbot.mouseMove(grads.grid, pos)
    qtbot.waitUntil(lambda: grads.displayed().hover.startswith("∂L/∂W[2,3]"))
    acc = session.trace.accumulated(t)["W"][1, 2]
    step = session.trace.contribution(t)["W"][1, 2]
    hover = grads.displayed().hover
    assert hover.startswith(f"∂L/∂W[2,3] = {acc:.6g}")
    assert f"this step adds {step:.6g}" in hover
    assert float(hover.split("=")[1].split()[0]) == pytest.approx(acc, rel=1e-5)
    with qtbot.waitSignal(session.selectionChanged):
        qtbot.mouseClick(grads.grid, Qt.MouseButton.LeftButton, pos=pos)
    assert session.selection == Selection("cell", "W", t=t, row=1, col=2)
    inspector = panels["InspectorPanel"].displayed()
    assert inspector.explanation.value == pytest.approx(acc)
    assert inspector.explanation.title == "gradient cell ∂L/∂W[2,3]"


def test_gradient_table_mode_shows_both_matrices(qtbot, session, panels) -> None:
    grads = panels["GradientsPanel"]
    t = 2
    session.seek(position_of(session.trace.T, "backward", t))
    assert grads.displayed().table is None
    qtbot.mouseClick(grads.table_button, Qt.MouseButton.LeftButton)
    grads.param_box.setCurrentIndex(grads.param_box.findData("V"))
    param, step, acc = grads.displayed().table
    want_step = session.trace.contribution(t)["V"]
    want_acc = session.trace.accumulated(t)["V"]
    assert param == "V" and len(step) == 3 and len(step[0]) == 5
    assert step == [[f"{v:.6g}" for v in row] for row in want_step]
    assert acc == [[f"{v:.6g}" for v in row] for row in want_acc]
    session.step()  # the table follows the cursor while shown
    _, step, _ = grads.displayed().table
    assert step == [[f"{v:.6g}" for v in row] for row in session.trace.contribution(t - 1)["V"]]
    session.seek(1)  # forward: no contribution, empty cells
    _, step, acc = grads.displayed().table
    assert all(text == "" for row in step for text in row)
    assert all(float(text) == 0 for row in acc for text in row)


def test_inspector_explains_a_selected_hidden_node_mid_backward(session, panels) -> None:
    inspector = panels["InspectorPanel"]
    trace = session.trace
    session.select(Selection("node", "h", t=3, unit=1))
    session.seek(position_of(trace.T, "backward", 4))  # δh(4) known, δh(3) not yet
    shown = inspector.displayed()
    delta = shown.explanation.step("delta")
    assert not shown.default and delta.value is None
    assert "δh[2](3) is computed at backward t = 3" in shown.text
    session.step()  # backward t = 3
    shown = inspector.displayed()
    delta = shown.explanation.step("delta")
    W, V = trace.net.W, trace.net.V
    bracket = W[:, 1] @ trace.delta_h[3] + V[:, 1] @ trace.delta_o[2]
    assert sum(term.value for term in delta.terms) == pytest.approx(bracket)
    assert delta.factor == pytest.approx(1 - trace.h[3, 1] ** 2)
    assert delta.value == trace.delta_h[2, 1]
    assert f"δh[2](3) = {fmt(trace.delta_h[2, 1])}" in shown.text
    assert fmt(W[0, 1]) in shown.text and fmt(trace.delta_h[3, 0]) in shown.text
    assert cite("delta-hidden", "derivative") in shown.text


def test_clicking_a_heatmap_cell_selects_the_node(qtbot, session, panels, settle) -> None:
    act = panels["ActivationsPanel"]
    session.seek(4)
    _only(settle, act)
    pos = act.grid.pos_of("h", 2, 3).toPoint()  # t = 2, unit 4
    with qtbot.waitSignal(session.selectionChanged):
        qtbot.mouseClick(act.grid, Qt.MouseButton.LeftButton, pos=pos)
    assert session.selection == Selection("node", "h", t=2, unit=3)
    assert panels["InspectorPanel"].displayed().explanation.title == "hidden unit h[4](2)"
    qtbot.mouseMove(act.grid, pos)
    qtbot.waitUntil(lambda: act.displayed().hover.startswith("h[4](2)"))
    assert act.displayed().hover == f"h[4](2) = {session.trace.h[2, 3]:.6g}"
    assert act.hover_text("h", 5, 0) == "h[1](5) = ?  (computed at forward t = 5)"


def test_trained_h0_gets_a_column_and_truncation_rebuilds(session, panels) -> None:
    session.set_network(replace(session.net, train_h0=True))
    session.seek(session.n_positions - 1)  # backward t = 1: dL/dh0 is known
    grads = panels["GradientsPanel"].displayed()
    assert "∂L/∂h⁽⁰⁾" in grads.titles
    assert_array_equal(grads.accumulated["h0"], session.trace.delta_h0)
    session.set_truncation(2, "chunked")
    check_against_trace(session, snapshot(panels))


def test_large_trace_works(qtbot, session, panels) -> None:
    T, I, H, O = 1000, 8, 64, 6
    rng = np.random.default_rng(0)
    x = np.eye(I)[rng.integers(0, I, T)]
    d = np.eye(O)[rng.integers(0, O, T)]
    names_in = tuple(f"in{i}" for i in range(I))
    names_out = tuple(f"out{k}" for k in range(O))
    data = Dataset("large", (Sequence(x, d),), names_in, names_out, output="softmax")
    session.set_dataset(data, net=SRN.init(I, H, O, seed=1))
    for k in (0, 1, 500, 1000, 1001, 1500, 2000):
        session.seek(k)
        check_against_trace(session, snapshot(panels))
    assert panels["ActivationsPanel"].displayed().h.shape == (T + 1, H)


@pytest.mark.parametrize("context", ["hidden", "output", "target"])
def test_gradient_colour_range_is_the_true_peak(context: str) -> None:
    """A Jordan network's dL/dW pairs delta_h with the context y(t-1): the range must cover the
    real partial sums, not those of an Elman network's h(t-1)."""
    rng = np.random.default_rng(4)
    net = SRN.init(3, 4, 2, seed=0, context=context)
    T = 12
    trace = bptt(net, rng.normal(size=(T, 3)), np.eye(2)[rng.integers(0, 2, T)])
    encodings = gradient_encodings(trace)
    for p in ("U", "W", "V"):
        peak = max(np.abs(trace.accumulated(t)[p]).max() for t in range(1, T + 1))
        assert encodings[p][1].magnitude == round_magnitude(peak), p
        step = max(np.abs(trace.contribution(t)[p]).max() for t in range(1, T + 1))
        assert step <= encodings[p][0].magnitude, p
        assert encodings[p][0].magnitude == round_magnitude(step), p


def test_long_trace_panels_show_a_window_around_the_cursor(session, panels) -> None:
    """Past MAX_STEPS steps the heatmaps and the loss bars show a window of steps that holds
    the cursor, with the trace's numbers in it (blank exactly where not known yet)."""
    from gui.widgets.time_window import MAX_STEPS

    T, I, H, O = 3000, 4, 8, 3
    rng = np.random.default_rng(1)
    x, d = np.eye(I)[rng.integers(0, I, T)], np.eye(O)[rng.integers(0, O, T)]
    names_in, names_out = tuple(f"in{i}" for i in range(I)), tuple(f"out{k}" for k in range(O))
    data = Dataset("long", (Sequence(x, d),), names_in, names_out, output="softmax")
    session.set_dataset(data, net=SRN.init(I, H, O, seed=2))
    trace = session.trace
    sign = session.notation.delta_sign
    for k in (0, 1, 1500, 2999, 3000, 3001, 4000, 5999, 6000, 2500):
        session.seek(k)
        state, shown = session.state, snapshot(panels)
        known, back, t = state.forward_known, state.backward_from, state.t
        act = shown["ActivationsPanel"]
        first, last = act.steps
        assert last - first + 1 == MAX_STEPS and first <= t <= last, (k, act.steps)
        assert act.cursor == t
        assert_array_equal(act.h, masked(trace.h, 0, known + 1)[first : last + 1])
        y_first = max(first, 1)
        assert_array_equal(act.y, masked(trace.y, 0, known)[y_first - 1 : last])
        assert_array_equal(act.d, trace.d[y_first - 1 : last])
        deltas = shown["DeltasPanel"]
        first, last = deltas.steps
        assert last - first + 1 == MAX_STEPS and first <= max(t, 1) <= last, (k, deltas.steps)
        full = sign * masked(trace.delta_h, back - 1, T)
        assert_array_equal(deltas.delta_h, full[first - 1 : last])
        assert_array_equal(
            deltas.delta_o, sign * masked(trace.delta_o, back - 1, T)[first - 1 : last]
        )
        loss = shown["LossPanel"]
        first, last = loss.steps
        assert last - first + 1 == MAX_STEPS and first <= max(t, 1) <= last, (k, loss.steps)
        assert_array_equal(loss.loss, masked(trace.loss_t, 0, known))
        assert loss.cursor == (t if 1 <= t <= known else None)
        grads = shown["GradientsPanel"]
        for p in trace.net.trainable():
            if state.phase == "backward":
                np.testing.assert_allclose(grads.accumulated[p], trace.accumulated(t)[p])
        x0, x1 = panels["LossPanel"].plot.getViewBox().viewRange()[0]
        assert x0 <= first - 0.5 and last + 0.5 <= x1 <= x0 + 1.05 * MAX_STEPS  # the window
