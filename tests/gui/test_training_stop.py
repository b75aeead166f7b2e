"""Stop, Pause and closing the window inside a long epoch.

One epoch here is long because of its data - 10,000 sequences, each an update of a network with
100 hidden units, several seconds per epoch - not because of any sleep. The run is stopped once
the trainer has reported that it is inside the first epoch, and every check waits for a signal or
a condition, never for a time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core import child
from core.data import Dataset, Sequence
from core.model import PARAM_NAMES, SRN
from core.training import Progress, TrainConfig, train
from gui.docks.registry import DockId
from gui.main_window import MainWindow
from gui.session import Session
from gui.training.controller import TrainingController
from gui.training.panel import TrainingPanel
from gui.training.worker import LIVE_THREADS

ROOT = Path(__file__).resolve().parents[2]
FINISH_MS = 60_000  # generous: the suite may share the machine


def long_data(n_sequences: int = 10_000) -> Dataset:
    """Predict the next of 20 random bits, many times over: an epoch of many updates."""
    bits = np.random.default_rng(0).integers(0, 2, (n_sequences, 21)).astype(float)
    sequences = tuple(Sequence(b[:-1, None], b[1:, None]) for b in bits)
    return Dataset(
        "long", sequences, ("bit",), ("next bit",), output="logistic", scoring="threshold"
    )


def big_net() -> SRN:
    return SRN.init(1, 100, 1, output="logistic", seed=0)


def inside_an_epoch(controller: TrainingController) -> bool:
    """The trainer has reported an update inside an epoch (and no epoch has ended)."""
    progress = controller.progress
    return progress is not None and progress.updates > 0


def no_thread_running() -> bool:
    return not [t for t in LIVE_THREADS if t.isRunning()]


class Rig:
    """A session on the long data, its controller and a shown Training panel."""

    def __init__(self, qtbot) -> None:
        self.session = Session()
        self.session.set_dataset(long_data(), net=big_net())
        self.start_net = self.session.net
        self.controller = TrainingController(self.session)
        self.panel = TrainingPanel(self.session, self.controller)
        qtbot.addWidget(self.panel)
        self.panel.resize(1200, 440)
        self.panel.show()
        self.panel.lr_edit.setText("0.01")
        self.panel.epochs_box.setValue(3)

    def press(self, qtbot, button) -> None:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def rig(qtbot) -> Iterator[Rig]:
    rig = Rig(qtbot)
    yield rig
    left_running = rig.controller.state != "idle"
    rig.controller.shutdown()  # so that a failing test does not leave a thread behind
    assert not left_running, "the test left training running"


def after_updates(net: SRN, data: Dataset, config: TrainConfig, updates: int) -> SRN:
    """The network after the first ``updates`` updates of a run, computed headless."""
    for item in train(net, data, config, progress_every=0):
        if isinstance(item, Progress) and item.updates == updates:
            return item.net
    raise AssertionError(f"the run never reached {updates} updates")


def test_stop_inside_a_long_epoch_keeps_the_last_whole_update(rig: Rig, qtbot) -> None:
    panel, controller, session = rig.panel, rig.controller, rig.session
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS) as finished:
        rig.press(qtbot, panel.train_button)
        qtbot.waitUntil(lambda: inside_an_epoch(controller), timeout=FINISH_MS)
        rig.press(qtbot, panel.stop_button)
    assert finished.args == ["stopped"]
    assert controller.state == "idle" and no_thread_running()

    # No epoch ended, and none is claimed: no record, no point on the plots, epoch 0 done.
    stopped = controller.progress
    assert stopped is not None and stopped.epoch == 1 and stopped.stage == "updates"
    n, total = stopped.updates, len(session.dataset)
    assert 0 < n < total
    assert controller.history == []
    assert panel.plots.loss_curve.getData()[0] is None or not len(
        panel.plots.loss_curve.getData()[0]
    )
    assert panel.progress.value() == 0
    assert panel.progress.text().startswith(f"Stopped in epoch 1 / 3: {n:,} of {total:,} updates")
    assert panel.status.text().startswith(
        f"Stopped in epoch 1 after {n:,} of its {total:,} updates"
    )
    settings = controller.training_settings()
    assert settings["epochs_done"] == 0 and settings["updates_after_epochs"] == n
    assert settings["final_loss"] is None and settings["outcome"] == "stopped"

    # The session holds the network after exactly n whole updates: the same run, headless,
    # stopped at the same update, has the same weights to the last bit.
    assert session.net is stopped.net and session.modified
    expected = after_updates(rig.start_net, session.dataset, controller.config, n)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(getattr(session.net, name), getattr(expected, name))

    # Replay offers the starting network and the one the run stopped at.
    assert [(s.epoch, s.updates) for s in controller.snapshots] == [(0, 0), (0, n)]
    assert panel.replay_slider.isEnabled()
    update_word = "update" if n == 1 else "updates"
    assert panel.replay_label.text() == f"epoch 0 + {n:,} {update_word} (the final network)"
    panel.replay_slider.setValue(0)
    assert session.net is rig.start_net
    panel.replay_slider.setValue(1)
    assert session.net is stopped.net


def test_pause_inside_a_long_epoch_shows_the_held_network_and_stop_keeps_it(
    rig: Rig, qtbot, monkeypatch, request
) -> None:
    """Pause holds the trainer at the item in flight: the session shows that item's network,
    the trainer is asked for nothing more, and Stop keeps exactly that network.

    The trainer waits after its first report inside the epoch until Pause has been pressed, so
    the item after that report is the one in flight when pausing."""
    import gui.training.controller

    real = gui.training.controller.train
    pressed = threading.Event()
    request.addfinalizer(pressed.set)  # a failing test does not leave the trainer waiting
    handed: list = []  # every item the trainer has handed to the worker, in order

    def gated(net, dataset, config, **kw):
        items = real(net, dataset, config, **kw)  # checks its arguments now, as train does

        def run():
            for item in items:
                handed.append(item)
                yield item
                if isinstance(item, Progress) and item.updates:
                    pressed.wait(FINISH_MS / 1000)

        return run()

    monkeypatch.setattr(gui.training.controller, "TRAINER", "thread")  # runs gated
    monkeypatch.setattr(gui.training.controller, "train", gated)
    panel, controller, session = rig.panel, rig.controller, rig.session
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS) as finished:
        rig.press(qtbot, panel.train_button)
        qtbot.waitUntil(lambda: inside_an_epoch(controller), timeout=FINISH_MS)
        before = len(handed)  # the trainer waits after the report the controller has
        rig.press(qtbot, panel.pause_button)
        pressed.set()
        assert controller.state == "paused"
        # The item in flight arrives and the session shows its network: the network after the
        # last whole update, inside epoch 1.
        qtbot.waitUntil(
            lambda: len(handed) > before and session.net is handed[before].net, timeout=FINISH_MS
        )
        held = handed[before]
        assert isinstance(held, Progress) and controller.progress is held
        assert panel.progress.text().startswith(f"Epoch 1 / 3: {held.updates:,} of ")
        assert panel.progress.text().endswith("(paused)")
        assert controller.history == []
        rig.press(qtbot, panel.stop_button)
    assert finished.args == ["stopped"]
    assert no_thread_running()
    assert handed[-1] is held  # nothing was computed while paused
    assert controller.progress is held and session.net is held.net  # kept by Stop
    assert controller.history == []
    assert panel.status.text().startswith(f"Stopped in epoch 1 after {held.updates:,} of its ")


def test_pause_holds_the_training_process_and_stop_keeps_the_held_network(rig: Rig, qtbot) -> None:
    """A run computed in a child process (the default): Pause holds the child after the item in
    flight, which is shown; nothing is computed while paused, and Stop keeps that network."""
    import gui.training.controller

    assert gui.training.controller.TRAINER == "process"
    panel, controller, session = rig.panel, rig.controller, rig.session
    with qtbot.waitSignal(controller.finished, timeout=FINISH_MS) as finished:
        rig.press(qtbot, panel.train_button)
        qtbot.waitUntil(lambda: inside_an_epoch(controller), timeout=FINISH_MS)
        assert controller.process_id not in (None, os.getpid())
        rig.press(qtbot, panel.pause_button)
        assert controller.state == "paused"
        qtbot.waitUntil(lambda: controller.holding, timeout=FINISH_MS)  # the child has confirmed
        held = controller.progress
        assert isinstance(held, Progress) and held.epoch == 1 and held.updates > 0
        assert session.net is held.net  # the item in flight arrived and is shown
        assert panel.progress.text().startswith(f"Epoch 1 / 3: {held.updates:,} of ")
        assert panel.progress.text().endswith("(paused)")
        rig.press(qtbot, panel.stop_button)
    assert finished.args == ["stopped"]
    assert controller.progress is held and session.net is held.net  # nothing computed since
    assert no_thread_running() and controller.process_id not in child.running()
    expected = after_updates(rig.start_net, session.dataset, controller.config, held.updates)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(getattr(session.net, name), getattr(expected, name))


def test_closing_the_window_inside_a_long_epoch_returns_and_stops_the_thread(
    qtbot, settings, monkeypatch
) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    window.session.set_dataset(long_data(), net=big_net())
    monkeypatch.setattr(window.files, "ask", lambda title, text: True)  # "Stop training?" Yes
    window.panels[DockId.TRAINING].train_button.click()
    qtbot.waitUntil(lambda: inside_an_epoch(window.controller), timeout=FINISH_MS)
    assert window.controller.state == "running"
    window.close()
    assert not window.isVisible()
    assert window.controller.state == "idle"
    assert no_thread_running()


CLOSE_DURING_AN_EPOCH = """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from gui.docks.registry import DockId
    from gui.main_window import MainWindow
    from tests.gui.test_training_stop import big_net, inside_an_epoch, long_data

    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.files.ask = lambda title, text: True  # "Stop training?" Yes
    window.show()
    window.session.set_dataset(long_data(), net=big_net())
    window.panels[DockId.TRAINING].train_button.click()

    def close_when_inside_an_epoch():
        if inside_an_epoch(window.controller):
            print("training process", window.controller.process_id, flush=True)
            window.close()
            print("closed while", window.controller.last_reason or "running", flush=True)
            app.quit()

    poll = QTimer()
    poll.timeout.connect(close_when_inside_an_epoch)
    poll.start(20)
    sys.exit(app.exec())
"""


def test_a_process_closed_inside_a_long_epoch_exits_cleanly(tmp_path) -> None:
    """The reported failure: closing during a long epoch blocked, then Qt aborted the process
    ("QThread: Destroyed while thread is still running")."""
    env = {
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),  # the window's settings go to a fresh place
        "XDG_CONFIG_HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CLOSE_DURING_AN_EPOCH)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=FINISH_MS / 1000,
    )
    assert done.returncode == 0, done.stderr
    assert "closed while stopped" in done.stdout
    assert "QThread" not in done.stderr
    child = re.search(r"training process (\d+)", done.stdout)
    assert child is not None, done.stdout
    with pytest.raises(ProcessLookupError):  # the run's child ended with the window
        os.kill(int(child.group(1)), 0)
