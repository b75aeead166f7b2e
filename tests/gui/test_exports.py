"""File > Export for lectures and PyTorch: each action writes what the session shows, and a
failure names the chosen file and leaves the disk as it was."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from core.model import SRN
from gui.main_window import MainWindow
from gui.session import NetworkOrigin


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.errors = []
    monkeypatch.setattr(w.files, "show_error", lambda title, text: w.errors.append(text))
    monkeypatch.setattr(w.files, "ask", lambda title, text: True)
    return w


def test_export_menu_has_shortcuts_and_tips(window: MainWindow) -> None:
    assert window.exports.menu in [a.menu() for a in window.file_menu.actions()]
    for action in window.exports.actions.values():
        assert not action.shortcut().isEmpty() and action.toolTip()


def test_pytorch_export_writes_the_shown_network_and_sequence(
    window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "rnn.npz"
    assert window.exports.export_torch(str(path))
    with np.load(path, allow_pickle=False) as data:
        np.testing.assert_array_equal(data["rnn.weight_hh_l0"], window.session.net.W)
        np.testing.assert_array_equal(data["x"][0], window.session.trace.x)
    assert (tmp_path / "rnn.py").is_file() and window.errors == []


def test_pytorch_export_of_a_jordan_network_names_the_file_and_the_reason(
    window: MainWindow, tmp_path: Path
) -> None:
    net = window.session.net
    jordan = SRN.init(net.n_in, net.n_hidden, net.n_out, context="output")
    window.session.set_network(jordan, origin=NetworkOrigin.USER)
    path = tmp_path / "rnn.npz"
    assert not window.exports.export_torch(str(path))
    assert len(window.errors) == 1
    assert str(path) in window.errors[0] and "Jordan network" in window.errors[0]
    assert list(tmp_path.iterdir()) == []
