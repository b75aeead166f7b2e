"""Time from a cursor step to all views updated, beside the engine's own bptt call.

Run offscreen:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py

For (T, H) = (10, 5), (100, 16), (1000, 64) the script opens the main window on a random network
and sequence, then steps the cursor through forward and backward positions, each step followed by
processing the events it caused (the views' redraws and the paint of the window). It prints the
median and 90th percentile step time, the time of one ``bptt`` call on the same network and data,
and the time to open a new trace (``Session.set_dataset``) in the same run, with their ratios.

Targets: median step <= 16 ms for (100, 16), <= 50 ms for (1000, 64); opening a (1000, 64)
trace <= 1 s.

Compare mode: at (T, H) = (100, 16) the script then opens View > Compare (BPTT(1) against full
BPTT, 1400 x 900) and times the same steps with the compare window drawing both runs, once with
the explorer hidden and once with both windows shown. Target: a compare step's median <= 2x the
single view's median step.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from core import SRN, bptt
from core.data import Dataset, Sequence
from gui.main_window import MainWindow

CASES = ((10, 5, 4, 3), (100, 16, 8, 8), (1000, 64, 8, 8))  # (T, H, I, O)
TARGET_MS = {(100, 16): 16.0, (1000, 64): 50.0}
COMPARE_CASE = (100, 16, 8, 8)
COMPARE_TARGET_RATIO = 2.0


def random_case(T: int, H: int, I: int, O: int, seed: int = 0) -> tuple[SRN, Dataset]:
    rng = np.random.default_rng(seed)
    net = SRN.init(I, H, O, seed=seed)
    xs = np.eye(I)[rng.integers(0, I, T)]
    ds = np.eye(O)[rng.integers(0, O, T)]
    data = Dataset(
        f"random T={T}",
        (Sequence(xs, ds),),
        tuple(f"in{i}" for i in range(I)),
        tuple(f"out{k}" for k in range(O)),
        output="softmax",
    )
    return net, data


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def step_times(app: QApplication, session, positions) -> list[float]:
    """ms from each seek to the end of the events it caused (redraws and paints)."""
    steps = []
    for k in positions:
        begin = time.perf_counter()
        session.seek(int(k))
        app.processEvents()
        steps.append(1e3 * (time.perf_counter() - begin))
    return steps


def compare_bench(app: QApplication, window: MainWindow) -> bool:
    """Median step of the single view against Compare mode at COMPARE_CASE; True if on target."""
    T, H, I, O = COMPARE_CASE
    net, data = random_case(T, H, I, O)
    session = window.session
    session.set_dataset(data, net=net)
    app.processEvents()
    positions = list(np.linspace(1, 2 * T, min(2 * T, 60)).astype(int))
    session.seek(0)
    app.processEvents()
    single = statistics.median(step_times(app, session, positions))
    compare = window.show_compare()
    compare.resize(1400, 900)
    app.processEvents()
    window.hide()
    session.seek(0)
    app.processEvents()
    alone = statistics.median(step_times(app, session, positions))
    window.show()
    session.seek(0)
    app.processEvents()
    both = statistics.median(step_times(app, session, positions))
    compare.close()
    ratio = alone / single
    passed = ratio <= COMPARE_TARGET_RATIO
    print()
    print(f"Compare mode at (T, H) = ({T}, {H}), median step:")
    print(f"  single view (explorer)          {single:7.2f} ms")
    print(
        f"  compare window, explorer hidden {alone:7.2f} ms  ratio {ratio:4.2f}  "
        f"{'PASS' if passed else 'MISS'} (<= {COMPARE_TARGET_RATIO:g}x)"
    )
    print(f"  compare window and explorer     {both:7.2f} ms  ratio {both / single:4.2f}")
    return passed


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    tmp = tempfile.mkdtemp()
    window = MainWindow(settings=QSettings(f"{tmp}/bench.ini", QSettings.Format.IniFormat))
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    session = window.session
    print(
        f"{'T':>5} {'H':>4} | {'step median':>11} {'step p90':>9} | {'bptt':>9} "
        f"{'step/bptt':>9} | {'open trace':>10} | target"
    )
    ok = True
    for T, H, I, O in CASES:
        net, data = random_case(T, H, I, O)
        seq = data.sequences[0]
        start = time.perf_counter()
        session.set_dataset(data, net=net)
        app.processEvents()
        open_ms = 1e3 * (time.perf_counter() - start)
        engine_ms = median_ms(lambda net=net, seq=seq: bptt(net, seq.x, seq.d), 20)
        positions = np.linspace(1, 2 * T, min(2 * T, 60)).astype(int)
        steps = []
        for k in positions:
            begin = time.perf_counter()
            session.seek(int(k))
            app.processEvents()
            steps.append(1e3 * (time.perf_counter() - begin))
        med, p90 = statistics.median(steps), float(np.percentile(steps, 90))
        target = TARGET_MS.get((T, H))
        verdict = "-"
        if target is not None:
            passed = med <= target and (T < 1000 or open_ms <= 1000.0)
            ok &= passed
            verdict = f"{'PASS' if passed else 'MISS'} (<= {target:.0f} ms" + (
                ", open <= 1000 ms)" if T >= 1000 else ")"
            )
        print(
            f"{T:>5} {H:>4} | {med:>8.2f} ms {p90:>6.2f} ms | {engine_ms:>6.2f} ms "
            f"{med / engine_ms:>9.1f} | {open_ms:>7.1f} ms | {verdict}"
        )
    ok &= compare_bench(app, window)
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
