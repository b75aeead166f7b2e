"""The gradient flow and gradient check panels show core's numbers, in every notation.

Session() opens on the built-in example (H=5, T=6). The flow panel must draw log10 of
core.gradient_flow.flow_matrix with the truncation window of within_window (Eq. 10;
Bodén 2001 section 5.1); the check panel must tabulate core.gradcheck.gradient_check.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import core.gradcheck
import gui.analysis.gradient_flow
from core.cursor import position_of
from core.gradcheck import gradient_check
from core.gradient_flow import (
    flow_matrix,
    jacobians_spectral_radius,
    spectral_radius,
    within_window,
)
from gui.analysis.gradient_check import GradCheckPanel
from gui.analysis.gradient_flow import GradientFlowPanel
from gui.session import Session

PARAMS = ("U", "W", "V", "b", "c", "h0")


@pytest.fixture
def session() -> Session:
    return Session()


@pytest.fixture
def flow(qtbot, session: Session) -> GradientFlowPanel:
    panel = GradientFlowPanel(session)
    qtbot.addWidget(panel)
    return panel


@pytest.fixture
def checker(qtbot, session: Session) -> GradCheckPanel:
    panel = GradCheckPanel(session)
    qtbot.addWidget(panel)
    return panel


# -- gradient flow ---------------------------------------------------------------------------------
def test_flow_image_is_log10_of_the_flow_matrix(session, flow) -> None:
    shown = flow.displayed()
    F = flow_matrix(session.trace)
    T = session.trace.T
    assert shown.image.shape == (T, T)
    assert_array_equal(np.isnan(shown.image), np.triu(np.ones((T, T), bool), k=1))
    assert_allclose(shown.image, np.log10(F), rtol=0, atol=0, equal_nan=True)
    assert_array_equal(shown.window, np.tril(np.ones((T, T), bool)))  # full BPTT keeps all
    assert_allclose(shown.radii, jacobians_spectral_radius(session.trace))
    assert shown.radius_W == spectral_radius(session.net.W)
    assert shown.label == "log10 ‖∂L(s)/∂h(t)‖"
    assert shown.legend == ("ρ(∂h(t)/∂h(t-1))", "ρ(W)", "1")
    # the drawn cells are the same numbers (x = t, y = s)
    assert_allclose(flow.map.shown().T, shown.image, equal_nan=True)


@pytest.mark.parametrize("mode", ["sliding", "chunked"])
def test_window_overlay_follows_the_truncation(session, flow, mode) -> None:
    full = flow.displayed().window
    session.set_truncation(2, mode)
    shown = flow.displayed()
    assert_array_equal(shown.window, within_window(session.trace))
    assert not np.array_equal(shown.window, full)
    # the matrix itself is the untruncated flow, whatever the truncation
    assert_allclose(shown.image, np.log10(flow_matrix(session.trace)), equal_nan=True)


def test_sliding_and_chunked_windows_differ(session, flow) -> None:
    session.set_truncation(2, "sliding")
    sliding = flow.displayed().window
    session.set_truncation(2, "chunked")
    chunked = flow.displayed().window
    assert not np.array_equal(sliding, chunked)
    assert chunked[1, 0] and not chunked[2, 1]  # L(2) reaches h(1); L(3) starts a new chunk
    assert sliding[2, 1]


def test_markers_follow_the_cursor_without_recomputing(session, flow, monkeypatch) -> None:
    T = session.trace.T
    assert flow.displayed().marker is None
    calls = []
    real = gui.analysis.gradient_flow.flow_matrix

    def counted(trace):  # the costly part of a new trace, which a step must not redo
        calls.append(1)
        return real(trace)

    monkeypatch.setattr(gui.analysis.gradient_flow, "flow_matrix", counted)
    session.seek(position_of(T, "forward", 3))
    assert flow.displayed().marker == ("row", 3)
    assert flow.displayed().radius_cursor == 3.0
    assert flow.marker.rect().center().y() == pytest.approx(2.0)  # row s at y = s - 1
    session.seek(position_of(T, "backward", 5))
    assert flow.displayed().marker == ("column", 5)
    assert flow.marker.rect().center().x() == pytest.approx(5.0)
    session.seek(0)
    assert flow.displayed().marker is None and flow.displayed().radius_cursor is None
    assert not calls
    session.set_truncation(2)  # a new trace: the spy sees what does recompute
    assert calls == [1]


def test_notation_relabels_the_flow(session, flow) -> None:
    session.set_notation("tutorial")
    shown = flow.displayed()
    assert shown.label == "log10 ‖∂E(s)/∂s(t)‖"
    assert shown.legend[1] == "ρ(Ws)"
    assert flow.hover_text(5, 2).startswith("‖∂E(5)/∂s(2)‖ = ")


def test_hover_gives_the_exact_norm(session, flow) -> None:
    F = flow_matrix(session.trace)
    text = flow.hover_text(5, 2)
    assert text.startswith(f"‖∂L(5)/∂h(2)‖ = {F[4, 1]:.3e}")
    assert "kept by truncation" in text
    session.set_truncation(2, "sliding")
    assert "cut off by truncation" in flow.hover_text(5, 2)
    assert "never reaches" in flow.hover_text(2, 5)


# -- gradient check --------------------------------------------------------------------------------
def test_check_table_equals_gradient_check(session, checker) -> None:
    trace = session.trace
    expected = gradient_check(session.net, trace.x, trace.d)
    shown = checker.displayed()
    assert shown.names == PARAMS
    assert tuple(r[0] for r in shown.rows) == ("U", "W", "V", "b", "c", "h⁽⁰⁾")
    assert shown.max_rel == tuple(expected.max_rel_error[p] for p in PARAMS)
    assert shown.sizes == tuple(np.size(expected.analytic[p]) for p in PARAMS)
    assert shown.max_abs == tuple(float(np.abs(expected.analytic[p]).max()) for p in PARAMS)
    assert all(shown.passed)
    assert shown.summary.startswith("all 6 parameters agree to ")
    assert "central differences, eps = 1e-06" in shown.summary
    assert not shown.stale


def test_detail_view_shows_the_arrays(session, checker) -> None:
    trace = session.trace
    expected = gradient_check(session.net, trace.x, trace.d)
    checker.select("W")
    shown = checker.displayed()
    assert shown.detail_name == "W"
    assert shown.detail_entries[:2] == ("W[1,1]", "W[1,2]")
    assert_array_equal(shown.analytic, expected.analytic["W"].ravel())
    assert_array_equal(shown.numerical, expected.numerical["W"].ravel())
    assert_array_equal(shown.rel_error, expected.rel_error["W"].ravel())


def test_check_follows_the_truncation_and_notation(session, checker) -> None:
    session.set_truncation(2, "sliding")
    trace = session.trace
    expected = gradient_check(session.net, trace.x, trace.d, truncation=2, mode="sliding")
    shown = checker.displayed()
    assert shown.max_rel == tuple(expected.max_rel_error[p] for p in PARAMS)
    assert "sliding k = 2" in shown.summary
    session.set_notation("tutorial")
    shown = checker.displayed()
    assert tuple(r[0] for r in shown.rows[:3]) == ("Wx", "Ws", "Wy")
    assert shown.detail_entries[0].startswith("Wx[")


def test_a_wrong_gradient_shows_fail(session, checker, monkeypatch) -> None:
    real = core.gradcheck.bptt

    def broken(*args, **kwargs):
        trace = real(*args, **kwargs)
        grads = dict(trace.grads)
        grads["W"] = grads["W"] * 1.01  # a 1 % error in dL/dW
        return replace(trace, grads=MappingProxyType(grads))

    monkeypatch.setattr(core.gradcheck, "bptt", broken)
    checker.button.click()
    shown = checker.displayed()
    row = shown.names.index("W")
    assert shown.rows[row][4] == "FAIL" and not shown.passed[row]
    assert sum(shown.passed) == 5
    assert "1 of 6 parameters DISAGREE" in shown.summary


def test_large_traces_wait_for_the_button(session, checker, monkeypatch) -> None:
    monkeypatch.setattr("gui.analysis.gradient_check.AUTO_CHECK_SIZE", 1)
    session.set_truncation(3, "chunked")
    assert checker.displayed().stale
    assert checker.displayed().summary.startswith("stale")
    checker.button.click()
    assert not checker.displayed().stale
    assert "chunked k = 3" in checker.displayed().summary


# -- Jordan networks -------------------------------------------------------------------------------
@pytest.mark.parametrize("context", ["output", "target"])
def test_flow_and_check_panels_follow_a_jordan_network(session, flow, checker, context) -> None:
    from core.gradient_flow import loop_matrix
    from core.model import SRN

    net = session.net
    jordan = SRN.init(net.n_in, net.n_hidden, net.n_out, context=context, seed=4)
    session.set_network(jordan)
    session.seek(position_of(session.trace.T, "backward", 3))
    shown = flow.displayed()
    from gui.analysis.gradient_flow import log_flow

    assert_allclose(shown.image, log_flow(flow_matrix(session.trace)), equal_nan=True)
    assert_allclose(shown.radii, jacobians_spectral_radius(session.trace), equal_nan=True)
    assert np.isnan(shown.radii[0])  # a Jordan network has no h(0) to differentiate by
    assert shown.radius_W == spectral_radius(loop_matrix(jordan))
    reference = "ρ(WV)" if context == "output" else "teacher forcing: no loop"
    assert shown.legend == ("ρ(∂h(t)/∂h(t-1))", reference, "1")
    if context == "target":  # nothing flows back between steps
        T = session.trace.T
        assert np.all(np.isneginf(shown.image[np.tril_indices(T, -1)]))
    checker.run_check()
    result = checker.displayed()
    assert all(result.passed) and not result.stale
    sizes = dict(zip(result.names, result.sizes, strict=True))
    assert sizes["W"] == net.n_hidden * net.n_out and sizes["U"] == net.n_hidden * net.n_in
