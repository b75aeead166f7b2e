"""File > Save session / Open session: the window shows again exactly what was saved; a bad
session file changes nothing and names the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

import main
from core.explain import fmt
from core.selection import Selection
from gui.docks.registry import DockId
from gui.main_window import MainWindow
from gui.session import NetworkOrigin


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.errors = []
    monkeypatch.setattr(w.files, "show_error", lambda title, text: w.errors.append(text))
    monkeypatch.setattr(w.files, "ask", lambda title, text: True)
    return w


def shown(window: MainWindow) -> dict[str, object]:
    """What the window displays: notation and truncation boxes, time bar, inspector, docks."""
    inspector = window.panels[DockId.INSPECTOR].displayed()
    return {
        "notation": window.notation_box.currentText(),
        "truncation": window.truncation_box.currentText(),
        "k": window.k_box.value(),
        "time": window.timebar.label.text(),
        "inspector": inspector.explanation.title,
        "inspector_text": inspector.text,
        "weights_dock": window.docks[DockId.WEIGHTS].isVisible(),
    }


def test_save_change_open_restores_what_is_displayed(
    qtbot, window: MainWindow, tmp_path: Path, settle
) -> None:
    s = window.session
    trained = s.net.with_params(W=np.random.default_rng(3).normal(0, 0.5, (5, 5)))
    s.set_network(trained, origin=NetworkOrigin.USER)
    s.set_truncation(2, "chunked")
    s.set_notation("skansi")
    s.seek(8)
    s.select(Selection("node", "y", t=3, unit=1))
    window.docks[DockId.WEIGHTS].hide()
    settle()
    before = shown(window)
    path = tmp_path / "lecture.json"
    assert window.session_files.save_session(str(path))

    window.files.new()  # another network, data, cursor, notation, layout
    s.set_notation("deep-learning")
    s.set_truncation(None)
    s.seek(2)
    window.docks[DockId.WEIGHTS].show()
    settle()
    assert shown(window) != before

    assert window.session_files.open_session(str(path))
    settle()
    qtbot.waitUntil(lambda: shown(window) == before)
    assert s.net.same_weights(trained) and not s.modified
    assert before["notation"].startswith("Skansi") and before["weights_dock"] is False
    assert f"= {fmt(float(s.trace.y[2, 1]))}" in before["inspector_text"]
    assert window.errors == []


def test_a_bad_session_file_changes_nothing(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "lecture.json"
    assert window.session_files.save_session(str(path))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["position"] = 10_000
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    s = window.session
    s.seek(3)
    net, trace, notation = s.net, s.trace, s.notation
    assert not window.session_files.open_session(str(path))
    assert len(window.errors) == 1
    assert (
        window.errors[0].startswith(f"{path}, line ")
        and "position: expected 0 to 12" in (window.errors[0])
    )
    assert s.net is net and s.trace is trace and s.notation is notation and s.position == 3


def test_session_actions_have_shortcuts_and_tips(window: MainWindow) -> None:
    actions = window.file_menu.actions()
    for action in (window.session_files.save_action, window.session_files.open_action):
        assert action in actions and not action.shortcut().isEmpty() and action.toolTip()


def test_main_opens_a_session_file(qtbot, tmp_path, monkeypatch, window: MainWindow) -> None:
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    window.session.set_notation("one-unit")
    window.session.seek(7)
    path = tmp_path / "lecture.json"
    assert window.session_files.save_session(str(path))
    opened: list[tuple[str, int]] = []
    real = MainWindow.close

    def close(self: MainWindow) -> bool:  # what the window showed when the picture was taken
        opened.append((self.session.notation.key, self.session.position))
        return real(self)

    monkeypatch.setattr(MainWindow, "close", close)
    shot = tmp_path / "shot.png"
    assert main.main([str(path), "--screenshot", str(shot)]) == 0
    assert main.main([str(path), "--screenshot", str(shot), "--position", "2"]) == 0
    assert opened == [("one-unit", 7), ("one-unit", 2)]
