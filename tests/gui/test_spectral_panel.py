"""The spectrum dock shows core.spectral's numbers, rescales W through the session, and the
state-space view draws the untrained network's states as a baseline (Kolen 1994).

The products are computed in a worker once the panel is shown; the tests wait for its end.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.analysis import baseline_space, hidden_states, state_space
from core.gradient_flow import loop_matrix, spectral_radius
from core.model import SRN
from core.spectral import (
    MAX_RADIUS,
    MIN_RADIUS,
    lag_summary,
    loop_eigenvalues,
    loop_singular_values,
    product_norms,
    with_spectral_radius,
)
from core.tasks import TASKS, make_task
from gui.analysis.gradient_flow import GradientFlowPanel
from gui.analysis.spectral import SpectralPanel
from gui.analysis.state_space import StateSpacePanel
from gui.session import NetworkOrigin, Session

WAIT_MS = 30_000


def _session(task: str = "letters", **init) -> Session:
    data = make_task(task)
    net = TASKS[task].network(data)
    if init:
        net = SRN.init(net.n_in, net.n_hidden, net.n_out, **init)
    return Session(net, data)


def shown(qtbot, panel):
    """Show ``panel`` and wait for its first job to finish."""
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.show()
    return panel


@pytest.fixture
def letters(qtbot):
    session = _session()
    return session, shown(qtbot, SpectralPanel(session))


def test_displayed_numbers_are_core_spectral(letters):
    session, panel = letters
    net, shown_ = session.net, panel.displayed()
    lam = loop_eigenvalues(net)
    np.testing.assert_allclose(shown_.eigenvalues, lam, atol=1e-12)
    np.testing.assert_allclose(shown_.singular_values, loop_singular_values(net), atol=1e-12)
    rho = spectral_radius(loop_matrix(net))
    assert shown_.radius == pytest.approx(rho)
    assert shown_.status.startswith(f"ρ(W) = {rho:.4g}")
    summary = lag_summary(product_norms(session.trace))
    n_lags = summary.shape[0]
    assert shown_.complete
    assert n_lags == min(40, session.trace.T - 1)  # lags 1..S
    np.testing.assert_array_equal(shown_.lags, np.arange(1, n_lags + 1))
    above = summary[:, 0] > shown_.low.min()  # drawn at their value, not on the floor
    np.testing.assert_allclose(shown_.median, summary[:, 1], atol=1e-12)
    np.testing.assert_allclose(shown_.low[above], summary[above, 0], atol=1e-12)
    np.testing.assert_allclose(shown_.high, summary[:, 2], atol=1e-12)
    np.testing.assert_allclose(shown_.reference, np.arange(1, n_lags + 1) * np.log10(rho))
    assert shown_.titles[0] == "eigenvalues of W, unit circle"
    assert shown_.legend == ("median over t", "least to largest", "ρ(W)^s", "1")
    assert shown_.spin == pytest.approx(round(rho, 3))


def test_hover_reads_out_an_eigenvalue_and_a_lag(letters):
    session, panel = letters
    lam = loop_eigenvalues(session.net)
    assert panel.hover_text("eigenvalue", 1).endswith(f"|λ1| = {abs(lam[0]):.4g}")
    row = lag_summary(product_norms(session.trace))[2]
    median = 10 ** row[1]
    exponent = int(np.floor(np.log10(median)))
    assert f"lag 3: median ‖·‖ = {median / 10**exponent:.3f}e{exponent:+03d}" in panel.hover_text(
        "lag", 3
    )


def test_typing_a_radius_and_enter_rescales_w_and_the_flow_follows(qtbot, letters):
    session, panel = letters
    flow = shown(qtbot, GradientFlowPanel(session))
    before = session.net
    box = panel.radius_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "1.5")
    with qtbot.waitSignals([panel.job.finished, flow.job.finished], timeout=WAIT_MS):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert session.net is not before
    assert spectral_radius(loop_matrix(session.net)) == pytest.approx(1.5, rel=1e-10)
    assert session.network_origin is NetworkOrigin.USER and session.modified
    assert session.untrained_net is session.net  # a rescaled network is a new start
    after = panel.displayed()
    assert after.radius == pytest.approx(1.5)
    assert after.status.startswith("ρ(W) = 1.5 ")
    np.testing.assert_allclose(np.abs(after.eigenvalues).max(), 1.5)
    assert flow.displayed().radius_W == pytest.approx(1.5)
    assert after.hint == "" and after.spin == 1.5


def test_the_apply_button_rescales_too(qtbot, letters):
    _, panel = letters
    panel.radius_box.setValue(0.25)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.apply_button.click()
    assert panel.displayed().radius == pytest.approx(0.25)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.rescale(2.0)  # the box follows the network, whoever rescaled it
    assert panel.displayed().spin == 2.0 and panel.displayed().radius == pytest.approx(2.0)


@pytest.mark.parametrize("radius", [-0.5, 10.01, float("nan")], ids=["negative", "above", "nan"])
def test_a_radius_out_of_bounds_is_refused_and_nothing_changes(letters, radius):
    session, panel = letters
    before, modified = session.net, session.modified
    assert panel.rescale(radius) is False
    assert session.net is before and session.modified == modified
    assert "spectral radius must be between 0 and 10" in panel.displayed().hint
    # the box itself holds no value outside the bounds
    assert (panel.radius_box.minimum(), panel.radius_box.maximum()) == (MIN_RADIUS, MAX_RADIUS)
    panel.radius_box.setValue(25.0)
    assert panel.radius_box.value() == MAX_RADIUS


def test_the_box_refuses_keys_that_leave_its_range(qtbot, letters):
    _, panel = letters
    box = panel.radius_box
    box.setFocus()
    box.lineEdit().clear()
    qtbot.keyClicks(box, "12")  # "1" is accepted, "12" is not
    assert box.lineEdit().text() == "1"


def test_zero_w_and_teacher_forcing_are_refused(qtbot):
    session = _session()
    session.set_network(session.net.with_params(W=np.zeros_like(session.net.W)))
    panel = shown(qtbot, SpectralPanel(session))
    before = session.net
    assert panel.rescale(1.0) is False
    assert session.net is before
    assert "spectral radius 0" in panel.displayed().hint
    data = make_task("letters")
    net = TASKS["letters"].network(data, context="target")
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        session.set_dataset(data, net)
    assert not panel.radius_box.isEnabled() and not panel.apply_button.isEnabled()
    assert panel.displayed().status == "teacher forcing: no loop"
    np.testing.assert_array_equal(panel.displayed().eigenvalues, np.zeros(net.n_hidden))


def test_jordan_network_shows_the_loop_through_v(qtbot):
    data = make_task("letters")
    session = Session(TASKS["letters"].network(data, context="output"), data)
    panel = shown(qtbot, SpectralPanel(session))
    lam = loop_eigenvalues(session.net)
    np.testing.assert_allclose(panel.displayed().eigenvalues, lam, atol=1e-12)
    assert panel.displayed().status.startswith("ρ(WV) = ")
    assert panel.displayed().titles[1] == "singular values of WV"


def test_raising_the_spectrum_raises_the_gradient_flow(qtbot, settings):
    from gui.docks.registry import DockId
    from gui.main_window import MainWindow

    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.docks[DockId.GRADIENTS].raise_()
    qtbot.waitUntil(lambda: window.docks[DockId.FLOW].visibleRegion().isEmpty())
    panel = window.panels[DockId.SPECTRAL]
    assert panel.job.worker is None  # tabbed away: nothing is computed
    window.docks[DockId.SPECTRAL].raise_()
    qtbot.waitUntil(lambda: not window.docks[DockId.FLOW].visibleRegion().isEmpty())
    assert not window.docks[DockId.SPECTRAL].visibleRegion().isEmpty()
    qtbot.waitUntil(lambda: panel.displayed().complete, timeout=WAIT_MS)


# -- the untrained baseline of the state space ----------------------------------------------------
def test_untrained_net_is_the_last_network_not_set_by_training():
    session = _session()
    start = session.net
    assert session.untrained_net is start
    trained = start.with_params(W=np.asarray(start.W) * 0.5)
    session.set_network(trained, origin=NetworkOrigin.TRAINING)
    assert session.untrained_net is start
    rescaled = with_spectral_radius(trained, 0.9)
    session.set_network(rescaled, origin=NetworkOrigin.USER)
    assert session.untrained_net is rescaled


def test_state_space_draws_the_untrained_states_in_the_same_axes(qtbot):
    session = _session()
    panel = StateSpacePanel(session)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.show()
    untrained = session.net
    same = panel.displayed()
    np.testing.assert_allclose(same.baseline, state_space(untrained, session.dataset, 0).cloud)
    assert "has not been trained" in same.baseline_note
    trained = untrained.with_params(W=np.asarray(untrained.W) * 1.7, U=np.asarray(untrained.U) * 2)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        session.set_network(trained, origin=NetworkOrigin.TRAINING)
    space = state_space(trained, session.dataset, 0)
    expected = baseline_space(space, hidden_states(untrained, session.dataset))
    shown_ = panel.displayed()
    np.testing.assert_allclose(shown_.baseline, expected.cloud, atol=1e-12)
    np.testing.assert_allclose(shown_.trajectory, space.trajectory, atol=1e-12)
    assert not np.allclose(shown_.baseline, space.cloud)  # two different clouds
    assert shown_.baseline_note.startswith("the network before training")
    assert "h(t), untrained network" in tuple(label.text for _, label in panel.legend.items)
    panel.untrained.click()
    assert panel.displayed().baseline.shape == (0, 2)
    panel.untrained.click()
    np.testing.assert_allclose(panel.displayed().baseline, expected.cloud, atol=1e-12)


def test_labels_follow_the_notation(letters):
    session, panel = letters
    session.set_notation("boden")  # Bodén's recurrent weights are U, the state y_j
    shown_ = panel.displayed()
    rho = spectral_radius(loop_matrix(session.net))
    assert shown_.status.startswith(f"ρ(U) = {rho:.4g}")
    assert shown_.titles == (
        "eigenvalues of U, unit circle",
        "singular values of U",
        "‖∂yj(t+s)/∂yj(t)‖ per lag s",
    )
    assert shown_.legend[2] == "ρ(U)^s"


def test_a_tapped_delay_line_cannot_be_rescaled(qtbot):
    from core.tdl import TDL

    session = _session()
    net = session.net
    session.set_network(TDL.init(net.n_in, net.n_hidden, net.n_out, window=2, seed=1))
    panel = shown(qtbot, SpectralPanel(session))
    assert not panel.radius_box.isEnabled() and not panel.apply_button.isEnabled()
    assert panel.displayed().status == "tapped delay line: no loop"
    before = session.net
    assert panel.rescale(1.0) is False and session.net is before
    assert "tapped delay line" in panel.displayed().hint


def test_a_hidden_panel_offers_the_new_networks_radius_once_it_is_shown(qtbot):
    """The radius box follows a network set while the panel was hidden (computed when shown)."""
    session = _session()
    panel = shown(qtbot, SpectralPanel(session))
    panel.hide()
    net = with_spectral_radius(session.net, 0.75)
    session.set_network(net)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.show()
    assert panel.radius_box.value() == pytest.approx(0.75, abs=1e-9)
    assert panel.displayed().spin == pytest.approx(0.75, abs=1e-9)
