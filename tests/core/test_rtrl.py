"""Real-time recurrent learning against BPTT, finite differences and counts written out here.

RTRL (Williams & Zipser 1989) carries dh/dtheta forward; BPTT sends deltas backward. Both compute
the gradient of the same loss, so :func:`core.rtrl.rtrl` must agree with :func:`core.bptt.bptt`
to rounding for every context, activation and output/loss pair; its running total after step t
must be the gradient of L(1) + ... + L(t), which BPTT computes independently on the first t steps.
"""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest
from numpy.typing import NDArray

from core.bptt import bptt
from core.derivation import cite
from core.limits import MAX_RTRL_FLOATS
from core.model import CONTEXTS, PARAM_NAMES, SRN
from core.rtrl import RTRLProgress, RTRLResult, check_size, rtrl, rtrl_steps

Array = NDArray[np.float64]
HIDDEN = ("tanh", "logistic", "relu", "linear")
OUTPUT = ("softmax", "logistic", "linear")
I, H, O, T = 3, 4, 3, 7


def make_problem(
    context: str, hidden: str, output: str, lead: tuple[int, ...] = (T,), seed: int = 0
) -> tuple[SRN, Array, Array, Array]:
    """A small network with nonzero biases and h0, inputs, targets and a mask with a 0 and a 0.5."""
    rng = np.random.default_rng(seed)
    net = SRN.init(I, H, O, hidden=hidden, output=output, context=context, seed=seed)
    net = net.with_params(
        b=rng.normal(0, 0.3, H) + (0.3 if hidden == "relu" else 0.0),
        c=rng.normal(0, 0.3, O),
        h0=rng.normal(0, 0.5, net.n_context),
    )
    xs = rng.normal(0, 1, (*lead, I))
    if output == "softmax":
        ds = np.eye(O)[rng.integers(0, O, lead)]
    elif output == "logistic":
        ds = rng.uniform(0, 1, (*lead, O))
    else:
        ds = rng.normal(0, 1, (*lead, O))
    mask = np.ones(lead)
    mask[..., 2] = 0.0
    mask[..., 4] = 0.5
    return net, xs, ds, mask


def assert_same_gradient(a: dict[str, Array], b: dict[str, Array], atol: float = 1e-12) -> None:
    for name in PARAM_NAMES:
        np.testing.assert_allclose(a[name], b[name], rtol=0, atol=atol, err_msg=f"dL/d{name}")


CASES = [
    pytest.param(ctx, hd, out, id=f"{ctx}-{hd}-{out}")
    for ctx, hd, out in itertools.product(CONTEXTS, HIDDEN, OUTPUT)
]


# -- exactness against BPTT -----------------------------------------------------------------------
@pytest.mark.parametrize(("context", "hidden", "output"), CASES)
def test_final_gradient_equals_full_bptt(context: str, hidden: str, output: str) -> None:
    net, xs, ds, mask = make_problem(context, hidden, output)
    result = rtrl(net, xs, ds, mask=mask)
    trace = bptt(net, xs, ds, mask=mask)
    assert max(float(np.abs(g).max()) for g in trace.grads.values()) > 1e-2  # not vacuous
    assert_same_gradient(dict(result.grads), dict(trace.grads))
    np.testing.assert_allclose(result.loss_t, trace.loss_t, rtol=1e-13, atol=0)
    assert result.loss == pytest.approx(trace.loss, rel=1e-13)


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("output", OUTPUT)
def test_running_total_is_the_gradient_of_the_loss_so_far(context: str, output: str) -> None:
    """After step t RTRL holds d(L(1)+...+L(t))/dtheta: full BPTT on the first t steps alone."""
    net, xs, ds, mask = make_problem(context, "tanh", output, seed=3)
    result = rtrl(net, xs, ds, mask=mask)
    for name, g in result.total(0).items():
        np.testing.assert_array_equal(g, 0.0, err_msg=name)
    for t in range(1, T + 1):
        prefix = bptt(net, xs[:t], ds[:t], mask=mask[:t])
        assert_same_gradient(result.total(t), dict(prefix.grads))
    assert_same_gradient(result.total(T), dict(result.grads), atol=0)
    # the totals change while the sweep runs: a fixed array would pass the last check alone
    assert not np.allclose(result.total(1)["U"], result.total(T)["U"])


@pytest.mark.parametrize("context", CONTEXTS)
def test_a_batch_sums_its_sequences(context: str) -> None:
    net, xs, ds, mask = make_problem(context, "logistic", "softmax", lead=(3, T), seed=5)
    result = rtrl(net, xs, ds, mask=mask)
    assert result.loss_t.shape == (3, T)
    assert_same_gradient(dict(result.grads), dict(bptt(net, xs, ds, mask=mask).grads))
    singles = [rtrl(net, xs[i], ds[i], mask=mask[i]) for i in range(3)]
    for t in (1, 4, T):
        expected = {p: sum(r.total(t)[p] for r in singles) for p in PARAM_NAMES}
        assert_same_gradient(result.total(t), expected)


