"""RTRL beside BPTT: the counted BPTT engine, what each knows at a cursor, how the costs grow."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core.bptt import bptt
from core.model import CONTEXTS, PARAM_NAMES, SRN
from core.rtrl import RTRLProgress, rtrl
from core.rtrl_compare import (
    Comparison,
    compare_steps,
    cost_growth,
    counted_bptt,
    gap,
    gap_curves,
    known_at,
)

I, H, O, T = 3, 4, 2, 6


def problem(context: str, output: str, lead: tuple[int, ...] = (T,), seed: int = 0):
    rng = np.random.default_rng(seed)
    net = SRN.init(I, H, O, output=output, context=context, seed=seed, h0=0.3)
    net = net.with_params(b=rng.normal(0, 0.3, H), c=rng.normal(0, 0.3, O))
    xs = rng.normal(size=(*lead, I))
    ds = rng.uniform(size=(*lead, O))
    if output == "softmax":
        ds /= ds.sum(axis=-1, keepdims=True)
    mask = rng.uniform(0.2, 1.0, lead)
    return net, xs, ds, mask


@pytest.mark.parametrize(
    ("context", "output"),
    list(itertools.product(CONTEXTS, ("softmax", "logistic", "linear"))),
    ids=lambda v: str(v),
)
def test_counted_bptt_is_bptt(context: str, output: str) -> None:
    net, xs, ds, mask = problem(context, output, lead=(2, T))
    grads, _ = counted_bptt(net, xs, ds, mask)
    trace = bptt(net, xs, ds, mask=mask)
    for p in PARAM_NAMES:
        np.testing.assert_allclose(grads[p], trace.grads[p], rtol=0, atol=1e-12, err_msg=p)


def bptt_step_work(context: str, output: str, t: int, T: int) -> tuple[int, int]:
    """(forward, backward) multiplications of step t of BPTT, from the equations' shapes."""
    C = H if context == "hidden" else O
    forward = H * C + H * I + O * H
    grads = H * I + H * C + O * H + (H * C if t == 1 else 0)  # eqs. 12-17
    if context == "output":
        back = H * O + {"softmax": 2 * O, "logistic": 2 * O, "linear": 0}[output] if t < T else 0
        return forward, back + O * H + H + grads
    back = H * H if (context == "hidden" and t < T) else 0
    return forward, O * H + back + H + grads


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("output", ["softmax", "linear"])
def test_counted_bptt_costs_equal_the_formulas(context: str, output: str) -> None:
    net, xs, ds, _ = problem(context, output)
    _, costs = counted_bptt(net, xs, ds)
    expected = [bptt_step_work(context, output, t, T) for t in range(1, T + 1)]
    np.testing.assert_array_equal(costs.forward, [f for f, _ in expected])
    np.testing.assert_array_equal(costs.backward, [b for _, b in expected])
    C = H if context == "hidden" else O
    stored = T * (C + H + H + O + (O if context == "output" else 0))  # c, h, f', e (and y)
    params = H * I + H * C + O * H + H + O + C
    assert costs.memory == stored + params + H
    assert not costs.forward.flags.writeable


@pytest.mark.parametrize("context", CONTEXTS)
def test_what_each_knows_at_the_cursor(context: str) -> None:
    net, xs, ds, mask = problem(context, "softmax", seed=1)
    result, trace = rtrl(net, xs, ds, mask=mask), bptt(net, xs, ds, mask=mask)
    r, b = known_at(result, trace, "start", 0)
    assert all(not np.any(r[p]) and not np.any(b[p]) for p in PARAM_NAMES)
    for t in range(1, T + 1):
        r, b = known_at(result, trace, "forward", t)
        prefix = bptt(net, xs[:t], ds[:t], mask=mask[:t]).grads  # the loss so far, independently
        for p in PARAM_NAMES:
            np.testing.assert_allclose(r[p], prefix[p], rtol=0, atol=1e-12)
            assert not np.any(b[p])  # BPTT knows nothing before its backward sweep
        r, b = known_at(result, trace, "backward", t)
        later = sum(trace.contribution(s)["W"] for s in range(t, T + 1))  # sum over s >= t
        np.testing.assert_allclose(b["W"], later, rtol=0, atol=1e-12)
        np.testing.assert_allclose(r["W"], trace.grads["W"], rtol=0, atol=1e-12)


