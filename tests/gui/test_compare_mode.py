"""Compare mode: both runs follow the one cursor, and every number shown is core.compare's."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from core.compare import Twin, bias_meter, gradient_difference, run_twins, train_twins
from core.cursor import position_of, state_at
from core.gradient_flow import loop_matrix, spectral_radius
from core.limits import MAX_WINDOW
from core.model import SRN
from core.tasks import TASKS, make_task
from core.tdl import TDL
from core.training import TrainConfig
from gui.compare import CompareWindow
from gui.main_window import MainWindow
from gui.session import Session
from gui.timebar import PlaybackActions


@pytest.fixture
def compare(qtbot) -> Iterator[CompareWindow]:
    session = Session()  # the explorer's session and stepping keys, without its window
    playback = PlaybackActions(session, session)
    w = CompareWindow(session, playback)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w


def _reference(w: CompareWindow) -> Twin:
    """The twin the window opens with, from the network on screen."""
    return Twin.of("truncation", (1, "sliding"), None)


def _expected(w: CompareWindow, twin: Twin):
    s = w.session
    seq = s.dataset.sequences[s.sequence_index]
    return run_twins(s.net, twin, seq.x, seq.d)


def test_opens_on_bptt1_against_full_with_both_columns_named(compare: CompareWindow) -> None:
    assert compare.setup.current() == ("truncation", (1, "sliding"), None)
    assert compare.columns[0].heading.text() == "A: sliding BPTT(1)"
    assert compare.columns[1].heading.text() == "B: full BPTT"
    assert compare.pair.traces.a.truncation == 1 and compare.pair.traces.b.truncation is None


@pytest.mark.parametrize("position", [0, 3, 7, 9, 12])
def test_both_columns_show_their_own_trace_at_the_one_cursor(compare, position) -> None:
    compare.session.seek(position)
    expected = _expected(compare, _reference(compare))
    for column, trace in zip(compare.columns, (expected.a, expected.b), strict=True):
        state = state_at(trace, position)
        shown = column.deltas.displayed()
        known = np.arange(trace.T) >= state.backward_from - 1
        assert np.allclose(shown.delta_h[known], trace.delta_h[known], rtol=0, atol=1e-15)
        assert np.isnan(shown.delta_h[~known]).all()
        grads = column.gradients.displayed()
        for p in ("U", "W", "V", "b", "c"):
            assert np.allclose(grads.accumulated[p], state.accumulated[p], rtol=0, atol=1e-15)
        assert column.unfolded.displayed_values().position == position


def test_stepping_moves_both_runs_and_the_explorer_together(compare: CompareWindow) -> None:
    T = compare.session.trace.T
    for k in range(1, 2 * T + 1):
        QTest.keyClick(compare, Qt.Key.Key_Right)
        assert compare.session.position == k
        assert [s.position for s in compare.pair.sessions] == [k, k]
        labels = {c.deltas.displayed().cursor for c in compare.columns}
        assert len(labels) == 1  # the same step is marked on both sides
    assert compare.timebar.label.text() == "backward t = 1"


@pytest.mark.parametrize("position", [0, 8, 10, 12])
def test_bias_table_shows_core_numbers(compare, position) -> None:
    compare.session.seek(position)
    expected = _expected(compare, _reference(compare))
    here = bias_meter(expected.a, expected.b, position)
    whole = bias_meter(expected.a, expected.b)
    texts = compare.bias.displayed()
    assert [r.name for r in whole.rows] == ["U", "W", "V", "b", "c", "total"]
    for i, row in enumerate(whole.rows):
        assert texts[i][2] == f"{row.relative:.6g}"
        assert texts[i][3] == f"{row.cosine:.6g}"
        if here is None:
            assert texts[i][:2] == ["", ""]  # undefined before the backward sweep
        else:
            r = here.row(row.name)
            for text, value in zip(texts[i][:2], (r.relative, r.cosine), strict=True):
                assert text == ("" if math.isnan(value) else f"{value:.6g}")


@pytest.mark.parametrize("position", [2, 9, 12])
def test_difference_heatmap_is_core_difference(compare, position) -> None:
    compare.session.seek(position)
    expected = _expected(compare, _reference(compare))
    at_cursor, whole = compare.difference.displayed()
    here = gradient_difference(expected.a, expected.b, position)
    total = gradient_difference(expected.a, expected.b)
    backward = position > expected.a.T
    for p in total:
        assert np.allclose(whole[p].ravel(), total[p].ravel(), rtol=0, atol=1e-15)
        if backward:
            assert np.allclose(at_cursor[p].ravel(), here[p].ravel(), rtol=0, atol=1e-15)
        else:
            assert np.isnan(at_cursor[p]).all()
    assert np.abs(whole["W"]).max() > 0  # truncation really changed W's gradient


def test_choosing_radii_rescales_w_on_both_sides(compare, qtbot) -> None:
    bar = compare.setup
    bar.variation.setCurrentIndex(bar.variation.findData("radius"))
    assert bar.current() == ("radius", 0.9, 1.1)
    a, b = compare.pair.traces.a.net, compare.pair.traces.b.net
    assert spectral_radius(loop_matrix(a)) == pytest.approx(0.9)
    assert spectral_radius(loop_matrix(b)) == pytest.approx(1.1)
    bar.sides[1].radius.setValue(1.5)
    assert spectral_radius(loop_matrix(compare.pair.traces.b.net)) == pytest.approx(1.5)
    assert compare.columns[1].heading.text() == "B: ρ = 1.5"
    # the columns draw the new networks' traces
    trace = compare.pair.traces.b
    compare.session.seek(2 * trace.T)
    grads = compare.columns[1].gradients.displayed()
    assert np.allclose(grads.accumulated["W"], trace.grads["W"], rtol=0, atol=1e-15)


def test_a_refused_choice_names_the_problem_and_changes_nothing(compare) -> None:
    session = compare.session
    forced = SRN.init(4, 5, 3, seed=1, context="target")
    session.set_network(forced)
    before = compare.pair.traces
    bar = compare.setup
    bar.variation.setCurrentIndex(bar.variation.findData("radius"))
    assert "teacher forcing" in bar.message.text()
    assert compare.pair.traces is before
    assert compare.pair.choice[0] == "truncation"


def test_a_new_network_on_screen_reruns_both_sides(compare) -> None:
    compare.session.set_network(SRN.init(4, 5, 3, seed=9))
    expected = _expected(compare, _reference(compare))
    for p, g in expected.a.grads.items():
        assert np.array_equal(compare.pair.traces.a.grads[p], g)


def test_training_both_plots_both_losses_on_one_axis(compare, qtbot) -> None:
    data = make_task("delayed-recall", seed=0, delay=4, n_sequences=10, length=8)
    net = TASKS["delayed-recall"].network(data, seed=0, n_hidden=4)
    compare.session.set_dataset(data, net)
    training = compare.training
    training.epochs.setValue(6)
    with qtbot.waitSignal(training.finished, timeout=30_000) as done:
        training.train_button.click()
    assert done.args[0].startswith("finished after 6 epochs")
    epochs, loss_a, loss_b = training.curve_data()
    assert list(epochs) == [1, 2, 3, 4, 5, 6]
    assert list(loss_a) == [r.a.loss for r in training.records]
    assert list(loss_b) == [r.b.loss for r in training.records]
    assert loss_a[-1] != loss_b[-1]  # two different runs
    # computed in a child process: the same numbers as the same runs computed here
    config = TrainConfig(lr=training.lr.value(), epochs=6, update="sequence")
    here = list(train_twins(net, compare.pair.twin, data, config))
    assert [(r.a.loss, r.b.loss) for r in here] == [(r.a.loss, r.b.loss) for r in training.records]
    names = [label.text for _, label in training.legend.items]
    assert names == ["A: sliding BPTT(1)", "B: full BPTT"]


def test_stop_ends_training_and_keeps_what_was_drawn(compare, qtbot) -> None:
    training = compare.training
    training.epochs.setValue(1_000_000)
    training.train_button.click()
    qtbot.waitUntil(lambda: len(training.records) >= 2, timeout=30_000)
    with qtbot.waitSignal(training.finished, timeout=5_000) as done:
        QTest.keySequence(compare, "Ctrl+.")
    assert done.args[0].startswith("stopped")
    assert not training.running and training.train_button.isEnabled()


def test_view_menu_opens_compare_and_closing_the_window_closes_it(qtbot, settings) -> None:
    window = MainWindow(settings=QSettings(settings.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.compare_action.shortcut().toString() == "Ctrl+K"
    assert window.compare_action.toolTip()
    window.compare_action.trigger()
    compare = window.compare_window
    assert compare is not None and compare.isVisible()
    window.session.seek(5)
    assert [s.position for s in compare.pair.sessions] == [5, 5]
    compare.close()  # closed is deleted: it no longer follows the explorer
    qtbot.waitUntil(lambda: window.compare_window is None)
    window.session.seek(6)
    assert window.show_compare() is window.compare_window  # a new one, at the cursor
    assert [s.position for s in window.compare_window.pair.sessions] == [6, 6]
    window.close()
    assert window.compare_window is None or not window.compare_window.isVisible()


def test_a_network_that_cannot_take_the_choice_falls_back_and_says_so(compare) -> None:
    bar = compare.setup
    bar.variation.setCurrentIndex(bar.variation.findData("radius"))
    assert compare.pair.choice == ("radius", 0.9, 1.1)
    compare.session.set_network(SRN.init(4, 5, 3, seed=1, context="target"))
    assert "no loop" in bar.message.text()
    assert compare.pair.choice[0] == "truncation"
    assert bar.current() == compare.pair.choice  # the bar shows what is compared
    assert compare.pair.traces.a.net.context == "target"


# -- the network variation: a tapped delay line beside the SRN (Bodén 2002 §4) ------------------
def _choose_delay_line(compare: CompareWindow, window: int) -> None:
    bar = compare.setup
    bar.variation.setCurrentIndex(bar.variation.findData("network"))
    bar.sides[0].omega.setValue(window)


def test_window_spin_box_is_bounded_explained_and_only_for_a_delay_line(compare) -> None:
    bar = compare.setup
    bar.variation.setCurrentIndex(bar.variation.findData("network"))
    assert bar.current() == ("network", 2, None)  # A: a delay line, B: the SRN on screen
    spin = bar.sides[0].omega
    assert (spin.minimum(), spin.maximum()) == (0, MAX_WINDOW)
    spin.setValue(MAX_WINDOW + 10)
    assert spin.value() == MAX_WINDOW and bar.current() == ("network", MAX_WINDOW, None)
    assert "ω" in spin.toolTip() and str(MAX_WINDOW) in spin.toolTip()
    assert bar.sides[0].network.toolTip()
    assert spin.isEnabled() and not bar.sides[1].omega.isEnabled()  # B is the SRN
    assert compare.pair.traces.a.net.window == MAX_WINDOW


@pytest.mark.parametrize("position", [0, 4, 9, 12])
def test_delay_line_and_srn_columns_show_core_numbers(compare, position) -> None:
    _choose_delay_line(compare, 3)
    compare.session.seek(position)
    assert [c.heading.text() for c in compare.columns] == [
        "A: tapped delay line ω = 3",
        "B: SRN (Elman)",
    ]
    expected = _expected(compare, Twin.of("network", 3, None))
    assert isinstance(expected.a.net, TDL) and expected.a.net.window == 3
    assert expected.a.net.same_weights(compare.pair.traces.a.net)
    params = (("U", "V", "b", "c"), ("U", "W", "V", "b", "c"))
    pairs = zip(compare.columns, (expected.a, expected.b), params, strict=True)
    for column, trace, names in pairs:
        state = state_at(trace, position)
        shown = column.deltas.displayed()
        known = np.arange(trace.T) >= state.backward_from - 1
        assert np.allclose(shown.delta_h[known], trace.delta_h[known], rtol=0, atol=1e-15)
        assert np.isnan(shown.delta_h[~known]).all()
        grads = column.gradients.displayed()
        assert set(grads.accumulated) == set(names)  # a delay line has no W to show
        for p in names:
            assert np.allclose(grads.accumulated[p], state.accumulated[p], rtol=0, atol=1e-15)
    assert compare.columns[0].gradients.displayed().accumulated["U"].shape == (5, 4 * 4)


def test_each_column_draws_its_own_network(compare) -> None:
    _choose_delay_line(compare, 2)
    session = compare.session
    session.seek(position_of(session.trace.T, "backward", 3))
    tdl, srn = (c.unfolded.displayed_values() for c in compare.columns)
    n = session.notation
    assert any(text.startswith(f"{n['U']}, {n['V']} ") for text in tdl.legend), tdl.legend
    assert any(text.startswith(f"{n['U']}, {n['W']}, {n['V']} ") for text in srn.legend)
    assert tdl.flow is None and srn.flow == (4, 3)  # only the SRN sends delta_h back through W
    # the delay line's window: x(t-k) feeds h(t) through U_k, column k I + i of [U_0 U_1 U_2]
    view, I = compare.columns[0].unfolded, session.net.n_in
    point = view.edge_point("U", 4, 1, 2 * I + 3, at=0.75)
    picked, text = view.selection_at(*point), view.tooltip_at(*point)
    assert picked is not None and picked.layer == "U"
    k, i = divmod(picked.col, I)
    U = compare.pair.traces.a.net.U
    assert text.startswith(
        f"U[{picked.row + 1},{picked.col + 1}] = {U[picked.row, picked.col]:.3f}"
    )
    assert f"{n['x']}{i + 1}({picked.t - k}) → {n['h']}{picked.row + 1}({picked.t})" in text


@pytest.mark.parametrize("position", [0, 8, 12])
def test_bias_table_compares_the_x_t_block_and_leaves_w_out(compare, position) -> None:
    _choose_delay_line(compare, 3)
    compare.session.seek(position)
    expected = _expected(compare, Twin.of("network", 3, None))
    here = bias_meter(expected.a, expected.b, position)
    whole = bias_meter(expected.a, expected.b)
    model = compare.bias.model
    names = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    assert names == ["U₀ (x(t))", "W", "V", "b", "c", "total"]
    assert "U: U₀ (x(t))" in compare.bias.title.text()
    texts = compare.bias.displayed()
    assert texts[1] == ["", "", "", ""]  # W: the delay line has none, nothing to compare
    for i, row in enumerate(whole.rows):
        if not row.comparable:
            continue
        assert texts[i][2:] == [f"{row.relative:.6g}", f"{row.cosine:.6g}"]
        if here is not None:
            r = here.row(row.name)
            assert texts[i][:2] == [f"{r.relative:.6g}", f"{r.cosine:.6g}"]
    _, shown = compare.difference.displayed()
    diff = gradient_difference(expected.a, expected.b)
    assert shown["U"].shape == (5, 4)  # U_0 only, against the SRN's U
    assert np.allclose(shown["U"], diff["U"], rtol=0, atol=1e-15)
    assert "W" not in shown
    assert compare.difference.grid.titles["U"] == "Δ∂L/∂U₀"


def test_training_both_a_window_short_of_the_lag_fails_where_the_srn_learns(compare, qtbot):
    """Delayed recall at lag 4: the delay line with ω = 3 never sees x(t-4) and stays near chance
    (ln 2 per scored step); the SRN, trained with full BPTT from the same start, learns it. The
    plotted curves are the losses core.compare.train_twins gives for the same settings."""
    data = make_task("delayed-recall", seed=0, delay=4, n_sequences=40, length=10)
    net = TASKS["delayed-recall"].network(data, seed=0, n_hidden=6)
    compare.session.set_dataset(data, net)
    _choose_delay_line(compare, 3)
    training = compare.training
    training.epochs.setValue(40)
    training.lr.setValue(0.05)
    with qtbot.waitSignal(training.finished, timeout=60_000) as done:
        QTest.keySequence(compare, "Ctrl+T")
    assert done.args[0].startswith("finished after 40 epochs")
    epochs, loss_a, loss_b = training.curve_data()
    config = TrainConfig(lr=0.05, epochs=40, update="sequence")
    reference = list(train_twins(net, Twin.of("network", 3, None), data, config))
    assert list(epochs) == list(range(1, 41))
    assert list(loss_a) == [r.a.loss for r in reference]
    assert list(loss_b) == [r.b.loss for r in reference]
    assert loss_a[-1] > 0.3 and reference[-1].a.score < 0.7  # ω = 3 < lag 4: guessing
    assert loss_b[-1] < 0.05 and reference[-1].b.score == 1.0  # the SRN recalls every symbol
    names = [label.text for _, label in training.legend.items]
    assert names == ["A: tapped delay line ω = 3", "B: SRN (Elman)"]