def test_float32_network_keeps_its_dtype() -> None:
    net, xs, ds, mask = make_problem("hidden", "tanh", "softmax")
    net32 = net.astype(np.float32)
    result = rtrl(net32, xs, ds, mask=mask)
    assert all(g.dtype == np.float32 for g in result.grads.values())
    assert_same_gradient(dict(result.grads), dict(bptt(net32, xs, ds, mask=mask).grads), 1e-5)


# -- finite differences: an independent definition of the loss ---------------------------------
def plain_loss(p: dict[str, Array], xs: Array, ds: Array, mask: Array, context: str) -> float:
    """The loss of a tanh network with softmax outputs, written from the definitions."""
    ctx = p["h0"]
    total = 0.0
    for x, d, m in zip(xs, ds, mask, strict=True):
        h = np.tanh(p["b"] + p["W"] @ ctx + p["U"] @ x)
        o = p["c"] + p["V"] @ h
        y = np.exp(o - o.max()) / np.exp(o - o.max()).sum()
        total += m * float(-np.sum(d * np.log(y)))
        ctx = {"hidden": h, "output": y, "target": d}[context]
    return total


@pytest.mark.parametrize("context", CONTEXTS)
def test_gradient_matches_central_differences(context: str) -> None:
    net, xs, ds, mask = make_problem(context, "tanh", "softmax", seed=11)
    result = rtrl(net, xs, ds, mask=mask)
    params = {n: np.array(a) for n, a in net.params().items()}
    assert result.loss == pytest.approx(plain_loss(params, xs, ds, mask, context), rel=1e-12)
    eps = 1e-6
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            up, down = value.copy(), value.copy()
            up[idx] += eps
            down[idx] -= eps
            plus = plain_loss({**params, name: up}, xs, ds, mask, context)
            minus = plain_loss({**params, name: down}, xs, ds, mask, context)
            numeric[idx] = (plus - minus) / (2 * eps)
        assert np.linalg.norm(numeric) > 1e-4, name
        np.testing.assert_allclose(result.grads[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)


# -- truncation -----------------------------------------------------------------------------------
@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_resetting_every_k_steps_is_chunked_bptt(context: str, k: int) -> None:
    net, xs, ds, mask = make_problem(context, "tanh", "logistic", seed=k)
    result = rtrl(net, xs, ds, mask=mask, truncation=k)
    chunked = bptt(net, xs, ds, mask=mask, truncation=k, mode="chunked")
    assert_same_gradient(dict(result.grads), dict(chunked.grads))
    if context != "target":  # teacher forcing has no flow between steps to cut
        full = bptt(net, xs, ds, mask=mask)
        assert not np.allclose(result.grads["W"], full.grads["W"], atol=1e-6)


@pytest.mark.parametrize("context", CONTEXTS)
def test_reset_every_step_is_sliding_bptt_1(context: str) -> None:
    """k = 1: the context is a plain extra input (Elman 1990), in both truncation modes."""
    net, xs, ds, mask = make_problem(context, "relu", "linear", seed=2)
    result = rtrl(net, xs, ds, mask=mask, truncation=1)
    assert_same_gradient(dict(result.grads), dict(bptt(net, xs, ds, truncation=1, mask=mask).grads))


def test_sliding_bptt_2_is_not_a_reset_rtrl() -> None:
    """Sliding BPTT(2) lets every loss term reach one step back; no chunking gives that."""
    net, xs, ds, mask = make_problem("hidden", "tanh", "linear", seed=4)
    sliding = bptt(net, xs, ds, truncation=2, mode="sliding", mask=mask).grads["W"]
    for k in (1, 2, None):
        assert not np.allclose(rtrl(net, xs, ds, mask=mask, truncation=k).grads["W"], sliding)


# -- counted costs --------------------------------------------------------------------------------
def expected_madds(context: str, output: str, I: int, H: int, O: int, t: int) -> int:
    """Multiplications of step t (one sequence), from the equations' matrix shapes."""
    if context == "output":
        n = H * I + H * O + O * H + H + O + O  # every parameter reaches y(t)
        jac = {"softmax": 2 * O * n, "logistic": O * (n + 1), "linear": 0}[output]
        return (H * (O + I) + O * H) + (H * O * n + H * n + O * H * n) + O * n + jac
    C = H if context == "hidden" else O
    n = H * I + H * C + H + C  # U, W, b, h0
    recurrent = H * C * n if (context == "hidden" or t == 1) else 0
    return (H * (C + I) + O * H) + recurrent + H * n + (O * H + H * n + O * H)


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("output", OUTPUT)
@pytest.mark.parametrize(("i", "h", "o"), [(2, 3, 2), (1, 6, 4)], ids=["2-3-2", "1-6-4"])
def test_counted_costs_equal_the_formulas(
    context: str, output: str, i: int, h: int, o: int
) -> None:
    net = SRN.init(i, h, o, output=output, context=context, seed=1)
    B, steps = 2, 5
    rng = np.random.default_rng(0)
    result = rtrl(net, rng.normal(size=(B, steps, i)), rng.uniform(size=(B, steps, o)))
    madds = [B * expected_madds(context, output, i, h, o, t) for t in range(1, steps + 1)]
    np.testing.assert_array_equal(result.costs.madds, madds)
    np.testing.assert_array_equal(result.costs.backward, 0)  # RTRL has no backward sweep
    C = h if context == "hidden" else o
    n = i * h + h * C + h + C + (o * h + o if context == "output" else 0)
    all_params = i * h + h * C + o * h + h + o + C
    assert result.costs.memory == B * (C * n + all_params + C)
    assert result.costs.total == sum(madds)


def test_elman_cost_grows_as_h_to_the_fourth_and_not_with_t() -> None:
    rng = np.random.default_rng(0)

    def per_step(h: int, steps: int) -> tuple[int, int]:
        net = SRN.init(1, h, 1, output="linear", seed=0)
        r = rtrl(net, rng.normal(size=(steps, 1)), rng.normal(size=(steps, 1)), keep_running=False)
        assert len(set(r.costs.madds.tolist())) == 1  # the same work every step
        return int(r.costs.madds[0]), r.costs.memory

    assert per_step(8, 3) == per_step(8, 30)  # neither work per step nor memory grows with T
    (m16, mem16), (m32, mem32) = per_step(32, 2), per_step(64, 2)
    assert 14.5 < m32 / m16 < 16  # H^4 dominates: doubling H multiplies the work by ~16
    assert 7 < mem32 / mem16 < 9  # and the sensitivities by ~8 (H x H^2)


# -- the record, errors and limits ----------------------------------------------------------------
def test_result_is_read_only_and_keeps_no_totals_when_asked() -> None:
    net, xs, ds, _ = make_problem("output", "tanh", "softmax")
    result = rtrl(net, xs, ds)
    for arr in (*result.grads.values(), *result.running.values(), result.costs.forward):
        assert not arr.flags.writeable
    assert result.running["W"].shape == (T, H, O)
    bare = rtrl(net, xs, ds, keep_running=False)
    assert not bare.running
    assert_same_gradient(dict(bare.grads), dict(result.grads), atol=0)
    with pytest.raises(ValueError, match="no running totals"):
        bare.total(1)
    with pytest.raises(ValueError, match=r"outside 0\.\.7"):
        result.total(T + 1)


def test_bad_inputs_are_refused_by_name() -> None:
    net, xs, ds, _ = make_problem("hidden", "tanh", "softmax")
    bad = xs.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"xs holds a non-finite value .* at index \(3, 1\)"):
        rtrl(net, bad, ds)
    with pytest.raises(ValueError, match="targets has shape"):
        rtrl(net, xs, ds[:, :2])
    with pytest.raises(ValueError, match="truncation must be None or an integer >= 1"):
        rtrl(net, xs, ds, truncation=0)


