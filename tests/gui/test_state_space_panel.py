"""The state-space panel shows core.analysis's trajectory and dendrogram, and follows the cursor."""

from __future__ import annotations

import numpy as np
import pytest

import gui.analysis.state_space
from core.analysis import dendrogram, mean_by_symbol, state_space
from core.tasks import TASKS, make_task
from gui.analysis.state_space import StateSpacePanel
from gui.session import Session


def _session(task: str) -> Session:
    data = make_task(task)
    return Session(TASKS[task].network(data), data)


@pytest.fixture
def letters(qtbot):
    session = _session("letters")
    panel = StateSpacePanel(session)
    qtbot.addWidget(panel)
    return session, panel


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


def test_cursor_steps_do_not_recompute(letters, monkeypatch):
    session, panel = letters
    calls = []
    real = gui.analysis.state_space.state_space

    def counted(*args):  # the PCA over every sequence's states
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(gui.analysis.state_space, "state_space", counted)
    session.seek(5)
    session.set_sequence(2)
    assert calls == []
    expected = state_space(session.net, session.dataset, 2)  # projected with the same PCA
    np.testing.assert_allclose(panel.displayed().trajectory, expected.trajectory, atol=1e-12)
    session.set_network(TASKS["letters"].network(session.dataset, seed=1))
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
    panel = StateSpacePanel(_session("sine"))
    qtbot.addWidget(panel)
    shown = panel.displayed()
    assert "not symbols" in shown.message
    assert shown.leaf_labels == () and len(shown.segments) == 0
    assert len(shown.trajectory) == panel.session.trace.T + 1


def test_survives_a_data_set_change(letters):
    session, panel = letters
    sine = make_task("sine")
    session.set_dataset(sine, TASKS["sine"].network(sine))
    shown = panel.displayed()
    expected = state_space(session.net, sine, 0)
    np.testing.assert_allclose(shown.trajectory, expected.trajectory, atol=1e-12)
    assert "not symbols" in shown.message
    letters_data = make_task("letters")
    session.set_dataset(letters_data, TASKS["letters"].network(letters_data))
    assert panel.displayed().message == "" and panel.displayed().leaf_labels


def test_big_data_set_is_analysed_on_demand(letters):
    session, panel = letters
    reber = make_task("reber")
    session.set_dataset(reber, TASKS["reber"].network(reber))
    assert panel.displayed().stale and panel.recompute.isEnabled()
    assert len(panel.displayed().trajectory) == 0  # the old pictures belonged to other data
    panel.recompute.click()
    shown = panel.displayed()
    assert not shown.stale and not panel.recompute.isEnabled()
    expected = state_space(session.net, reber, 0)
    np.testing.assert_allclose(shown.trajectory, expected.trajectory, atol=1e-12)


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
    from gui.analysis.state_space import StateSpacePanel
    from gui.session import Session

    rng = np.random.default_rng(0)
    T = 60  # more steps than get point labels
    xs, ds = np.eye(3)[rng.integers(0, 3, T)], np.eye(2)[rng.integers(0, 2, T)]
    data = Dataset("long", (Sequence(xs, ds),), ("a", "b", "c"), ("p", "q"), output="softmax")
    session = Session(SRN.init(3, 4, 2, seed=1), data)
    panel = StateSpacePanel(session)
    qtbot.addWidget(panel)
    shown = panel.displayed()
    assert shown.trajectory.shape == (T + 1, 2)
    assert shown.point_labels == () or len(shown.point_labels) == 0


def test_jordan_network_path_starts_at_h1(qtbot):
    data = make_task("letters")
    session = Session(TASKS["letters"].network(data, context="output"), data)
    panel = StateSpacePanel(session)
    qtbot.addWidget(panel)
    expected = state_space(session.net, session.dataset, session.sequence_index)
    shown = panel.displayed()
    np.testing.assert_allclose(shown.trajectory, expected.trajectory[1:], atol=1e-12)
    assert shown.highlight is None  # at the start: a Jordan network has no h(0)
    session.seek(3)
    np.testing.assert_allclose(panel.displayed().highlight, expected.trajectory[3])
    legend = tuple(label.text for _, label in panel.legend.items)
    assert "h(1..T), this sequence" in legend and "h(1) (start)" in legend
