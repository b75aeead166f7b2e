"""The facts a Trace gives its readers: each checked against the stored sweep it is derived from.

The views and the worked examples read these instead of re-deriving them, so each is tested
against an independent statement of the backward sweep: the per-loss-term parts add up to the
deltas, the carried term rebuilds delta_h(t), the colour peaks equal a brute-force scan.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core import SRN, Trace, bptt
from core.functions import OUTPUT_FUNCTIONS, hidden_derivative
from core.truncation import recurrence_reaches, window

T, I, H = 7, 3, 4
TRUNCATIONS = [
    pytest.param(None, "sliding", id="full"),
    pytest.param(1, "sliding", id="sliding-1"),
    pytest.param(2, "sliding", id="sliding-2"),
    pytest.param(3, "sliding", id="sliding-3"),
    pytest.param(2, "chunked", id="chunked-2"),
    pytest.param(3, "chunked", id="chunked-3"),
    pytest.param(T + 1, "sliding", id="sliding-beyond-T"),
]
NETWORKS = [
    pytest.param(context, output, id=f"{context}-{output}")
    for context, output in itertools.product(("hidden", "output", "target"), OUTPUT_FUNCTIONS)
]


def _trace(context: str, output: str, truncation: int | None, mode: str, seed: int = 3) -> Trace:
    O = 3
    net = SRN.init(I, H, O, hidden="tanh", output=output, context=context, seed=seed)
    rng = np.random.default_rng(seed)
    net = net.with_params(W=rng.normal(0, 0.9, net.W.shape), h0=rng.normal(0, 0.4, net.n_context))
    xs = rng.normal(size=(T, I))
    if output == "softmax":
        ds = np.eye(O)[rng.integers(0, O, T)]
    elif output == "logistic":
        ds = rng.integers(0, 2, (T, O)).astype(float)
    else:
        ds = rng.normal(size=(T, O))
    mask = np.ones(T)
    mask[2] = 0.5
    return bptt(net, xs, ds, truncation=truncation, mode=mode, mask=mask)


@pytest.mark.parametrize(("context", "output"), NETWORKS)
@pytest.mark.parametrize(("truncation", "mode"), TRUNCATIONS)
def test_the_parts_from_each_loss_term_add_up_to_the_deltas(
    context: str, output: str, truncation: int | None, mode: str
) -> None:
    tr = _trace(context, output, truncation, mode)
    total_o, total_h = np.zeros_like(tr.delta_o), np.zeros_like(tr.delta_h)
    for s in range(1, T + 1):
        D_o, D_h = tr.delta_from_loss(s)
        first, last = tr.window(s)
        outside = [r for r in range(T) if not first - 1 <= r <= last - 1]
        assert not D_h[outside].any() and not D_o[outside].any()  # nothing outside L(s)'s window
        total_o += D_o
        total_h += D_h
    np.testing.assert_allclose(total_o, tr.delta_o, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(total_h, tr.delta_h, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("context", "output"), NETWORKS)
@pytest.mark.parametrize(("truncation", "mode"), TRUNCATIONS)
def test_the_carried_term_rebuilds_each_delta(
    context: str, output: str, truncation: int | None, mode: str
) -> None:
    """delta_h(t) = f'(a(t)) (V^T delta_o(t) + W^T carried(t)) for Elman; for Jordan the carried
    term comes back through the output: delta_o(t) = e(t) + J_g(t)^T W^T carried(t)."""
    tr = _trace(context, output, truncation, mode)
    net = tr.net
    fp = hidden_derivative(net.hidden, tr.a, tr.h[1:])
    for t in range(1, T + 1):
        carried = tr.carried(t)
        assert (carried is not None) == tr.recurrence_reaches(t)
        back = np.zeros(H) if carried is None else carried
        if net.jordan:
            np.testing.assert_allclose(
                tr.local_delta_o(t) + tr.returned_delta_o(t), tr.delta_o[t - 1], atol=1e-14
            )
            np.testing.assert_allclose(
                fp[t - 1] * (tr.delta_o[t - 1] @ net.V), tr.delta_h[t - 1], atol=1e-14
            )
            if carried is None:
                assert not tr.returned_delta_o(t).any()
        else:
            np.testing.assert_allclose(tr.local_delta_o(t), tr.delta_o[t - 1], atol=1e-15)
            rebuilt = fp[t - 1] * (tr.delta_o[t - 1] @ net.V + back @ net.W)
            np.testing.assert_allclose(rebuilt, tr.delta_h[t - 1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("truncation", "mode", "t", "reaches"),
    [
        (None, "sliding", 3, True),
        (None, "sliding", T, False),
        (1, "sliding", 3, False),
        (2, "sliding", 3, True),
        (2, "chunked", 2, False),  # step 3 starts a chunk
        (2, "chunked", 3, True),
        (T, "chunked", T - 1, True),  # k >= T is full BPTT
    ],
    ids=["full", "full-last", "bptt1", "sliding2", "chunk-cut", "chunk-inside", "k-equals-T"],
)
def test_recurrence_reaches_follows_the_truncation(
    truncation: int | None, mode: str, t: int, reaches: bool
) -> None:
    assert recurrence_reaches(t, T, truncation, mode, "hidden") is reaches
    assert recurrence_reaches(t, T, truncation, mode, "output") is reaches
    assert recurrence_reaches(t, T, truncation, mode, "target") is False


def test_windows_of_each_truncation() -> None:
    assert window(5, None, "full") == (1, 5)
    assert window(5, 2, "sliding") == (4, 5)
    assert window(5, 2, "chunked") == (5, 5)
    assert window(6, 2, "chunked") == (5, 6)
    assert window(2, 4, "sliding") == (1, 2)


@pytest.mark.parametrize("output", OUTPUT_FUNCTIONS)
def test_loss_terms_and_loss_until(output: str) -> None:
    tr = _trace("hidden", output, None, "sliding")
    for t in range(1, T + 1):
        np.testing.assert_allclose(tr.loss_terms(t).sum(), tr.loss_t[t - 1], rtol=1e-13)
        assert tr.loss_until(t) == pytest.approx(sum(tr.loss_t[:t]), rel=1e-13)
    assert tr.loss_until(0) == 0.0
    assert tr.loss_until(T) == pytest.approx(tr.loss, rel=1e-13)
    with pytest.raises(ValueError, match="outside"):
        tr.loss_until(T + 1)


@pytest.mark.parametrize(("context", "output"), NETWORKS)
def test_partner_and_contributions_give_the_gradients(context: str, output: str) -> None:
    tr = _trace(context, output, 2, "sliding")
    np.testing.assert_array_equal(tr.partner("W"), tr.context)
    np.testing.assert_array_equal(tr.partner("V"), tr.h[1:])
    summed = {p: sum(tr.contribution(t)[p] for t in range(1, T + 1)) for p in tr.grads}
    for p, g in tr.grads.items():
        np.testing.assert_allclose(summed[p], g, rtol=1e-12, atol=1e-14, err_msg=p)


@pytest.mark.parametrize(("context", "output"), NETWORKS)
def test_gradient_peaks_are_the_largest_terms_and_partial_sums(context: str, output: str) -> None:
    """The colour ranges of the Gradients dock: a Jordan network pairs W with the context y(t-1),
    not with h(t-1), so its peaks differ from an Elman-shaped guess."""
    tr = _trace(context, output, None, "sliding")
    peaks = tr.gradient_peaks()
    for p in ("U", "W", "V", "b", "c"):
        step = max(float(np.abs(tr.contribution(t)[p]).max()) for t in range(1, T + 1))
        partial = max(float(np.abs(tr.accumulated(t)[p]).max()) for t in range(1, T + 1))
        assert peaks[p][1] == pytest.approx(partial, rel=1e-12), p
        assert peaks[p][0] >= step * (1 - 1e-12), p  # an upper bound: max|delta| max|partner|
        assert peaks[p][0] <= step * 10, p


def test_select_slices_a_batch_without_recomputing() -> None:
    net = SRN.init(I, H, 2, seed=1, context="output")
    rng = np.random.default_rng(0)
    xs, ds = rng.normal(size=(3, T, I)), np.eye(2)[rng.integers(0, 2, (3, T))]
    batch = bptt(net, xs, ds, truncation=2, mode="chunked")
    one = bptt(net, xs[1], ds[1], truncation=2, mode="chunked")
    sub = batch.select(1)
    for p in one.grads:
        np.testing.assert_allclose(sub.grads[p], one.grads[p], rtol=1e-12, atol=1e-15)
        assert not sub.grads[p].flags.writeable
    np.testing.assert_allclose(sub.delta_h, one.delta_h, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="one sequence"):
        batch.carried(1)


@pytest.mark.parametrize("context", ["hidden", "output"])
def test_a_long_trace_accumulates_from_kept_suffix_sums(context: str) -> None:
    """A long sequence starts each partial sum from a kept one: the sums still equal the direct
    sums over the later steps, and the kept sums are a few, not one per step."""
    T_long, I_, H_, O_ = 3000, 8, 64, 8
    rng = np.random.default_rng(5)
    net = SRN.init(I_, H_, O_, seed=2, context=context)
    tr = bptt(net, np.eye(I_)[rng.integers(0, I_, T_long)], np.eye(O_)[rng.integers(0, O_, T_long)])
    kept = tr.suffix_sums()
    assert 1 < len(kept.starts) <= T_long // 64 + 1
    assert tr.suffix_sums() is kept  # formed once
    for t in (1, 2, 17, 1000, 1001, 2937, T_long - 3, T_long, T_long + 1):
        acc = tr.accumulated(t)
        for p in ("U", "W", "V", "b", "c"):
            delta, partner = tr.delta_of(p)[t - 1 :], tr.partner(p)[t - 1 :]
            direct = delta.T @ partner if p in ("U", "W", "V") else delta.sum(axis=0)
            np.testing.assert_allclose(acc[p], direct, rtol=1e-10, atol=1e-12, err_msg=(p, t))
        assert np.array_equal(acc["h0"], tr.delta_h0 if t == 1 else np.zeros_like(net.h0))
    for p in tr.grads:
        np.testing.assert_allclose(tr.accumulated(1)[p], tr.grads[p], rtol=1e-10, atol=1e-12)
    # the colour ranges' partial sums are the largest of those sums at every 256th of the steps
    every = -(-T_long // 256)
    peaks = tr.gradient_peaks()
    for p in ("U", "W", "V"):
        sampled = max(
            float(np.abs(tr.accumulated(max(1, stop - every + 1))[p]).max())
            for stop in range(T_long, 0, -every)
        )
        assert peaks[p][1] == pytest.approx(sampled, rel=1e-10), p


def test_slope_of_one_step() -> None:
    tr = _trace("hidden", "softmax", None, "sliding")
    for t in (1, 4, T):
        np.testing.assert_array_equal(tr.slope(t), tr.slope()[t - 1])
    with pytest.raises(ValueError, match="outside"):
        tr.slope(T + 1)