def test_the_gap_closes_at_the_end_of_the_sweep() -> None:
    net, xs, ds, mask = problem("hidden", "logistic", seed=2)
    result, trace = rtrl(net, xs, ds, mask=mask), bptt(net, xs, ds, mask=mask)
    g = gap(result, trace, "U")
    assert g.shape == (2 * T + 1,) and g[0] == 0.0
    assert g[T] == pytest.approx(np.abs(trace.grads["U"]).max())  # forward done, BPTT has 0
    assert g[2 * T] < 1e-12  # backward done: the same gradient
    assert g[2 * T - 1] > 1e-6  # one backward step before the end it is not yet
    assert not g.flags.writeable


def test_compare_steps_reports_progress_and_compares_untruncated() -> None:
    net, xs, ds, mask = problem("output", "softmax", seed=3)
    truncated = bptt(net, xs, ds, truncation=2, mask=mask)
    *progress, comparison = list(compare_steps(truncated))
    assert all(isinstance(p, RTRLProgress) for p in progress)
    assert isinstance(comparison, Comparison) and comparison.truncated
    gaps = gap_curves(comparison.result, comparison.trace)
    for p in PARAM_NAMES:
        np.testing.assert_array_equal(comparison.gaps[p], gaps[p])
    assert comparison.trace.truncation is None
    for p in PARAM_NAMES:
        np.testing.assert_allclose(
            comparison.result.grads[p], comparison.trace.grads[p], rtol=0, atol=1e-12
        )
    assert comparison.bptt_costs.total == counted_bptt(net, xs, ds, mask)[1].total
    with pytest.raises(ValueError, match="one sequence"):
        compare_steps(bptt(net, xs[None], ds[None]))


def test_costs_grow_as_the_texts_say() -> None:
    net = SRN.init(2, 3, 2, output="linear")
    points = list(cost_growth(net, hs=(8, 16, 32), ts=(10, 20, 40), at_h=6, at_t=5))
    assert [(p.algorithm, p.H, p.T) for p in points[:2]] == [("rtrl", 8, 5), ("bptt", 8, 5)]
    rtrl_h = [p for p in points if p.algorithm == "rtrl" and p.T == 5]
    bptt_h = [p for p in points if p.algorithm == "bptt" and p.T == 5]
    slope = np.diff(np.log2([p.per_step for p in rtrl_h]))
    assert np.all((slope > 3.5) & (slope < 4.0))  # O(H^4) per step, approached from below
    slope = np.diff(np.log2([p.per_step for p in bptt_h]))
    assert np.all((slope > 1.5) & (slope < 2.0))  # O(H^2)
    rtrl_t = [p for p in points if p.algorithm == "rtrl" and p.H == 6]
    bptt_t = [p for p in points if p.algorithm == "bptt" and p.H == 6]
    assert len({p.memory for p in rtrl_t}) == 1  # RTRL's memory does not grow with T
    grows = np.diff([p.memory for p in bptt_t])
    assert grows[1] == 2 * grows[0] > 0  # BPTT's grows linearly: 10 -> 20 -> 40 steps
    # each point is the engine's own count
    other = SRN.init(2, 16, 2, output="linear")
    x, d = np.zeros((5, 2)), np.zeros((5, 2))
    assert rtrl_h[1].memory == rtrl(other, x, d).costs.memory


@pytest.mark.parametrize("context", CONTEXTS)
def test_gap_curves_are_the_gap_in_linear_time(context: str) -> None:
    net, xs, ds, mask = problem(context, "softmax", seed=4)
    result, trace = rtrl(net, xs, ds, mask=mask), bptt(net, xs, ds, mask=mask)
    curves = gap_curves(result, trace)
    assert set(curves) == set(PARAM_NAMES)
    for p in PARAM_NAMES:
        np.testing.assert_allclose(curves[p], gap(result, trace, p), rtol=0, atol=1e-12)
        assert curves[p][2 * T] < 1e-12 and curves[p].max() > 1e-3
