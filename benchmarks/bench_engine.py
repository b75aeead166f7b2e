"""Time per call of ``bptt`` beside a per-step numpy reference and PyTorch, in one run.

Run:  python benchmarks/bench_engine.py [--min-time 0.2] [--repeat 5] [--rows 0 1 ...] [--threads N]

For (I, H, O, T, B) = (4,5,3,10,1), (8,16,8,50,1), (8,16,8,50,32), (32,64,32,100,32),
(32,256,32,100,64), a tanh SRN with softmax outputs and one-hot targets, the script times one
full forward + backward sweep (loss and every parameter gradient, h0 included) by:

* ``engine f64``: ``core.bptt.bptt`` with the network in float64, the app's default;
* ``engine f32``: the same network converted with ``SRN.astype(np.float32)``, given the data in
  float32 too (torch's float32 tensors are likewise made once, outside the timed call);
* ``reference``: a straightforward per-step numpy BPTT in float64, one sequence at a time, all
  work (forward, loss, backward, outer products) inside the loop over time;
* ``torch f32`` (when torch is importable): ``torch.nn.RNN(tanh, batch_first=True)`` + ``Linear``
  + ``cross_entropy(reduction="sum")`` + ``backward()`` on the same weights, h0 and data in
  float32, with ``h0`` requiring a gradient so both compute the same set of gradients.

Timing is timeit-style: two warm-up calls, then ``--repeat`` (5) rounds of ``n`` calls each (``n``
chosen so that a round lasts at least ``--min-time`` seconds); the per-call time is the median
over rounds. The rounds of the four contenders are interleaved, so a change in machine load
during a row affects all of them alike. PyTorch runs with ``torch.set_num_threads`` equal to the
number of threads numpy's BLAS (OpenBLAS) uses, read from the library, so both sides get the same
cores; ``--threads N`` sets both (``--threads 1`` gives steadier numbers on a busy machine).

Targets, as engine time / torch float32 time: <= 0.15 for the two B = 1 rows, <= 0.5 for
(H=16, B=32), <= 1.0 for (H=64, B=32), <= 2.0 for (H=256, B=64). The target applies to the engine
in float32, the same precision as torch (the like-for-like comparison); the float64 ratio, the
app's default precision, is printed beside it for information. Before timing, the script checks
that the engine, the reference and torch compute the same gradients (max abs difference).
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import math
import os
import statistics
import sys
import timeit
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.bptt import bptt
from core.model import PARAM_NAMES, SRN

try:
    import torch
except ImportError:  # the benchmark still compares against the numpy reference
    torch = None

Array = NDArray[np.floating]
ROWS = ((4, 5, 3, 10, 1), (8, 16, 8, 50, 1), (8, 16, 8, 50, 32), (32, 64, 32, 100, 32),
        (32, 256, 32, 100, 64))  # fmt: skip
TARGETS = {0: 0.15, 1: 0.15, 2: 0.5, 3: 1.0, 4: 2.0}  # by row index, engine / torch f32


# -- the problem --------------------------------------------------------------------------------
def problem(I: int, H: int, O: int, T: int, B: int) -> tuple[SRN, Array, Array, NDArray[Any]]:
    """A seeded tanh/softmax network with a non-zero h0 and biases, inputs and one-hot targets."""
    rng = np.random.default_rng(I * 1000 + H)
    net = SRN.init(I, H, O, hidden="tanh", output="softmax", seed=H)
    net = net.with_params(
        b=rng.normal(0, 0.1, H), c=rng.normal(0, 0.1, O), h0=rng.uniform(-0.5, 0.5, H)
    )
    xs = rng.normal(0, 1, (B, T, I))
    classes = rng.integers(0, O, (B, T))
    ds = np.eye(O)[classes]
    if B == 1:  # a single sequence is passed as (T, .), the engine's unbatched form
        return net, xs[0], ds[0], classes
    return net, xs, ds, classes


# -- a straightforward per-step numpy reference ------------------------------------------------
def reference_bptt(net: SRN, xs: Array, ds: Array) -> tuple[float, dict[str, Array]]:
    """Full BPTT one sequence at a time, everything inside the loop over time (float64)."""
    U, W, V, b, c, h0 = (np.asarray(getattr(net, n), np.float64) for n in PARAM_NAMES)
    grads = {n: np.zeros_like(p) for n, p in zip(PARAM_NAMES, (U, W, V, b, c, h0), strict=True)}
    loss = 0.0
    for x_seq, d_seq in zip(xs.reshape(-1, *xs.shape[-2:]), ds.reshape(-1, *ds.shape[-2:]),
                            strict=True):  # fmt: skip
        hs, ys = [h0], []
        for x, d in zip(x_seq, d_seq, strict=True):
            h = np.tanh(b + W @ hs[-1] + U @ x)
            o = c + V @ h
            e = np.exp(o - o.max())
            y = e / e.sum()
            loss -= float(d @ np.log(y))
            hs.append(h)
            ys.append(y)
        carry = np.zeros_like(b)
        for t in range(len(x_seq) - 1, -1, -1):
            delta_o = ys[t] - d_seq[t]
            delta_h = (1 - hs[t + 1] ** 2) * (V.T @ delta_o + carry)
            grads["V"] += np.outer(delta_o, hs[t + 1])
            grads["c"] += delta_o
            grads["U"] += np.outer(delta_h, x_seq[t])
            grads["W"] += np.outer(delta_h, hs[t])
            grads["b"] += delta_h
            carry = W.T @ delta_h
        grads["h0"] += carry
    return loss, grads


# -- the same computation in torch -------------------------------------------------------------
def torch_step(net: SRN, xs: Array, classes: NDArray[Any]) -> tuple[Callable[[], Any], list[Any]]:
    """A closure running forward + loss + backward in float32, and the leaf tensors (U..h0)."""
    assert torch is not None
    I, H, O = net.n_in, net.n_hidden, net.n_out
    rnn = torch.nn.RNN(I, H, nonlinearity="tanh", batch_first=True)
    lin = torch.nn.Linear(H, O)
    f32 = {n: torch.tensor(np.asarray(getattr(net, n)), dtype=torch.float32) for n in PARAM_NAMES}
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(f32["U"])
        rnn.weight_hh_l0.copy_(f32["W"])
        rnn.bias_ih_l0.copy_(f32["b"])
        rnn.bias_hh_l0.zero_()  # the SRN has one hidden bias b
        lin.weight.copy_(f32["V"])
        lin.bias.copy_(f32["c"])
    x = torch.tensor(xs.reshape(-1, *xs.shape[-2:]), dtype=torch.float32)
    target = torch.tensor(classes.reshape(-1), dtype=torch.long)
    h0 = f32["h0"].reshape(1, 1, H).repeat(1, x.shape[0], 1).requires_grad_(True)
    leaves = [rnn.weight_ih_l0, rnn.weight_hh_l0, lin.weight, rnn.bias_ih_l0, lin.bias, h0]

    def step() -> Any:
        for p in leaves:
            p.grad = None
        out, _ = rnn(x, h0)
        loss = torch.nn.functional.cross_entropy(lin(out).reshape(-1, O), target, reduction="sum")
        loss.backward()
        return loss

    return step, leaves


def torch_grads(leaves: list[Any]) -> dict[str, Array]:
    g = {n: p.grad.detach().numpy().astype(np.float64) for n, p in zip(PARAM_NAMES, leaves,
                                                                      strict=True)}  # fmt: skip
    g["h0"] = g["h0"].reshape(-1, g["h0"].shape[-1]).sum(axis=0)  # one h0 shared by the batch
    return g


# -- timing -------------------------------------------------------------------------------------
def per_call(fns: dict[str, Callable[[], Any]], min_time: float, repeat: int) -> dict[str, float]:
    """Median seconds per call of each function over ``repeat`` interleaved rounds.

    Each function gets two warm-up calls and its own n (timeit's autorange, scaled so that n calls
    take at least ``min_time``); then every round times n calls of each function in turn, so a
    change in machine load during the run affects all of them alike.
    """
    timers, numbers = {}, {}
    for name, fn in fns.items():
        fn()
        fn()
        timers[name] = timeit.Timer(fn)
        n, elapsed = timers[name].autorange()  # the smallest n in 1, 2, 5, ... taking >= 0.2 s
        numbers[name] = max(1, math.ceil(n * min_time / elapsed))
    rounds: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, timer in timers.items():
            rounds[name].append(timer.timeit(numbers[name]) / numbers[name])
    return {name: statistics.median(times) for name, times in rounds.items()}


def _openblas() -> Any:
    """numpy's bundled OpenBLAS, loaded with ctypes (None if it cannot be found)."""
    libdir = Path(np.__file__).parent.parent / "numpy.libs"
    for lib in glob.glob(str(libdir / "*openblas*")):
        return ctypes.CDLL(lib)
    return None


