"""The GIF animation export: how long it takes, how long Cancel takes, how long the GUI waits.

Run offscreen:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_animation.py

For T = 10 and T = 100 (21 and 201 frames) the script animates the unfolded graph of a window of
1400 x 900 and prints the total time, the longest timer tick on the GUI thread (moving the cursor,
or grabbing a frame) and, in a second and third run, the time from Cancel to the ``cancelled``
signal and to the encoding thread's end, cancelled while taking frames and while encoding.

Targets: Cancel -> cancelled <= 0.5 s and -> thread ended <= 0.5 s; longest tick <= 100 ms.
The encoder's longest step (one frame) is printed too: Cancel waits for it at most.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

import gui.animation
from core import SRN
from core.data import Dataset, Sequence
from gui.main_window import MainWindow

TARGET_CANCEL_S = 0.5
TARGET_TICK_MS = 100.0


def window_for(T: int, folder: str) -> MainWindow:
    rng = np.random.default_rng(0)
    data = Dataset(
        "bench",
        (Sequence(np.eye(4)[rng.integers(0, 4, T)], np.eye(3)[rng.integers(0, 3, T)]),),
        ("a", "b", "c", "d"),
        ("p", "q", "r"),
        "softmax",
    )
    settings = QSettings(os.path.join(folder, "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.session.set_dataset(data, net=SRN.init(4, 5, 3, seed=1))
    window.resize(1400, 900)
    window.show()
    return window


def run(app: QApplication, T: int, folder: str, cancel_at: str | None) -> None:
    window = window_for(T, folder)
    app.processEvents()
    animation = window.exports.animation
    ticks: list[float] = []
    timer_slot = animation._on_timer_timeout  # the measured slot, wrapped for timing only

    def timed() -> None:
        start = time.perf_counter()
        timer_slot()
        ticks.append(time.perf_counter() - start)

    animation._timer.timeout.disconnect()
    animation._timer.timeout.connect(timed)
    done = {"finished": False, "cancelled": None}
    animation.finished.connect(lambda _p: done.__setitem__("finished", True))
    steps: list[float] = []
    real_steps = gui.animation.gif_steps

    def timed_steps(frames: list, *args: object) -> Iterator:
        start = time.perf_counter()
        for item in real_steps(frames, *args):
            steps.append(time.perf_counter() - start)
            yield item
            start = time.perf_counter()

    gui.animation.gif_steps = timed_steps
    animation.cancelled.connect(lambda: done.__setitem__("cancelled", time.perf_counter()))
    path = os.path.join(folder, f"sweep{T}-{cancel_at}.gif")
    start = time.perf_counter()
    window.exports.export_animation(path, view="Unfolded graph")
    n = window.session.n_positions
    target = {"frames": n // 2, "encoding": n + 2}.get(cancel_at or "")
    while not done["finished"] and done["cancelled"] is None:
        app.processEvents()
        progress = window.exports.progress
        if target is not None and progress is not None and progress.value() >= target:
            clicked = time.perf_counter()
            animation.cancel()
            app.processEvents()
            job = animation._job
            while job.running or (job.worker is not None and job.worker.is_running):
                app.processEvents()
                time.sleep(0.001)
            ended = time.perf_counter()
            print(
                f"T={T:4d} cancel while {cancel_at:9s}: cancelled after "
                f"{done['cancelled'] - clicked:.3f} s, thread ended after {ended - clicked:.3f} s "
                f"(target {TARGET_CANCEL_S} s); file written: {os.path.exists(path)}"
            )
            break
        time.sleep(0.001)
    if done["finished"]:
        total = time.perf_counter() - start
        print(
            f"T={T:4d} {n} frames in {total:.2f} s, longest GUI tick {max(ticks) * 1e3:.1f} ms "
            f"(target {TARGET_TICK_MS:.0f} ms), {os.path.getsize(path) / 1024:.0f} kB; "
            f"longest encoder step {max(steps) * 1e3:.0f} ms"
        )
    gui.animation.gif_steps = real_steps
    window.exports.animation.shutdown()
    window.session.set_modified(False)
    window.close()


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        for T in (10, 100):
            run(app, T, folder, None)
        for where in ("frames", "encoding"):
            run(app, 100, folder, where)


if __name__ == "__main__":
    main()
