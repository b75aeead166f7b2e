"""A long sequence opens through File > Open like any other, and its views show a window of time
steps around the cursor; a sequence whose trace would not fit in memory is refused, naming the
file and the limit, and the window keeps what it showed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

import core.limits as limits
from core.data import Dataset, Sequence
from core.limits import MAX_TRACE_VALUES, trace_values
from core.model import SRN
from gui.docks.registry import DockId
from gui.main_window import MainWindow
from gui.widgets.time_window import MAX_STEPS


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.errors, w.questions = [], []
    monkeypatch.setattr(w.files, "show_error", lambda title, text: w.errors.append(text))

    def ask(title: str, text: str) -> bool:
        w.questions.append(text)
        return True

    monkeypatch.setattr(w.files, "ask", ask)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    return w


def write_csv(path: Path, T: int, n_in: int, n_out: int, seed: int = 0) -> Path:
    """One sequence of T steps: one-hot inputs and targets, as ``x1,..,d1,..`` columns."""
    rng = np.random.default_rng(seed)
    x, d = rng.integers(0, n_in, T), rng.integers(0, n_out, T)
    header = [f"x{i + 1}" for i in range(n_in)] + [f"d{k + 1}" for k in range(n_out)]
    rows = np.zeros((T, n_in + n_out), np.int8)
    rows[np.arange(T), x] = 1
    rows[np.arange(T), n_in + d] = 1
    lines = [",".join(header)] + [",".join(map(str, r)) for r in rows.tolist()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def window_steps(window: MainWindow) -> dict[str, tuple[int, int]]:
    """The steps (first, last) each time view shows: the heatmaps, the loss bars, and the
    columns of the unfolded graph on screen."""
    panels = window.panels
    shown = {
        "activations": panels[DockId.ACTIVATIONS].displayed().steps,
        "deltas": panels[DockId.DELTAS].displayed().steps,
        "loss": panels[DockId.LOSS].displayed().steps,
    }
    x0, x1 = window.unfolded.plot_widget().getViewBox().viewRange()[0]
    shown["unfolded"] = (int(np.ceil(x0)), int(np.floor(x1)))
    return shown


def test_a_long_sequence_file_opens_and_every_view_shows_a_window_around_the_cursor(
    window: MainWindow, tmp_path: Path, settle
) -> None:
    T = 30_000
    net = window.session.net
    path = write_csv(tmp_path / "long.csv", T, net.n_in, net.n_out)
    assert window.files.open_path(str(path)), window.errors
    assert window.errors == [] and window.questions == []  # it fits the network as it is
    session = window.session
    assert session.trace.T == T and session.dataset.sequences[0].T == T
    settle(window)
    # forward t = 15,000; the last forward step; backward t = 20,000, then 2; back to t = 0
    for position, t in ((15_000, 15_000), (T, T), (2 * T + 1 - 20_000, 20_000), (2 * T - 1, 2)):
        session.seek(position)
        session.step()
        session.back()
        settle(window)
        assert session.state.t == t
        graph = window.unfolded.displayed_values()
        assert (graph.t, graph.position) == (t, session.position)
        if session.state.phase == "forward":  # h(t) at the cursor's column has the trace's value
            assert graph.values[graph.index[("h", t, 0)]] == session.trace.h[t, 0]
        for view, (first, last) in window_steps(window).items():
            assert first <= max(t, 1) <= last, (view, position, first, last)
            assert last - first + 1 <= MAX_STEPS + 1, (view, position, first, last)
        for view in ("activations", "deltas", "loss"):
            first, last = window_steps(window)[view]
            assert last - first + 1 == MAX_STEPS, view  # a full window, not all 30,000 steps
        # the heatmap shows the trace's numbers for the steps of its window
        act = window.panels[DockId.ACTIVATIONS].displayed()
        first, last = act.steps
        h = session.trace.h[first : last + 1]
        known = session.state.forward_known
        expect = np.where((np.arange(first, last + 1) <= known)[:, None], h, np.nan)
        np.testing.assert_array_equal(act.h, expect)
        # the unfolded graph built the columns on screen and half as many again on either
        # side, not all T of them
        built = graph.steps
        assert built[1] - built[0] <= 2 * (MAX_STEPS + 2) and built[0] <= t <= built[1]
        assert {node[1] for node in graph.node_ids} == set(range(built[0], built[1] + 1))


def test_a_sequence_whose_trace_is_too_large_is_refused_naming_the_file_and_the_limit(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = window.session.net
    path = write_csv(tmp_path / "too_long.csv", 500, net.n_in, net.n_out)
    limit = trace_values(499, net.n_in, net.n_hidden, net.n_out)
    monkeypatch.setattr(limits, "MAX_TRACE_VALUES", limit)  # 499 steps fit, 500 do not
    before = (window.session.net, window.session.dataset, window.session.trace)
    assert not window.files.open_path(str(path))
    assert len(window.errors) == 1
    error = window.errors[0]
    assert error.startswith(str(path)) and f"more than the limit of {limit:,}" in error
    assert "the trace of 500 steps at H = " in error
    assert (window.session.net, window.session.dataset, window.session.trace) == before
    assert window.files.recent_files() == []


def test_a_network_too_large_for_the_data_is_refused_in_the_network_dock(
    window: MainWindow,
) -> None:
    session = window.session
    T, I, O = 200_000, 2, 2
    rng = np.random.default_rng(3)
    x, d = np.eye(I)[rng.integers(0, I, T)], np.eye(O)[rng.integers(0, O, T)]
    data = Dataset("long", (Sequence(x, d),), ("a", "b"), ("p", "q"), output="softmax")
    session.set_dataset(data, net=SRN.init(I, 4, O, seed=0))
    assert trace_values(T, I, 80, O) > MAX_TRACE_VALUES  # 80 hidden units would not fit
    dock = window.panels[DockId.NETWORK]
    dock.hidden_box.setValue(80)
    before = (session.net, session.trace)
    assert not dock.apply()
    assert "more than the limit of 64,000,000" in dock.hint.text()
    assert (session.net, session.trace) == before


def test_a_session_file_whose_trace_is_too_large_is_refused_naming_the_file(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lecture.json"
    assert window.session_files.save_session(str(path))
    session = window.session
    T, net = session.trace.T, session.net
    limit = trace_values(T, net.n_in, net.n_hidden, net.n_out) - 1
    monkeypatch.setattr(limits, "MAX_TRACE_VALUES", limit)  # the saved sequence no longer fits
    before = (session.net, session.dataset, session.trace)
    assert not window.session_files.open_session(str(path))
    assert len(window.errors) == 1
    assert window.errors[0].startswith(str(path))
    assert f"more than the limit of {limit:,}" in window.errors[0]
    assert (session.net, session.dataset, session.trace) == before
