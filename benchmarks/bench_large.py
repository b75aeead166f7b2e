"""Long sequences: opening a trace, stepping the cursor and the memory it takes, beside targets.

Run offscreen:  QT_QPA_PLATFORM=offscreen python benchmarks/bench_large.py [--case T,H ...]

Each case runs in a fresh Python process (so that its memory is its own), twice: once timed, once
under ``tracemalloc``. For one random sequence of T steps and H hidden units (8 inputs and
outputs for H = 256, 3 for H = 5) it opens the main window on the example, then

* **open**: ``Session.set_dataset`` and the events it causes (the ``bptt`` call and every view
  built and painted), in seconds of the clock and (**cpu**) of the process's CPU time (all its
  threads: the clock less the waits for a core on a loaded machine, plus any BLAS threads'
  time), and separately the ``bptt`` call alone and (**csv**) reading the sequence from a CSV
  file, which File > Open does first;
* **step**: the median and 90th percentile of one cursor step followed by the events it causes,
  over runs of single steps at 8 places of the forward and the backward sweep;
* **jump**: the median of a seek to a far position (the visible window of time moves);
* **memory**: the peak of the memory allocated while opening and stepping, above what was
  allocated before, as a multiple of the trace's own arrays (the arrays it holds, each counted
  once): ``tracemalloc`` (numpy's and Python's allocations; not Qt's pixel buffers) and the
  growth of the peak resident set (``ru_maxrss``, everything, including freed pages the
  allocator kept).

Targets: for (T, H) = (20000, 256): open <= 1.5 s, median step <= 30 ms, tracemalloc peak <= 4x
the trace's arrays; (1000000, 5) opens and steps, tracemalloc peak <= 4x the trace's arrays.
The load average is printed first and after each run: on a shared machine the times grow with
it (``bptt``, the engine alone, is the column to compare them with).

Every case runs with numpy's BLAS as it comes (``default``: one thread per core, what users run)
and with one thread (``one``); ``--blas`` picks one of them. ``--against DIR`` runs the same
benchmark of another checkout (for example ``git worktree add /tmp/base main``) in turns with
this one, so that a change is measured before and after under the same load; ``--repeat N``
runs each N times. The memory column is this checkout's, measured once per case.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
#: the huge-page setting the caller gave, if any (``--against`` runs another checkout with it)
USER_HUGEPAGE = os.environ.get("NUMPY_MADVISE_HUGEPAGE")
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")  # as main.py sets it, before numpy loads
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402  (after the huge-page setting above)

CASES = ((20000, 256), (1_000_000, 5))
#: the issue's targets; the million-step case must open and step (it needed 5.2 GB before the
#: views were windowed), and is held to the same bound on memory
TARGETS = {
    (20000, 256): {"open_s": 1.5, "step_ms": 30.0, "memory_x": 4.0},
    (1_000_000, 5): {"memory_x": 4.0},
}


def io_sizes(H: int) -> tuple[int, int]:
    return (8, 8) if H >= 16 else (3, 3)


def trace_bytes(trace: object) -> int:
    """The bytes of the arrays a trace holds, each memory block counted once."""
    seen: dict[int, int] = {}
    for name in ("x", "d", "mask", "a", "h", "o", "y", "loss_t", "delta_o", "delta_h"):
        arr = getattr(trace, name)
        base = arr
        while isinstance(base.base, np.ndarray):
            base = base.base
        seen[id(base)] = max(seen.get(id(base), 0), base.nbytes)
    for name in ("delta_h0", "context"):
        arr = getattr(trace, name)
        base = arr
        while isinstance(base.base, np.ndarray):
            base = base.base
        seen.setdefault(id(base), base.nbytes)
    return sum(seen.values())


def csv_load_s(folder: str, xs: np.ndarray, ds: np.ndarray) -> float:
    """Seconds to read the sequence back from a CSV file (``core.loaders.load_dataset``, as
    File > Open does before the trace is computed)."""
    from core.loaders import load_dataset

    path = Path(folder) / "sequence.csv"
    header = [f"x{i + 1}" for i in range(xs.shape[1])] + [f"d{k + 1}" for k in range(ds.shape[1])]
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        np.savetxt(f, np.hstack([xs, ds]).astype(np.int8), fmt="%d", delimiter=",")
    begin = time.perf_counter()
    load_dataset(path)
    return time.perf_counter() - begin


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_case(T: int, H: int, traced: bool) -> dict[str, float]:
    """One case in this process: timings, or (``traced``) the tracemalloc peak."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from core import SRN, bptt
    from core.data import Dataset, Sequence
    from gui.main_window import MainWindow

    I, O = io_sizes(H)
    rng = np.random.default_rng(0)
    net = SRN.init(I, H, O, seed=0)
    xs = np.eye(I)[rng.integers(0, I, T)]
    ds = np.eye(O)[rng.integers(0, O, T)]
    data = Dataset(
        f"random T={T}",
        (Sequence(xs, ds),),
        tuple(f"in{i}" for i in range(I)),
        tuple(f"out{k}" for k in range(O)),
        output="softmax",
    )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    tmp = tempfile.mkdtemp()
    window = MainWindow(settings=QSettings(f"{tmp}/bench.ini", QSettings.Format.IniFormat))
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    gc.freeze()  # as main.py does before the window takes input
    session = window.session
    out: dict[str, float] = {}
    rss0 = rss_mb()
    if traced:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
    start, cpu = time.perf_counter(), time.process_time()
    session.set_dataset(data, net=net)
    app.processEvents()
    out["open_s"] = time.perf_counter() - start
    out["open_cpu_s"] = time.process_time() - cpu
    out["trace_mb"] = trace_bytes(session.trace) / 2**20
    places = np.linspace(1, 2 * T - 12, 8).astype(int)
    steps: list[float] = []
    jumps: list[float] = []
    for k in places:
        begin = time.perf_counter()
        session.seek(int(k))
        app.processEvents()
        jumps.append(1e3 * (time.perf_counter() - begin))
        for _ in range(10):
            begin = time.perf_counter()
            session.step()
            app.processEvents()
            steps.append(1e3 * (time.perf_counter() - begin))
    out["step_ms"] = statistics.median(steps)
    out["step_p90_ms"] = float(np.percentile(steps, 90))
    out["jump_ms"] = statistics.median(jumps)
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out["traced_mb"] = (peak - base) / 2**20
    out["rss_mb"] = rss_mb() - rss0
    if not traced:
        seq = data.sequences[0]
        begin = time.perf_counter()
        bptt(net, seq.x, seq.d)
        out["bptt_s"] = time.perf_counter() - begin
        out["csv_s"] = csv_load_s(tmp, xs, ds)
    window.close()
    return out


