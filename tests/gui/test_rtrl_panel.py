"""The RTRL vs BPTT panel shows core's numbers: both running totals at the cursor, their gap, and
the costs the engines counted.

Session() opens on the built-in example (H = 5, T = 6). Each expectation here is computed again
from core (core.rtrl.rtrl, core.bptt.bptt, core.rtrl_compare), not read back from the panel's job.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from core.bptt import bptt
from core.model import PARAM_NAMES, SRN
from core.rtrl import rtrl
from core.rtrl_compare import AT_H, AT_T, cost_growth, counted_bptt, gap
from gui.analysis.rtrl_compare import RTRLComparePanel
from gui.session import Session

WAIT_MS = 30_000


@pytest.fixture
def session() -> Session:
    return Session()


@pytest.fixture
def panel(qtbot, session: Session) -> RTRLComparePanel:
    """The panel, shown, with its comparison and cost points computed."""
    panel = RTRLComparePanel(session)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.show()
    return panel


def expected(session: Session, p: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """RTRL's and BPTT's totals of p at cursor position k, from core directly."""
    tr = session.trace
    T = tr.T
    result = rtrl(tr.net, tr.x, tr.d, mask=tr.mask)
    if k == 0:
        return np.zeros_like(result.grads[p]), np.zeros_like(result.grads[p])
    if k <= T:
        return result.running[p][k - 1], np.zeros_like(result.grads[p])
    return result.grads[p], bptt(tr.net, tr.x, tr.d, mask=tr.mask).accumulated(2 * T + 1 - k)[p]


def test_heatmaps_show_both_totals_at_every_cursor_position(qtbot, session, panel) -> None:
    T = session.trace.T
    shown = panel.displayed()
    assert shown.param == "W"
    assert shown.titles == ("RTRL ∂L/∂W so far", "BPTT ∂L/∂W so far")
    for k in range(0, 2 * T + 1):
        session.seek(k)
        shown = panel.displayed()
        r, b = expected(session, "W", k)
        assert_allclose(shown.rtrl, r, rtol=0, atol=1e-12)
        assert_allclose(shown.bptt, b, rtol=0, atol=1e-12)
        assert shown.marker == k
    assert np.abs(shown.rtrl - shown.bptt).max() < 1e-12  # the end: the same gradient
    assert "backward t = 1: RTRL is complete" in shown.summary


def test_summary_gap_and_costs_are_cores(qtbot, session, panel) -> None:
    tr = session.trace
    T = tr.T
    result, full = rtrl(tr.net, tr.x, tr.d, mask=tr.mask), bptt(tr.net, tr.x, tr.d, mask=tr.mask)
    curve = gap(result, full, "W")
    shown = panel.displayed()
    assert_allclose(shown.gap, curve, rtol=0, atol=1e-12)
    assert curve[T] > 0.01 and curve[2 * T] < 1e-12
    session.seek(3)
    shown = panel.displayed()
    assert shown.summary.startswith("forward t = 3: RTRL holds ∂(L(1)+…+L(3))/∂W")
    assert f"max |RTRL − BPTT| = {curve[3]:.3g}" in shown.summary
    _, counted = counted_bptt(tr.net, tr.x, tr.d, tr.mask)
    costs = result.costs
    assert f"RTRL {costs.total:,} multiplications, {costs.memory:,} floats held" in shown.work
    assert f"BPTT {counted.total:,} multiplications, {counted.memory:,} floats held" in shown.work
    done = (
        f"done at the cursor: RTRL {costs.forward[:3].sum():,}, BPTT {counted.forward[:3].sum():,}"
    )
    assert done in shown.work


def test_every_parameter_and_the_shortcut(qtbot, session, panel) -> None:
    session.seek(session.trace.T + 2)  # backward t = T - 1
    first = panel.param_box.currentData()
    panel.next_action.trigger()
    assert panel.param_box.currentData() != first
    for p in PARAM_NAMES:
        panel.param_box.setCurrentIndex(panel.param_box.findData(p))
        shown = panel.displayed()
        r, b = expected(session, p, session.position)
        shape = r.shape if r.ndim == 2 else (r.size, 1)
        assert shown.param == p
        assert_allclose(shown.rtrl, r.reshape(shape), rtol=0, atol=1e-12)
        assert_allclose(shown.bptt, b.reshape(shape), rtol=0, atol=1e-12)
    assert "Ctrl+Alt+M" in panel.param_box.toolTip()


def test_growth_plots_show_the_counted_points(qtbot, session, panel) -> None:
    points = list(cost_growth(session.net))
    shown = panel.displayed()
    for alg in ("rtrl", "bptt"):
        by_h = [p for p in points if p.algorithm == alg and p.T == AT_T]
        by_t = [p for p in points if p.algorithm == alg and p.H == AT_H]
        assert_allclose(shown.growth[f"{alg} H"][0], [p.H for p in by_h])
        assert_allclose(shown.growth[f"{alg} H"][1], [p.per_step for p in by_h])
        assert_allclose(shown.growth[f"{alg} T"][0], [p.T for p in by_t])
        assert_allclose(shown.growth[f"{alg} T"][1], [p.memory for p in by_t])


def test_a_network_too_large_for_rtrl_is_named_not_run(qtbot, session, panel) -> None:
    net = session.net
    big = SRN.init(net.n_in, 300, net.n_out, output=net.output, seed=0)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        session.set_network(big)
    shown = panel.displayed()
    assert "RTRL for 300 hidden units" in shown.summary
    assert "more than the limit of 20,000,000" in shown.summary
    assert shown.work.strip() == ""


def test_a_long_rtrl_run_shows_progress_and_cancels(qtbot, session, panel) -> None:
    net = session.net
    # H = 200: some 1.7e9 multiplications a step, seconds for the sequence on any machine here
    big = SRN.init(net.n_in, 200, net.n_out, output=net.output, seed=0)
    session.set_network(big)
    qtbot.waitUntil(lambda: panel.job_bar.isVisible(), timeout=WAIT_MS)
    assert panel.job_bar.bar.text().startswith("RTRL: step ")
    assert panel.displayed().summary.startswith("computing RTRL")
    with qtbot.waitSignal(panel.job.cancelled, timeout=WAIT_MS):
        panel.job_bar.cancel_button.click()
    qtbot.waitUntil(lambda: panel.job.worker is not None and not panel.job.worker.is_running)
    assert not panel.job_bar.isVisible()
