"""Opening a long sequence file: in place against in the background, and Cancel.

Run offscreen:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_open_file.py [--steps T]

One CSV of T steps (default 1,000,000; 3 inputs and 3 outputs, for a network of 5 hidden units)
is opened through ``FileActions.open_path`` in the shown main window (1400 x 900), alternately

* in place (``background=False``, what every open did before, and what a run with nobody at the
  screen still does): the call returns when the data is on screen; the window does not respond
  meanwhile;
* in the background (``background=True``, files over ``BACKGROUND_BYTES``): a child process
  reads and traces the file, the window applies the result.

For each: the seconds until the data is on screen (the session's trace has T steps) and the
longest gap between the ticks of a 10 ms timer on the GUI thread meanwhile (in place, the
whole open). Then a background open is cancelled one second in: the time from Cancel to the
``cancelled`` signal (target <= 0.5 s, issue #17) and that the session still shows the data it
showed.

The load average is printed first; on a shared machine the times grow with it.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from core.data import Dataset, Sequence
from core.model import SRN
from gui.main_window import MainWindow

TARGET_CANCEL_S = 0.5


def write_csv(path: Path, T: int, n_in: int, n_out: int) -> Path:
    rng = np.random.default_rng(0)
    header = [f"x{i + 1}" for i in range(n_in)] + [f"d{k + 1}" for k in range(n_out)]
    rows = np.zeros((T, n_in + n_out), np.int8)
    rows[np.arange(T), rng.integers(0, n_in, T)] = 1
    rows[np.arange(T), n_in + rng.integers(0, n_out, T)] = 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        np.savetxt(f, rows, fmt="%d", delimiter=",")
    return path


def spin(app: QApplication, until, timeout_s: float = 600.0) -> None:
    """Run the event loop until ``until()`` holds."""
    deadline = time.perf_counter() + timeout_s
    while not until():
        if time.perf_counter() > deadline:
            raise SystemExit("timed out")
        loop = QEventLoop()
        QTimer.singleShot(5, loop.quit)
        loop.exec()


def fresh(window: MainWindow, net: SRN) -> None:
    """A short data set for ``net``: the state each open starts from."""
    x = np.eye(3)[[0, 1, 2, 0]]
    data = Dataset("short", (Sequence(x, x),), ("a", "b", "c"), ("a", "b", "c"))
    window.session.set_dataset(data, net=net, modified=False)


def open_once(app: QApplication, window: MainWindow, path: Path, T: int, background: bool):
    """(seconds until the data is on screen, longest gap between 10 ms ticks)."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    start = time.perf_counter()
    ticks.append(start)
    window.files.open_path(str(path), background=background)
    spin(app, lambda: window.session.trace.T == T and not window.files.background.running)
    seconds = time.perf_counter() - start
    ticks.append(time.perf_counter())
    timer.stop()
    return seconds, max(b - a for a, b in itertools.pairwise(ticks))


def cancel_once(app: QApplication, window: MainWindow, path: Path) -> float:
    """Seconds from Cancel, one second into a background open, to ``cancelled``."""
    before = window.session.dataset
    done: list[float] = []
    window.files.background.openCancelled.connect(lambda _p: done.append(time.perf_counter()))
    window.files.open_path(str(path), background=True)
    wake = time.perf_counter() + 1.0
    spin(app, lambda: time.perf_counter() >= wake)
    if not window.files.background.running:
        raise SystemExit("the open ended within a second: use more --steps")
    start = time.perf_counter()
    window.files.background.cancel()
    spin(app, lambda: bool(done))
    if window.session.dataset is not before:
        raise SystemExit("Cancel changed the session's data")
    window.files.background.openCancelled.disconnect()
    return done[0] - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000, help="time steps (1,000,000)")
    parser.add_argument("--repeats", type=int, default=2, help="rounds (default 2)")
    args = parser.parse_args()
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    folder = Path(tempfile.mkdtemp(prefix="unfold-bench-"))
    path = write_csv(folder / "long.csv", args.steps, 3, 3)
    print(f"{path.name}: {args.steps:,} steps, {path.stat().st_size / 1e6:.1f} MB; H = 5")
    settings = QSettings(str(folder / "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(1400, 900)
    window.show()
    net = SRN.init(3, 5, 3, seed=0)
    results: dict[str, list[tuple[float, float]]] = {"in place": [], "background": []}
    for _ in range(args.repeats):
        for label, background in (("in place", False), ("background", True)):
            fresh(window, net)
            spin(app, lambda: True)
            results[label].append(open_once(app, window, path, args.steps, background))
    fresh(window, net)
    cancels = [cancel_once(app, window, path) for _ in range(args.repeats)]
    window.session.set_modified(False)
    window.close()
    for label, runs in results.items():
        print(
            f"{label:10}: on screen after {', '.join(f'{s:.2f}' for s, _ in runs)} s; longest "
            f"GUI stall {', '.join(f'{1e3 * g:.0f}' for _, g in runs)} ms"
        )
    worst = max(cancels)
    verdict = "PASS" if worst <= TARGET_CANCEL_S else "MISS"
    print(
        f"Cancel one second into a background open: {', '.join(f'{1e3 * c:.0f}' for c in cancels)}"
        f" ms   target <= {1e3 * TARGET_CANCEL_S:.0f} ms   {verdict}"
    )
    stall_in_place = statistics.median(g for _, g in results["in place"])
    stall_bg = statistics.median(g for _, g in results["background"])
    print(f"longest stall, background / in place (medians): {stall_bg / stall_in_place:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
