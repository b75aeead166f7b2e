"""The analyses never delay the first window, and the GUI thread stays responsive while they run.

Run offscreen:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_analysis.py [--hidden 256]
                [--compare REV]

1. Time to first window. A model with H hidden units (3 inputs, 3 outputs, saved without data,
   so the window opens it on an 8-step sequence of random inputs) is opened from the command
   line, ``main.py MODEL --screenshot PNG``, in a fresh process: the time from the start of the
   process to the window shown and painted. Runs alternate between the app as built and the
   app with the gradient check switched off (its panel never checks), so machine load hits both;
   the median and the fastest run of each are printed. Target: the fastest as built is at most
   1.1 times the fastest with the check off (load only ever adds time; the window does not
   wait for any analysis). ``--compare REV`` also times the code of git
   revision REV (e.g. ``main``) the same way, for the record.

2. Longest GUI-thread stall while an analysis runs. In one window, shown offscreen at 1400 x 900,
   each analysis is started by raising its dock, and a 10 ms QTimer on the GUI thread records
   the gaps between its ticks until the analysis ends (at most ``--seconds`` of it; a longer one
   is then cancelled). Printed: the gap of the raise itself (painting the dock, not the
   analysis), then while the analysis runs the longest gap in each third of the run and the
   99th percentile; first the same window idle, for the gaps the machine's load makes anyway
   (on a shared machine a tick can come late with nothing running at all). Cases: the gradient
   check of the H-unit model (about 17 000 entries for H = 128: its whole run is minutes, so it
   is measured for ``--seconds`` and cancelled), the gradient flow of T = 1000 steps with
   H = 64, and the state space of the reber task (about 11 000 states) with H = 128.
   Target: while the gradient check runs, the longest gap <= 50 ms, judged on the median of the
   three thirds so that one late tick of a busy machine does not decide it.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STALL_TARGET_MS = 50.0
FIRST_WINDOW_RATIO = 1.1

#: run in a fresh interpreter: time from its start to the window painted (main --screenshot)
_CHILD = """
import sys, time
start = time.perf_counter()
sys.path.insert(0, {root!r})
if {disable!r}:
    from gui.analysis.gradient_check import GradCheckPanel
    GradCheckPanel.run_check = lambda self: None
import main
status = main.main([{model!r}, "--screenshot", {png!r}])
print(time.perf_counter() - start, status)
"""


def make_model(path: str, hidden: int) -> None:
    from core.model import SRN
    from core.modelio import save_model

    save_model(path, SRN.init(3, hidden, 3, seed=0))


def first_window_s(root: str, model: str, disable: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        code = _CHILD.format(root=root, disable=disable, model=model, png=f"{tmp}/shot.png")
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
        )
    seconds, status = out.stdout.split()[-2:]
    if status != "0":
        raise RuntimeError(f"the window did not open: {out.stderr}")
    return float(seconds)


def export_revision(rev: str, into: str) -> str:
    """The files of git revision ``rev`` in a new directory (read-only use of the repository)."""
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", into], input=archive.stdout, check=True)
    return into


def bench_first_window(hidden: int, repeats: int, compare: str | None) -> bool:
    print(f"1. time to first window, H = {hidden} model opened from the command line")
    with tempfile.TemporaryDirectory() as tmp:
        model = f"{tmp}/h{hidden}.json"
        make_model(model, hidden)
        runs: dict[str, list[float]] = {"as built": [], "gradient check off": []}
        for _ in range(repeats):
            runs["as built"].append(first_window_s(str(ROOT), model, False))
            runs["gradient check off"].append(first_window_s(str(ROOT), model, True))
        if compare is not None:
            old = export_revision(compare, tempfile.mkdtemp(dir=tmp))
            runs[f"revision {compare}"] = [first_window_s(old, model, False)]
            runs[f"revision {compare}, check off"] = [first_window_s(old, model, True)]
    for name, times in runs.items():
        spread = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"   {name:<28} median {statistics.median(times):6.2f} s  fastest {min(times):6.2f} s"
            f"   ({spread})"
        )
    ratio = min(runs["as built"]) / min(runs["gradient check off"])
    median_ratio = statistics.median(runs["as built"]) / statistics.median(
        runs["gradient check off"]
    )
    ok = ratio <= FIRST_WINDOW_RATIO
    print(
        f"   as built / check off: fastest {ratio:.2f}, median {median_ratio:.2f}   "
        f"target fastest <= {FIRST_WINDOW_RATIO}: {'PASS' if ok else 'MISS'}"
    )
    return ok


# -- stalls -------------------------------------------------------------------------------------
class GapMeter:
    """Gaps between the ticks of a 10 ms timer on the GUI thread."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(1e3 * (now - self._last))
        self._last = now

    def start(self) -> None:
        self.gaps, self._last = [], time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps


def measure_run(window, dock_id, job, seconds: float) -> tuple[float, list[float], bool]:
    """(longest gap of the raise, every gap while running, whether the analysis finished)."""
    from PySide6.QtCore import QEventLoop, QTimer

    meter = GapMeter()
    meter.start()
    window.docks[dock_id].raise_()
    loop = QEventLoop()
    QTimer.singleShot(30, loop.quit)  # the raise and its paint
    loop.exec()
    raise_gap = max(meter.gaps, default=0.0)
    meter.start()
    finished = []
    job.finished.connect(lambda: finished.append(True))
    job.finished.connect(loop.quit)
    QTimer.singleShot(int(1e3 * seconds), loop.quit)
    if job.running:
        loop.exec()
    gaps = meter.stop()
    if job.running:
        job.cancel()
    return raise_gap, gaps or [0.0], bool(finished)


def p99(gaps: list[float]) -> float:
    return sorted(gaps)[min(len(gaps) - 1, int(0.99 * len(gaps)))]


def thirds(gaps: list[float]) -> list[float]:
    """The longest gap in each third of the run (by tick count)."""
    n = len(gaps)
    cuts = [0, n // 3, 2 * n // 3, n]
    return [max(gaps[a:b], default=0.0) for a, b in itertools.pairwise(cuts)]


def bench_stalls(hidden: int, seconds: float) -> bool:
    import numpy as np
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from core.data import Dataset, Sequence
    from core.model import SRN
    from core.tasks import TASKS, make_task
    from gui.docks.registry import DockId
    from gui.files import random_inputs_dataset
    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    tmp = tempfile.mkdtemp()
    window = MainWindow(settings=QSettings(f"{tmp}/bench.ini", QSettings.Format.IniFormat))
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    session = window.session
    print("2. GUI-thread gaps of a 10 ms timer while an analysis runs")
    print(f"   {'analysis':<44} {'raise':>6}   {'longest in each third':<21} {'p99':>6}  run")

    rng = np.random.default_rng(0)
    flow_net = SRN.init(8, 64, 8, seed=0)
    T = 1000
    flow_data = Dataset(
        "random T=1000",
        (Sequence(np.eye(8)[rng.integers(0, 8, T)], np.eye(8)[rng.integers(0, 8, T)]),),
        tuple(f"in{i}" for i in range(8)),
        tuple(f"out{k}" for k in range(8)),
        output="softmax",
    )
    reber = make_task("reber")
    reber_net = TASKS["reber"].network(reber)
    reber_net = SRN.init(reber_net.n_in, 128, reber_net.n_out, output=reber_net.output, seed=0)
    check_net = SRN.init(3, hidden, 3, seed=0)
    cases = [
        (f"gradient check, H = {hidden}, T = 8", DockId.GRADCHECK, check_net, None, True),
        ("gradient flow, T = 1000, H = 64", DockId.FLOW, flow_net, flow_data, False),
        (
            "state space, reber (10 944 states), H = 128",
            DockId.STATE_SPACE,
            reber_net,
            reber,
            False,
        ),
    ]
    meter = GapMeter()
    meter.start()
    loop = QEventLoop()
    QTimer.singleShot(int(500 * seconds), loop.quit)
    loop.exec()
    idle = meter.stop() or [0.0]
    name = f"none: the window idle for {seconds / 2:.0f} s"
    longest = " / ".join(f"{g:3.0f}" for g in thirds(idle))
    print(f"   {name:<44} {'':>6}   {longest} ms{'':<6} {p99(idle):>3.0f} ms")
    ok = True
    for name, dock_id, net, data, targeted in cases:
        window.docks[DockId.WEIGHTS].raise_()  # the analysis docks tabbed away
        if data is None:
            data = random_inputs_dataset(net)
        session.set_dataset(data, net=net)
        app.processEvents()
        job = window.panels[dock_id].job
        raise_gap, gaps, finished = measure_run(window, dock_id, job, seconds)
        longest = thirds(gaps)
        verdict = ""
        if targeted:
            passed = statistics.median(longest) <= STALL_TARGET_MS
            ok &= passed
            verdict = (
                f"\n   {'':<44} target: median of the thirds <= {STALL_TARGET_MS:.0f} ms: "
                f"{'PASS' if passed else 'MISS'}"
            )
        run = "finished" if finished else f"cancelled after {seconds:.0f} s"
        text = " / ".join(f"{g:3.0f}" for g in longest)
        print(
            f"   {name:<44} {raise_gap:>3.0f} ms   {text} ms{'':<6} {p99(gaps):>3.0f} ms  "
            f"{run}{verdict}"
        )
    window.session.set_modified(False)
    window.close()
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hidden", type=int, default=256, help="H of the opened model")
    parser.add_argument("--stall-hidden", type=int, default=128, help="H of the stall check")
    parser.add_argument("--repeats", type=int, default=3, help="first-window runs per variant")
    parser.add_argument("--seconds", type=float, default=10.0, help="longest stall measurement")
    parser.add_argument("--compare", metavar="REV", help="also time git revision REV")
    parser.add_argument("--skip-first-window", action="store_true", help="stalls only")
    parser.add_argument("--skip-stalls", action="store_true", help="first window only")
    args = parser.parse_args()
    print(f"BLAS threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ok = True
    if not args.skip_first_window:
        ok &= bench_first_window(args.hidden, args.repeats, args.compare)
    if not args.skip_stalls:
        ok &= bench_stalls(args.stall_hidden, args.seconds)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
