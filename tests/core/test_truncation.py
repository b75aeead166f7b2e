"""Truncated BPTT checked against brute-force implementations of its definition.

* ``mode="sliding"`` (Williams & Peng's BPTT(k)): loss term L(s) is differentiated alone, through
  the steps s-k+1..s, with h(s-k) a constant (the parameter h0 when the window reaches step 1).
* ``mode="chunked"``: the sequence is cut into chunks of k steps; the state is carried across a cut
  but the gradient is not, so each chunk is a full BPTT problem starting from a constant state.

Each definition is implemented twice here, independently of the engine: by central finite
differences of a per-window (per-chunk) forward pass, and by a per-loss-term backward loop that
gives the deltas.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from core.bptt import Trace, bptt
from core.model import PARAM_NAMES, SRN

Array = NDArray[np.float64]
Params = dict[str, Array]

I, H, O, T, B = 2, 3, 3, 7, 2
EPS = 1e-6
KS = (1, 2, 3, T, T + 3)


# -- the network written out step by step -----------------------------------------------------
def _f(kind: str, a: Array) -> Array:
    if kind == "tanh":
        return np.tanh(a)
    if kind == "logistic":
        return 1.0 / (1.0 + np.exp(-a))
    if kind == "relu":
        return np.where(a > 0, a, 0.0)
    return a


def _fprime(kind: str, a: Array) -> Array:
    if kind == "tanh":
        return 1.0 / np.cosh(a) ** 2
    if kind == "logistic":
        s = 1.0 / (1.0 + np.exp(-a))
        return s * (1.0 - s)
    if kind == "relu":
        return (a > 0).astype(float)
    return np.ones_like(a)


def _output(kind: str, o: Array) -> Array:
    if kind == "softmax":
        e = np.exp(o - o.max())
        return e / e.sum()
    if kind == "logistic":
        return 1.0 / (1.0 + np.exp(-o))
    return o


def _step_loss(kind: str, o: Array, d: Array) -> float:
    if kind == "softmax":
        z = o - o.max()
        return float(-np.sum(d * (z - np.log(np.sum(np.exp(z))))))
    if kind == "logistic":
        return float(np.sum(d * np.logaddexp(0.0, -o) + (1.0 - d) * np.logaddexp(0.0, o)))
    return float(0.5 * np.sum((o - d) ** 2))


def run(p: Params, h_start: Array, xs: Array, hidden: str) -> tuple[list[Array], list[Array]]:
    """Net inputs a and outputs o for the steps of ``xs``, starting from the state ``h_start``."""
    h, a_list, o_list = h_start, [], []
    for x in xs:
        a = p["b"] + p["W"] @ h + p["U"] @ x
        h = _f(hidden, a)
        a_list.append(a)
        o_list.append(p["c"] + p["V"] @ h)
    return a_list, o_list


def states(p: Params, xs: Array, hidden: str) -> list[Array]:
    """h(0), h(1), ..., h(T) of the untruncated forward sweep."""
    a_list, _ = run(p, p["h0"], xs, hidden)
    return [p["h0"], *(_f(hidden, a) for a in a_list)]


def numerical_grads(loss: Callable[[Params], float], p: Params) -> Params:
    out = {}
    for name, value in p.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus, minus = {**p, name: value.copy()}, {**p, name: value.copy()}
            plus[name][idx] += EPS
            minus[name][idx] -= EPS
            g[idx] = (loss(plus) - loss(minus)) / (2 * EPS)
        out[name] = g
    return out


# -- the two definitions ----------------------------------------------------------------------
def segments(mode: str, k: int) -> Iterator[tuple[int, int, list[int]]]:
    """(first, last, scored steps) of every independent backward problem, 1-based.

    sliding: one problem per loss term L(s), through steps max(1, s-k+1)..s;
    chunked: one problem per chunk, scoring every step of the chunk.
    """
    if mode == "sliding":
        for s in range(1, T + 1):
            yield max(1, s - k + 1), s, [s]
    else:
        for first in range(1, T + 1, k):
            last = min(first + k - 1, T)
            yield first, last, list(range(first, last + 1))


def brute_force_grads(
    p: Params, xs: Array, ds: Array, mask: Array, hidden: str, output: str, mode: str, k: int
) -> Params:
    """Sum over the segments of the finite-difference gradient of each segment's loss alone.

    The state entering a segment that starts after step 1 is the stored h(first-1) of the
    untruncated sweep, a constant; a segment starting at step 1 starts from the parameter h0.
    """
    total = {n: np.zeros_like(v) for n, v in p.items()}
    for x, d, m in zip(xs, ds, mask, strict=True):
        h = states(p, x, hidden)
        for first, last, scored in segments(mode, k):
            start = None if first == 1 else h[first - 1]
            loss = partial(segment_loss, x=x, d=d, m=m, start=start, first=first, last=last)
            grads = numerical_grads(partial(loss, scored=scored, hidden=hidden, output=output), p)
            for name, g in grads.items():
                total[name] += g
    return total


def segment_loss(
    q: Params,
    *,
    x: Array,
    d: Array,
    m: Array,
    start: Array | None,
    first: int,
    last: int,
    scored: list[int],
    hidden: str,
    output: str,
) -> float:
    """sum of m(s) L(s) over the scored steps, running steps first..last from ``start``.

    ``start`` None means the segment begins at step 1 from the parameter h0.
    """
    _, o = run(q, q["h0"] if start is None else start, x[first - 1 : last], hidden)
    return sum(m[s - 1] * _step_loss(output, o[s - first], d[s - 1]) for s in scored)


def per_term_deltas(
    p: Params, xs: Array, ds: Array, mask: Array, hidden: str, output: str, mode: str, k: int
) -> Array:
    """delta_h(t) = sum over segments of dL_segment/da(t), each by its own backward loop.

    Within a segment the gradient is ordinary BPTT: g(last) = V^T delta_o(last),
    g(t) = V^T delta_o(t) + W^T [f'(a(t+1)) g(t+1)] for scored steps (Eq. 10).
    """
    out = np.zeros((len(xs), T, H))
    for b, (x, d, m) in enumerate(zip(xs, ds, mask, strict=True)):
        a_list, o_list = run(p, p["h0"], x, hidden)
        for first, last, scored in segments(mode, k):
            from_later = np.zeros(H)  # W^T delta_h(t+1) within the segment
            for t in range(last, first - 1, -1):
                g = from_later.copy()
                if t in scored:
                    delta_o = m[t - 1] * (_output(output, o_list[t - 1]) - d[t - 1])
                    g += p["V"].T @ delta_o
                delta = _fprime(hidden, a_list[t - 1]) * g
                out[b, t - 1] += delta
                from_later = p["W"].T @ delta
    return out


# -- problems ---------------------------------------------------------------------------------
def make_problem(
    hidden: str, output: str, batched: bool, seed: int
) -> tuple[SRN, Params, Array, Array, Array]:
    rng = np.random.default_rng(seed)
    p = {
        "U": rng.normal(0, 0.8, (H, I)),
        "W": rng.normal(0, 0.7, (H, H)),
        "V": rng.normal(0, 0.8, (O, H)),
        "b": rng.normal(0, 0.3, H),
        "c": rng.normal(0, 0.3, O),
        "h0": rng.normal(0, 0.5, H),
    }
    if hidden == "relu":
        p["b"] = np.abs(p["b"]) + 0.3
    n = B if batched else 1
    xs = rng.normal(0, 1, (n, T, I))
    if output == "softmax":
        ds = np.eye(O)[rng.integers(0, O, (n, T))]
    elif output == "logistic":
        ds = rng.uniform(0, 1, (n, T, O))
    else:
        ds = rng.normal(0, 1, (n, T, O))
    mask = np.ones((n, T))
    mask[:, 4] = 0.0
    net = SRN(**p, hidden=hidden, output=output)
    return net, p, xs, ds, mask


NETS = [("tanh", "softmax"), ("logistic", "linear"), ("relu", "logistic"), ("linear", "linear")]
CASES = [
    pytest.param(
        mode, k, hd, out, batched, id=f"{mode}-k{k}-{hd}-{out}-{'batched' if batched else 'single'}"
    )
    for (mode, k), (hd, out), batched in zip(
        itertools.product(("sliding", "chunked"), KS),
        itertools.cycle(NETS),
        itertools.cycle((True, False, False)),
        strict=False,
    )
]


def _engine(net: SRN, xs: Array, ds: Array, mask: Array, batched: bool, **kw: Any) -> Trace:
    """The engine on the whole (B, T, .) problem, or on its first sequence as (T, .)."""
    if batched:
        return bptt(net, xs, ds, mask=mask, **kw)
    return bptt(net, xs[0], ds[0], mask=mask[0], **kw)


@pytest.mark.parametrize(("mode", "k", "hidden", "output", "batched"), CASES)
def test_truncated_gradient_matches_brute_force_finite_differences(
    mode: str, k: int, hidden: str, output: str, batched: bool
) -> None:
    net, p, xs, ds, mask = make_problem(hidden, output, batched, seed=10 * k)
    trace = _engine(net, xs, ds, mask, batched, truncation=k, mode=mode)
    if hidden == "relu":
        assert np.min(np.abs(trace.a)) > 1e-3
    expected = brute_force_grads(p, xs, ds, mask, hidden, output, mode, k)
    for name in PARAM_NAMES:
        g = trace.grads[name]
        scale = np.linalg.norm(g) + np.linalg.norm(expected[name])
        assert scale > 1e-4, f"{name}: the check would be vacuous"
        err = np.linalg.norm(g - expected[name]) / scale
        assert err < 1e-6, f"dL/d{name}: relative error {err:.2e}"


@pytest.mark.parametrize(("mode", "k", "hidden", "output", "batched"), CASES)
def test_truncated_deltas_match_per_term_backward_loops(
    mode: str, k: int, hidden: str, output: str, batched: bool
) -> None:
    net, p, xs, ds, mask = make_problem(hidden, output, batched, seed=10 * k + 1)
    trace = _engine(net, xs, ds, mask, batched, truncation=k, mode=mode)
    expected = per_term_deltas(p, xs, ds, mask, hidden, output, mode, k)
    np.testing.assert_allclose(
        trace.delta_h, expected if batched else expected[0], rtol=1e-10, atol=1e-13
    )
    np.testing.assert_allclose(
        trace.delta_h0,
        (expected[:, 0] @ p["W"]) if batched else expected[0, 0] @ p["W"],
        rtol=1e-10,
        atol=1e-13,
    )


@pytest.mark.parametrize("mode", ["sliding", "chunked"])
@pytest.mark.parametrize("k", [T, T + 1, 50], ids=lambda k: f"k{k}")
@pytest.mark.parametrize("batched", [False, True], ids=["single", "batched"])
def test_truncation_at_least_T_is_full_bptt(mode: str, k: int, batched: bool) -> None:
    net, _, xs, ds, mask = make_problem("tanh", "softmax", batched, seed=3)
    full = _engine(net, xs, ds, mask, batched)
    cut = _engine(net, xs, ds, mask, batched, truncation=k, mode=mode)
    np.testing.assert_allclose(cut.delta_h, full.delta_h, rtol=1e-12, atol=1e-15)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(cut.grads[name], full.grads[name], rtol=1e-12, atol=1e-15)
    assert (cut.truncation, cut.mode) == (k, mode)
    assert (full.truncation, full.mode) == (None, "full")


@pytest.mark.parametrize("batched", [False, True], ids=["single", "batched"])
def test_k1_is_elmans_context_as_input(batched: bool) -> None:
    """k = 1 (Eq. 23; Bodén 2001 section 5.1): delta_h(t) = f'(a(t)) * V^T delta_o(t), in both
    modes."""
    net, _, xs, ds, mask = make_problem("logistic", "softmax", batched, seed=5)
    for mode in ("sliding", "chunked"):
        trace = _engine(net, xs, ds, mask, batched, truncation=1, mode=mode)
        fprime = trace.h[..., 1:, :] * (1.0 - trace.h[..., 1:, :])  # logistic f' (Eq. 11)
        np.testing.assert_allclose(
            trace.delta_h, fprime * (trace.delta_o @ net.V), rtol=1e-12, atol=1e-15
        )


@pytest.mark.parametrize(("k", "mode"), [(2, "sliding"), (3, "chunked"), (1, "chunked")])
def test_truncation_leaves_the_forward_sweep_alone(k: int, mode: str) -> None:
    net, _, xs, ds, mask = make_problem("tanh", "logistic", True, seed=6)
    full = bptt(net, xs, ds, mask=mask)
    cut = bptt(net, xs, ds, truncation=k, mode=mode, mask=mask)
    for name in ("x", "d", "mask", "a", "h", "o", "y", "loss_t", "delta_o"):
        np.testing.assert_array_equal(getattr(cut, name), getattr(full, name), err_msg=name)
    assert cut.loss == full.loss


@pytest.mark.parametrize(
    ("k", "mode"), [(None, "sliding"), (3, "sliding"), (1, "sliding"), (3, "chunked")]
)
def test_a_single_loss_term_reaches_exactly_its_window(k: int | None, mode: str) -> None:
    """With only L(s) scored, delta_h(t) is non-zero exactly for t in trace.window(s)."""
    net, _, xs, ds, _ = make_problem("tanh", "softmax", False, seed=8)
    for s in range(1, T + 1):
        mask = np.zeros(T)
        mask[s - 1] = 1.0
        trace = bptt(net, xs[0], ds[0], truncation=k, mode=mode, mask=mask)
        first, last = trace.window(s)
        reached = [t + 1 for t in range(T) if np.any(trace.delta_h[t] != 0.0)]
        assert reached == list(range(first, last + 1)), f"L({s})"


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "3"])
def test_invalid_truncation_raises(bad: object) -> None:
    net, _, xs, ds, _ = make_problem("tanh", "softmax", False, seed=0)
    with pytest.raises(ValueError, match="truncation"):
        bptt(net, xs[0], ds[0], truncation=bad)  # type: ignore[arg-type]


def test_unknown_truncation_mode_raises() -> None:
    net, _, xs, ds, _ = make_problem("tanh", "softmax", False, seed=0)
    with pytest.raises(ValueError, match="'backwards'"):
        bptt(net, xs[0], ds[0], truncation=2, mode="backwards")
