"""RTRL against BPTT: wall time beside the counted work, and how often RTRL can be stopped.

Run:  python benchmarks/bench_rtrl.py [--steps 50] [--repeats 3]

For an Elman network (3 inputs, 3 softmax outputs) of H hidden units on T random steps, each
engine is timed ``--repeats`` times, alternating, and the fastest run of each is kept (load only
adds time). Printed per H: the two times and their ratio beside the ratio of the multiplications
the engines counted (core.rtrl.rtrl and core.rtrl_compare.counted_bptt): the counts grow as H^4
against H^2, and so should the times once H is large enough for the products to dominate.

Also printed: the longest time between two progress items of ``core.rtrl.rtrl_steps``, which is
how late an analysis job can stop RTRL after Cancel. Target: at most 0.5 s at every H.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.bptt import bptt
from core.model import SRN
from core.rtrl import rtrl, rtrl_steps
from core.rtrl_compare import counted_bptt

CANCEL_TARGET_S = 0.5


def fastest(run, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def longest_gap(net: SRN, x: np.ndarray, d: np.ndarray) -> float:
    gaps, last = [], time.perf_counter()
    for _ in rtrl_steps(net, x, d, keep_running=False):
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    return max(gaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hidden", type=int, nargs="*", default=[8, 16, 32, 64, 128])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    T = args.steps
    print(f"T = {T} steps; times are the fastest of {args.repeats}")
    print(f"{'H':>5} {'BPTT s':>9} {'RTRL s':>9} {'time ratio':>11} {'counted ratio':>14}"
          f" {'stop gap s':>11} (target <= {CANCEL_TARGET_S})")  # fmt: skip
    for H in args.hidden:
        net = SRN.init(3, H, 3, seed=0)
        x = rng.normal(size=(T, 3))
        d = np.eye(3)[rng.integers(0, 3, T)]
        t_bptt = fastest(lambda: bptt(net, x, d), args.repeats)  # noqa: B023
        t_rtrl = fastest(lambda: rtrl(net, x, d, keep_running=False), args.repeats)  # noqa: B023
        counted = rtrl(net, x, d, keep_running=False).costs.total / counted_bptt(net, x, d)[1].total
        gap = longest_gap(net, x, d)
        verdict = "ok" if gap <= CANCEL_TARGET_S else "OVER"
        print(f"{H:>5} {t_bptt:>9.4f} {t_rtrl:>9.4f} {t_rtrl / t_bptt:>11.1f} {counted:>14.1f}"
              f" {gap:>11.3f} {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
