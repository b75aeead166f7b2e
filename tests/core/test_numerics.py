"""Numerical robustness: stable output functions and losses, saturated networks, bad input.

Floating-point errors are turned into exceptions inside each check (``np.errstate``), on top of
the project's ``filterwarnings = error``, so an overflow, a division by zero or an invalid
operation anywhere in the engine fails the test.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray
from scipy import special

from core.bptt import bptt
from core.functions import (
    hidden_derivative,
    hidden_forward,
    logistic,
    output_delta,
    output_forward,
    step_loss,
)
from core.model import PARAM_NAMES, SRN

Array = NDArray[np.float64]
HIDDEN = ("tanh", "logistic", "relu", "linear")
OUTPUT = ("softmax", "logistic", "linear")
STRICT = {"over": "raise", "divide": "raise", "invalid": "raise"}


# -- the functions on their own ---------------------------------------------------------------
@pytest.mark.parametrize("big", [1e3, 1e300], ids=["1e3", "1e300"])
def test_softmax_and_cross_entropy_at_extreme_net_inputs(big: float) -> None:
    o = np.array([[big, 0.0, -big], [-big, -big, -big], [big, big, 0.0]])
    with np.errstate(**STRICT):
        y = output_forward("softmax", o)
        d = np.eye(3)[[2, 0, 0]]
        loss = step_loss("softmax", o, y, d)
        delta = output_delta("softmax", y, d)
    np.testing.assert_allclose(y, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], atol=1e-15)
    # -ln y_k = logsumexp(o) - o_k: 2 big, ln 3, and ln 2 for the tie
    np.testing.assert_allclose(loss, [2 * big, np.log(3), np.log(2)], rtol=1e-15)
    np.testing.assert_allclose(delta, y - d, atol=1e-15)
    assert np.all(np.isfinite(loss))


def test_softmax_and_log_sum_exp_agree_with_scipy() -> None:
    o = np.random.default_rng(0).normal(0, 30, (50, 6))
    d = np.random.default_rng(1).dirichlet(np.ones(6), 50)
    np.testing.assert_allclose(output_forward("softmax", o), special.softmax(o, axis=-1), 1e-13)
    expected = -np.sum(d * special.log_softmax(o, axis=-1), axis=-1)
    np.testing.assert_allclose(step_loss("softmax", o, output_forward("softmax", o), d), expected)


@pytest.mark.parametrize("big", [1e3, 1e300], ids=["1e3", "1e300"])
def test_logistic_and_binary_cross_entropy_at_extreme_net_inputs(big: float) -> None:
    o = np.array([[-big, 0.0, big]])
    with np.errstate(**STRICT):
        y = output_forward("logistic", o)
        zero_loss = step_loss("logistic", o, y, np.array([[0.0, 0.5, 1.0]]))
        worst = step_loss("logistic", o, y, np.array([[1.0, 0.5, 0.0]]))
    np.testing.assert_array_equal(y, [[0.0, 0.5, 1.0]])
    # correct saturated predictions cost nothing; wrong ones cost |o| (softplus), not inf
    np.testing.assert_allclose(zero_loss, [np.log(2)], rtol=1e-15)
    np.testing.assert_allclose(worst, [2 * big + np.log(2)], rtol=1e-15)


def test_logistic_agrees_with_scipy_and_is_symmetric() -> None:
    a = np.linspace(-40, 40, 801)
    np.testing.assert_allclose(logistic(a), special.expit(a), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(logistic(-a), 1.0 - logistic(a), rtol=0, atol=2**-53)
    o = np.random.default_rng(2).normal(0, 20, (30, 4))
    d = np.random.default_rng(3).uniform(0, 1, (30, 4))
    expected = -np.sum(d * special.log_expit(o) + (1 - d) * special.log_expit(-o), axis=-1)
    np.testing.assert_allclose(step_loss("logistic", o, logistic(o), d), expected, rtol=1e-12)


@pytest.mark.parametrize("kind", HIDDEN)
def test_hidden_functions_at_extreme_net_inputs(kind: str) -> None:
    a = np.array([-1e3, -1.0, 0.5, 1e3])
    with np.errstate(**STRICT):
        h = hidden_forward(kind, a)
        fp = hidden_derivative(kind, a, h)
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(fp))
    assert np.all(fp >= 0)
    assert not np.shares_memory(h, a)  # a fresh array, never the net input itself
    # the derivative by central differences where the function is smooth (|a| small)
    eps = 1e-6
    numeric = (hidden_forward(kind, a[1:3] + eps) - hidden_forward(kind, a[1:3] - eps)) / (2 * eps)
    np.testing.assert_allclose(fp[1:3], numeric, rtol=1e-8)


# -- saturated networks -----------------------------------------------------------------------
def saturated_network(hidden: str, output: str, dtype: type = np.float64) -> SRN:
    """Weights that drive |a| and |o| to about 1e3 over 8 steps of unit-size inputs.

    Bounded units (tanh, logistic) take big recurrent weights; unbounded ones (relu, linear)
    take a contracting W, so the state stays near the input drive instead of growing with t.
    """
    rng = np.random.default_rng(HIDDEN.index(hidden))
    H = 4
    bounded = hidden in ("tanh", "logistic")
    W = rng.uniform(-60, 60, (H, H)) if bounded else 0.4 * np.linalg.qr(rng.normal(size=(H, H)))[0]
    return SRN(
        U=rng.uniform(-250, 250, (H, 3)),
        W=W,
        V=rng.uniform(-250, 250, (3, H)) if bounded else rng.uniform(-2, 2, (3, H)),
        b=rng.uniform(-50, 50, H),
        c=rng.uniform(-50, 50, 3),
        h0=rng.uniform(0, 1, H),
        hidden=hidden,
        output=output,
    ).astype(dtype)


def saturated_data(output: str) -> tuple[Array, Array]:
    rng = np.random.default_rng(9)
    xs = rng.uniform(-1, 1, (2, 8, 3))
    if output == "softmax":
        return xs, np.eye(3)[rng.integers(0, 3, (2, 8))]
    if output == "logistic":
        return xs, rng.integers(0, 2, (2, 8, 3)).astype(float)
    return xs, rng.normal(0, 100, (2, 8, 3))


PAIRS = [pytest.param(h, o, id=f"{h}-{o}") for h, o in itertools.product(HIDDEN, OUTPUT)]


@pytest.mark.parametrize(("hidden", "output"), PAIRS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_saturated_network_has_finite_loss_and_gradients(
    hidden: str, output: str, dtype: type
) -> None:
    net = saturated_network(hidden, output, dtype)
    xs, ds = saturated_data(output)
    for truncation, mode in ((None, "sliding"), (3, "sliding"), (3, "chunked")):
        with np.errstate(**STRICT):
            trace = bptt(net, xs, ds, truncation=truncation, mode=mode)
        big_a, big_o = np.abs(trace.a).max(), np.abs(trace.o).max()
        assert 250 < big_a <= 1e3 and 250 < big_o <= 1e3, (big_a, big_o)  # really saturated
        assert np.isfinite(trace.loss) and trace.loss >= 0
        for name in ("y", "loss_t", "delta_o", "delta_h", "delta_h0"):
            assert np.all(np.isfinite(getattr(trace, name))), name
        for name in PARAM_NAMES:
            assert np.all(np.isfinite(trace.grads[name])), name


# -- bad input --------------------------------------------------------------------------------
def small_problem(batched: bool) -> tuple[SRN, Array, Array, Array]:
    net = SRN.init(3, 4, 2, seed=0)
    lead = (2, 5) if batched else (5,)
    rng = np.random.default_rng(0)
    return net, rng.normal(size=(*lead, 3)), np.eye(2)[rng.integers(0, 2, lead)], np.ones(lead)


@pytest.mark.parametrize("array", ["xs", "targets", "mask"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("batched", [False, True], ids=["single", "batched"])
def test_non_finite_input_names_the_array_and_index(array: str, bad: float, batched: bool) -> None:
    net, xs, ds, mask = small_problem(batched)
    arrays = {"xs": xs, "targets": ds, "mask": mask}
    index = ((1,) if batched else ()) + ((2,) if array == "mask" else (2, 1))
    arrays[array][index] = bad
    pattern = rf"{array} holds a non-finite value \({re.escape(str(bad))}\) at index "
    with pytest.raises(ValueError, match=pattern + re.escape(str(index))):
        bptt(net, arrays["xs"], arrays["targets"], mask=arrays["mask"])


@pytest.mark.parametrize("as_list", [False, True], ids=["array", "list"])
def test_value_too_large_for_float32_is_reported_as_non_finite(as_list: bool) -> None:
    net, xs, ds, _ = small_problem(False)
    xs[3, 0] = 1e300
    with pytest.raises(
        ValueError, match=re.escape("xs holds a non-finite value (inf) at index (3, 0)")
    ):
        bptt(net.astype(np.float32), xs.tolist() if as_list else xs, ds)


def test_huge_finite_input_is_accepted() -> None:
    """Finite values whose squares overflow are still finite input (no error, no warning)."""
    net, xs, ds, _ = small_problem(True)
    xs[0, 1, 2] = 1e200
    xs[1, 3, 0] = -1e300
    with np.errstate(**STRICT):
        trace = bptt(net, xs, ds)
    assert trace.x[1, 3, 0] == -1e300
    assert np.isfinite(trace.loss)


SHAPES = [
    pytest.param((5, 4), (5, 2), None, "xs has shape (5, 4), expected (5, 3)", id="xs-inputs"),
    pytest.param((5,), (5, 2), None, "xs has shape (5,), expected (T, 3) or (B, T, 3)", id="xs-1d"),
    pytest.param(
        (1, 2, 5, 3), (5, 2), None, "xs has shape (1, 2, 5, 3), expected (T, 3) or (B, T, 3)",
        id="xs-4d",
    ),
    pytest.param((0, 3), (0, 2), None, "xs has shape (0, 3): a sequence needs at least", id="T0"),
    pytest.param(
        (5, 3), (5, 3), None, "targets has shape (5, 3), expected (5, 2)", id="targets-outputs"
    ),
    pytest.param((5, 3), (4, 2), None, "targets has shape (4, 2), expected (5, 2)", id="targets-T"),
    pytest.param(
        (2, 5, 3), (5, 2), None, "targets has shape (5, 2), expected (2, 5, 2)", id="targets-B"
    ),
    pytest.param((5, 3), (5, 2), (4,), "mask has shape (4,), expected (5,)", id="mask-T"),
    pytest.param((2, 5, 3), (2, 5, 2), (5,), "mask has shape (5,), expected (2, 5)", id="mask-B"),
]  # fmt: skip


@pytest.mark.parametrize(("x_shape", "d_shape", "m_shape", "message"), SHAPES)
def test_wrong_shapes_name_the_array_and_the_expected_shape(
    x_shape: tuple[int, ...],
    d_shape: tuple[int, ...],
    m_shape: tuple[int, ...] | None,
    message: str,
) -> None:
    net = SRN.init(3, 4, 2, seed=0)
    mask = None if m_shape is None else np.ones(m_shape)
    with pytest.raises(ValueError, match=re.escape(message)):
        bptt(net, np.zeros(x_shape), np.zeros(d_shape), mask=mask)


@pytest.mark.parametrize(
    "xs",
    [[[0.0, 1.0, 2.0], [1.0, 2.0]], "abc", [[0.0, None, 1.0], [1.0, 2.0, 3.0]]],
    ids=["ragged", "str", "None"],
)
def test_non_numeric_input_is_a_value_error(xs: object) -> None:
    net = SRN.init(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match="xs"):
        bptt(net, xs, np.zeros((2, 2)))


# -- property: moderate finite input gives finite, non-negative loss and finite gradients -----
@st.composite
def problems(draw: st.DrawFn) -> tuple[SRN, Array, Array, Array, int | None, str]:
    hidden = draw(st.sampled_from(HIDDEN))
    output = draw(st.sampled_from(OUTPUT))
    I, H, O = (draw(st.integers(1, 4)) for _ in range(3))
    T = draw(st.integers(1, 6))
    lead = (T,) if draw(st.booleans()) else (draw(st.integers(1, 3)), T)
    scale = draw(st.floats(0.05, 3.0))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    net = SRN(
        U=rng.uniform(-scale, scale, (H, I)),
        W=rng.uniform(-scale, scale, (H, H)),
        V=rng.uniform(-scale, scale, (O, H)),
        b=rng.uniform(-scale, scale, H),
        c=rng.uniform(-scale, scale, O),
        h0=rng.uniform(-1, 1, H),
        hidden=hidden,
        output=output,
    )
    moderate = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
    xs = draw(hnp.arrays(np.float64, (*lead, I), elements=moderate))
    if output == "linear":
        ds = draw(hnp.arrays(np.float64, (*lead, O), elements=moderate))
    else:
        ds = draw(hnp.arrays(np.float64, (*lead, O), elements=st.floats(0, 1)))
        if output == "softmax":
            ds = ds / np.maximum(ds.sum(axis=-1, keepdims=True), 1.0)  # rows sum to at most 1
    mask = draw(hnp.arrays(np.float64, lead, elements=st.floats(0, 1)))
    truncation = draw(st.one_of(st.none(), st.integers(1, 7)))
    mode = draw(st.sampled_from(("sliding", "chunked")))
    return net, xs, ds, mask, truncation, mode


@settings(max_examples=150, deadline=None, derandomize=True)
@given(problems())
def test_moderate_finite_input_gives_finite_loss_and_gradients(
    problem: tuple[SRN, Array, Array, Array, int | None, str],
) -> None:
    net, xs, ds, mask, truncation, mode = problem
    with np.errstate(**STRICT):
        trace = bptt(net, xs, ds, truncation=truncation, mode=mode, mask=mask)
    assert np.isfinite(trace.loss)
    assert trace.loss >= 0.0  # every matched loss is non-negative for admissible targets
    assert np.all(trace.loss_t >= 0.0)
    for name in PARAM_NAMES:
        g = trace.grads[name]
        assert g.shape == getattr(net, name).shape
        assert np.all(np.isfinite(g)), name
