"""Training through the GUI: the panels drive a real run in a worker thread and show its numbers.

Temporal XOR with 8 sequences trains in about 10 ms an epoch, so a few hundred epochs take
seconds. Runs are driven by pressing the panels' buttons; ``controller.finished`` is waited for.
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLineEdit, QSpinBox

from core.data import Dataset
from core.model import PARAM_NAMES, SRN
from core.tasks import TASKS, make_task
from core.training import EpochRecord
from gui.docks.network import NetworkPanel
from gui.docks.task import TaskPanel
from gui.session import Session
from gui.training.controller import (
    CSV_COLUMNS,
    FLUSH_INTERVAL_MS,
    NETWORK_INTERVAL_S,
    TrainingController,
)
from gui.training.panel import TrainingPanel
from gui.training.plots import TrainingPlots
from gui.training.worker import LIVE_THREADS

FINISH_MS = 60_000  # generous: the suite may share the machine


def n_points(curve) -> int:
    x, _ = curve.getOriginalDataset()
    return 0 if x is None else len(x)


def xor_data() -> Dataset:
    return make_task("temporal-xor", seed=0, n_sequences=8)


class Rig:
    """A session with temporal XOR, its controller and a shown TrainingPanel."""

    def __init__(self, qtbot, net: SRN | None = None) -> None:
        self.session = Session()
        net = net if net is not None else SRN.init(1, 8, 1, output="logistic", seed=0)
        self.session.set_dataset(xor_data(), net=net)
        self.start_net = self.session.net
        self.controller = TrainingController(self.session)
        self.panel = TrainingPanel(self.session, self.controller)
        qtbot.addWidget(self.panel)
        self.panel.resize(1200, 440)
        self.panel.show()
        self.batches: list[list] = []
        self.pushes: list[SRN] = []
        self.threads: list[QThread] = []  # the threads the presses started
        self.controller.recordsArrived.connect(self.batches.append)
        self.session.networkChanged.connect(lambda: self.pushes.append(self.session.net))

    def settings(self, lr: str = "0.01", momentum: str = "0", epochs: int = 300, **kw) -> None:
        p = self.panel
        p.lr_edit.setText(lr)
        p.momentum_edit.setText(momentum)
        p.epochs_box.setValue(epochs)
        if "update" in kw:
            p.update_box.setCurrentIndex(p.update_box.findData(kw["update"]))

    def press(self, qtbot, button) -> None:
        before = set(LIVE_THREADS)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        self.threads += set(LIVE_THREADS) - before

    @property
    def received(self) -> int:
        return sum(len(b) for b in self.batches)

    def assert_thread_done(self) -> None:
        """The runs' threads have ended, and no other worker's thread runs."""
        assert self.threads, "no press started a training thread"
        assert not [t for t in self.threads if t.isRunning()]
        assert not [t for t in LIVE_THREADS if t.isRunning()]


@pytest.fixture
def rig(qtbot) -> Iterator[Rig]:
    rig = Rig(qtbot)
    yield rig
    left_running = rig.controller.state != "idle"
    rig.controller.shutdown()  # so that a failing test does not leave a thread behind
    assert not left_running, "the test left training running"


def test_a_run_plots_one_point_per_epoch_and_the_loss_falls(rig: Rig, qtbot, tmp_path) -> None:
    rig.settings(epochs=300)
    panel, controller, session = rig.panel, rig.controller, rig.session
    started = time.monotonic()
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS) as finished:
        rig.press(qtbot, panel.train_button)
        assert controller.state == "running"
        assert not panel.train_button.isEnabled() and panel.stop_button.isEnabled()
    duration = time.monotonic() - started
    assert finished.args == ["finished"]
    history = controller.history
    losses = np.array([r.loss for r in history])
    assert [r.epoch for r in history] == list(range(1, 301))
    assert rig.received == 300  # every record reached the GUI, in batches

    # The loss plot is on a log axis by default: the drawn y data are log10 of the losses.
    plots = panel.plots
    x, y = plots.loss_curve.getData()
    np.testing.assert_array_equal(x, np.arange(1, 301))
    np.testing.assert_allclose(10.0**y, losses, rtol=1e-12)
    plots.log_check.setChecked(False)
    x, y = plots.loss_curve.getData()
    np.testing.assert_array_equal(y, losses)
    assert y[-1] < y[0]
    _, g = plots.grad_curve.getOriginalDataset()
    _, gc = plots.clipped_curve.getOriginalDataset()
    np.testing.assert_array_equal(g, [r.grad_norm for r in history])
    np.testing.assert_array_equal(gc, g)  # no clipping
    _, score = plots.score_curve.getOriginalDataset()
    np.testing.assert_array_equal(score, [r.score for r in history])
    assert panel.progress.value() == 300
    assert panel.progress.text().startswith("Epoch 300 / 300")
    assert f"{losses[-1]:.4g}" in panel.progress.text()
    assert panel.status.text().startswith("Finished 300 epochs")

    # Throttled: one batch per FLUSH_INTERVAL_MS, network updates NETWORK_INTERVAL_S apart at most.
    assert len(rig.batches) <= duration / (FLUSH_INTERVAL_MS / 1000) + 3
    assert len(rig.pushes) <= duration / NETWORK_INTERVAL_S + 3
    assert session.net is history[-1].net and session.modified
    assert controller.state == "idle"
    rig.assert_thread_done()

    # Replay: the slider scrubs the snapshots; the ends are the start and the final network.
    slider = panel.replay_slider
    assert slider.isEnabled() and slider.value() == slider.maximum()
    slider.setValue(0)
    assert session.net is rig.start_net
    assert panel.replay_label.text().startswith("epoch 0")
    slider.setValue(slider.maximum() // 2)
    snapshot = controller.snapshots[slider.value()]
    assert session.net is snapshot.net is history[snapshot.epoch - 1].net
    assert panel.replay_label.text().startswith(f"epoch {snapshot.epoch}:")
    slider.setValue(slider.maximum())
    assert session.net is history[-1].net

    path = tmp_path / "loss.csv"
    controller.loss_history_csv(str(path))
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 301
    assert [float(r[1]) for r in rows[1:]] == losses.tolist()
    settings = controller.training_settings()
    assert settings["epochs_done"] == 300 and settings["final_loss"] == losses[-1]
    assert settings["config"]["lr"] == 0.01 and settings["outcome"] == "finished"


def test_stop_in_the_middle_leaves_a_consistent_state(rig: Rig, qtbot) -> None:
    rig.settings(epochs=100_000)
    panel, controller, session = rig.panel, rig.controller, rig.session
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS) as finished:
        rig.press(qtbot, panel.train_button)
        qtbot.waitUntil(lambda: rig.received >= 5, timeout=FINISH_MS)
        QTest.keySequence(panel, "Ctrl+.")  # the Stop shortcut
    assert finished.args == ["stopped"]
    history = controller.history
    assert 5 <= len(history) < 100_000
    assert len(history) == rig.received
    assert session.net is history[-1].net
    assert controller.state == "idle"
    rig.assert_thread_done()
    assert panel.train_button.isEnabled() and not panel.stop_button.isEnabled()
    assert n_points(panel.plots.loss_curve) == len(history)
    assert panel.status.text() == (
        f"Stopped after epoch {len(history)}; the network keeps the weights reached."
    )
    assert controller.training_settings()["epochs_done"] == len(history)


def test_pause_holds_training_and_resume_finishes_it(rig: Rig, qtbot, monkeypatch, request) -> None:
    """The trainer is held after epoch 3 until Pause has been pressed, so the next item (epoch
    4's record, or a progress report inside epoch 4 on a slow machine) is the one in flight when
    pausing; it records every item asked of it while the test holds the pause. A run that went
    on while paused would ask for the item after it at once."""
    import gui.training.controller

    real = gui.training.controller.train
    pressed, holding = threading.Event(), threading.Event()
    request.addfinalizer(pressed.set)  # a failing test does not leave the trainer waiting
    asked_while_paused: list = []

    held: list = []  # the first item after epoch 3: the one in flight when pausing

    def gated(net, dataset, config, **kw):
        items = real(net, dataset, config, **kw)  # checks its arguments now, as train does

        def run():
            for item in items:
                if pressed.is_set() and not held:
                    held.append(item)
                yield item
                if holding.is_set():
                    asked_while_paused.append(item)
                if isinstance(item, EpochRecord) and item.epoch == 3:
                    pressed.wait(FINISH_MS / 1000)

        return run()

    monkeypatch.setattr(gui.training.controller, "TRAINER", "thread")  # runs gated
    monkeypatch.setattr(gui.training.controller, "train", gated)
    epochs = 40
    rig.settings(epochs=epochs)
    panel, controller, session = rig.panel, rig.controller, rig.session
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS) as finished:
        rig.press(qtbot, panel.train_button)
        qtbot.waitUntil(lambda: rig.received >= 3, timeout=FINISH_MS)  # the panel has them
        holding.set()
        rig.press(qtbot, panel.pause_button)
        pressed.set()
        assert controller.state == "paused" and panel.pause_button.text() == "Resume"
        # the item in flight when pausing (a progress report or epoch 4's record) arrives and
        # the session shows its network, ready to step; then training holds
        qtbot.waitUntil(lambda: bool(held) and session.net is held[0].net, timeout=FINISH_MS)
        assert len(controller.history) == 3 + isinstance(held[0], EpochRecord)
        assert panel.progress.text().endswith("(paused)")
        holding.clear()
        rig.press(qtbot, panel.pause_button)
        assert controller.state == "running" and panel.pause_button.text() == "Pause"
    assert asked_while_paused == []
    assert finished.args == ["finished"]
    assert [r.epoch for r in controller.history] == list(range(1, epochs + 1))
    rig.assert_thread_done()


def test_divergence_reverts_to_the_last_finite_weights(qtbot) -> None:
    rig = Rig(qtbot, SRN.init(1, 8, 1, hidden="linear", output="logistic", seed=0))
    rig.settings(lr="1000", epochs=50, update="epoch")
    with qtbot.waitSignal(rig.controller.finished, timeout=FINISH_MS) as finished:
        rig.press(qtbot, rig.panel.train_button)
    history = rig.controller.history
    last, before = history[-1], history[-2]
    reason = finished.args[0]
    assert reason == last.diverged == rig.controller.last_reason
    assert reason.startswith(f"training diverged in epoch {last.epoch}")
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(getattr(rig.session.net, name), getattr(before.net, name))
        assert np.isfinite(getattr(rig.session.net, name)).all()
    status = rig.panel.status.text()
    assert f"reverted to epoch {last.epoch - 1}" in status
    assert status.startswith(f"Training diverged in epoch {last.epoch}")
    assert "Traceback" not in status and "#c0392b" in rig.panel.status.styleSheet()
    assert n_points(rig.panel.plots.loss_curve) == len(history) - 1  # the finite epochs
    assert rig.controller.training_settings()["epochs_done"] == last.epoch - 1
    rig.assert_thread_done()


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("lr_edit", "0", "Learning rate must be greater than 0"),
        ("lr_edit", "", "Learning rate: enter a number"),
        ("momentum_edit", "1", "Momentum must be at least 0 and below 1"),
        ("clip_edit", "0", "Maximum gradient norm must be greater than 0"),
        ("lr_edit", "1e999", "Learning rate must be a finite number"),
    ],
    ids=["zero-lr", "empty-lr", "momentum-1", "zero-clip", "infinite-lr"],
)
def test_invalid_settings_disable_train_with_a_reason(
    rig: Rig, qtbot, field: str, text: str, reason: str
) -> None:
    panel = rig.panel
    assert panel.train_button.isEnabled() and not panel.hint.isVisible()
    panel.clip_check.setChecked(True)
    getattr(panel, field).setText(text)
    assert not panel.train_button.isEnabled()
    assert panel.hint.isVisible() and panel.hint.text().startswith(reason)
    assert "border" in getattr(panel, field).styleSheet()  # the field at fault is marked
    QTest.keySequence(panel, "Ctrl+T")
    assert rig.controller.state == "idle"  # the shortcut cannot start a refused run
    getattr(panel, field).setText("0.5")
    assert panel.train_button.isEnabled() and not panel.hint.isVisible()


def test_number_fields_refuse_letters(rig: Rig, qtbot) -> None:
    edit = rig.panel.lr_edit
    edit.clear()
    QTest.keyClicks(edit, "0.x0y5")
    assert edit.text() == "0.05"


def test_the_window_stays_responsive_while_training(rig: Rig, qtbot) -> None:
    rig.settings(epochs=100_000)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    session = rig.session
    with qtbot.waitSignal(rig.controller.finished, timeout=FINISH_MS):
        rig.press(qtbot, rig.panel.train_button)
        qtbot.waitUntil(lambda: rig.received >= 2, timeout=FINISH_MS)
        ticks.clear()
        epochs_before = len(rig.controller.history)
        # the GUI thread's timer keeps firing while training goes on
        qtbot.waitUntil(lambda: len(ticks) >= 40, timeout=FINISH_MS)
        assert rig.controller.state == "running"
        assert len(rig.controller.history) > epochs_before
        position = session.position
        session.step()
        assert session.position == position + 1
        # the explorer follows training: the session shows a network of the run
        qtbot.waitUntil(lambda: session.net is not rig.start_net, timeout=FINISH_MS)
        assert any(session.net is r.net for r in rig.controller.history)
        rig.controller.stop()
    timer.stop()
    rig.assert_thread_done()


def test_shutdown_during_training_leaves_no_thread(rig: Rig, qtbot, settle) -> None:
    rig.settings(epochs=100_000)
    ended: list[str] = []
    rig.controller.finished.connect(ended.append)
    rig.press(qtbot, rig.panel.train_button)
    qtbot.waitUntil(lambda: rig.received >= 2, timeout=FINISH_MS)
    rig.controller.shutdown()
    assert rig.controller.state == "idle"
    rig.assert_thread_done()
    history, status = rig.controller.history, rig.panel.status.text()
    # the thread has ended: the records and the end it sent before are queued events by now
    settle()  # ... and handled, and ignored: the run was abandoned
    assert rig.controller.state == "idle"
    assert rig.controller.history == history and rig.panel.status.text() == status
    assert ended == []


def test_reset_asks_then_restores_the_network_before_the_run(rig: Rig, qtbot) -> None:
    rig.settings(epochs=20)
    with qtbot.waitSignal(rig.controller.finished, timeout=FINISH_MS):
        rig.press(qtbot, rig.panel.train_button)
    trained = rig.session.net
    questions: list[str] = []
    rig.panel.ask = lambda title, text: questions.append(title) or False
    rig.press(qtbot, rig.panel.reset_button)
    assert questions and rig.session.net is trained  # "No" keeps the trained network
    rig.panel.ask = lambda title, text: True
    rig.press(qtbot, rig.panel.reset_button)
    assert rig.session.net is rig.start_net and not rig.session.modified
    assert rig.controller.history == [] and n_points(rig.panel.plots.loss_curve) == 0
    assert not rig.panel.reset_button.isEnabled() and not rig.panel.replay_slider.isEnabled()


# -- the task and network panels ---------------------------------------------------------------
@pytest.fixture
def panels(qtbot):
    session = Session()
    controller = TrainingController(session)
    task = TaskPanel(session, controller)
    network = NetworkPanel(session, controller)
    training = TrainingPanel(session, controller)
    for w in (task, network, training):
        qtbot.addWidget(w)
    return session, controller, task, network, training


def test_task_parameters_get_widgets_of_their_type(panels) -> None:
    *_, task, _, _ = panels
    kinds = {bool: QCheckBox, int: QSpinBox, float: QDoubleSpinBox, str: QLineEdit}
    for name, spec in TASKS.items():
        task.select_task(name)
        assert task.task_box.toolTip() == spec.description
        assert set(task.param_widgets) == set(spec.params)
        for key, default in spec.params.items():
            assert type(task.param_widgets[key]) is kinds[type(default)]
            tip = task.param_widgets[key].toolTip()  # as the row reads, no Python repr
            assert tip.startswith(key.replace("_", " ")) and "'" not in tip and "_" not in tip
        assert task.param_values() == dict(spec.params)


def test_generate_makes_the_task_and_applies_its_recommendations(panels) -> None:
    session, _, task, _, training = panels
    spec = TASKS["temporal-xor"]
    task.select_task("temporal-xor")
    task.seed_box.setValue(3)
    task.set_param_values({"n_sequences": 5})
    assert task.generate()
    data = session.dataset
    assert len(data) == 5 and data.meta["seed"] == 3
    assert session.source == {
        "task": "temporal-xor", "seed": 3, "params": {**spec.params, "n_sequences": 5}
    }  # fmt: skip
    assert session.net.n_hidden == spec.n_hidden and session.net.hidden == spec.hidden
    assert session.modified and session.path is None  # a new network: unsaved, untitled
    assert training.lr_edit.text() == f"{spec.lr:g}"
    assert training.epochs_box.value() == spec.epochs


def test_generate_asks_before_discarding_trained_weights(panels) -> None:
    session, _, task, _, _ = panels
    task.select_task("temporal-xor")
    assert task.generate()
    trained = session.net
    session.set_modified(True)
    questions: list[str] = []
    task.ask = lambda title, text: questions.append(text) or False
    before = session.dataset
    task.seed_box.setValue(7)
    assert not task.generate()  # "No": nothing changes
    assert questions and session.dataset is before and session.net is trained
    task.fresh_check.setChecked(False)  # keep the network: it fits, nothing is discarded
    questions.clear()
    assert task.generate()
    assert not questions and session.net is trained and session.dataset is not before
    task.fresh_check.setChecked(True)
    task.ask = lambda title, text: True
    assert task.generate()
    assert session.net is not trained and session.modified and session.path is None


def test_generate_refuses_bad_parameters_with_the_reason(panels) -> None:
    session, _, task, _, _ = panels
    task.select_task("anbn")  # the boxes keep each value in bounds, not n_min <= n_max
    before = session.dataset
    task.set_param_values({"n_min": 5, "n_max": 2})
    assert not task.generate()
    assert session.dataset is before
    assert not task.hint.isHidden() and task.hint.text().startswith(
        "Cannot generate the data: need 1 <= n_min <= n_max"
    )


def test_open_file_button_asks_the_window(panels, qtbot) -> None:
    *_, task, _, _ = panels
    with qtbot.waitSignal(task.openFileRequested, timeout=1000):
        qtbot.mouseClick(task.open_button, Qt.MouseButton.LeftButton)


def test_network_panel_applies_and_shows_the_architecture(panels) -> None:
    session, _, _, network, _ = panels
    assert network.hidden_box.value() == session.net.n_hidden
    network.hidden_box.setValue(3)
    network.activation_box.setCurrentIndex(network.activation_box.findData("logistic"))
    network.h0_check.setChecked(True)
    assert network.apply()
    net = session.net
    assert (net.n_hidden, net.hidden, net.train_h0) == (3, "logistic", True)
    assert (net.n_in, net.n_out) == (session.dataset.n_in, session.dataset.n_out)
    assert session.modified and "3 logistic hidden" in network.summary.text()
    network.ask = lambda title, text: False
    network.hidden_box.setValue(6)
    assert not network.apply() and session.net is net  # unsaved changes: asked, refused
    session.set_network(SRN.init(net.n_in, 9, net.n_out, output=net.output))
    assert network.hidden_box.value() == 9 and "9 tanh hidden" in network.summary.text()


@pytest.mark.parametrize("context", ["output", "target"])
def test_network_panel_builds_and_trains_a_jordan_network(panels, qtbot, context) -> None:
    session, controller, task, network, training = panels
    box = network.context_box
    assert box.currentData() == "hidden" and box.itemText(box.currentIndex()) == "Elman: h(t-1)"
    box.setCurrentIndex(box.findData(context))
    initial = "y(0)" if context == "output" else "d(0)"
    assert network.h0_check.text() == f"Train the initial context {initial}"
    network.ask = lambda title, text: True
    assert network.apply()
    net = session.net
    assert net.context == context and net.W.shape == (net.n_hidden, net.n_out)
    assert session.trace.context.shape == (session.trace.T, net.n_out)
    kind = "Jordan" if context == "output" else "Jordan, teacher forced"
    assert f"Current network ({kind})" in network.summary.text()
    assert f"{initial} fixed" in network.summary.text()
    task.select_task("temporal-xor")
    task.set_param_values({"n_sequences": 4})
    task.fresh_check.setChecked(True)
    task.ask = lambda title, text: True  # the applied network counts as unsaved
    assert task.generate()
    assert session.net.context == context  # a fresh network for new data keeps the context
    training.epochs_box.setValue(3)
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS):
        qtbot.mouseClick(training.train_button, Qt.MouseButton.LeftButton)
    assert len(controller.history) == 3 and session.net.context == context
    now = session.net
    session.set_network(SRN.init(now.n_in, 4, now.n_out, output=now.output))
    assert box.currentData() == "hidden" and "(Elman)" in network.summary.text()


def test_panels_are_disabled_while_training(panels, qtbot) -> None:
    session, controller, task, network, training = panels
    task.select_task("temporal-xor")
    task.set_param_values({"n_sequences": 4})
    assert task.generate()
    training.epochs_box.setValue(100_000)
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS):
        qtbot.mouseClick(training.train_button, Qt.MouseButton.LeftButton)
        assert not task.generate_button.isEnabled() and not network.isEnabled()
        assert not training.lr_edit.isEnabled()
        controller.stop()
    assert task.generate_button.isEnabled() and network.isEnabled()
    assert isinstance(session.net, SRN)


def test_replay_and_reset_refuse_data_that_changed(panels, qtbot) -> None:
    _, controller, task, _, training = panels
    task.select_task("temporal-xor")
    task.set_param_values({"n_sequences": 4})
    assert task.generate()
    training.epochs_box.setValue(5)
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS):
        qtbot.mouseClick(training.train_button, Qt.MouseButton.LeftButton)
    assert training.replay_slider.isEnabled()
    task.ask = lambda title, text: True
    task.select_task("temporal-xor")
    assert task.generate()  # new data and network: the run no longer applies
    assert controller.history == [] and not training.replay_slider.isEnabled()
    assert not training.reset_button.isEnabled()


def test_csv_of_a_run_is_written_atomically(rig: Rig, qtbot, tmp_path: Path) -> None:
    rig.settings(epochs=3)
    with qtbot.waitSignal(rig.controller.finished, timeout=FINISH_MS):
        rig.press(qtbot, rig.panel.train_button)
    target = tmp_path / "missing" / "loss.csv"
    with pytest.raises(OSError):
        rig.controller.loss_history_csv(str(target))
    assert not target.exists()


def test_an_error_in_training_is_a_sentence_not_a_traceback(rig: Rig, qtbot, monkeypatch) -> None:
    import gui.training.controller

    def broken(net, dataset, config, **kw):
        def records():
            for item in real(net, dataset, config, **kw):
                yield item
                if isinstance(item, EpochRecord) and item.epoch == 2:
                    raise ValueError("the data set changed on disk")

        return records()

    real = gui.training.controller.train
    monkeypatch.setattr(gui.training.controller, "TRAINER", "thread")  # runs broken
    monkeypatch.setattr(gui.training.controller, "train", broken)
    rig.settings(epochs=10)
    with qtbot.waitSignal(rig.controller.finished, timeout=FINISH_MS) as finished:
        rig.press(qtbot, rig.panel.train_button)
    assert finished.args == ["failed: the data set changed on disk"]
    assert rig.panel.status.text() == "Training failed: the data set changed on disk."
    assert rig.session.net is rig.controller.history[-1].net  # the last epoch that completed
    rig.assert_thread_done()


def test_snapshots_are_thinned_evenly_past_the_cap(rig: Rig, qtbot, monkeypatch) -> None:
    monkeypatch.setattr("gui.training.controller.SNAPSHOT_CAP", 8)
    rig.settings(epochs=37)
    with qtbot.waitSignal(rig.controller.finished, timeout=FINISH_MS):
        rig.press(qtbot, rig.panel.train_button)
    history, snapshots = rig.controller.history, rig.controller.snapshots
    epochs = [s.epoch for s in snapshots]
    assert len(snapshots) <= 8 + 1 and epochs[0] == 0 and epochs[-1] == 37
    assert np.unique(np.diff(epochs[:-1])).size == 1  # evenly spaced before the final one
    assert all(s.net is history[s.epoch - 1].net for s in snapshots[1:])
    assert rig.panel.replay_slider.maximum() == len(snapshots) - 1


def test_a_network_set_elsewhere_ends_the_run_and_is_kept(rig: Rig, qtbot) -> None:
    rig.settings(epochs=100_000)
    loaded = SRN.init(1, 3, 1, output="logistic", seed=5)
    with qtbot.waitSignal(rig.controller.finished, timeout=FINISH_MS) as finished:
        rig.press(qtbot, rig.panel.train_button)
        qtbot.waitUntil(lambda: rig.received >= 2, timeout=FINISH_MS)
        rig.session.set_network(loaded)  # e.g. a model file opened meanwhile
    assert finished.args == ["stopped"]
    assert rig.session.net is loaded  # training did not overwrite it
    rig.assert_thread_done()


def test_plots_show_the_whole_run_when_its_last_batches_came_between_redraws(qtbot) -> None:
    """The last live redraw can come well before the end (redraws are throttled): the axes of
    the run then end short of the last epoch, and finishing must still draw and fit them all."""
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(900, 300)
    plots.show()
    qtbot.waitExposed(plots)

    def records(first: int, last: int) -> list[SimpleNamespace]:
        return [
            SimpleNamespace(
                epoch=e, loss=1.0 / e, grad_norm=0.5, clipped_norm=0.5, score=0.5, diverged=None
            )
            for e in range(first, last + 1)
        ]

    plots.start(300)
    assert plots.append(records(1, 128))  # the first batch is drawn
    assert not plots.append(records(129, 300))  # within PLOT_INTERVAL_S: not drawn yet
    plots.finish()
    for curve in (plots.loss_curve, plots.grad_curve, plots.score_curve):
        x, _ = curve.getData()
        np.testing.assert_array_equal(x, np.arange(1, 301))
    box = plots.loss_plot.getPlotItem().getViewBox()
    qtbot.waitUntil(lambda: box.viewRange()[0][1] >= 300)  # fitted to the whole run, once drawn


class _Resizes(QObject):
    """Counts the resize events of a widget."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.count += 1
        return False


def test_a_run_does_not_resize_the_plots(rig: Rig, qtbot, settle) -> None:
    """The status line over the plots is cleared when a run starts and gets a summary when it
    ends; neither may resize the plots (each resize lays their axes out and redraws them)."""
    rig.settings(epochs=20)
    panel = rig.panel
    panel.resize(760, 440)  # narrow: the summary takes two lines
    with qtbot.waitSignal(rig.controller.finished, timeout=FINISH_MS):
        rig.press(qtbot, panel.train_button)
    settle()  # the layout has followed the summary
    assert panel.status.text().startswith("Finished 20 epochs")
    size = panel.plots.size()
    resizes = _Resizes(panel.plots)
    with qtbot.waitSignal(rig.controller.finished, timeout=FINISH_MS):
        rig.press(qtbot, panel.train_button)
        qtbot.waitUntil(lambda: panel.status.text() == "", timeout=FINISH_MS)  # cleared
    settle()  # any relayout the new summary asked for has happened
    assert panel.status.text().startswith("Finished 20 epochs")
    assert resizes.count == 0 and panel.plots.size() == size


def test_plots_in_a_narrow_dock_fit_their_widgets(qtbot, settle) -> None:
    """Three plots at their narrowest: each plot area lies inside its widget (a long title once
    widened the gradient plot past its widget, cutting off the right of its axes)."""
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(372, 223)
    plots.show()
    qtbot.waitExposed(plots)
    settle()  # laid out
    for widget in (plots.loss_plot, plots.grad_plot, plots.score_plot):
        assert widget.width() <= 130
        box = widget.getPlotItem().getViewBox().sceneBoundingRect()
        assert box.left() >= 0 and box.right() <= widget.viewport().width() + 0.5, widget
    assert "Gradient norm" in plots.grad_plot.getPlotItem().titleLabel.text


def test_a_sequence_too_slow_to_trace_is_shown_at_the_end_not_while_training(
    rig: Rig, qtbot, monkeypatch
) -> None:
    """When one trace of the shown sequence takes longer than the bound, redrawing the explorer
    at every network update would freeze the window: it shows the network at the end instead,
    and the panel says why."""
    import gui.training.controller

    monkeypatch.setattr(gui.training.controller, "FOLLOW_TRACE_LIMIT_S", -1.0)  # any trace
    rig.settings(epochs=200)
    panel, controller, session = rig.panel, rig.controller, rig.session
    assert not controller.follows_live
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS):
        rig.press(qtbot, panel.train_button)
        assert "shows the network at Pause and at the end" in panel.status.text()
        qtbot.waitUntil(lambda: rig.received >= 3, timeout=FINISH_MS)  # plots have come in
        assert session.net is rig.start_net  # and the explorer has not followed
    final = controller.history[-1].net
    assert session.net is final and rig.pushes == [final]  # one update, at the end
