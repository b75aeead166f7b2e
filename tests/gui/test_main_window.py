"""The explorer window driven as a user would: keys, time bar, notation, truncation, layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from gui.docks.registry import DockId
from gui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_opens_on_the_built_in_example(window: MainWindow) -> None:
    net, trace = window.session.net, window.session.trace
    assert (net.n_in, net.n_hidden, net.n_out) == (4, 5, 3)
    assert (net.hidden, net.output) == ("tanh", "softmax")
    assert window.timebar.slider.maximum() == 2 * trace.T
    assert window.timebar.label.text().startswith("start")


def test_keyboard_steps_through_every_position_and_back(window: MainWindow) -> None:
    T = window.session.trace.T
    labels = []
    for k in range(1, 2 * T + 1):
        QTest.keyClick(window, Qt.Key.Key_Right)
        assert window.session.position == k
        assert window.timebar.slider.value() == k
        labels.append(window.timebar.label.text())
    assert labels[0] == f"forward t = 1 / {T}"
    assert labels[T - 1] == f"forward t = {T} / {T}"
    assert labels[T] == f"backward t = {T}"
    assert labels[-1] == "backward t = 1"
    QTest.keyClick(window, Qt.Key.Key_Right)  # stays at the end
    assert window.session.position == 2 * T
    for k in range(2 * T - 1, -1, -1):
        QTest.keyClick(window, Qt.Key.Key_Left)
        assert window.session.position == k
        if k >= 1:
            assert window.timebar.label.text() == labels[k - 1]
    QTest.keyClick(window, Qt.Key.Key_End)
    assert window.session.position == 2 * T
    QTest.keyClick(window, Qt.Key.Key_Home)
    assert window.session.position == 0


def test_space_plays_to_the_end_and_stops(window: MainWindow, qtbot) -> None:
    window.playback.set_speed(200.0)
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert window.playback.playing
    qtbot.waitUntil(lambda: window.session.cursor.at_end, timeout=5000)
    qtbot.waitUntil(lambda: not window.playback.playing, timeout=1000)
    assert window.playback.play.text() == "Play"
    QTest.keyClick(window, Qt.Key.Key_Space)  # from the end, play starts again
    assert window.session.position <= 1
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert not window.playback.playing


def test_slider_seeks(window: MainWindow) -> None:
    T = window.session.trace.T
    window.timebar.slider.setValue(T + 2)
    assert window.session.position == T + 2
    assert window.timebar.label.text() == f"backward t = {T - 1}"


def test_notation_selector_relabels(window: MainWindow) -> None:
    index = window.notation_box.findData("tutorial")
    window.notation_box.setCurrentIndex(index)
    assert window.session.notation.key == "tutorial"
    checked = [a.data() for a in window.notation_actions.actions() if a.isChecked()]
    assert checked == ["tutorial"]
    window.session.step()
    assert "E so far" in window.status.text()
    window.notation_actions.actions()[1].trigger()  # the menu drives the same state
    assert window.notation_box.currentData() == window.session.notation.key == "boden"
    assert "C so far" in window.status.text()


def test_truncation_controls_retrace(window: MainWindow) -> None:
    assert not window.k_box.isEnabled()
    window.k_box.setValue(2)
    window.truncation_box.setCurrentIndex(window.truncation_box.findData("chunked"))
    assert window.k_box.isEnabled()
    assert (window.session.truncation, window.session.mode) == (2, "chunked")
    assert window.session.trace.mode == "chunked"
    window.truncation_box.setCurrentIndex(0)
    assert window.session.truncation is None
    assert window.session.trace.mode == "full"


def test_layout_is_remembered(qtbot, settings: QSettings) -> None:
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.show()
    first.docks[DockId.LOSS].hide()
    first.close()
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    second.show()
    assert second.docks[DockId.LOSS].isHidden()
    second.reset_layout()
    assert not second.docks[DockId.LOSS].isHidden()


def _content(img: QImage) -> float:
    """Standard deviation of the grey levels: near zero for a blank image."""
    img = img.convertToFormat(QImage.Format.Format_Grayscale8)
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8, img.bytesPerLine() * img.height())
    return float(arr.std())


def test_screenshots_at_1400x900(window: MainWindow, tmp_path) -> None:
    """Renders start, mid-forward and mid-backward at 1400x900; each picture has content."""
    out = tmp_path
    window.resize(1400, 900)
    T = window.session.trace.T
    for name, position in (("start", 0), ("mid_forward", T // 2), ("mid_backward", T + T // 2)):
        window.session.seek(position)
        image = window.grab().toImage()
        assert (image.width(), image.height()) == (1400, 900)
        assert _content(image) > 10.0
        assert image.save(str(out / f"explorer_{name}.png"))


def _answer(window: MainWindow, monkeypatch, reply: bool) -> list[str]:
    asked: list[str] = []

    def ask(title: str, text: str) -> bool:
        asked.append(text)
        return reply

    monkeypatch.setattr(window.files, "ask", ask)
    return asked


def test_training_docks_are_wired(window: MainWindow, qtbot, tmp_path, monkeypatch) -> None:
    from main import open_task

    open_task(window, "temporal-xor")
    panel = window.panels[DockId.TRAINING]
    panel.epochs_box.setValue(40)
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        panel.train_button.click()
        assert window.docks[DockId.TRAINING].isVisible()
    history = window.controller.history
    assert history and window.session.net is history[-1].net
    assert window.session.modified
    path = tmp_path / "history.csv"
    assert window.export_loss_history(str(path))
    assert len(path.read_text(encoding="utf-8").strip().splitlines()) == 1 + len(history)
    saved = tmp_path / "trained.json"
    assert window.files.save_as(str(saved))
    from core.modelio import load_model

    model = load_model(saved)
    assert model.task is not None and model.task["task"] == "temporal-xor"
    assert model.training is not None and model.training["epochs_done"] == len(history)
    assert model.net.same_weights(window.session.net)


def test_closing_during_training_stops_the_worker(qtbot, settings, monkeypatch) -> None:
    from main import open_task

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.show()
    open_task(w, "reber")
    asked = _answer(w, monkeypatch, True)
    w.panels[DockId.TRAINING].train_button.click()
    qtbot.waitUntil(lambda: len(w.controller.history) >= 1, timeout=30_000)
    assert w.controller.state == "running"
    w.close()  # unsaved trained weights: asks, then stops the worker and waits for it
    assert asked and not w.isVisible()
    assert w.controller.state == "idle"


def test_closing_with_unsaved_weights_can_be_cancelled(window: MainWindow, monkeypatch) -> None:
    window.session.set_network(window.session.net.with_params(c=[1.0, 2.0, 3.0]), modified=True)
    asked = _answer(window, monkeypatch, False)
    window.close()
    assert asked and window.isVisible()
    window.session.set_modified(False)


def test_training_shortcuts_work_with_the_dock_tabbed_away(window: MainWindow, qtbot) -> None:
    from main import open_task

    open_task(window, "temporal-xor")
    window.panels[DockId.TRAINING].epochs_box.setValue(3)
    window.docks[DockId.GRADIENTS].raise_()
    qtbot.waitUntil(lambda: window.panels[DockId.TRAINING].train_button.visibleRegion().isEmpty())
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        QTest.keySequence(window, "Ctrl+T")
    assert len(window.controller.history) == 3
    window.session.set_modified(False)


def test_command_line_context_opens_a_jordan_network(window: MainWindow, tmp_path) -> None:
    from main import main, open_task, use_context

    open_task(window, "temporal-xor", "output")
    assert window.session.net.context == "output" and window.session.dataset.name == "temporal XOR"
    from types import SimpleNamespace

    from gui.session import Session

    holder = SimpleNamespace(session=Session())
    use_context(holder, "target")
    net = holder.session.net
    assert net.context == "target" and net.W.shape == (net.n_hidden, net.n_out)
    shot = tmp_path / "jordan.png"
    assert main(["--context", "output", "--screenshot", str(shot), "--position", "8"]) == 0
    assert shot.stat().st_size > 10_000
    with pytest.raises(SystemExit):
        main([str(shot), "--context", "output"])  # a file keeps its own network


def _choose(box, data) -> None:
    box.setCurrentIndex(box.findData(data))


def test_toolbar_truncation_is_the_training_dock_truncation(window: MainWindow) -> None:
    training = window.panels[DockId.TRAINING]
    _choose(window.truncation_box, "sliding")
    window.k_box.setValue(3)
    assert (window.session.truncation, window.session.mode) == (3, "sliding")
    assert training.truncation_box.currentData() == "sliding" and training.k_box.value() == 3
    config = training.config()
    assert (config.truncation, config.mode) == (3, "sliding")
    _choose(training.truncation_box, "chunked")  # the other way round
    training.k_box.setValue(4)
    assert (window.session.truncation, window.session.mode) == (4, "chunked")
    assert window.session.trace.mode == "chunked"
    assert window.truncation_box.currentData() == "chunked" and window.k_box.value() == 4
    assert window.k_box.isEnabled()
    _choose(training.truncation_box, None)
    assert window.session.truncation is None and window.truncation_box.currentData() is None
    assert not window.k_box.isEnabled() and window.k_box.value() == training.k_box.value() == 4
    window.session.set_truncation(2, "sliding")  # set from code: both places show it
    assert window.k_box.value() == training.k_box.value() == 2
    assert window.truncation_box.currentData() == training.truncation_box.currentData()


def test_training_uses_the_toolbar_truncation(window: MainWindow, qtbot) -> None:
    from main import open_task

    _choose(window.truncation_box, "sliding")
    window.k_box.setValue(3)
    open_task(window, "temporal-xor")  # the task's recommendations keep the truncation
    assert (window.session.truncation, window.session.mode) == (3, "sliding")
    window.panels[DockId.TRAINING].epochs_box.setValue(2)
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        window.panels[DockId.TRAINING].train_button.click()
        assert not window.truncation_box.isEnabled()  # a run keeps the setting it started with
    config = window.controller.config
    assert (config.truncation, config.mode) == (3, "sliding")
    assert window.truncation_box.isEnabled() and window.k_box.isEnabled()
    window.session.set_modified(False)


#: text of ours that must never reach the screen: reprs of numpy, of our records, of objects
INTERNAL = ("np.float", "np.int", "Selection(", " object at 0x", "array(", "sequence 0,")


def _shown_texts(window: MainWindow) -> list[str]:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

    texts = [window.windowTitle(), window.status.text()]
    for widget in window.findChildren(QWidget):
        texts.append(widget.toolTip())
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
    texts += [a.text() + a.toolTip() + a.statusTip() for a in window.findChildren(QAction)]
    return texts


def test_no_internal_text_reaches_the_screen(window: MainWindow) -> None:
    from core.selection import Selection
    from main import open_task

    open_task(window, "letters")
    for dock_id in (DockId.STATE_SPACE, DockId.WEIGHTS, DockId.FLOW):
        window.docks[dock_id].raise_()
    window.session.set_sequence(0)
    window.session.seek(5)
    window.session.select(Selection("node", "h", t=2, unit=1))
    leaks = [t for t in _shown_texts(window) if any(bad in t for bad in INTERNAL)]
    assert not leaks
