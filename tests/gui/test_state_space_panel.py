"""The state-space panel shows core.analysis's trajectory and dendrogram, and follows the cursor.

The analysis runs in a worker thread once the panel is shown; the tests wait for its end.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

import gui.analysis.state_space
from core.analysis import dendrogram, mean_by_symbol, state_space
from core.tasks import TASKS, make_task
from gui.analysis.state_space import StateSpacePanel
from gui.session import Session

WAIT_MS = 30_000
#: longest hold of a gated analysis: shorter than closing a panel waits for its thread, so a
#: test that fails while holding one still ends its thread
GATE_S = 5.0


def _session(task: str) -> Session:
    data = make_task(task)
    return Session(TASKS[task].network(data), data)


def shown_panel(qtbot, session: Session) -> StateSpacePanel:
    """The panel, shown, with its first analysis done."""
    panel = StateSpacePanel(session)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.show()
    return panel


def analysed(qtbot, panel: StateSpacePanel, change) -> None:
    """Make a change that needs a new analysis, and wait for it."""
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        change()


@pytest.fixture
def letters(qtbot):
    session = _session("letters")
    return session, shown_panel(qtbot, session)


def test_trajectory_is_core_state_space(letters):
    session, panel = letters
    expected = state_space(session.net, session.dataset, session.sequence_index)
    shown = panel.displayed()
    np.testing.assert_allclose(shown.trajectory, expected.trajectory, atol=1e-12)
    assert shown.cloud_size == len(expected.cloud)
    ratio = expected.pca.explained_variance_ratio
    assert shown.x_label == f"PC1 ({100 * ratio[0]:.0f}% of variance)"
    assert shown.y_label == f"PC2 ({100 * ratio[1]:.0f}% of variance)"
    assert set(shown.point_labels) <= set(session.dataset.sequences[0].symbols)
    assert shown.point_labels and not shown.stale


def test_other_sequence_projects_with_the_same_pca(letters):
    session, panel = letters
    assert ", sequence 1, " in panel.displayed().title  # numbered as the toolbar's "1 / N"
    session.set_sequence(3)
    expected = state_space(session.net, session.dataset, 3)
    np.testing.assert_allclose(panel.displayed().trajectory, expected.trajectory, atol=1e-12)
    assert ", sequence 4, " in panel.displayed().title


@pytest.mark.parametrize(
    ("position", "t"),
    [(0, 0), (1, 1), (4, 4), ("backward", 2)],
    ids=["start-h0", "forward-1", "forward-4", "backward-2"],
)
def test_highlight_follows_the_cursor(letters, position, t):
    session, panel = letters
    T = session.trace.T
    session.seek(2 * T - t + 1 if position == "backward" else position)
    assert session.state.t == t
    shown = panel.displayed()
    assert shown.t == t
    np.testing.assert_allclose(shown.highlight, shown.trajectory[t])


def test_cursor_steps_do_not_recompute(qtbot, letters, monkeypatch):
    session, panel = letters
    calls = []
    real = gui.analysis.state_space.state_space

    def counted(*args, **kwargs):  # the PCA over every sequence's states (in the worker)
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(gui.analysis.state_space, "state_space", counted)
    session.seek(5)
    session.set_sequence(2)
    assert calls == []
    expected = state_space(session.net, session.dataset, 2)  # projected with the same PCA
    np.testing.assert_allclose(panel.displayed().trajectory, expected.trajectory, atol=1e-12)
    analysed(
        qtbot, panel, lambda: session.set_network(TASKS["letters"].network(session.dataset, seed=1))
    )
    assert calls == [1]


def test_notation_changes_the_labels(letters):
    session, panel = letters
    before = panel.displayed()
    session.set_notation("boden")
    after = panel.displayed()
    assert after.title != before.title and "yj" in after.title
    assert panel.tree.titleLabel.text != "" and "yj" in panel.tree.titleLabel.text
    assert "yj" in panel.legend.items[0][1].text


def test_dendrogram_leaves_are_the_symbols(letters):
    session, panel = letters
    labels, means = mean_by_symbol(session.net, session.dataset)
    tree = dendrogram(labels, means, method="average")
    shown = panel.displayed()
    assert sorted(shown.leaf_labels) == sorted(
        {s for seq in session.dataset.sequences for s in seq.symbols}
    )
    assert shown.leaf_labels == tree.leaf_labels
    np.testing.assert_allclose(shown.segments, tree.segments())
    assert shown.message == ""


def test_context_selector_groups_by_pairs(letters):
    session, panel = letters
    panel.context.setCurrentIndex(1)
    labels, _ = mean_by_symbol(session.net, session.dataset, context=1)
    assert sorted(panel.displayed().leaf_labels) == sorted(labels)


def test_no_symbols_shows_a_message(qtbot):
    panel = shown_panel(qtbot, _session("sine"))
    shown = panel.displayed()
    assert "not symbols" in shown.message
    assert shown.leaf_labels == () and len(shown.segments) == 0
    assert len(shown.trajectory) == panel.session.trace.T + 1


def test_survives_a_data_set_change(qtbot, letters):
    session, panel = letters
    sine = make_task("sine")
    analysed(qtbot, panel, lambda: session.set_dataset(sine, TASKS["sine"].network(sine)))
    shown = panel.displayed()
    expected = state_space(session.net, sine, 0)
    np.testing.assert_allclose(shown.trajectory, expected.trajectory, atol=1e-12)
    assert "not symbols" in shown.message
    letters_data = make_task("letters")
    net = TASKS["letters"].network(letters_data)
    analysed(qtbot, panel, lambda: session.set_dataset(letters_data, net))
    assert panel.displayed().message == "" and panel.displayed().leaf_labels


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch):
    """Hold every analysis after its first batch of hidden states until the test sets it."""
    import gui.analysis.state_space as module
    from core.analysis import hidden_states_steps

    opened = threading.Event()

    def held(*args: Any, **kwargs: Any):
        for i, progress in enumerate(hidden_states_steps(*args, **kwargs)):
            yield progress
            if i == 0:
                opened.wait(GATE_S)

    monkeypatch.setattr(module, "hidden_states_steps", held)
    yield opened
    opened.set()


def test_a_big_data_set_shows_progress_can_be_cancelled_and_recomputed(qtbot, letters, gate):
    session, panel = letters
    reber = make_task("reber")  # about 11 000 states, in batches
    session.set_dataset(reber, TASKS["reber"].network(reber))
    assert len(panel.displayed().trajectory) == 0  # the old pictures belonged to other data
    qtbot.waitUntil(panel.job_bar.isVisible, timeout=WAIT_MS)  # the first batch is in
    n = sum(seq.T for seq in reber.sequences)
    assert panel.job_bar.bar.format().startswith("hidden states: ")
    assert panel.job_bar.bar.format().endswith(f" / {n:,}")
    assert 0 < panel.job_bar.bar.value() < n
    assert panel.status.text() == f"analysing {n:,} states"
    assert not panel.recompute.isEnabled() and panel.displayed().stale
    worker = panel.job.worker
    assert worker is not None
    with qtbot.waitSignals([worker.aborted, worker.finished], timeout=WAIT_MS):
        panel.job_bar.cancel_button.click()
        gate.set()
    assert not panel.job_bar.isVisible() and not panel.job.running
    assert panel.displayed().stale and panel.recompute.isEnabled()
    assert panel.status.text() == f"⚠ out of date: {n:,} states"
    session.set_sequence(2)  # a cancelled analysis is not restarted by a new sequence
    assert not panel.job.running
    analysed(qtbot, panel, panel.recompute.click)
    shown = panel.displayed()
    assert not shown.stale and not panel.recompute.isEnabled()
    expected = state_space(session.net, reber, 2)
    np.testing.assert_allclose(shown.trajectory, expected.trajectory, atol=1e-12)
    assert shown.cloud_size == n


def test_nothing_is_analysed_before_the_window_is_shown_or_while_tabbed_away(qtbot, settings):
    from gui.docks.registry import DockId
    from gui.main_window import MainWindow
    from main import open_task

    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    panel = window.panels[DockId.STATE_SPACE]
    assert isinstance(panel, StateSpacePanel)
    open_task(window, "letters")
    window.show()
    qtbot.waitExposed(window)
    open_task(window, "anbn")  # tabbed behind another dock
    assert panel.job.worker is None
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        window.docks[DockId.STATE_SPACE].raise_()
    session = window.session
    expected = state_space(session.net, session.dataset, session.sequence_index)
    np.testing.assert_allclose(panel.displayed().trajectory, expected.trajectory, atol=1e-12)


def test_narrow_panel_stacks_the_plots(letters):
    _, panel = letters
    panel.resize(400, 700)
    panel.show()
    assert panel.body.direction() == panel.body.Direction.TopToBottom
    panel.resize(800, 400)
    assert panel.body.direction() == panel.body.Direction.LeftToRight


def test_long_sequences_draw_without_point_labels(qtbot) -> None:
    import numpy as np

    from core.data import Dataset, Sequence
    from core.model import SRN
    from gui.session import Session

    rng = np.random.default_rng(0)
    T = 60  # more steps than get point labels
    xs, ds = np.eye(3)[rng.integers(0, 3, T)], np.eye(2)[rng.integers(0, 2, T)]
    data = Dataset("long", (Sequence(xs, ds),), ("a", "b", "c"), ("p", "q"), output="softmax")
    session = Session(SRN.init(3, 4, 2, seed=1), data)
    panel = shown_panel(qtbot, session)
    shown = panel.displayed()
    assert shown.trajectory.shape == (T + 1, 2)
    assert shown.point_labels == () or len(shown.point_labels) == 0


def test_jordan_network_path_starts_at_h1(qtbot):
    data = make_task("letters")
    session = Session(TASKS["letters"].network(data, context="output"), data)
    panel = shown_panel(qtbot, session)
    expected = state_space(session.net, session.dataset, session.sequence_index)
    shown = panel.displayed()
    np.testing.assert_allclose(shown.trajectory, expected.trajectory[1:], atol=1e-12)
    assert shown.highlight is None  # at the start: a Jordan network has no h(0)
    session.seek(3)
    np.testing.assert_allclose(panel.displayed().highlight, expected.trajectory[3])
    legend = tuple(label.text for _, label in panel.legend.items)
    assert "h(1..T), this sequence" in legend and "h(1) (start)" in legend
