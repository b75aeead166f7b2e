"""What a cursor step leaves on screen equals the window drawn afresh.

The views repaint only what a step changes (a bar or two of the loss, the heatmaps whose values
moved, the nodes' colours). On the offscreen platform the screen is the window's backing store,
so after every step it is compared with a full render of the window (``QWidget.grab``): a region
that a step forgot to repaint shows up as pixels that differ.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication, QImage

from core.data import Dataset, Sequence
from core.model import SRN
from gui.main_window import MainWindow

#: pixels allowed to differ (a dock separator's corner pixel is drawn differently by grab)
TOLERANCE = 16


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    return rows[:, : 4 * image.width()].reshape(image.height(), image.width(), 4).copy()


def _differing(window: MainWindow) -> int:
    screen = QGuiApplication.primaryScreen().grabWindow(window.winId()).toImage()
    fresh = window.grab().toImage()
    return int((_pixels(screen) != _pixels(fresh)).any(axis=2).sum())


def test_every_step_leaves_the_screen_as_a_full_redraw_would(qtbot, tmp_path, settle) -> None:
    window = MainWindow(settings=QSettings(str(tmp_path / "u.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    rng = np.random.default_rng(3)
    T = 30
    data = Dataset(
        "random",
        (Sequence(np.eye(5)[rng.integers(0, 5, T)], np.eye(4)[rng.integers(0, 4, T)]),),
        tuple("abcde"),
        tuple("ABCD"),
        output="softmax",
    )
    session = window.session
    session.set_dataset(data, net=SRN.init(5, 12, 4, seed=1))
    settle(window)  # laid out and painted, until a round passes without a repaint
    positions = [*range(0, 2 * T + 1, 3), 2 * T, *range(2 * T - 1, -1, -4)]  # on, then back
    worst = {}
    for k in positions:
        session.seek(k)
        settle()  # the step's repaints have reached the screen
        worst[k] = _differing(window)
    assert max(worst.values()) <= TOLERANCE, {k: n for k, n in worst.items() if n > TOLERANCE}
