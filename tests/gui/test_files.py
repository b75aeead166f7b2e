"""The File menu's work: bad files leave everything as it was; saved models reopen identically."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QFileDialog, QInputDialog

import main
from core.examples import example_network
from gui.docks.registry import DockId
from gui.export_views import picture_size
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


def shown_title(window: MainWindow) -> str:
    """The title as the window system shows it (Qt puts the unsaved mark in place of [*])."""
    window.winId()  # the native window exists, so its title is the displayed one
    return window.windowHandle().title()


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
    assert shown_title(window).startswith("untitled* - Unfold")
    path = tmp_path / "trained.json"
    assert window.files.save_as(str(path))
    assert not window.session.modified
    assert shown_title(window).startswith("trained.json - Unfold")
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
    hidden = [c for c in rows[0].split(",") if c.startswith("h[")]  # numbered as on screen
    assert hidden == [f"h[{j}]" for j in range(1, window.session.net.n_hidden + 1)]
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
    assert main.main([str(model), "--screenshot", str(shot2), "--notation", "boden"]) == 0
    assert shot2.exists()
    with pytest.raises(SystemExit):
        main.main(["--task", "no-such-task"])
    json.loads(model.read_text(encoding="utf-8"))


@pytest.fixture
def opened_model(window: MainWindow, tmp_path) -> Path:
    """A trained model saved to a file and opened: the window shows it, saved."""
    trained = window.session.net.with_params(W=np.random.default_rng(5).normal(size=(5, 5)))
    window.session.set_network(trained, modified=True)
    path = tmp_path / "trained.json"
    assert window.files.save_as(str(path))
    assert window.files.open_model(str(path))
    assert shown_title(window).startswith("trained.json - ")
    return path


def _save_dialog(monkeypatch, answer: str) -> list[str]:
    """Answer File > Save's file dialog with ``answer`` ("" cancels); returns the dialogs shown."""
    asked: list[str] = []

    def dialog(parent, caption, directory="", filter="", *args, **kwargs):
        asked.append(caption)
        return answer, filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    return asked


@pytest.mark.parametrize("how", ["sequence file", "generated task", "network dock"])
def test_save_of_a_new_network_asks_for_a_name_and_keeps_the_old_file(
    window: MainWindow, opened_model: Path, tmp_path, monkeypatch, how: str
) -> None:
    before = opened_model.read_bytes()
    if how == "sequence file":  # does not fit: a new network is built for it
        assert window.files.open_sequences(str(EXAMPLES / "xor_sequences.csv"))
    elif how == "generated task":
        task = window.panels[DockId.TASK]
        task.select_task("temporal-xor")
        assert task.generate()
    else:
        window.panels[DockId.NETWORK].hidden_box.setValue(3)
        assert window.panels[DockId.NETWORK].apply()
    assert shown_title(window).startswith("untitled* - Unfold")
    assert window.isWindowModified() and window.files.path is None
    asked = _save_dialog(monkeypatch, "")  # the user cancels the name
    window.file_actions["save"].trigger()
    assert asked == ["Save model"]
    assert opened_model.read_bytes() == before
    assert shown_title(window).startswith("untitled* - ")
    other = tmp_path / "new.json"
    asked = _save_dialog(monkeypatch, str(other))
    window.file_actions["save"].trigger()
    assert asked == ["Save model"] and other.is_file()
    assert opened_model.read_bytes() == before
    assert shown_title(window).startswith("new.json - ") and not window.isWindowModified()


def test_training_marks_the_network_unsaved_and_save_keeps_its_file(
    qtbot, window: MainWindow, tmp_path, monkeypatch
) -> None:
    from main import open_task

    open_task(window, "temporal-xor")
    path = tmp_path / "xor.json"
    assert window.files.save_as(str(path))
    assert shown_title(window).startswith("xor.json - ")
    window.panels[DockId.TRAINING].epochs_box.setValue(3)
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        window.panels[DockId.TRAINING].train_button.click()
    assert shown_title(window).startswith("xor.json* - ")
    asked = _save_dialog(monkeypatch, "")
    window.file_actions["save"].trigger()  # a trained network keeps its file: no dialog
    assert asked == [] and not window.isWindowModified()
    from core.modelio import load_model

    assert load_model(path).net.same_weights(window.session.net)


def _choose_view(monkeypatch, choice: str) -> list[tuple[list[str], int]]:
    """Answer Export view's question with ``choice``; returns the lists offered and defaults."""
    offered: list[tuple[list[str], int]] = []

    def get_item(parent, title, label, items, current=0, editable=True, *args, **kwargs):
        offered.append((list(items), current))
        return choice, True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    return offered


def test_export_view_asks_which_view_and_saves_its_picture_only(
    qtbot, window: MainWindow, tmp_path, monkeypatch
) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.session.seek(3)
    window.docks[DockId.LOSS].widget().setFocus()  # the focused dock no longer decides
    offered = _choose_view(monkeypatch, "Unfolded graph")
    png = tmp_path / "unfolded.png"
    assert window.export_view(str(png))
    labels, default = offered[0]
    assert labels[:2] == ["Unfolded graph", "Folded graph"] and labels[default] == "Unfolded graph"
    assert labels[2:] == ["Activations over time", "Gradients", "Loss per time step", "Inspector"]
    assert "Deltas over time" not in labels  # tabbed away: not on screen
    image = QImage(str(png))
    plot = window.unfolded.plot_widget()
    want = picture_size(window.unfolded.picture())
    assert (image.width(), image.height()) == (want.width(), want.height())
    assert want.width() == plot.width() and want.height() >= plot.height()
    assert want.height() < window.unfolded.height()  # the view's buttons are left out

    _choose_view(monkeypatch, "Loss per time step")
    png = tmp_path / "loss.png"
    assert window.export_view(str(png))
    panel = window.docks[DockId.LOSS].widget()
    assert QImage(str(png)).size() == panel.size()

    _choose_view(monkeypatch, "Unfolded graph")
    svg = tmp_path / "unfolded.svg"
    assert window.export_view(str(svg))
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "<text" in text  # the graph's labels are there ...
    assert "steps/s" not in text and ">Fit<" not in text  # ... the buttons are not
    area = tmp_path / "area.svg"  # what Export used to write: the time bar's controls too
    assert window.files.export_widget(window.centralWidget(), str(area))
    assert "steps/s" in area.read_text(encoding="utf-8")


def test_export_view_cancelled_writes_nothing(window: MainWindow, tmp_path, monkeypatch) -> None:
    window.show()
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("", False)))
    assert not window.export_view(str(tmp_path / "x.png"))
    assert not (tmp_path / "x.png").exists()
