"""How long the spectrum dock's Jacobian products take, and how long a Cancel can wait.

Run:  python benchmarks/bench_spectral.py [--steps 1000] [--hidden 64] [--lags 40] [--runs 3]

:func:`core.spectral.spectral_steps` measures ||J(t+1)^T ... J(t+s)^T||_2 for every start t and
lag s <= S of one sequence, O(S T H^3) work, and yields between blocks; the dock's job can stop
only between two yields. Printed, per run: the whole computation, the number of yields, and the
longest gap between two yields (the longest a Cancel waits), with the ratio of the median
longest gap to the target of 0.5 s (a ratio <= 1 meets it). The median and fastest whole time
are printed for the record; there is no target for it (the dock shows progress meanwhile).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.bptt import bptt
from core.model import SRN
from core.spectral import spectral_steps

CANCEL_TARGET_S = 0.5


def run(T: int, H: int, lags: int) -> tuple[float, int, float]:
    """(whole time, yields, longest gap between yields) for a random tanh network."""
    net = SRN.init(4, H, 4, seed=1)
    rng = np.random.default_rng(0)
    trace = bptt(net, rng.normal(size=(T, 4)), np.eye(4)[rng.integers(0, 4, T)])
    start = last = time.perf_counter()
    longest, count = 0.0, 0
    for _ in spectral_steps(trace, lags):
        now = time.perf_counter()
        longest, last, count = max(longest, now - last), now, count + 1
    return time.perf_counter() - start, count, longest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lags", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = [run(args.steps, args.hidden, args.lags) for _ in range(args.runs)]
    for whole, count, longest in results:
        print(f"T = {args.steps}, H = {args.hidden}, S = {args.lags}: {whole:.2f} s, "
              f"{count} yields, longest gap {1000 * longest:.0f} ms")  # fmt: skip
    gap = statistics.median(r[2] for r in results)
    wholes = [r[0] for r in results]
    print(f"whole: median {statistics.median(wholes):.2f} s, fastest {min(wholes):.2f} s")
    print(f"longest gap (median of runs) / target {CANCEL_TARGET_S} s = "
          f"{gap / CANCEL_TARGET_S:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
