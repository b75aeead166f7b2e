"""The suite's own guard: a test that leaves a window shown or a QThread running fails.

The conftest files and the pytest settings are copied next to a few small tests, which run in a
separate pytest process (a leaked thread must not touch this one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LEAKING_TESTS = """
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QLabel

from gui.training.worker import GeneratorWorker

kept = []  # references that outlive each test, as a forgotten attribute would


def slow(n):
    for i in range(n):
        time.sleep(0.05)
        yield i


class Spinning(QThread):
    def run(self):
        while not self.isInterruptionRequested():
            self.msleep(5)


def test_leaves_a_window_shown():
    label = QLabel("left open")
    label.show()
    kept.append(label)


def test_leaves_a_worker_running(qtbot):
    seen = []
    worker = GeneratorWorker(lambda: slow(20))
    worker.yielded.connect(seen.append)
    worker.start()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    kept.append(worker)


def test_leaves_a_plain_thread_running():
    thread = Spinning()
    thread.start()
    kept.append(thread)


def test_closes_what_it_opens(qtbot):
    label = QLabel("closed by qtbot")
    qtbot.addWidget(label)
    label.show()
    seen = []
    worker = GeneratorWorker(lambda: slow(2))
    worker.yielded.connect(seen.append)
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    assert seen == [0, 1]
"""


def test_a_leaking_test_fails_and_a_tidy_one_passes(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "tests" / "gui").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "tests" / "conftest.py")
    shutil.copy(ROOT / "tests" / "gui" / "conftest.py", tmp_path / "tests" / "gui" / "conftest.py")
    (tmp_path / "tests" / "gui" / "test_leaks.py").write_text(LEAKING_TESTS)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "COLUMNS": "300"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "tests"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    # each test's body passes; the three leaks fail at teardown, the tidy test does not
    assert "4 passed, 3 errors" in out, out
    for name, reason in (
        ("test_leaves_a_window_shown", "test left visible top-level windows"),
        ("test_leaves_a_worker_running", "test left 1 QThread(s) running"),
        ("test_leaves_a_plain_thread_running", "test left 1 QThread(s) running"),
    ):
        assert f"ERROR tests/gui/test_leaks.py::{name} - AssertionError: {reason}" in out, out
