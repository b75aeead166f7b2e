"""Bad model files and the data they name: one clear message naming the file and the field,
and the window's network, data and files exactly as they were."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core.examples import example_network
from core.model import SRN
from core.modelio import model_json, save_model
from gui.main_window import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.errors, w.questions = [], []
    monkeypatch.setattr(w.files, "show_error", lambda title, text: w.errors.append(text))

    def ask(title: str, text: str) -> bool:
        w.questions.append(text)
        return True

    monkeypatch.setattr(w.files, "ask", ask)
    return w


def model_with_task(path: Path, task_text: str) -> Path:
    """A model of the example network whose "task" entry is ``task_text`` as written."""
    text = model_json(example_network(), task={"task": "two-back"})
    text = text.replace('"task": {\n    "task": "two-back"\n  }', f'"task": {task_text}')
    assert task_text in text
    path.write_text(text, encoding="utf-8")
    return path


BAD_TASKS = [
    ('{"task": "two-back", "seed": [1]}', "task.seed", "got an array"),
    ('{"task": "two-back", "seed": 1e400}', "task.seed", "NaN, infinity"),
    ('{"task": "two-back", "params": "abc"}', "task.params", "got a string"),
    ('{"task": "two-back", "params": {"n_sequences": 1000000000}}', "task.params.n_sequences",
     "from 1 to 1,000, got 1000000000"),
    ('{"task": "anbn", "params": {"n_min": 5, "n_max": 2}}', "task", "n_min <= n_max"),
]  # fmt: skip


@pytest.mark.parametrize(("task", "field", "words"), BAD_TASKS, ids=[t[1] for t in BAD_TASKS])
def test_a_bad_task_entry_is_reported_and_changes_nothing(
    window: MainWindow, tmp_path: Path, task: str, field: str, words: str
) -> None:
    path = model_with_task(tmp_path / "bad.json", task)
    before = path.read_bytes()
    net, data, source = window.session.net, window.session.dataset, window.session.source
    assert not window.files.open_path(str(path))
    assert len(window.errors) == 1
    assert window.errors[0].startswith(f"{path}") and f": {field}: " in window.errors[0]
    assert words in window.errors[0]
    assert window.session.net is net and window.session.dataset is data
    assert window.session.source == source and window.files.path is None
    assert path.read_bytes() == before


def test_data_that_does_not_fit_names_the_model_and_the_data_file(
    window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "net.json"
    xor = EXAMPLES / "xor_sequences.csv"
    save_model(path, example_network(), task={"file": str(xor)})
    net = window.session.net
    assert not window.files.open_model(str(path))
    assert str(path) in window.errors[0] and str(xor) in window.errors[0]
    assert "1 input and 1 target" in window.errors[0]
    assert window.session.net is net


def test_a_model_trained_on_a_data_file_reopens_with_it(window: MainWindow, tmp_path) -> None:
    data = EXAMPLES / "deep_learning_ch10_sequences.json"
    path = tmp_path / "trained.json"
    save_model(path, example_network(seed=3), task={"data": str(data), "name": "ch10"})
    assert window.files.open_path(str(path))
    assert window.session.dataset.source == str(data) and window.errors == []


def _drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.dropEvent(event)


def test_a_dropped_model_whose_format_comes_late_opens_as_a_model(
    window: MainWindow, tmp_path: Path
) -> None:
    net = SRN.init(4, 30, 3, seed=5)
    doc: dict[str, Any] = json.loads(model_json(net))
    late = {"notes": "n" * 5000, **{k: v for k, v in doc.items() if k != "format"}}
    late["format"] = "unfold-model"
    path = tmp_path / "late.json"
    path.write_text(json.dumps(late), encoding="utf-8")
    _drop(window, path)
    assert window.errors == [] and window.files.path == str(path)
    assert window.session.net.same_weights(net)


def test_saving_over_a_read_only_file_is_refused(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    save_model(path, SRN.init(2, 2, 2))
    before = path.read_bytes()
    path.chmod(0o444)
    window.session.set_network(window.session.net.with_params(b=[1.0] * 5), modified=True)
    assert not window.files.save_as(str(path))
    assert window.errors == [f"{path}: the file is read-only"]
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "kept.json"
    ]
    assert window.session.modified and window.files.path is None


def test_save_errors_name_the_chosen_file(window: MainWindow, tmp_path: Path) -> None:
    (tmp_path / "model.json").mkdir()
    assert not window.files.save_as(str(tmp_path / "model.json"))
    assert window.errors == [f"{tmp_path / 'model.json'}: is a folder, not a file"]
    assert not window.files.export_trace_csv(str(tmp_path / "none" / "trace.csv"))
    assert window.errors[-1].startswith(f"{tmp_path / 'none' / 'trace.csv'}: ")
    assert ".tmp" not in window.errors[-1]
