"""The gradient flow panel shows core's numbers, in every notation (the gradient check panel has
its own tests in test_gradient_check_panel.py; here it follows a Jordan network).

Session() opens on the built-in example (H=5, T=6). The flow panel must draw log10 of
core.gradient_flow.flow_matrix with the truncation window of within_window (Eq. 10;
Bodén 2001 section 5.1).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import gui.analysis.gradient_flow
from core.cursor import position_of
from core.gradient_flow import (
    flow_matrix,
    jacobians_spectral_radius,
    spectral_radius,
    within_window,
)
from gui.analysis.gradient_check import GradCheckPanel
from gui.analysis.gradient_flow import GradientFlowPanel
from gui.session import Session

WAIT_MS = 30_000


@pytest.fixture
def session() -> Session:
    return Session()


@pytest.fixture
def flow(qtbot, session: Session) -> GradientFlowPanel:
    """The panel, shown, with its first matrix computed."""
    panel = GradientFlowPanel(session)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.show()
    return panel


def computed(qtbot, flow: GradientFlowPanel, change) -> None:
    """Make a change that retraces, and wait for the panel's new matrix."""
    with qtbot.waitSignal(flow.job.finished, timeout=WAIT_MS):
        change()


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
def test_window_overlay_follows_the_truncation(qtbot, session, flow, mode) -> None:
    full = flow.displayed().window
    computed(qtbot, flow, lambda: session.set_truncation(2, mode))
    shown = flow.displayed()
    assert_array_equal(shown.window, within_window(session.trace))
    assert not np.array_equal(shown.window, full)
    # the matrix itself is the untruncated flow, whatever the truncation
    assert_allclose(shown.image, np.log10(flow_matrix(session.trace)), equal_nan=True)


def test_sliding_and_chunked_windows_differ(qtbot, session, flow) -> None:
    computed(qtbot, flow, lambda: session.set_truncation(2, "sliding"))
    sliding = flow.displayed().window
    computed(qtbot, flow, lambda: session.set_truncation(2, "chunked"))
    chunked = flow.displayed().window
    assert not np.array_equal(sliding, chunked)
    assert chunked[1, 0] and not chunked[2, 1]  # L(2) reaches h(1); L(3) starts a new chunk
    assert sliding[2, 1]


def test_markers_follow_the_cursor_without_recomputing(qtbot, session, flow, monkeypatch) -> None:
    T = session.trace.T
    assert flow.displayed().marker is None
    calls = []
    real = gui.analysis.gradient_flow.flow_steps

    def counted(trace):  # the costly part of a new trace, which a step must not redo
        calls.append(1)
        return real(trace)

    monkeypatch.setattr(gui.analysis.gradient_flow, "flow_steps", counted)
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
    computed(qtbot, flow, lambda: session.set_truncation(2))  # a new trace: it does recompute
    assert calls == [1]


def test_notation_relabels_the_flow(session, flow) -> None:
    session.set_notation("tutorial")
    shown = flow.displayed()
    assert shown.label == "log10 ‖∂E(s)/∂s(t)‖"
    assert shown.legend[1] == "ρ(Ws)"
    assert flow.hover_text(5, 2).startswith("‖∂E(5)/∂s(2)‖ = ")


def test_hover_gives_the_exact_norm(qtbot, session, flow) -> None:
    F = flow_matrix(session.trace)
    text = flow.hover_text(5, 2)
    assert text.startswith(f"‖∂L(5)/∂h(2)‖ = {F[4, 1]:.3e}")
    assert "kept by truncation" in text
    computed(qtbot, flow, lambda: session.set_truncation(2, "sliding"))
    assert "cut off by truncation" in flow.hover_text(5, 2)
    assert "never reaches" in flow.hover_text(2, 5)


# -- Jordan networks -------------------------------------------------------------------------------
@pytest.mark.parametrize("context", ["output", "target"])
def test_flow_and_check_panels_follow_a_jordan_network(qtbot, session, flow, context) -> None:
    from core.gradient_flow import loop_matrix
    from core.model import SRN

    net = session.net
    jordan = SRN.init(net.n_in, net.n_hidden, net.n_out, context=context, seed=4)
    computed(qtbot, flow, lambda: session.set_network(jordan))
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
    checker = GradCheckPanel(session)
    qtbot.addWidget(checker)
    with qtbot.waitSignal(checker.job.finished, timeout=30_000):
        checker.show()
    result = checker.displayed()
    assert all(result.passed) and not result.stale
    sizes = dict(zip(result.names, result.sizes, strict=True))
    assert sizes["W"] == net.n_hidden * net.n_out and sizes["U"] == net.n_hidden * net.n_in


# -- the window's border ---------------------------------------------------------------------------
def outline_by_cells(mask: np.ndarray) -> tuple[list[float], list[float]]:
    """The border of the True cells, cell by cell: above, below, left, right (reference)."""
    xs: list[float] = []
    ys: list[float] = []
    rows, cols = mask.shape
    inside = lambda r, c: 0 <= r < rows and 0 <= c < cols and mask[r, c]  # noqa: E731
    for r, c in zip(*np.nonzero(mask), strict=True):
        x, y = c + 1.0, float(r)
        for (dr, dc), (x0, x1, y0, y1) in (
            ((-1, 0), (x - 0.5, x + 0.5, y - 0.5, y - 0.5)),
            ((1, 0), (x - 0.5, x + 0.5, y + 0.5, y + 0.5)),
            ((0, -1), (x - 0.5, x - 0.5, y - 0.5, y + 0.5)),
            ((0, 1), (x + 0.5, x + 0.5, y - 0.5, y + 0.5)),
        ):
            if not inside(r + dr, c + dc):
                xs += [x0, x1]
                ys += [y0, y1]
    return xs, ys


@pytest.mark.parametrize("mode", ["full", "sliding", "chunked", "random"])
def test_window_outline_is_the_border_of_the_kept_cells(mode) -> None:
    from gui.analysis.gradient_flow import window_outline

    T = 9
    if mode == "random":
        mask = np.random.default_rng(3).random((T, T)) < 0.5
    else:
        mask = np.tril(np.ones((T, T), bool))
        if mode != "full":
            s, t = np.indices((T, T))
            mask &= (s - t < 3) if mode == "sliding" else (s // 3 == t // 3)
    xs, ys = window_outline(mask)
    want_x, want_y = outline_by_cells(mask)
    assert_array_equal(xs, want_x)
    assert_array_equal(ys, want_y)


# -- computed off the GUI thread, only when seen ---------------------------------------------------
def test_flow_is_computed_only_once_its_dock_is_raised(qtbot, settings) -> None:
    from gui.docks.registry import DockId
    from gui.main_window import MainWindow

    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    panel = window.panels[DockId.FLOW]
    assert isinstance(panel, GradientFlowPanel)
    window.show()
    qtbot.waitExposed(window)
    window.session.set_truncation(2, "sliding")  # tabbed behind another dock
    assert panel.job.worker is None
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        window.docks[DockId.FLOW].raise_()
    shown = panel.displayed()
    assert_allclose(shown.image, np.log10(flow_matrix(window.session.trace)), equal_nan=True)
    assert_array_equal(shown.window, within_window(window.session.trace))
