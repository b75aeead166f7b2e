"""A long sequence file is read and traced in a child process: the window keeps responding, a
progress dialog offers Cancel, and until the result is applied nothing in the session changes.

Every check waits for a condition (the open ended, the dialog shown), never for a time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPushButton

import gui.files
from core import child
from core.bptt import bptt
from gui.main_window import MainWindow
from tests.gui.test_long_sequences import write_csv

BOUND_MS = 120_000  # generous: the suite may share the machine


@pytest.fixture(scope="module")
def huge_csv(tmp_path_factory) -> Path:
    """400,000 steps for the example's network: seconds to read, time enough to cancel."""
    from core.examples import example_network

    net = example_network()
    return write_csv(tmp_path_factory.mktemp("huge") / "huge.csv", 400_000, net.n_in, net.n_out)


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.errors, w.questions, w.answer = [], [], True
    monkeypatch.setattr(w.files, "show_error", lambda title, text: w.errors.append(text))

    def ask(title: str, text: str) -> bool:
        w.questions.append(text)
        return w.answer

    monkeypatch.setattr(w.files, "ask", ask)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    return w


def wait_until_done(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.files.background.running, timeout=BOUND_MS)


def assert_trace_is_the_engines(window: MainWindow) -> None:
    """The trace on screen is exactly ``bptt`` of the session's network on its sequence."""
    session = window.session
    seq = session.dataset.sequences[0]
    expected = bptt(session.net, seq.x, seq.d, truncation=session.truncation, mode=session.mode)
    assert session.trace.net is session.net
    for name in ("h", "y", "delta_h", "delta_o"):
        np.testing.assert_array_equal(getattr(session.trace, name), getattr(expected, name))
    assert session.trace.grads.keys() == expected.grads.keys()
    for name in expected.grads:
        np.testing.assert_array_equal(session.trace.grads[name], expected.grads[name])


