"""``python main.py --lesson NAME_OR_FILE [--lesson-step N]``: the window opens on the lesson at
that step; a bad lesson or step is refused on standard error with a non-zero status, naming
the file, the step and the field, before any window (so never a dialog)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

import main
from core.lessons import find_lesson
from gui.docks.registry import DockId
from gui.main_window import MainWindow
from tests.gui.test_unattended import run_main


def lesson_file(tmp_path: Path, steps: list[dict[str, Any]]) -> Path:
    data = {"format": "unfold-lesson", "version": 1, "title": "CLI lesson",
            "notation": "deep-learning", "network": {"kind": "example"},
            "data": {"kind": "example"}, "steps": steps}  # fmt: skip
    path = tmp_path / "cli_lesson.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.files.ask = lambda _title, _text: True  # a lesson's trained weights may be discarded
    w.show()
    qtbot.waitExposed(w)
    return w


def test_a_screenshot_of_a_shipped_lesson_at_step_2(tmp_path: Path) -> None:
    shot = tmp_path / "lesson.png"
    result = run_main(
        tmp_path, "--lesson", "vanishing_delayed_recall", "--lesson-step", "2",
        "--screenshot", str(shot), "--size", "1280x800",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)


def test_a_bad_lesson_file_names_file_step_and_field_on_stderr(tmp_path: Path) -> None:
    bad = lesson_file(tmp_path, [{"text": "ok"}, {"text": "x", "show": "nowhere"}])
    shot = tmp_path / "shot.png"
    result = run_main(tmp_path, "--lesson", str(bad), "--screenshot", str(shot))
    assert result.returncode == 2
    assert f"{bad}, step 2, field 'show'" in result.stderr
    assert not shot.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lesson", "no_such_lesson"], "no_such_lesson: is neither a lesson file"),
        (["--lesson", "1", "--lesson-step", "10"], "has 9 steps"),
        (["--lesson", "1", "--lesson-step", "0"], "must be from 1 to 200, got 0"),
        (["--lesson", "1", "--lesson-step", "two"], "expected a whole number"),
        (["--lesson-step", "2"], "--lesson-step needs --lesson"),
        (["--lesson", "1", "--task", "temporal-xor"], "brings its own network and data"),
    ],
    ids=["unknown-name", "step-past-end", "step-zero", "step-not-number", "no-lesson", "task"],
)
def test_bad_options_are_refused_before_a_window(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main.main(args)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_open_lesson_goes_to_the_step_and_the_panel_shows_it(window: MainWindow) -> None:
    path = str(find_lesson("one_sweep_deep_learning"))
    assert main.open_lesson(window, path, 3)
    lessons = window.lessons
    assert lessons.player.index == 2
    assert lessons.panel.step_label.text() == "step 3 of 9"
    assert lessons.panel.text.text() == lessons.player.text != ""
    state = lessons.player.peek(2)
    assert state is not None and window.session.position == state.position


def test_open_lesson_waits_for_a_step_that_trains(window: MainWindow, tmp_path: Path) -> None:
    steps = [{"text": "before: L = {L}"}, {"text": "after: L = {L}", "train": {"epochs": 3}}]
    before = window.session.trace.loss
    assert main.open_lesson(window, str(lesson_file(tmp_path, steps)), 2)
    assert window.lessons.player.index == 1 and not window.lessons.player.training
    assert window.session.trace.loss != before  # the window shows the trained network
    assert not window.docks[DockId.TRAINING].isHidden()
