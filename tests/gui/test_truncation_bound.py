"""Sliding BPTT(k) costs k products per step: the window refuses a setting that would keep it
busy for long on the data shown, says why, and keeps the trace and every box as they were."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import Dataset, Sequence
from core.limits import sliding_work
from core.model import SRN
from gui.docks.registry import DockId
from gui.main_window import MainWindow
from gui.session import Session


def long_data(T: int, n: int = 2) -> Dataset:
    x = np.eye(n)[np.random.default_rng(0).integers(0, n, T)]
    return Dataset("long", (Sequence(x, x),), ("a", "b"), ("a", "b"))


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> int:
    """A small bound, so that small data shows the rule: 2,000 steps at H = 16, k = 40 is over
    it, k = 10 under it."""
    bound = sliding_work(2_000, 16, 20, "sliding")
    monkeypatch.setattr("core.limits.MAX_SLIDING_WORK", bound)
    return bound


def test_the_session_refuses_a_costly_sliding_setting_and_changes_nothing(limited: int) -> None:
    session = Session(SRN.init(2, 16, 2, seed=0), long_data(2_000))
    session.seek(100)
    trace = session.trace
    with pytest.raises(ValueError, match=r"sliding BPTT\(40\) of 2,000 steps at H = 16"):
        session.set_truncation(40, "sliding")
    assert (session.truncation, session.trace, session.position) == (None, trace, 100)
    session.set_truncation(40, "chunked")  # the same k, chunked: as cheap as full BPTT
    session.set_truncation(10, "sliding")
    assert (session.truncation, session.mode) == (10, "sliding")
    # under sliding BPTT(10), a network or data set that would make it too costly is refused
    with pytest.raises(ValueError, match="sliding BPTT"):
        session.set_network(SRN.init(2, 64, 2, seed=0))
    with pytest.raises(ValueError, match="sliding BPTT"):
        session.set_dataset(long_data(20_000))
    assert session.net.n_hidden == 16 and session.trace.T == 2_000


def test_the_toolbar_refuses_it_with_a_message_and_puts_the_boxes_back(
    qtbot, settings, monkeypatch: pytest.MonkeyPatch, limited: int
) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(window.files, "show_error", lambda t, text: errors.append((t, text)))
    window.show()
    window.session.set_dataset(long_data(2_000), net=SRN.init(2, 16, 2, seed=0))
    window.truncation_box.setCurrentIndex(window.truncation_box.findData("sliding"))
    window.k_box.setValue(10)
    assert (window.session.truncation, window.session.mode) == (10, "sliding")
    trace = window.session.trace
    window.k_box.setValue(40)
    assert errors and errors[-1][0] == "Cannot use this truncation"
    assert "sliding BPTT(40)" in errors[-1][1] and "chunked" in errors[-1][1]
    assert window.session.truncation == 10 and window.session.trace is trace
    training = window.panels[DockId.TRAINING]
    assert window.k_box.value() == training.k_box.value() == 10  # the setting in force
    window.truncation_box.setCurrentIndex(window.truncation_box.findData("chunked"))
    window.k_box.setValue(40)
    assert (window.session.truncation, window.session.mode) == (40, "chunked")
    assert len(errors) == 1
    window.session.set_modified(False)