def test_a_network_too_large_for_rtrl_is_refused_before_allocating() -> None:
    big = SRN.init(1, 300, 1, seed=0)  # 300 x (300^2 + 900) floats of sensitivities
    with pytest.raises(ValueError, match=f"more than the limit of {MAX_RTRL_FLOATS:,}"):
        check_size(big)
    with pytest.raises(ValueError, match="sensitivities"):
        rtrl(big, np.zeros((2, 1)), np.zeros((2, 1)))
    small = SRN.init(1, 20, 1, seed=0)
    check_size(small)  # fits
    with pytest.raises(ValueError, match="running totals over 50,000 steps"):
        check_size(small, steps=50_000)


def test_docstring_cites_the_equations_page() -> None:
    doc = sys.modules["core.rtrl"].__doc__ or ""  # core.rtrl is also the function
    assert cite("rtrl-sensitivity", "rtrl-carried") in doc
    assert cite("rtrl-gradient") in doc and cite("rtrl-cost") in doc


def test_steps_report_progress_within_a_step_and_end_with_the_result() -> None:
    net, xs, ds, mask = make_problem("hidden", "tanh", "softmax")
    n = H * I + H * H + 2 * H
    every = H * H * n // 3  # the W S product of one step takes about three reports
    items = list(rtrl_steps(net, xs, ds, mask=mask, every=every))
    *progress, result = items
    assert isinstance(result, RTRLResult)
    assert all(isinstance(p, RTRLProgress) for p in progress)
    assert len(progress) >= 3 * T
    done = [p.done for p in progress]
    assert done == sorted(done) and done[-1] <= result.costs.total
    steps = [p.t for p in progress]
    assert steps == sorted(steps) and len(set(steps)) < len(steps)  # several reports per step
    assert_same_gradient(dict(result.grads), dict(rtrl(net, xs, ds, mask=mask).grads), atol=0)


def test_work_done_at_a_cursor_position() -> None:
    net, xs, ds, _ = make_problem("output", "tanh", "linear")
    costs = rtrl(net, xs, ds).costs
    assert costs.done("start", 0) == 0
    assert costs.done("forward", 3) == costs.forward[:3].sum()
    assert costs.done("forward", T) == costs.total == costs.done("backward", 1)