def blas_threads(set_to: int | None = None) -> int:
    """Threads numpy's OpenBLAS uses, asked of the library (after setting it, if asked).

    Falls back to OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, then to the CPU count (OpenBLAS's
    documented default) when the library's thread functions are not found.
    """
    handle = _openblas()
    for prefix in ("scipy_openblas", "openblas"):
        for suffix in ("64_", ""):
            get = getattr(handle, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(handle, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                if set_to is not None:
                    put(int(set_to))
                return int(get())
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


def max_diff(a: dict[str, Array], b: dict[str, Array]) -> float:
    return max(float(np.max(np.abs(np.asarray(a[n]) - b[n]))) for n in PARAM_NAMES)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} us"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per timing round")
    parser.add_argument("--repeat", type=int, default=5, help="timing rounds (median taken)")
    parser.add_argument(
        "--rows", type=int, nargs="*", default=range(len(ROWS)), help="row indices to run (0-4)"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="set numpy's BLAS (and torch's) thread count"
    )
    args = parser.parse_args()

    threads = blas_threads(args.threads)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs (other processes distort timings)")
    print(f"numpy {np.__version__}, BLAS threads {threads}", end="")
    if torch is not None:
        torch.set_num_threads(threads)
        print(f"; torch {torch.__version__}, torch threads {torch.get_num_threads()}")
    else:
        print("; torch not importable: torch columns skipped")
    print("engine: core.bptt.bptt, float64 (default) and float32 (SRN.astype); target on float32")
    print()
    head = f"{'(I, H, O, T, B)':>22} {'engine f64':>12} {'engine f32':>12} {'reference':>12}"
    if torch is not None:
        head += f" {'torch f32':>12} {'f64/torch':>9} {'f32/torch':>9} {'target':>7}  result"
    print(head)

    checks = []
    for row in args.rows:
        I, H, O, T, B = ROWS[row]
        net, xs, ds, classes = problem(I, H, O, T, B)
        # the float32 engine gets float32 data, as torch does (its tensors are made once)
        net32, xs32, ds32 = net.astype(np.float32), xs.astype(np.float32), ds.astype(np.float32)
        # the same computation: compare gradients before timing
        g64 = dict(bptt(net, xs, ds).grads)
        g32 = dict(bptt(net32, xs32, ds32).grads)
        ref_loss, g_ref = reference_bptt(net, xs, ds)
        assert abs(bptt(net, xs, ds).loss - ref_loss) <= 1e-9 * abs(ref_loss)
        diffs = {"f64 vs reference": max_diff(g64, g_ref), "f32 vs f64": max_diff(g32, g64)}
        if torch is not None:
            step, leaves = torch_step(net, xs, classes)
            step()
            diffs["f64 vs torch"] = max_diff(g64, torch_grads(leaves))
        checks.append(((I, H, O, T, B), diffs))

        fns = {
            "f64": partial(bptt, net, xs, ds),
            "f32": partial(bptt, net32, xs32, ds32),
            "reference": partial(reference_bptt, net, xs, ds),
        }
        if torch is not None:
            fns["torch"] = step
        t = per_call(fns, args.min_time, args.repeat)
        line = f"{(I, H, O, T, B)!s:>22} {fmt(t['f64']):>12} {fmt(t['f32']):>12}"
        line += f" {fmt(t['reference']):>12}"
        if torch is not None:
            r64, r32 = t["f64"] / t["torch"], t["f32"] / t["torch"]
            verdict = "PASS" if r32 <= TARGETS[row] else "MISS"
            line += f" {fmt(t['torch']):>12} {r64:9.3f} {r32:9.3f} {TARGETS[row]:7.2f}  {verdict}"
        print(line, flush=True)

    print()
    print("gradient agreement (max abs difference over U, W, V, b, c, h0):")
    for shape, diffs in checks:
        print(f"{shape!s:>22}  " + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()))


if __name__ == "__main__":
    main()
