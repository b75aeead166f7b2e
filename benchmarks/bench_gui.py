"""Time from a cursor step to all views updated, beside the engine's own bptt call.

Run offscreen:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py

For (T, H) = (10, 5), (100, 16), (1000, 64) the script opens the main window on a random network
and sequence, then steps the cursor through forward and backward positions, each step followed by
processing the events it caused (the views' redraws and the paint of the window). It prints the
median and 90th percentile step time, the time of one ``bptt`` call on the same network and data,
and the time to open a new trace (``Session.set_dataset``) in the same run, with their ratios.

Targets: median step <= 16 ms for (100, 16), <= 50 ms for (1000, 64); opening a (1000, 64)
trace <= 1 s.
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
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
