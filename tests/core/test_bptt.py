"""Full BPTT against central finite differences, and the semantics of the immutable Trace.

The finite differences differentiate an independent per-step forward pass written here (plain
numpy, one sequence at a time, no ``core.functions``), so these tests check the engine's forward
sweep and its backward sweep (Eqs. 1-4, 9, 10 and 12-17 of Unfold's Help > Equations page;
Goodfellow et al. 2016 §10.2.2) against the definition of the loss.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray

from core.bptt import Trace, bptt
from core.model import PARAM_NAMES, SRN

Array = NDArray[np.float64]
Params = dict[str, Array]

HIDDEN = ("tanh", "logistic", "relu", "linear")
OUTPUT = ("softmax", "logistic", "linear")
I, H, O, T, B = 3, 4, 3, 5, 2
EPS = 1e-6
TRACE_ARRAYS = ("x", "d", "mask", "a", "h", "o", "y", "loss_t", "delta_o", "delta_h", "delta_h0")


# -- an independent reference: the SRN written out step by step ------------------------------
def _f(kind: str, a: Array) -> Array:
    if kind == "tanh":
        return np.tanh(a)
    if kind == "logistic":
        return 1.0 / (1.0 + np.exp(-a))
    if kind == "relu":
        return np.where(a > 0, a, 0.0)
    return a


def _step_loss(kind: str, o: Array, d: Array) -> float:
    """L(t) from the definitions: cross-entropy, binary cross-entropy, half squared error."""
    if kind == "softmax":
        z = o - np.max(o)
        log_y = z - np.log(np.sum(np.exp(z)))
        return float(-np.sum(d * log_y))
    if kind == "logistic":
        # ln y = -ln(1 + e^-o) and ln(1 - y) = -ln(1 + e^o), without rounding 1 - y
        log_y, log_1my = -np.logaddexp(0.0, -o), -np.logaddexp(0.0, o)
        return float(-np.sum(d * log_y + (1.0 - d) * log_1my))
    return float(0.5 * np.sum((o - d) ** 2))


def reference_forward(p: Params, xs: Array, hidden: str) -> tuple[Array, Array, Array]:
    """a (T, H), h (T+1, H), o (T, O) of one sequence, a(t) = b + W h(t-1) + U x(t)."""
    h = [p["h0"]]
    a_list, o_list = [], []
    for x in xs:
        a = p["b"] + p["W"] @ h[-1] + p["U"] @ x
        h.append(_f(hidden, a))
        a_list.append(a)
        o_list.append(p["c"] + p["V"] @ h[-1])
    return np.array(a_list), np.array(h), np.array(o_list)


def reference_loss(p: Params, xs: Array, ds: Array, mask: Array, hidden: str, output: str) -> float:
    """L = sum over sequences and steps of mask(t) L(t); xs (T, I) or (B, T, I)."""
    if xs.ndim == 3:
        return sum(
            reference_loss(p, x, d, m, hidden, output) for x, d, m in zip(xs, ds, mask, strict=True)
        )
    _, _, o = reference_forward(p, xs, hidden)
    return sum(m * _step_loss(output, o_t, d_t) for o_t, d_t, m in zip(o, ds, mask, strict=True))


def numerical_grads(loss: Callable[[Params], float], p: Params, eps: float = EPS) -> Params:
    """Central differences (L(p + eps e_i) - L(p - eps e_i)) / 2 eps for every element."""
    out = {}
    for name, value in p.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {**p, name: value.copy()}
            minus = {**p, name: value.copy()}
            plus[name][idx] += eps
            minus[name][idx] -= eps
            g[idx] = (loss(plus) - loss(minus)) / (2 * eps)
        out[name] = g
    return out


def rel_error(a: Array, b: Array) -> float:
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


# -- problems ----------------------------------------------------------------------------------
def make_params(hidden: str, seed: int) -> Params:
    rng = np.random.default_rng(seed)
    p = {
        "U": rng.normal(0, 0.8, (H, I)),
        "W": rng.normal(0, 0.5, (H, H)),
        "V": rng.normal(0, 0.8, (O, H)),
        "b": rng.normal(0, 0.3, H),
        "c": rng.normal(0, 0.3, O),
        "h0": rng.normal(0, 0.5, H),
    }
    if hidden == "relu":
        p["b"] = np.abs(p["b"]) + 0.2  # most units active, so every parameter gets a gradient
    return p


def make_targets(output: str, rng: np.random.Generator, lead: tuple[int, ...]) -> Array:
    if output == "softmax":
        return np.eye(O)[rng.integers(0, O, lead)]
    if output == "logistic":
        return rng.uniform(0, 1, (*lead, O))
    return rng.normal(0, 1, (*lead, O))


def make_problem(
    hidden: str, output: str, batched: bool, seed: int = 0
) -> tuple[SRN, Params, Array, Array, Array]:
    rng = np.random.default_rng(1000 + seed)
    lead = (B, T) if batched else (T,)
    p = make_params(hidden, seed)
    xs = rng.normal(0, 1, (*lead, I))
    ds = make_targets(output, rng, lead)
    mask = np.ones(lead)
    mask[..., 2] = 0.0  # one unscored step
    mask[..., 3] = 0.5  # one step weighted
    net = SRN(**p, hidden=hidden, output=output)
    return net, p, xs, ds, mask


CASES = [
    pytest.param(hd, out, batched, id=f"{hd}-{out}-{'batched' if batched else 'single'}")
    for hd, out, batched in itertools.product(HIDDEN, OUTPUT, (False, True))
]


# -- gradient check ---------------------------------------------------------------------------
@pytest.mark.parametrize(("hidden", "output", "batched"), CASES)
def test_full_bptt_matches_finite_differences(hidden: str, output: str, batched: bool) -> None:
    net, p, xs, ds, mask = make_problem(hidden, output, batched, seed=HIDDEN.index(hidden))
    trace = bptt(net, xs, ds, mask=mask)

    def loss(q: Params) -> float:
        return reference_loss(q, xs, ds, mask, hidden, output)

    if hidden == "relu":  # finite differences must not straddle the kink at a = 0
        assert np.min(np.abs(trace.a)) > 1e-3
    assert trace.loss == pytest.approx(loss(p), rel=1e-12)
    numeric = numerical_grads(loss, p)
    for name in PARAM_NAMES:
        assert np.linalg.norm(numeric[name]) > 1e-4, f"{name}: the check would be vacuous"
        err = rel_error(trace.grads[name], numeric[name])
        assert err < 1e-6, f"dL/d{name}: relative error {err:.2e}"


@pytest.mark.parametrize(("hidden", "output", "batched"), CASES)
def test_forward_sweep_matches_reference(hidden: str, output: str, batched: bool) -> None:
    net, p, xs, ds, mask = make_problem(hidden, output, batched)
    trace = bptt(net, xs, ds, mask=mask)
    seqs = zip(np.reshape(xs, (-1, T, I)), np.reshape(ds, (-1, T, O)), strict=True)
    for b, (x, d) in enumerate(seqs):
        a, h, o = reference_forward(p, x, hidden)
        np.testing.assert_allclose(trace.a.reshape(-1, T, H)[b], a, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(trace.h.reshape(-1, T + 1, H)[b], h, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(trace.o.reshape(-1, T, O)[b], o, rtol=1e-12, atol=1e-14)
        m = mask.reshape(-1, T)[b]
        expected = [m[t] * _step_loss(output, o[t], d[t]) for t in range(T)]
        np.testing.assert_allclose(trace.loss_t.reshape(-1, T)[b], expected, rtol=1e-12)


def test_softmax_with_probability_targets_and_unscored_rows() -> None:
    """dL/do = y sum_k d_k - d: a soft target row and an all-zero row are both handled."""
    net, p, xs, _, _ = make_problem("tanh", "softmax", batched=False)
    rng = np.random.default_rng(7)
    ds = rng.dirichlet(np.ones(O), T)
    ds[1] = 0.0
    mask = np.ones(T)
    trace = bptt(net, xs, ds, mask=mask)
    numeric = numerical_grads(lambda q: reference_loss(q, xs, ds, mask, "tanh", "softmax"), p)
    for name in PARAM_NAMES:
        assert rel_error(trace.grads[name], numeric[name]) < 1e-6
    np.testing.assert_array_equal(trace.delta_o[1], 0.0)


def test_delta_h0_is_the_gradient_of_the_initial_state() -> None:
    """dL/dh0 = W^T delta_h(1), per sequence; grads['h0'] sums it over the batch."""
    net, _, xs, ds, mask = make_problem("tanh", "linear", batched=True)
    trace = bptt(net, xs, ds, mask=mask)
    for b in range(B):
        np.testing.assert_allclose(trace.delta_h0[b], net.W.T @ trace.delta_h[b, 0], rtol=1e-12)
    np.testing.assert_allclose(trace.grads["h0"], trace.delta_h0.sum(axis=0), rtol=1e-12)


# -- trace semantics --------------------------------------------------------------------------
@pytest.fixture(params=[False, True], ids=["single", "batched"])
def trace(request: pytest.FixtureRequest) -> Trace:
    net, _, xs, ds, mask = make_problem("tanh", "softmax", batched=request.param)
    return bptt(net, xs, ds, mask=mask)


def test_trace_arrays_are_read_only(trace: Trace) -> None:
    arrays = [(name, getattr(trace, name)) for name in TRACE_ARRAYS] + list(trace.grads.items())
    for name, arr in arrays:
        with pytest.raises(ValueError, match="read-only"):
            arr[...] = 0.0
        # a view must not lead back to a writable buffer either
        assert arr.base is None or not arr.base.flags.writeable, name
    for name, arr in trace.grads.items():
        with pytest.raises(TypeError):
            trace.grads[name] = arr  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        trace.loss = 0.0  # type: ignore[misc]


def test_trace_shapes_are_as_documented(trace: Trace) -> None:
    lead = (B,) if trace.batched else ()
    expected = {
        "x": (*lead, T, I),
        "d": (*lead, T, O),
        "mask": (*lead, T),
        "a": (*lead, T, H),
        "h": (*lead, T + 1, H),
        "o": (*lead, T, O),
        "y": (*lead, T, O),
        "loss_t": (*lead, T),
        "delta_o": (*lead, T, O),
        "delta_h": (*lead, T, H),
        "delta_h0": (*lead, H),
    }
    for name, shape in expected.items():
        assert getattr(trace, name).shape == shape, name
    assert trace.T == T
    assert trace.n_sequences == (B if trace.batched else 1)
    assert isinstance(trace.loss, float)
    assert trace.loss == pytest.approx(float(trace.loss_t.sum()), rel=1e-12)
    assert list(trace.grads) == list(PARAM_NAMES)
    for name, g in trace.grads.items():
        assert g.shape == getattr(trace.net, name).shape, name
    np.testing.assert_array_equal(trace.h[..., 0, :], np.broadcast_to(trace.net.h0, (*lead, H)))


def test_the_callers_arrays_are_neither_frozen_nor_shared() -> None:
    net, _, xs, ds, mask = make_problem("tanh", "softmax", batched=True)
    for x, d, m in ((xs, ds, mask), (xs[0], ds[0], mask[0])):
        x, d, m = x.copy(), d.copy(), m.copy()
        trace = bptt(net, x, d, mask=m)
        kept = trace.x.copy(), trace.d.copy(), trace.mask.copy()
        for arr in (x, d, m):
            assert arr.flags.writeable
            arr[...] = 9.0
        for arr, before in zip((trace.x, trace.d, trace.mask), kept, strict=True):
            np.testing.assert_array_equal(arr, before)


def test_contributions_sum_to_the_gradient(trace: Trace) -> None:
    total = {n: np.zeros_like(g) for n, g in trace.grads.items()}
    for t in range(1, T + 1):
        for name, term in trace.contribution(t).items():
            total[name] += term
    for name in PARAM_NAMES:
        np.testing.assert_allclose(total[name], trace.grads[name], rtol=1e-12, atol=1e-15)


def test_contribution_is_the_outer_product_of_the_gradient_equations(trace: Trace) -> None:
    """Step t alone: delta_h(t) x(t)^T, delta_h(t) h(t-1)^T, delta_o(t) h(t)^T, written out."""
    dh = trace.delta_h.reshape(-1, T, H)
    do = trace.delta_o.reshape(-1, T, O)
    x = trace.x.reshape(-1, T, I)
    h = trace.h.reshape(-1, T + 1, H)
    t = 3
    c = trace.contribution(t)
    i = t - 1
    expected_U = sum(np.outer(dh[b, i], x[b, i]) for b in range(len(dh)))
    expected_W = sum(np.outer(dh[b, i], h[b, i]) for b in range(len(dh)))
    expected_V = sum(np.outer(do[b, i], h[b, i + 1]) for b in range(len(dh)))
    np.testing.assert_allclose(c["U"], expected_U, rtol=1e-12)
    np.testing.assert_allclose(c["W"], expected_W, rtol=1e-12)
    np.testing.assert_allclose(c["V"], expected_V, rtol=1e-12)
    np.testing.assert_allclose(c["b"], dh[:, i].sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(c["c"], do[:, i].sum(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(c["h0"], 0.0)  # h0 feeds step 1 only
    np.testing.assert_allclose(trace.contribution(1)["h0"], trace.grads["h0"], rtol=1e-12)


@pytest.mark.parametrize(
    ("truncation", "mode"),
    [(None, "sliding"), (2, "sliding"), (2, "chunked")],
    ids=["full", "sliding-2", "chunked-2"],
)
def test_accumulated_is_the_sum_of_later_contributions(truncation: int | None, mode: str) -> None:
    net, _, xs, ds, mask = make_problem("logistic", "linear", batched=True)
    trace = bptt(net, xs, ds, truncation=truncation, mode=mode, mask=mask)
    for t in range(1, T + 2):
        acc = trace.accumulated(t)
        for name in PARAM_NAMES:
            expected = sum(
                (trace.contribution(s)[name] for s in range(t, T + 1)),
                np.zeros_like(trace.grads[name]),
            )
            np.testing.assert_allclose(acc[name], expected, rtol=1e-12, atol=1e-15)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(trace.accumulated(1)[name], trace.grads[name], rtol=1e-12)
        np.testing.assert_array_equal(trace.accumulated(T + 1)[name], 0.0)


def test_time_steps_outside_the_trace_raise(trace: Trace) -> None:
    for bad in (0, T + 1, -1):
        with pytest.raises(ValueError, match=f"t={bad}"):
            trace.contribution(bad)
        with pytest.raises(ValueError, match=f"t={bad}"):
            trace.window(bad)
    for bad in (0, T + 2):
        with pytest.raises(ValueError, match=f"t={bad}"):
            trace.accumulated(bad)


@pytest.mark.parametrize(
    ("truncation", "mode"),
    [(None, "sliding"), (2, "sliding"), (3, "chunked")],
    ids=["full", "sliding-2", "chunked-3"],
)
def test_select_gives_the_trace_of_one_sequence(truncation: int | None, mode: str) -> None:
    net, _, xs, ds, mask = make_problem("tanh", "logistic", batched=True)
    trace = bptt(net, xs, ds, truncation=truncation, mode=mode, mask=mask)
    grads = {n: np.zeros_like(g) for n, g in trace.grads.items()}
    loss = 0.0
    for b in range(B):
        sub = trace.select(b)
        assert not sub.batched
        assert (sub.truncation, sub.mode) == (trace.truncation, trace.mode)
        for name in TRACE_ARRAYS:
            np.testing.assert_allclose(
                getattr(sub, name), getattr(trace, name)[b], rtol=1e-12, atol=1e-15, err_msg=name
            )
        for name in PARAM_NAMES:
            grads[name] += sub.grads[name]
        loss += sub.loss
    for name in PARAM_NAMES:
        np.testing.assert_allclose(grads[name], trace.grads[name], rtol=1e-12, atol=1e-15)
    assert loss == pytest.approx(trace.loss, rel=1e-12)
    with pytest.raises(IndexError):
        trace.select(B)
    single = trace.select(1)
    assert single.select(0) is single
    with pytest.raises(IndexError):
        single.select(1)


@pytest.mark.parametrize(
    ("truncation", "mode", "expected"),
    [
        (None, "sliding", [(1, 1), (1, 2), (1, 3), (1, 4), (1, 5)]),
        (2, "sliding", [(1, 1), (1, 2), (2, 3), (3, 4), (4, 5)]),
        (1, "sliding", [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]),
        (9, "sliding", [(1, 1), (1, 2), (1, 3), (1, 4), (1, 5)]),
        (2, "chunked", [(1, 1), (1, 2), (3, 3), (3, 4), (5, 5)]),
        (3, "chunked", [(1, 1), (1, 2), (1, 3), (4, 4), (4, 5)]),
        (5, "chunked", [(1, 1), (1, 2), (1, 3), (1, 4), (1, 5)]),
    ],
    ids=["full", "sliding-2", "sliding-1", "sliding-9", "chunked-2", "chunked-3", "chunked-5"],
)
def test_window_of_each_loss_term(
    truncation: int | None, mode: str, expected: list[tuple[int, int]]
) -> None:
    net, _, xs, ds, _ = make_problem("tanh", "softmax", batched=False)
    trace = bptt(net, xs, ds, truncation=truncation, mode=mode)
    assert trace.mode == ("full" if truncation is None else mode)
    assert [trace.window(s) for s in range(1, T + 1)] == expected


@pytest.mark.parametrize(
    ("hidden", "output"),
    [("tanh", "softmax"), ("logistic", "logistic"), ("relu", "linear"), ("linear", "softmax")],
    ids=lambda v: str(v),
)
@pytest.mark.parametrize(
    ("truncation", "mode"), [(None, "sliding"), (2, "sliding"), (2, "chunked")]
)
def test_float32_network_gives_a_float32_trace_close_to_float64(
    hidden: str, output: str, truncation: int | None, mode: str
) -> None:
    net, _, xs, ds, mask = make_problem(hidden, output, batched=True)
    t64 = bptt(net, xs, ds, truncation=truncation, mode=mode, mask=mask)
    t32 = bptt(net.astype(np.float32), xs, ds, truncation=truncation, mode=mode, mask=mask)
    assert t32.net.dtype == np.float32
    for name in TRACE_ARRAYS:
        arr32 = getattr(t32, name)
        assert arr32.dtype == np.float32, name
        np.testing.assert_allclose(arr32, getattr(t64, name), rtol=1e-4, atol=1e-5, err_msg=name)
    for name in PARAM_NAMES:
        assert t32.grads[name].dtype == np.float32, name
        np.testing.assert_allclose(t32.grads[name], t64.grads[name], rtol=1e-4, atol=1e-5)
    assert t32.loss == pytest.approx(t64.loss, rel=1e-5)


def test_sequences_given_as_lists_are_accepted() -> None:
    net, _, xs, ds, mask = make_problem("tanh", "softmax", batched=False)
    a = bptt(net, xs.tolist(), ds.tolist(), mask=mask.tolist())
    b = bptt(net, xs, ds, mask=mask)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(a.grads[name], b.grads[name])


def test_no_mask_scores_every_step() -> None:
    net, p, xs, ds, _ = make_problem("tanh", "softmax", batched=True)
    trace = bptt(net, xs, ds)
    np.testing.assert_array_equal(trace.mask, 1.0)
    assert trace.loss == pytest.approx(
        reference_loss(p, xs, ds, np.ones((B, T)), "tanh", "softmax"), rel=1e-12
    )
