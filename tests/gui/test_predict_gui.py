"""Predict mode in the window: Right asks for the next number before stepping; the feedback
names the slip a wrong value comes from; the score is shown and exported."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest

from core.lessons import shipped_lessons
from gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def type_and_enter(window: MainWindow, text: str) -> None:
    edit = window.lessons.predict.box.edit
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def test_right_asks_first_then_steps_and_scores(window: MainWindow) -> None:
    predict, session = window.lessons.predict, window.session
    QTest.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert predict.on and predict.box.isVisible() and window.lessons.dock.isVisible()
    assert window.playback.gated  # every forward move asks first
    QTest.keyClick(window, Qt.Key.Key_Right)
    assert session.position == 0  # not yet: the question comes first
    assert predict.box.prompt.text() == "Predict h1(1) before it is computed:"
    h = float(session.trace.h[1, 0])
    type_and_enter(window, f"{h:.4g}")
    assert session.position == 1
    assert predict.box.feedback.text().startswith("Right: h1(1) = ")
    assert predict.box.score.text() == "score 1 / 1"

    # forward t = 2 with W read transposed: named as that slip
    QTest.keyClick(window, Qt.Key.Key_Right)
    net, x, h1 = session.net, session.trace.x[1], session.trace.h[1]
    wrong = np.tanh(net.b[0] + net.W[:, 0] @ h1 + net.U[0] @ x)
    type_and_enter(window, f"{wrong:.6f}")
    assert session.position == 2
    assert "(W for Wᵀ)" in predict.box.feedback.text()
    assert predict.box.score.text() == "score 1 / 2"


def test_a_backward_question_names_the_sign_slip(window: MainWindow) -> None:
    session, predict = window.session, window.lessons.predict
    session.seek(session.trace.T)  # the end of the forward sweep
    predict.toggle_action.trigger()
    QTest.keyClick(window, Qt.Key.Key_Right)
    T = session.trace.T
    assert predict.box.prompt.text() == f"Predict δh1({T}) before it is computed:"
    type_and_enter(window, f"{-float(session.trace.delta_h[T - 1, 0]):.5f}")
    assert "(other δ sign)" in predict.box.feedback.text()


def test_not_a_number_is_refused_and_nothing_moves(window: MainWindow) -> None:
    predict = window.lessons.predict
    predict.toggle_action.trigger()
    QTest.keyClick(window, Qt.Key.Key_Right)
    predict.box.check_button.click()  # nothing typed
    assert predict.box.feedback.text() == "Type a number first (or Skip)."
    assert window.session.position == 0 and predict.score.total == 0
    predict.box.skip_button.click()
    assert window.session.position == 1 and predict.score.total == 0


def test_predict_off_steps_at_once(window: MainWindow) -> None:
    predict = window.lessons.predict
    predict.toggle_action.trigger()
    predict.toggle_action.trigger()
    assert not predict.box.isVisible()
    QTest.keyClick(window, Qt.Key.Key_Right)
    assert window.session.position == 1


def test_the_score_exports_as_csv_and_json(window: MainWindow, tmp_path: Path) -> None:
    predict = window.lessons.predict
    predict.toggle_action.trigger()
    QTest.keyClick(window, Qt.Key.Key_Right)
    type_and_enter(window, "0")
    QTest.keyClick(window, Qt.Key.Key_Right)
    type_and_enter(window, f"{float(window.session.trace.h[2, 0]):.4g}")
    assert predict.export(str(tmp_path / "score.csv"))
    text = (tmp_path / "score.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["quantity"] for r in rows] == ["h[1](1)", "h[1](2)"]
    assert [r["right"] for r in rows] == ["False", "True"]
    assert predict.export(str(tmp_path / "score.json"))
    data = json.loads((tmp_path / "score.json").read_text(encoding="utf-8"))
    assert (data["right"], data["total"]) == (1, 2)


def test_a_lesson_step_asks_its_own_quantity(window: MainWindow) -> None:
    lessons = window.lessons
    lessons.open_path(shipped_lessons()[0])  # the Deep Learning ch. 10 sweep
    lessons.predict.toggle_action.trigger()
    lessons.next_action.trigger()  # step 2 asks for h[1](1)
    assert lessons.player.index == 0
    assert lessons.predict.box.prompt.text() == "Step 2 computes h1(1). Your prediction:"
    type_and_enter(window, f"{float(window.session.trace.h[1, 0]):.4g}")
    assert lessons.player.index == 1
    assert lessons.predict.box.feedback.text().startswith("Right")


def _step_menu_action(window: MainWindow, text: str):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Step")
    return next(a for a in menu.actions() if a.text() == text)


@pytest.mark.parametrize("how", ["time bar button", "Step menu"])
def test_the_time_bar_button_and_the_step_menu_ask_too(window: MainWindow, how: str) -> None:
    predict, session = window.lessons.predict, window.session
    predict.toggle_action.trigger()
    if how == "time bar button":
        button = next(
            b for b in window.timebar.buttons if b.defaultAction().text() == "Step forward"
        )
        button.click()
    else:
        _step_menu_action(window, "Step forward").trigger()
    assert session.position == 0
    assert predict.box.prompt.text() == "Predict h1(1) before it is computed:"
    type_and_enter(window, f"{float(session.trace.h[1, 0]):.4g}")
    assert session.position == 1 and predict.score.right == 1


def test_to_end_asks_then_jumps(window: MainWindow) -> None:
    predict, session = window.lessons.predict, window.session
    predict.toggle_action.trigger()
    _step_menu_action(window, "To end").trigger()
    assert session.position == 0 and predict.pending is not None
    predict.box.skip_button.click()
    assert session.cursor.at_end


def test_dragging_the_slider_forward_asks_for_one_step(window: MainWindow) -> None:
    predict, session = window.lessons.predict, window.session
    predict.toggle_action.trigger()
    window.timebar.slider.setValue(4)
    assert session.position == 0 and window.timebar.slider.value() == 0
    assert predict.box.prompt.text() == "Predict h1(1) before it is computed:"
    predict.box.skip_button.click()
    assert session.position == 1 and window.timebar.slider.value() == 1
    window.timebar.slider.setValue(0)  # back needs no question
    assert session.position == 0 and predict.pending is None


def test_play_waits_at_each_question_and_plays_on(qtbot, window: MainWindow) -> None:
    predict, session, playback = window.lessons.predict, window.session, window.playback
    predict.toggle_action.trigger()
    playback.set_speed(60.0)
    playback.play.trigger()
    qtbot.waitUntil(lambda: predict.pending is not None)
    assert session.position == 0 and not playback.timer.isActive()  # waiting for the answer
    type_and_enter(window, f"{float(session.trace.h[1, 0]):.4g}")
    assert session.position == 1
    qtbot.waitUntil(lambda: predict.pending is not None and session.position == 1)
    assert predict.box.prompt.text() == "Predict h1(2) before it is computed:"
    playback.play.trigger()  # pause while asked: the answer makes that one step only
    predict.box.skip_button.click()
    assert session.position == 2 and not playback.play.isChecked()
    assert not playback.timer.isActive()


def test_predict_off_removes_the_gate(window: MainWindow) -> None:
    predict = window.lessons.predict
    predict.toggle_action.trigger()
    predict.toggle_action.trigger()
    assert not window.playback.gated
    _step_menu_action(window, "To end").trigger()
    assert window.session.cursor.at_end and predict.pending is None


def test_the_feedback_and_the_lesson_title_are_never_cut_off(qtbot, window: MainWindow) -> None:
    window.resize(1280, 800)
    lessons = window.lessons
    lessons.open_path(shipped_lessons()[0])  # a title of two lines in the lesson column
    lessons.predict.toggle_action.trigger()
    lessons.next_action.trigger()
    type_and_enter(window, "0.1")  # a wrong value: a feedback of two lines or more
    labels = (lessons.predict.box.feedback, lessons.panel.title)
    assert all(label.text() for label in labels)

    def whole(label) -> bool:
        return label.height() >= label.heightForWidth(label.width()) > 0

    qtbot.waitUntil(lambda: all(whole(label) for label in labels))
    assert lessons.predict.box.feedback.heightForWidth(lessons.predict.box.feedback.width()) > (
        lessons.predict.box.feedback.fontMetrics().lineSpacing() * 1.5
    )  # it did wrap