def test_a_file_read_in_the_background_opens_with_the_engines_trace(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    net = window.session.net
    path = write_csv(tmp_path / "long.csv", 5_000, net.n_in, net.n_out)
    assert window.files.open_path(str(path), background=True)
    assert window.files.background.running
    wait_until_done(qtbot, window)
    assert window.errors == [] and window.questions == []
    session = window.session
    assert session.net is net and session.trace.T == 5_000 and session.position == 0
    assert session.source == {"file": str(path)}
    assert_trace_is_the_engines(window)
    assert str(path) == window.files.recent_files()[0]
    assert child.running() == []


def test_a_file_that_needs_a_new_network_asks_first_and_uses_the_one_it_traced(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    old = window.session.net
    path = write_csv(tmp_path / "wide.csv", 2_000, old.n_in + 2, old.n_out + 1)
    window.answer = False
    window.files.open_path(str(path), background=True)
    wait_until_done(qtbot, window)
    assert len(window.questions) == 1 and "Build a new network" in window.questions[0]
    assert window.session.net is old and window.session.dataset.n_in == old.n_in  # No: unchanged

    window.answer = True
    window.files.open_path(str(path), background=True)
    wait_until_done(qtbot, window)
    new = window.session.net
    assert (new.n_in, new.n_out, new.n_hidden) == (old.n_in + 2, old.n_out + 1, old.n_hidden)
    assert window.session.trace.T == 2_000
    assert_trace_is_the_engines(window)


def test_a_bad_file_read_in_the_background_names_file_and_line_and_changes_nothing(
    window: MainWindow, qtbot, tmp_path: Path
) -> None:
    net, data = window.session.net, window.session.dataset
    path = write_csv(tmp_path / "bad.csv", 3_000, net.n_in, net.n_out)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1500] = lines[1500].replace("0", "zero", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    window.files.open_path(str(path), background=True)
    wait_until_done(qtbot, window)
    assert len(window.errors) == 1
    assert str(path) in window.errors[0] and "line 1501" in window.errors[0]
    assert window.session.net is net and window.session.dataset is data


def test_cancel_stops_the_open_at_once_and_keeps_what_was_shown(
    window: MainWindow, qtbot, huge_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gui.child_job.SHOW_AFTER_MS", 0)  # the dialog at once
    net, data, trace = window.session.net, window.session.dataset, window.session.trace
    path = huge_csv
    cancelled: list[str] = []
    window.files.background.openCancelled.connect(cancelled.append)
    window.files.open_path(str(path), background=True)
    dialog = window.files.background.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=BOUND_MS)
    assert "Opening huge.csv" in dialog.labelText()
    qtbot.waitUntil(lambda: window.files.background.pid is not None, timeout=BOUND_MS)
    button = dialog.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    button.click()
    wait_until_done(qtbot, window)
    assert cancelled == [str(path)] and window.errors == []
    session = window.session
    assert session.net is net and session.dataset is data and session.trace is trace
    assert child.running() == []  # the child was killed and reaped
    assert window.files.background.dialog is None


def test_closing_the_window_while_a_file_is_read_ends_the_child(
    qtbot, settings: QSettings, huge_csv: Path
) -> None:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    w.files.open_path(str(huge_csv), background=True)
    qtbot.waitUntil(lambda: bool(child.running()), timeout=BOUND_MS)
    w.close()
    assert not w.isVisible() and not w.files.background.running
    assert child.running() == []


def test_a_large_file_goes_to_the_background_unless_nobody_watches(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = window.session.net
    path = write_csv(tmp_path / "long.csv", 3_000, net.n_in, net.n_out)
    monkeypatch.setattr(gui.files, "BACKGROUND_BYTES", path.stat().st_size - 1)
    assert window.files.open_path(str(path))
    assert window.files.background.running  # larger than the bound: read in a child
    wait_until_done(qtbot, window)
    assert window.session.trace.T == 3_000

    from gui.unattended import Unattended

    window.files.unattended = Unattended()
    path2 = write_csv(tmp_path / "long2.csv", 3_001, net.n_in, net.n_out)
    assert window.files.open_path(str(path2))
    assert not window.files.background.running and window.session.trace.T == 3_001  # in place


def test_the_session_uses_a_trace_given_only_when_it_is_the_one_it_would_compute(
    window: MainWindow,
) -> None:
    session = window.session
    net, data = session.net, session.dataset
    seq = data.sequences[0]
    given = bptt(net, seq.x, seq.d, truncation=session.truncation, mode=session.mode)
    session.set_dataset(data, trace=given)
    assert session.trace is given  # not computed again
    other = bptt(net, seq.x, seq.d, truncation=1, mode="chunked")  # another truncation
    session.set_dataset(data, trace=other)
    assert session.trace is not other and session.trace.truncation == session.truncation
    copy = bptt(net.with_params(**net.params()), seq.x, seq.d, truncation=session.truncation)
    session.set_dataset(data, trace=copy)  # another network object: not this network's trace
    assert session.trace is not copy and session.trace.net is net


def test_after_a_background_open_the_next_long_change_goes_to_the_background_too(
    window: MainWindow, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session learns from the child how long the file's trace took, so that changing its
    truncation is known to be slow (the example's trace took a fraction of a millisecond)."""
    monkeypatch.setattr("gui.retrace.BACKGROUND_TRACE_S", 0.02)
    assert window.session.trace_seconds < 0.02
    net = window.session.net
    path = write_csv(tmp_path / "long.csv", 100_000, net.n_in, net.n_out)
    window.files.open_path(str(path), background=True)
    wait_until_done(qtbot, window)
    assert window.session.trace.T == 100_000 and window.session.trace_seconds > 0.02
    window.truncation_box.setCurrentIndex(window.truncation_box.findData("chunked"))
    assert window.retracer.job.running  # in a child, not here
    qtbot.waitUntil(lambda: not window.retracer.job.running, timeout=BOUND_MS)
    assert window.session.mode == "chunked" and window.session.trace.truncation is not None
    assert_trace_is_the_engines(window)
