"""The Lesson dock drives the window: Next and Back move cursor, selection, notation and
truncation; the text shows the engine's numbers; a step that trains runs in the worker; a bad
lesson file is refused naming file, step and field, leaving the window as it was."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from core.cursor import position_of
from core.explain import fmt
from core.lessons import shipped_lessons
from core.selection import Selection
from gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.files.ask = lambda _title, _text: True  # a lesson's trained weights may be discarded
    w.show()
    qtbot.waitExposed(w)
    return w


def lesson_file(tmp_path: Path, steps: list[dict[str, Any]], **top: Any) -> Path:
    data = {
        "format": "unfold-lesson",
        "version": 1,
        "title": "Test lesson",
        "notation": "deep-learning",
        "network": {"kind": "example"},
        "data": {"kind": "example"},
        "steps": steps,
        **top,
    }
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


STEPS = [
    {"text": "Start: h(0) = {h[1](0)}", "cursor": "start"},
    {"text": "h1(2) = {h[1](2)}", "cursor": "forward 2", "select": {"node": "h", "t": 2}},
    {"text": "δ = {dh[1](3)}", "cursor": "backward 3", "notation": "boden",
     "truncation": {"k": 2, "mode": "chunked"}},
]  # fmt: skip


def test_next_and_back_move_the_window_and_the_text_quotes_the_trace(
    window: MainWindow, tmp_path: Path
) -> None:
    assert window.lessons.open_path(lesson_file(tmp_path, STEPS))
    panel, session = window.lessons.panel, window.session
    assert window.lessons.dock.isVisible()
    assert panel.step_label.text() == "step 1 of 3"
    assert panel.text.text() == f"Start: h(0) = {fmt(session.trace.h[0, 0])}"

    QTest.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    T = session.trace.T
    assert session.position == position_of(T, "forward", 2)
    assert session.selection == Selection("node", "h", t=2)
    assert panel.step_label.text() == "step 2 of 3"
    assert panel.text.text() == f"h1(2) = {fmt(session.trace.h[2, 0])}"

    QTest.keyClick(window, Qt.Key.Key_PageDown)
    assert session.notation.key == "boden"
    assert (session.truncation, session.mode) == (2, "chunked")
    assert window.truncation_box.currentData() == "chunked"  # the toolbar follows
    # Bodén's sign, from the trace the window shows (chunked truncation)
    assert panel.text.text() == f"δ = {fmt(-session.trace.delta_h[2, 0])}"
    assert not panel.next_button.isEnabled()

    QTest.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert panel.step_label.text() == "step 2 of 3"
    assert session.notation.key == "deep-learning"
    assert session.truncation is None
    assert session.position == position_of(T, "forward", 2)


def test_the_text_follows_a_notation_chosen_by_hand(window: MainWindow, tmp_path: Path) -> None:
    window.lessons.open_path(lesson_file(tmp_path, STEPS))
    window.lessons.player.go(2)
    window.session.set_notation("deep-learning")
    text = window.lessons.panel.text.text()
    assert text == f"δ = {fmt(window.session.trace.delta_h[2, 0])}"


@pytest.mark.parametrize(
    ("change", "field", "step"),
    [
        ({"cursor": "sideways"}, "cursor", 2),
        ({"text": "{h[9](1)}"}, "text", 2),
        ({"select": {"node": "h", "t": 99}}, "select", 2),
    ],
    ids=["cursor", "placeholder", "selection"],
)
def test_a_bad_lesson_is_refused_and_nothing_changes(
    window: MainWindow, tmp_path: Path, change: dict[str, Any], field: str, step: int
) -> None:
    errors: list[str] = []
    window.files.show_error = lambda title, text: errors.append(f"{title}: {text}")
    window.session.seek(3)
    net, position = window.session.net, window.session.position
    steps = [dict(STEPS[0]), {**STEPS[1], **change}]
    path = lesson_file(tmp_path, steps)
    assert not window.lessons.open_path(path)
    assert len(errors) == 1
    assert str(path) in errors[0] and f"step {step}" in errors[0] and f"'{field}'" in errors[0]
    assert window.session.net is net and window.session.position == position
    assert window.lessons.player.lesson is None and not window.lessons.dock.isVisible()


def test_a_non_interactive_run_opens_no_dialog(window: MainWindow, tmp_path: Path) -> None:
    from gui.unattended import Unattended

    stream = io.StringIO()
    window.files.unattended = Unattended(stream=stream)
    try:
        assert not window.lessons.open_file()  # asks for no file
        bad = lesson_file(tmp_path, [{"text": "x", "cursor": "forward 99"}])
        assert not window.lessons.open_path(bad)  # reported on the stream, not in a dialog
    finally:
        window.files.unattended = None
    assert str(bad) in stream.getvalue() and "step 1" in stream.getvalue()
    assert "'cursor'" in stream.getvalue()


def test_a_training_step_runs_in_the_worker_and_shows_its_result(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    steps = [
        {"text": "before: L = {L}", "cursor": "end"},
        {"text": "after: L = {L}", "train": {"epochs": 5, "lr": 0.1}},
    ]
    window.lessons.open_path(lesson_file(tmp_path, steps))
    before = window.session.net
    window.lessons.next_action.trigger()
    player = window.lessons.player
    assert player.training  # the step waits for its run
    assert window.controller.state == "running"
    qtbot.waitUntil(lambda: player.index == 1, timeout=20000)
    assert not player.training and window.session.net is not before
    assert len(window.controller.history) == 5
    assert window.lessons.panel.text.text() == f"after: L = {fmt(window.session.trace.loss)}"
    # Back shows the untrained network again; Next shows the trained one without training
    window.lessons.back_action.trigger()
    assert window.session.net is before
    trained_loss = fmt(window.session.trace.loss)
    assert window.lessons.panel.text.text() == f"before: L = {trained_loss}"
    window.lessons.next_action.trigger()
    assert not player.training and player.index == 1


def test_stop_ends_a_step_training_and_the_step_shows_the_network_reached(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    steps = [{"text": "a", "cursor": "end"}, {"text": "L = {L}", "train": {"epochs": 5000}}]
    window.lessons.open_path(lesson_file(tmp_path, steps))
    window.lessons.next_action.trigger()
    qtbot.waitUntil(lambda: window.lessons.panel.progress.value() > 0, timeout=20000)
    window.lessons.panel.stop_button.click()
    qtbot.waitUntil(lambda: not window.lessons.player.training, timeout=5000)
    assert window.lessons.player.index == 1
    assert window.lessons.panel.text.text() == f"L = {fmt(window.session.trace.loss)}"


def test_every_shipped_lesson_is_in_the_lessons_menu(window: MainWindow) -> None:
    titles = [a.text() for a in window.lessons.menu.actions()]
    for path in shipped_lessons():
        assert json.loads(path.read_text(encoding="utf-8"))["title"] in titles
    file_menu = window.file_menu.actions()
    assert window.lessons.open_action in file_menu
    assert window.lessons.open_action.shortcut().toString() == "Ctrl+L"


def test_the_core_knows_every_dock_name_of_the_registry() -> None:
    from core.lessons import DOCK_NAMES
    from gui.docks.registry import DockId

    assert sorted(DOCK_NAMES) == sorted(d.value for d in DockId)


def test_a_step_that_names_a_dock_raises_it(window: MainWindow, tmp_path: Path) -> None:
    from gui.docks.registry import DockId

    flow, lesson_dock = window.docks[DockId.FLOW], window.docks[DockId.LESSON]
    flow.hide()
    steps = [dict(STEPS[0]), {**STEPS[1], "show": "flow"}]
    assert window.lessons.open_path(lesson_file(tmp_path, steps))
    assert not flow.isVisible()  # step 1 names no dock
    window.lessons.next_action.trigger()
    assert flow.isVisible() and not flow.visibleRegion().isEmpty()
    assert lesson_dock.isVisible()  # the lesson stays beside it


@pytest.mark.parametrize("index", [0, 4])
def test_a_lesson_with_predict_mode_fits_a_1280_by_800_screen(
    window: MainWindow, index: int, settle
) -> None:
    """The lesson dock scrolls rather than make the window taller than a laptop's screen."""
    assert window.lessons.open_path(shipped_lessons()[index])
    window.lessons.predict.toggle_action.trigger()
    window.resize(1280, 800)
    settle()
    assert window.minimumSizeHint().height() <= 800
    assert window.height() <= 800
    assert window.lessons.dock.isVisible() and window.lessons.panel.text.text()
