"""The gradient check panel tabulates core.gradcheck.gradient_check, computed off the GUI thread.

Session() opens on the built-in example (H=5, T=6). The check runs in a worker thread only while
the panel can be seen; its tables fill in as chunks arrive; Cancel, a new trace and closing the
window stop it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PySide6.QtCore import QSettings

import core.gradcheck
import gui.analysis.gradient_check as panel_module
from core.gradcheck import gradient_check
from core.model import SRN
from gui.analysis.gradient_check import GradCheckPanel
from gui.docks.registry import DockId
from gui.main_window import MainWindow
from gui.session import Session
from gui.training.worker import LIVE_THREADS

PARAMS = ("U", "W", "V", "b", "c", "h0")
WAIT_MS = 30_000
#: longest hold of a gated check: shorter than closing a panel waits for its thread, so a
#: test that fails while holding one still ends its thread
GATE_S = 5.0


@pytest.fixture
def session() -> Session:
    return Session()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads that ran the panel's check generator, one entry per check started."""
    threads: list[int] = []
    steps = core.gradcheck.gradient_check_steps

    def recorded(*args: Any, **kwargs: Any) -> Iterator[core.gradcheck.CheckChunk]:
        threads.append(threading.get_ident())
        yield from steps(*args, **kwargs)

    monkeypatch.setattr(panel_module, "gradient_check_steps", recorded)
    return threads


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Hold every check after its first chunk until the test sets the event."""
    opened = threading.Event()
    steps = core.gradcheck.gradient_check_steps

    def held(*args: Any, **kwargs: Any) -> Iterator[core.gradcheck.CheckChunk]:
        for i, chunk in enumerate(steps(*args, **kwargs)):
            yield chunk
            if i == 0:
                opened.wait(GATE_S)

    monkeypatch.setattr(panel_module, "gradient_check_steps", held)
    yield opened
    opened.set()  # never leave a worker waiting


@pytest.fixture
def checker(qtbot, session: Session) -> GradCheckPanel:
    """The panel, shown, with its first check finished."""
    panel = GradCheckPanel(session)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.show()
    return panel


def expected_check(session: Session) -> core.gradcheck.GradCheck:
    trace = session.trace
    mode = trace.mode if trace.truncation is not None else "sliding"
    return gradient_check(
        session.net, trace.x, trace.d, truncation=trace.truncation, mode=mode, mask=trace.mask
    )


def assert_table_is(panel: GradCheckPanel, expected: core.gradcheck.GradCheck) -> None:
    shown = panel.displayed()
    names = tuple(expected.max_rel_error)
    assert shown.names == names
    assert shown.max_rel == tuple(expected.max_rel_error[p] for p in names)
    assert shown.sizes == tuple(np.size(expected.analytic[p]) for p in names)
    assert shown.max_abs == tuple(float(np.abs(expected.analytic[p]).max()) for p in names)
    assert (shown.done, shown.total) == (shown.total, sum(shown.sizes))
    assert not shown.stale and not shown.running


# -- the finished table ----------------------------------------------------------------------------
def test_check_runs_in_a_worker_and_its_table_equals_gradient_check(qtbot, session, calls) -> None:
    panel = GradCheckPanel(session)
    qtbot.addWidget(panel)
    assert calls == []  # never shown: nothing computed
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.show()
    assert len(calls) == 1 and calls[0] != threading.get_ident()
    assert_table_is(panel, expected_check(session))
    shown = panel.displayed()
    assert tuple(r[0] for r in shown.rows) == ("U", "W", "V", "b", "c", "h⁽⁰⁾")
    assert all(shown.passed) and all(r[4] == "pass" for r in shown.rows)
    assert shown.summary.startswith("all 6 parameters agree to ")
    assert "central differences, eps = 1e-06" in shown.summary
    assert not panel.progress_bar.isVisible() and not panel.cancel_button.isEnabled()


def test_detail_view_shows_the_arrays(session, checker) -> None:
    expected = expected_check(session)
    checker.select("W")
    shown = checker.displayed()
    assert shown.detail_name == "W"
    assert shown.detail_entries[:2] == ("W[1,1]", "W[1,2]")
    assert len(shown.detail_entries) == expected.analytic["W"].size
    assert_array_equal(shown.analytic, expected.analytic["W"].ravel())
    assert_array_equal(shown.numerical, expected.numerical["W"].ravel())
    assert_array_equal(shown.rel_error, expected.rel_error["W"].ravel())
    assert checker.entries.data(checker.entries.index(0, 1)) == f"{shown.analytic[0]:+.10e}"


def test_check_follows_the_truncation_and_notation(qtbot, session, checker) -> None:
    with qtbot.waitSignal(checker.job.finished, timeout=WAIT_MS):
        session.set_truncation(2, "sliding")
    expected = gradient_check(session.net, session.trace.x, session.trace.d, truncation=2)
    assert_table_is(checker, expected)
    assert "sliding k = 2" in checker.displayed().summary
    session.set_notation("tutorial")
    shown = checker.displayed()
    assert tuple(r[0] for r in shown.rows[:3]) == ("Wx", "Ws", "Wy")
    assert shown.detail_entries[0].startswith("Wx[")


def test_a_wrong_gradient_shows_fail(qtbot, checker, monkeypatch) -> None:
    real = core.gradcheck.bptt

    def broken(*args, **kwargs):
        trace = real(*args, **kwargs)
        grads = dict(trace.grads)
        grads["W"] = grads["W"] * 1.01  # a 1 % error in dL/dW
        return replace(trace, grads=MappingProxyType(grads))

    monkeypatch.setattr(core.gradcheck, "bptt", broken)
    with qtbot.waitSignal(checker.job.finished, timeout=WAIT_MS):
        checker.button.click()
    shown = checker.displayed()
    row = shown.names.index("W")
    assert shown.rows[row][4] == "FAIL" and not shown.passed[row]
    assert sum(shown.passed) == 5
    assert "1 of 6 parameters DISAGREE" in shown.summary


# -- partial results, Cancel and a new trace -------------------------------------------------------
def test_partial_results_show_progress_and_cancel_stops_the_worker(qtbot, session, gate) -> None:
    panel = GradCheckPanel(session)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.displayed().done > 0, timeout=WAIT_MS)  # the first chunk
    shown = panel.displayed()
    assert shown.running and 0 < shown.done < shown.total == 73
    assert shown.summary.startswith("checking 73 entries")
    assert panel.progress_bar.isVisible() and panel.progress_bar.value() == shown.done
    assert panel.progress_bar.text().startswith(f"checking {shown.done:,} / 73 entries")
    assert panel.cancel_button.isEnabled()
    assert shown.rows[0][4] == "pass" and shown.rows[0][1] == "20"  # U: all 20 entries
    assert {r[4] for r in shown.rows[1:]} == {"waiting"}  # parameters not reached yet
    worker = panel.job.worker
    assert worker is not None
    with qtbot.waitSignals([worker.aborted, worker.finished], timeout=WAIT_MS):
        panel.cancel_button.click()
        gate.set()
    shown = panel.displayed()
    assert not shown.running and not panel.cancel_button.isEnabled()
    assert shown.summary.startswith(f"cancelled after {shown.done:,} / 73 entries")
    assert shown.done < 73 and panel.result is None
    assert not panel.progress_bar.isVisible()


def test_a_new_network_cancels_the_run_and_checks_the_new_one(qtbot, session, gate) -> None:
    panel = GradCheckPanel(session)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.displayed().done > 0, timeout=WAIT_MS)
    first = panel.job.worker
    assert first is not None
    net = session.net
    other = SRN.init(net.n_in, net.n_hidden, net.n_out, seed=7)
    with qtbot.waitSignal(first.aborted, timeout=WAIT_MS):
        session.set_network(other)
        gate.set()
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        pass  # the new run, started once the old thread had ended
    assert panel.job.worker is not first
    assert_table_is(panel, expected_check(session))


# -- only what can be seen is computed -------------------------------------------------------------
@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    return w


def test_nothing_is_checked_before_the_window_is_shown_or_while_tabbed_away(
    qtbot, window, calls
) -> None:
    from main import open_task

    panel = window.panels[DockId.GRADCHECK]
    assert isinstance(panel, GradCheckPanel)
    open_task(window, "letters")  # a new trace before the window is shown
    assert calls == []
    window.show()
    qtbot.waitExposed(window)
    window.session.set_sequence(2)  # and one while the dock is tabbed behind another
    assert calls == [] and panel.job.worker is None
    assert panel.displayed().summary.startswith("press Check gradients")
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        window.docks[DockId.GRADCHECK].raise_()
    assert len(calls) == 1
    assert_table_is(panel, expected_check(window.session))
    window.docks[DockId.WEIGHTS].raise_()  # tabbed away again: a new trace only goes stale
    window.session.set_sequence(3)
    assert len(calls) == 1 and panel.displayed().stale
    assert panel.displayed().summary.startswith("stale")
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        window.docks[DockId.GRADCHECK].raise_()
    assert len(calls) == 2
    assert_table_is(panel, expected_check(window.session))


def test_closing_the_window_during_a_check_leaves_no_thread(qtbot, window) -> None:
    panel = window.panels[DockId.GRADCHECK]
    assert isinstance(panel, GradCheckPanel)
    session = window.session
    net = session.net
    # about 4 000 entries, seconds of work: the window closes while the check runs
    session.set_network(SRN.init(net.n_in, 56, net.n_out, seed=1))
    window.docks[DockId.GRADCHECK].raise_()
    window.show()
    qtbot.waitUntil(lambda: panel.displayed().done > 0, timeout=WAIT_MS)
    assert panel.job.running
    window.close()
    assert not window.isVisible() and not panel.job.running
    assert not [t for t in LIVE_THREADS if t.isRunning()]


def test_closing_a_panel_shown_on_its_own_during_a_check_leaves_no_thread(qtbot) -> None:
    session = Session()
    net = session.net
    session.set_network(SRN.init(net.n_in, 56, net.n_out, seed=1))  # seconds of work
    panel = GradCheckPanel(session)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.displayed().done > 0, timeout=WAIT_MS)
    assert panel.job.running
    panel.close()
    assert not panel.job.running
    assert not [t for t in LIVE_THREADS if t.isRunning()]