#: the BLAS thread settings compared: numpy's OpenBLAS as it comes (one thread per core, what a
#: user runs), and one thread (``OPENBLAS_NUM_THREADS=1``); the engine limits itself to one
#: thread while it runs (``core/blas.py``), so the two should be close
BLAS_MODES = ("default", "one")


def child(script: Path, T: int, H: int, traced: bool, blas: str) -> dict[str, float] | str:
    """One case in a fresh process running ``script`` (this file, or the same benchmark in
    another checkout for ``--against``), with the BLAS threads of ``blas``: its result, or the
    end of its error output."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    }
    if blas == "one":
        env["OPENBLAS_NUM_THREADS"] = "1"
    if USER_HUGEPAGE is None:  # each checkout's benchmark sets what its main.py sets
        env.pop("NUMPY_MADVISE_HUGEPAGE", None)
    proc = subprocess.run(
        [sys.executable, str(script), "--child", f"{T},{H},{int(traced)}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=script.parents[1],
        env=env,
    )
    if proc.returncode != 0:
        return proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def verdict(T: int, H: int, measured: dict[str, float]) -> tuple[bool, str]:
    target = TARGETS.get((T, H), {})
    passed = all(measured[key] <= bound for key, bound in target.items())
    bounds = [
        f"{name} <= {target[key]:g}{unit}"
        for key, name, unit in (
            ("open_s", "open", " s"),
            ("step_ms", "step", " ms"),
            ("memory_x", "memory", "x"),
        )
        if key in target
    ]
    text = f"{'PASS' if passed else 'MISS'} (opens and steps"
    return passed, text + (f"; {', '.join(bounds)})" if bounds else ")")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="T,H (default: the two target cases)")
    parser.add_argument(
        "--blas", choices=(*BLAS_MODES, "both"), default="both", help="BLAS threads (default both)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per case and setting")
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout (e.g. a worktree of main): its runs alternate with these, "
        "for paired numbers before and after a change",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        T, H, traced = (int(v) for v in args.child.split(","))
        print(json.dumps(run_case(T, H, bool(traced))))
        return 0
    cases = [tuple(int(v) for v in c.split(",")) for c in args.case] if args.case else CASES
    modes = BLAS_MODES if args.blas == "both" else (args.blas,)
    here = Path(__file__).resolve()
    trees = [("this", here)]
    if args.against is not None:
        trees.append(("against", args.against.resolve() / "benchmarks" / here.name))
    # a shared machine: the load says how far the times are from an idle one
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{'T':>8} {'H':>4} {'BLAS':>7} {'code':>7} | {'csv':>7} {'open':>7} {'cpu':>7} "
        f"{'bptt':>7} | "
        f"{'step med':>8} {'p90':>7} {'jump':>7} | "
        f"{'trace':>7} {'traced':>8} {'rss':>8} | {'load':>4} | target"
    )
    ok = True
    for T, H in cases:
        # the memory peak does not depend on the BLAS threads: measured once, this checkout's
        mem = child(here, T, H, True, modes[0])
        if isinstance(mem, str):
            print(f"{T:>8} {H:>4} | failed:\n{mem}")
            ok = False
            continue
        for blas in modes:
            for _ in range(args.repeat):
                for name, script in trees:
                    timed = child(script, T, H, False, blas)
                    if isinstance(timed, str):
                        print(f"{T:>8} {H:>4} {blas:>7} {name:>7} | failed:\n{timed}")
                        ok = False
                        continue
                    trace_mb = timed["trace_mb"]
                    ratio = mem["traced_mb"] / trace_mb
                    measured = {
                        "open_s": timed["open_s"],
                        "step_ms": timed["step_ms"],
                        "memory_x": ratio,
                    }
                    passed, text = verdict(T, H, measured)
                    if name == "this":
                        ok &= passed
                    print(
                        f"{T:>8} {H:>4} {blas:>7} {name:>7} | {timed['csv_s']:>5.2f} s "
                        f"{timed['open_s']:>5.2f} s {timed.get('open_cpu_s', math.nan):>5.2f} s "
                        f"{timed['bptt_s']:>5.2f} s | "
                        f"{timed['step_ms']:>5.1f} ms {timed['step_p90_ms']:>4.0f} ms "
                        f"{timed['jump_ms']:>4.0f} ms | {trace_mb:>4.0f} MB {ratio:>6.2f}x "
                        f"{timed['rss_mb'] / trace_mb:>6.2f}x | {os.getloadavg()[0]:>4.1f} | "
                        f"{text}"
                    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
