"""Changing the sequence or the truncation of a long sequence computes the new trace in a child
process: the window keeps responding, Cancel keeps what was shown, and the trace the session
takes is the engine's.

Every check waits for a condition (the job ended, the dialog shown), never for a time.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPushButton

from core import child
from core.bptt import bptt
from core.data import Dataset, Sequence
from core.model import SRN
from gui.main_window import MainWindow

BOUND_MS = 120_000  # generous: the suite may share the machine


def two_sequences(T: int) -> Dataset:
    rng = np.random.default_rng(0)
    seqs = []
    for _ in range(2):
        x = np.eye(3)[rng.integers(0, 3, T)]
        seqs.append(Sequence(x, np.eye(3)[rng.integers(0, 3, T)]))
    return Dataset("two long", tuple(seqs), ("a", "b", "c"), ("a", "b", "c"))


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.errors = []
    monkeypatch.setattr(w.files, "show_error", lambda title, text: w.errors.append(text))
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    return w


def assert_engines_trace(window: MainWindow) -> None:
    s = window.session
    seq = s.dataset.sequences[s.sequence_index]
    expected = bptt(s.net, seq.x, seq.d, truncation=s.truncation, mode=s.mode)
    assert s.trace.net is s.net and s.trace.T == seq.T
    assert (s.trace.truncation, s.trace.mode) == (expected.truncation, expected.mode)
    for name in ("h", "delta_h", "delta_o"):
        np.testing.assert_array_equal(getattr(s.trace, name), getattr(expected, name))
    for name, grad in expected.grads.items():
        np.testing.assert_array_equal(s.trace.grads[name], grad)


def done(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.retracer.job.running, timeout=BOUND_MS)


def test_a_long_sequence_and_a_truncation_are_traced_in_the_background(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gui.retrace.BACKGROUND_TRACE_S", -1.0)  # every change, here
    window.session.set_dataset(two_sequences(3_000), net=SRN.init(3, 6, 3, seed=0))
    window.sequence_box.setValue(2)
    assert window.retracer.job.running and window.session.sequence_index == 0  # not yet
    done(qtbot, window)
    assert window.session.sequence_index == 1 and window.sequence_box.value() == 2
    assert_engines_trace(window)

    window.truncation_box.setCurrentIndex(window.truncation_box.findData("chunked"))
    assert window.retracer.job.running and window.session.truncation is None  # not yet
    done(qtbot, window)
    assert (window.session.truncation, window.session.mode) == (window.k_box.value(), "chunked")
    assert_engines_trace(window)
    assert window.errors == [] and child.running() == []
    window.session.set_modified(False)  # closing asks nothing


def test_cancel_keeps_the_sequence_shown_and_puts_the_box_back(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gui.retrace.BACKGROUND_TRACE_S", -1.0)
    monkeypatch.setattr("gui.child_job.SHOW_AFTER_MS", 0)  # the dialog at once
    window.session.set_dataset(two_sequences(300_000), net=SRN.init(3, 5, 3, seed=0))
    trace = window.session.trace
    window.sequence_box.setValue(2)
    dialog = window.retracer.job.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=BOUND_MS)
    assert "sequence 2 (300,000 steps)" in dialog.labelText()
    qtbot.waitUntil(lambda: window.retracer.job.pid is not None, timeout=BOUND_MS)
    button = dialog.findChild(QPushButton)
    assert button is not None
    button.click()
    done(qtbot, window)
    assert window.session.sequence_index == 0 and window.session.trace is trace
    assert window.sequence_box.value() == 1  # the box shows the sequence in force
    assert window.errors == [] and child.running() == []


def test_quick_changes_go_to_the_session_at_once(window: MainWindow) -> None:
    window.session.set_dataset(two_sequences(50), net=SRN.init(3, 4, 3, seed=0))
    window.sequence_box.setValue(2)
    assert not window.retracer.job.running and window.session.sequence_index == 1
    window.truncation_box.setCurrentIndex(window.truncation_box.findData("sliding"))
    assert not window.retracer.job.running and window.session.mode == "sliding"
    assert window.session.truncation == window.k_box.value()
    assert_engines_trace(window)


def test_a_second_change_replaces_the_first_and_the_controls_show_what_is_applied(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gui.retrace.BACKGROUND_TRACE_S", -1.0)
    window.session.set_dataset(two_sequences(3_000), net=SRN.init(3, 6, 3, seed=0))
    window.sequence_box.setValue(2)
    assert window.retracer.job.running
    window.truncation_box.setCurrentIndex(window.truncation_box.findData("chunked"))
    assert window.sequence_box.value() == 1  # the sequence change was dropped
    done(qtbot, window)
    assert window.session.sequence_index == 0 and window.session.mode == "chunked"
    assert window.truncation_box.currentData() == "chunked"
    assert_engines_trace(window)


def test_a_new_network_for_a_long_sequence_is_traced_in_the_background(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gui.docks.registry import DockId

    monkeypatch.setattr("gui.retrace.BACKGROUND_TRACE_S", -1.0)
    window.session.set_dataset(two_sequences(3_000), net=SRN.init(3, 6, 3, seed=0))
    window.session.set_modified(False)
    old = window.session.net
    panel = window.panels[DockId.NETWORK]
    panel.hidden_box.setValue(9)
    assert panel.apply()
    assert window.retracer.job.running and window.session.net is old  # not yet
    done(qtbot, window)
    new = window.session.net
    assert new is not old and new.n_hidden == 9 and window.session.modified
    assert_engines_trace(window)
    assert window.errors == [] and child.running() == []
    window.session.set_modified(False)  # closing asks nothing
