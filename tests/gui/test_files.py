"""The File menu's work: bad files leave everything as it was; saved models reopen identically."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent

import main
from core.examples import example_network
from gui.files import is_model_file
from gui.main_window import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.errors, w.questions = [], []
    monkeypatch.setattr(w.files, "show_error", lambda title, text: w.errors.append(text))
    w.answer = True

    def ask(title: str, text: str) -> bool:
        w.questions.append(text)
        return w.answer

    monkeypatch.setattr(w.files, "ask", ask)
    return w


def test_malformed_csv_names_the_line_and_changes_nothing(window: MainWindow, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,d1\n0,1,1\n1,oops,0\n0,0,0\n", encoding="utf-8")
    net, data, trace = window.session.net, window.session.dataset, window.session.trace
    assert not window.files.open_sequences(str(bad))
    assert len(window.errors) == 1
    assert "bad.csv" in window.errors[0] and "line 3" in window.errors[0]
    assert window.session.net is net and window.session.dataset is data
    assert window.session.trace is trace


def test_malformed_model_file_changes_nothing(window: MainWindow, tmp_path) -> None:
    path = tmp_path / "model.json"
    window.files.save_as(str(path))
    text = path.read_text(encoding="utf-8").replace('"hidden_bias": [', '"hidden_bias": ["x", ')
    path.write_text(text, encoding="utf-8")
    net = window.session.net
    assert not window.files.open_model(str(path))
    assert "model.json" in window.errors[0] and "hidden_bias" in window.errors[0]
    assert window.session.net is net


def test_save_close_reopen_gives_identical_weights(qtbot, window: MainWindow, tmp_path) -> None:
    rng = np.random.default_rng(3)
    trained = window.session.net.with_params(W=rng.normal(size=(5, 5)))
    window.session.set_network(trained, modified=True)
    assert window.windowTitle().startswith("untitled*")
    path = tmp_path / "trained.json"
    assert window.files.save_as(str(path))
    assert not window.session.modified
    assert window.windowTitle().startswith("trained.json -")
    assert is_model_file(path)
    window.close()
    again = MainWindow(settings=QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.files.open_model(str(path))
    assert again.session.net.same_weights(trained)
    assert str(path) in again.files.recent_files()[0]


def test_sequence_file_that_does_not_fit_asks_before_a_new_network(window: MainWindow) -> None:
    net = window.session.net
    window.answer = False
    assert not window.files.open_sequences(str(EXAMPLES / "xor_sequences.csv"))
    assert window.session.net is net and len(window.questions) == 1
    window.answer = True
    assert window.files.open_sequences(str(EXAMPLES / "xor_sequences.csv"))
    data = window.session.dataset
    assert (window.session.net.n_in, window.session.net.n_out) == (data.n_in, data.n_out)
    assert window.session.source["file"].endswith("xor_sequences.csv")
    assert window.sequence_box.maximum() == len(data)


def test_fitting_sequence_file_keeps_the_network(window: MainWindow) -> None:
    net = window.session.net
    assert window.files.open_sequences(str(EXAMPLES / "deep_learning_ch10_sequences.json"))
    assert window.session.net is net and window.questions == []
    assert window.session.dataset.n_in == 4


def test_new_asks_before_discarding_trained_weights(window: MainWindow) -> None:
    trained = window.session.net.with_params(b=np.ones(5))
    window.session.set_network(trained, modified=True)
    window.answer = False
    assert not window.files.new()
    assert window.session.net is trained
    window.answer = True
    assert window.files.new()
    assert window.session.net.same_weights(example_network())
    assert not window.session.modified


def test_exports(window: MainWindow, tmp_path) -> None:
    window.show()
    window.session.seek(5)
    for name in ("view.png", "view.svg"):
        assert window.files.export_widget(window.centralWidget(), str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 1000
    assert "<svg" in (tmp_path / "view.svg").read_text(encoding="utf-8")
    assert window.files.export_trace_csv(str(tmp_path / "trace.csv"))
    rows = (tmp_path / "trace.csv").read_text(encoding="utf-8").strip().splitlines()
    assert len(rows) == 1 + window.session.trace.T
    assert not window.files.export_widget(window.centralWidget(), str(tmp_path / "view.bmpx"))
    assert "png" in window.errors[-1]


def test_dropping_a_file_opens_it(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(EXAMPLES / "deep_learning_ch10_sequences.json"))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.dropEvent(event)
    assert window.session.source["file"].endswith("deep_learning_ch10_sequences.json")


def test_main_opens_a_task_and_a_model(qtbot, tmp_path, monkeypatch) -> None:
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    shot = tmp_path / "reber.png"
    assert main.main(["--task", "reber", "--screenshot", str(shot), "--position", "3"]) == 0
    assert shot.stat().st_size > 10_000
    model = tmp_path / "m.json"
    from core.modelio import save_model

    save_model(model, example_network(seed=11), task=None)
    shot2 = tmp_path / "model.png"
    assert main.main([str(model), "--screenshot", str(shot2), "--notation", "001"]) == 0
    assert shot2.exists()
    with pytest.raises(SystemExit):
        main.main(["--task", "no-such-task"])
    json.loads(model.read_text(encoding="utf-8"))
