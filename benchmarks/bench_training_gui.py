"""Epochs per second of one training run, headless and inside the running window.

Run offscreen:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_training_gui.py [--epochs N]

The same run (task ``temporal-xor`` with data seed 0, the task's recommended network with init
seed 0, the task's recommended TrainConfig with ``--epochs``) is timed in one process:

* headless: a plain loop over ``core.training.train``;
* in the GUI: the main window shown offscreen (1400 x 900) with the task, network and training
  panels docked in it, Train pressed, and the Qt event loop running until the controller's
  ``finished`` signal. The explorer's views follow the network as it learns, the plots update
  from throttled batches: everything a user would see.

After one untimed warm-up run in the window, runs alternate (headless, GUI, GUI probed,
headless, ...) so that a change in machine load hits every run of a round:

* speed: the median over rounds of (GUI epochs/s) / (headless epochs/s); the ratio of the best
  runs is printed beside it. Target >= 0.90.
* the one-off cost of a run in the window, beside it: (GUI - headless) seconds of 1-epoch runs.
  Most of it is the end of a run, when the session takes the final network and every view of
  the explorer redraws; with the default 200 epochs (about 2 s here) it weighs about 1 % in the
  ratio, where 40-epoch runs (0.4 s) made it a tenth of the measured "speed".
* stalls: in the probed GUI run a 10 ms QTimer on the GUI thread records when its ticks come; the
  longest gap between two ticks is the longest time the window did not respond. Target <= 50 ms.
  The probe runs apart from the timed runs because it costs training speed itself: each tick
  takes the GIL from the training thread (a bare 10 ms tick costs it about 3 %). Each gap is
  also printed less the time the GUI thread spent in it waiting for a CPU (schedstat): on a
  machine shared with other programs that wait is theirs, and what remains is the window's own
  work and its waits for the GIL. The GUI thread's CPU time between two ticks is printed too:
  the window's own work in one go, which the machine's load does not change much (the GIL
  hands it over to training and back inside a gap, which makes the gap longer).

Prints PASS or MISS beside each target. On a machine busy with other work the runs scatter: use
more ``--repeats``. Two shares read from Linux's per-thread schedstat help to tell the GUI's cost
from the machine's load: how much of its time the training thread in the window spent blocked
(waiting for the GIL, which the GUI thread holds) and how much it spent waiting for a CPU (other
programs), beside the headless loop's wait for a CPU. The benchmark reads them by wrapping the
``train`` the controller calls; nothing else is changed.

To compare how the window and training share the interpreter (``gui/training/sharing.py``):
``--switch-interval S`` sets the switch interval a run uses (0.005 is Python's default),
``--no-gc-freeze`` leaves the collector as it is, and ``--yield-gil`` makes the training thread
give the GIL up (``time.sleep(0)``) after every item it yields. The settings and the machine's
load average are printed first.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

from core.tasks import TASKS, make_task
from core.training import TrainConfig, train
from gui.docks.network import NetworkPanel
from gui.docks.task import TaskPanel
from gui.session import Session
from gui.training import controller as controller_module
from gui.training import sharing
from gui.training.controller import TrainingController
from gui.training.panel import TrainingPanel

TASK = "temporal-xor"
TARGET_RATIO = 0.90
TARGET_STALL_S = 0.050


#: (share blocked, share waiting for a CPU) of the training thread's time, one per GUI run
TRAINING_THREAD: list[tuple[float, float]] = []
#: the share of its time the headless loop waited for a CPU, one per headless run
HEADLESS_WAIT: list[float] = []
#: ``--yield-gil``: the training thread sleeps 0 s after each item
YIELD_GIL = False


def schedstat() -> tuple[float, float]:
    """(CPU seconds, seconds runnable but waiting for a CPU) of the calling thread; NaN when the
    system does not say (not Linux)."""
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as f:
            cpu, waited, _ = f.read().split()
    except OSError:
        return math.nan, math.nan
    return int(cpu) / 1e9, int(waited) / 1e9


def observed_train(*args: Any, **kwargs: Any) -> Iterator[Any]:
    """``core.training.train``, noting in ``TRAINING_THREAD`` how the thread that runs it (the
    controller's worker) spent its time."""
    items = train(*args, **kwargs)

    def observed() -> Iterator[Any]:
        cpu, waited = schedstat()
        start = time.perf_counter()
        try:
            for item in items:
                yield item
                if YIELD_GIL:
                    time.sleep(0)  # releases the GIL: a waiting GUI thread may take it
        finally:
            wall = time.perf_counter() - start
            cpu, waited = (b - a for a, b in zip((cpu, waited), schedstat(), strict=True))
            TRAINING_THREAD.append(((wall - cpu - waited) / wall, waited / wall))

    return observed()


@dataclass
class Runs:
    """The GUI runs of one trainer (``controller.TRAINER``)."""

    one_off: list[float] = field(default_factory=list)
    gui: list[float] = field(default_factory=list)
    gui_cpu: float = 0.0
    stalls: list[float] = field(default_factory=list)  # the longest tick gap of each probed run
    own: list[float] = field(default_factory=list)  # the same less its wait for a CPU
    busy: list[float] = field(default_factory=list)  # the most GUI CPU between two ticks
    threads: list[tuple[float, float]] = field(default_factory=list)  # the training thread


def headless(config: TrainConfig) -> float:
    """Seconds for the whole run as a plain loop."""
    data = make_task(TASK, seed=0)
    net = TASKS[TASK].network(data, seed=0)
    _, waited = schedstat()
    start = time.perf_counter()
    for _ in train(net, data, config):
        pass
    seconds = time.perf_counter() - start
    HEADLESS_WAIT.append((schedstat()[1] - waited) / seconds)
    return seconds


def build_window() -> tuple[QMainWindow, TrainingPanel, str]:
    """The main window with the training panels docked (added here when it has none)."""
    settings = QSettings(f"{tempfile.mkdtemp()}/bench.ini", QSettings.Format.IniFormat)
    try:
        from gui.main_window import MainWindow

        window: QMainWindow = MainWindow(settings=settings)
        session: Session = window.session  # type: ignore[attr-defined]
        kind = "MainWindow"
    except ImportError as exc:  # the explorer is not there: train in a window of our own
        print(f"(main window unavailable: {exc}; using a plain QMainWindow)")
        window, session, kind = QMainWindow(), Session(), "QMainWindow"
        window.setCentralWidget(QWidget())
    found = window.findChildren(TrainingPanel)
    if found:
        return window, found[0], kind
    controller = TrainingController(session, window)
    training = TrainingPanel(session, controller)
    area = Qt.DockWidgetArea
    for title, panel, where in (
        ("Task", TaskPanel(session, controller), area.LeftDockWidgetArea),
        ("Network", NetworkPanel(session, controller), area.LeftDockWidgetArea),
        ("Training", training, area.BottomDockWidgetArea),
    ):
        dock = QDockWidget(title, window)
        dock.setObjectName(f"bench_dock_{title.lower()}")
        dock.setWidget(panel)
        window.addDockWidget(where, dock)
    return window, training, kind + " + training docks"


def in_gui(
    app: QApplication, panel: TrainingPanel, config: TrainConfig, *, probe: bool = False
) -> tuple[float, float, list[tuple[float, float, float]]]:
    """Seconds from pressing Train to ``finished``, the GUI thread's CPU seconds meanwhile, and,
    with ``probe``, the gaps between the ticks of a 10 ms timer on the GUI thread: (seconds,
    seconds of them the GUI thread waited for a CPU, CPU seconds it ran in them)."""
    tasks = panel.window().findChildren(TaskPanel)
    task = tasks[0]
    task.select_task(TASK)
    task.seed_box.setValue(0)
    task.fresh_check.setChecked(True)
    task.ask = lambda title, text: True  # type: ignore[method-assign]
    assert task.generate(), task.hint.text()
    panel.set_config(config)
    app.processEvents()

    ticks: list[tuple[float, float, float]] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(
        lambda: ticks.append((time.perf_counter(), schedstat()[1], time.thread_time()))
    )
    loop = QEventLoop()
    panel.controller.finished.connect(loop.quit)
    if probe:
        timer.start()
    start, cpu = time.perf_counter(), time.thread_time()
    panel.train_button.click()
    if panel.controller.state != "running":
        raise SystemExit(f"Train did not start: {panel.hint.text() or panel.status.text()}")
    QTimer.singleShot(600_000, loop.quit)  # never hang: a stuck run shows as a failed check
    loop.exec()
    seconds, cpu = time.perf_counter() - start, time.thread_time() - cpu
    timer.stop()
    panel.controller.finished.disconnect(loop.quit)
    reason = panel.controller.last_reason
    if reason != "finished" or len(panel.controller.history) != config.epochs:
        raise SystemExit(f"the GUI run did not finish normally: {reason}")
    gaps = [(b - a, wb - wa, cb - ca) for (a, wa, ca), (b, wb, cb) in itertools.pairwise(ticks)]
    return seconds, cpu, gaps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200, help="epochs per run (default 200)")
    parser.add_argument("--repeats", type=int, default=8, help="rounds of runs (default 8)")
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=sharing.SWITCH_INTERVAL_S,
        help="the switch interval while training (s; default: Python's own)",
    )
    parser.add_argument(
        "--no-gc-freeze", action="store_true", help="leave the garbage collector as it is"
    )
    parser.add_argument(
        "--yield-gil", action="store_true", help="the training thread sleeps 0 s after each item"
    )
    parser.add_argument(
        "--trainer",
        choices=("process", "thread", "both"),
        default="both",
        help="where the window's run computes (default both, side by side in each round)",
    )
    args = parser.parse_args()
    global YIELD_GIL
    YIELD_GIL = args.yield_gil
    sharing.SWITCH_INTERVAL_S = args.switch_interval
    sharing.FREEZE_GC = not args.no_gc_freeze
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    interval = args.switch_interval or sys.getswitchinterval()
    print(
        f"switch interval while training {1e3 * interval:g} ms, gc freeze "
        f"{'on' if sharing.FREEZE_GC else 'off'}, yield GIL {'on' if YIELD_GIL else 'off'}; "
        f"load average {load} on {os.cpu_count()} CPUs"
    )

    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    controller_module.train = observed_train  # type: ignore[assignment]
    window, panel, kind = build_window()
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    config = TASKS[TASK].train_config(epochs=args.epochs, seed=0)
    data = make_task(TASK, seed=0)
    print(
        f"{TASK}: {len(data)} sequences, network {TASKS[TASK].n_hidden} {TASKS[TASK].hidden} "
        f"hidden, {args.epochs} epochs, lr {config.lr:g}, momentum {config.momentum:g}; "
        f"window: {kind}"
    )

    trainers = ("thread", "process") if args.trainer == "both" else (args.trainer,)
    for trainer in trainers:  # warm-up, not timed
        controller_module.TRAINER = trainer
        in_gui(app, panel, TASKS[TASK].train_config(epochs=5, seed=0))
    one = TASKS[TASK].train_config(epochs=1, seed=0)
    plain: list[float] = []
    waits: list[float] = []  # the headless loop of each round
    runs = {trainer: Runs() for trainer in trainers}
    for trainer in trainers:
        controller_module.TRAINER = trainer
        runs[trainer].one_off = [in_gui(app, panel, one)[0] - headless(one) for _ in range(5)]
    for _ in range(args.repeats):
        plain.append(headless(config))
        waits.append(HEADLESS_WAIT[-1])
        for trainer in trainers:  # side by side in each round: the same load for both
            controller_module.TRAINER = trainer
            r = runs[trainer]
            seconds, cpu, _ = in_gui(app, panel, config)
            if trainer == "thread":
                r.threads.append(TRAINING_THREAD[-1])
            r.gui.append(seconds)
            r.gui_cpu += cpu
            _, _, gaps = in_gui(app, panel, config, probe=True)
            r.stalls.append(max((g for g, _, _ in gaps), default=math.inf))
            r.own.append(max((g - w for g, w, _ in gaps), default=math.inf))
            r.busy.append(max((c for _, _, c in gaps), default=math.inf))
    panel.controller.shutdown()
    print(f"load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    panel.session.set_modified(False)  # nothing to save: close without the "discard?" question
    window.close()

    rates = [args.epochs / s for s in plain]
    print(
        f"headless : best {max(rates):6.1f} epochs/s, median {statistics.median(rates):6.1f} "
        f"(runs: {', '.join(f'{s:.2f}' for s in plain)} s); waiting for a CPU "
        f"{statistics.median(waits):.1%} of its time (median)"
    )
    verdicts = []
    for trainer in trainers:
        r = runs[trainer]
        print(f"-- training in a {trainer} (TRAINER = {trainer!r})")
        rates = [args.epochs / s for s in r.gui]
        print(
            f"in GUI   : best {max(rates):6.1f} epochs/s, median {statistics.median(rates):6.1f} "
            f"(runs: {', '.join(f'{s:.2f}' for s in r.gui)} s)"
        )
        pairs = [p / g for p, g in zip(plain, r.gui, strict=True)]  # (GUI rate) / (headless)
        print(
            f"pairs GUI / headless: {', '.join(f'{x:.2f}' for x in pairs)}; "
            f"best GUI / best headless: {min(plain) / min(r.gui):.2f}"
        )
        print(
            f"GUI thread CPU while training: {r.gui_cpu / sum(r.gui):.0%} of the wall time "
            "(redraws and network updates)"
        )
        print(
            f"one-off cost of a run in the window: median {1e3 * statistics.median(r.one_off):.0f}"
            " ms (a process starts an interpreter)"
        )
        if r.threads:
            blocked, waited = (statistics.median(v) for v in zip(*r.threads, strict=True))
            print(
                f"training thread in the window: blocked (GIL) {blocked:.1%} of its time, "
                f"waiting for a CPU {waited:.1%} (medians)"
            )
        print(
            "longest GUI stall of each probed run: "
            f"{', '.join(f'{1e3 * x:.0f}' for x in r.stalls)} ms"
        )
        print(
            "the same less the GUI thread's wait for a CPU (other programs' share): "
            f"{', '.join(f'{1e3 * x:.0f}' for x in r.own)} ms"
        )
        print(
            "the GUI thread's own CPU time in its longest turn between two ticks (its work, "
            f"whatever the load): {', '.join(f'{1e3 * x:.0f}' for x in r.busy)} ms"
        )
        ratio, stall, own_stall = statistics.median(pairs), max(r.stalls), max(r.own)
        verdicts += [
            (f"{trainer}: GUI / headless speed (median)", f"{ratio:.2f}",
             f">= {TARGET_RATIO:.2f}", ratio >= TARGET_RATIO),
            (f"{trainer}: longest GUI stall", f"{1e3 * stall:.0f} ms",
             f"<= {1e3 * TARGET_STALL_S:.0f} ms", stall <= TARGET_STALL_S),
            (f"{trainer}:   less waits for a CPU", f"{1e3 * own_stall:.0f} ms",
             f"<= {1e3 * TARGET_STALL_S:.0f} ms", own_stall <= TARGET_STALL_S),
        ]  # fmt: skip
    for name, value, target, ok in verdicts:
        print(f"{name:40} {value:>7}   target {target:>8}   {'PASS' if ok else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
