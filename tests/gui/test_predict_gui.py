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
    assert window.playback.forward.shortcuts() == []  # Right asks first, nothing else
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
