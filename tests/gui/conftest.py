"""GUI test fixtures: every test must leave no window open, no QThread running (napari and
ndv check the same) and no training child process running; ``settle`` waits for the events
posted so far instead of a fixed time."""

from __future__ import annotations

import contextlib
import os
import signal
import weakref
from collections.abc import Callable, Iterator

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, QThread
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from core import child
from gui.training.worker import LIVE_THREADS

#: every QThread started from Python during the run (workers' and any other), for the check below
STARTED_THREADS: weakref.WeakSet[QThread] = weakref.WeakSet()


@pytest.fixture(autouse=True, scope="session")
def _record_started_threads() -> Iterator[None]:
    """Record each QThread started from Python, not only the workers' (``LIVE_THREADS``), so
    that a thread made some other way cannot outlive its test unnoticed."""
    start = QThread.start

    def recording_start(self: QThread, *args: object, **kwargs: object) -> None:
        STARTED_THREADS.add(self)
        start(self, *args, **kwargs)

    QThread.start = recording_start
    yield
    QThread.start = start


def _running_threads() -> list[QThread]:
    threads = {*STARTED_THREADS, *LIVE_THREADS}
    return [t for t in threads if shiboken6.isValid(t) and t.isRunning()]


@pytest.fixture(autouse=True)
def _no_leftover_windows_or_threads(qapp: QApplication) -> Iterator[None]:
    # Set up before qtbot (autouse fixtures come first), so this check runs after qtbot has
    # closed the widgets registered with it.
    yield
    QApplication.processEvents()
    # Shown windows, not QApplication.topLevelWidgets(): that list also holds every popup menu
    # pyqtgraph and Qt create, and wrapping all of them in Python after each test is both slow
    # and fragile (a crash in PySide's wrapper lookup was seen there).
    left = [w for w in QGuiApplication.topLevelWindows() if w.isVisible()]
    names = [w.title() or w.objectName() or type(w).__name__ for w in left]
    for w in left:
        w.close()
    running = _running_threads()
    for t in running:  # stop them, so that one leak does not fail the tests after it
        t.requestInterruption()
        t.quit()
        t.wait(5000)
    children = child.running()  # training runs' child processes still going
    for pid in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    problems = []
    if children:
        problems.append(f"test left training process(es) {children} running")
    if left:
        problems.append(f"test left visible top-level windows: {names}")
    if running:
        problems.append(f"test left {len(running)} QThread(s) running")
    assert not problems, "; ".join(problems)


class _Marker(QObject):
    """Receives one posted event and notes that it arrived."""

    TYPE = QEvent.Type(QEvent.registerEventType())

    def __init__(self) -> None:
        super().__init__()
        self.arrived = False

    def event(self, event: QEvent) -> bool:
        if event.type() == self.TYPE:
            self.arrived = True
            return True
        return super().event(event)


class _Paints(QObject):
    """Counts the paint events of a widget while it lives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.fixture
def settle(qtbot) -> Callable[..., None]:
    """Return ``settle(widget=None)``, which waits until every event posted so far has been
    handled: queued signals from other threads, layout requests and repaints (which Qt posts at
    low priority). With a widget, it goes on until a whole round passes without painting it:
    a new widget lays itself out and repaints over a few rounds.

    Posted events of a thread are delivered by priority, then in the order they were posted,
    so a low-priority event posted now arrives after all of them. Use it before asserting that
    something did *not* happen (no repaint, no late record) instead of waiting a fixed time.
    """

    def one_round() -> None:
        marker = _Marker()
        priority = int(Qt.EventPriority.LowEventPriority.value)
        QCoreApplication.postEvent(marker, QEvent(_Marker.TYPE), priority)
        qtbot.waitUntil(lambda: marker.arrived, timeout=5000)

    def wait_for_posted_events(widget: QWidget | None = None) -> None:
        if widget is None:
            one_round()
            return
        paints = _Paints(widget)
        try:
            for _ in range(100):
                before = paints.count
                one_round()
                if paints.count == before:
                    return
            raise AssertionError(f"{type(widget).__name__} keeps repainting")
        finally:
            widget.removeEventFilter(paints)
            paints.deleteLater()

    return wait_for_posted_events


@pytest.fixture(autouse=True)
def _no_unexpected_dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A message box nobody asked for fails the test instead of blocking the suite.

    Offscreen, a modal QMessageBox waits forever for a click: an error routed to the dialog of
    gui/errors.py would hang the run until CI's time limit. Tests that expect a message replace
    the window's own hooks (``files.show_error``, ``ask``) before acting.
    """
    shown: list[str] = []

    def record(kind: str, answer: object):
        def static(parent, title, text, *args, **kwargs):
            shown.append(f"{kind}: {title}: {text}")
            return answer

        return static

    no = QMessageBox.StandardButton.No
    for kind, answer in (
        ("critical", QMessageBox.StandardButton.Ok),
        ("warning", QMessageBox.StandardButton.Ok),
        ("information", QMessageBox.StandardButton.Ok),
        ("question", no),
        ("about", None),
    ):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record(kind, answer)))
    yield
    assert not shown, f"unexpected message boxes: {shown}"


@pytest.fixture
def settings(tmp_path) -> QSettings:
    """Window settings in a temporary file, so tests never touch the user's layout."""
    return QSettings(str(tmp_path / "unfold.ini"), QSettings.Format.IniFormat)
