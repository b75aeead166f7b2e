"""The per-step reference of core/reference.py against the packed engine and finite differences.

Every field of the reference sweep must equal the engine's trace (float64, rtol = atol = 1e-12)
for every context (Elman, Jordan, Jordan teacher-forced), hidden activation, output function,
truncation and mask; the reference's full-BPTT gradient must equal central finite differences of
its own loss, which involves the engine nowhere.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from numpy.typing import NDArray

from core import SRN, Trace, bptt
from core.functions import HIDDEN_ACTIVATIONS, OUTPUT_FUNCTIONS
from core.model import CONTEXTS, PARAM_NAMES
from core.reference import ReferenceSweep, reference_bptt

Array = NDArray[np.float64]

T, I, H, O = 6, 3, 4, 3
EPS = 1e-6
NAMES = {"hidden": "elman", "output": "jordan", "target": "teacher"}
TRUNCATIONS = [
    pytest.param(None, "sliding", id="full"),
    *(pytest.param(k, "sliding", id=f"sliding{k}") for k in (1, 2, 3, T, T + 2)),
    *(pytest.param(k, "chunked", id=f"chunked{k}") for k in (1, 2, 3, T)),
]
NETWORKS = [
    pytest.param(context, hidden, output, id=f"{NAMES[context]}-{hidden}-{output}")
    for context, hidden, output in itertools.product(CONTEXTS, HIDDEN_ACTIVATIONS, OUTPUT_FUNCTIONS)
]
ARRAYS = [f.name for f in dataclasses.fields(ReferenceSweep) if f.name not in ("net", "grads")]


def make_problem(
    context: str, hidden: str, output: str, seed: int = 0, n_in: int = I, n_hidden: int = H
) -> tuple[SRN, Array, Array]:
    """A network with non-zero biases and initial context, inputs, and targets for ``output``.

    Softmax targets are one-hot except one probability row and one row of zeros (an unscored
    step, whose exact delta is y sum_k d_k - d = 0 rather than y - d).
    """
    net = SRN.init(n_in, n_hidden, O, hidden=hidden, output=output, context=context, seed=seed)
    rng = np.random.default_rng(100 + seed)
    b = np.abs(rng.normal(0.3, 0.2, n_hidden)) if hidden == "relu" else rng.normal(0, 0.3, n_hidden)
    net = net.with_params(b=b, c=rng.normal(0, 0.3, O), h0=rng.normal(0, 0.5, net.n_context))
    xs = rng.normal(0, 1, (T, n_in))
    if output == "softmax":
        ds = np.eye(O)[rng.integers(0, O, T)]
        ds[1] = rng.dirichlet(np.ones(O))
        ds[4] = 0.0
    elif output == "logistic":
        ds = rng.uniform(0, 1, (T, O))
    else:
        ds = rng.normal(0, 1, (T, O))
    return net, xs, ds


MASKS = {
    "unmasked": None,
    "masked": np.array([1.0, 0.5, 0.0, 2.0, 1.0, 1.0]),  # step 3 unscored, two steps weighted
}


def assert_same(ref: ReferenceSweep, trace: Trace) -> None:
    """Every field of ``ref`` equals the engine trace's field of the same name."""
    assert ref.net is trace.net
    for name in ARRAYS:
        got, want = getattr(ref, name), getattr(trace, name)
        if isinstance(want, np.ndarray):
            assert got.shape == want.shape, f"{name}: shape {got.shape} != {want.shape}"
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)
        elif isinstance(want, float):
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12), name
        else:
            assert got == want, name
    assert list(ref.grads) == list(PARAM_NAMES)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(
            ref.grads[name], trace.grads[name], rtol=1e-12, atol=1e-12, err_msg=name
        )


# -- the reference against the engine --------------------------------------------------------
@pytest.mark.parametrize("masking", list(MASKS))
@pytest.mark.parametrize(("truncation", "mode"), TRUNCATIONS)
@pytest.mark.parametrize(("context", "hidden", "output"), NETWORKS)
def test_reference_equals_the_engine(
    context: str, hidden: str, output: str, truncation: int | None, mode: str, masking: str
) -> None:
    net, xs, ds = make_problem(context, hidden, output)
    mask = MASKS[masking]
    ref = reference_bptt(net, xs, ds, truncation=truncation, mode=mode, mask=mask)
    trace = bptt(net, xs, ds, truncation=truncation, mode=mode, mask=mask)
    assert_same(ref, trace)


@pytest.mark.parametrize("block_values", [4, 8, 12], ids=["1-step", "2-step", "3-step"])
@pytest.mark.parametrize(("truncation", "mode"), [(None, "sliding"), (2, "chunked")])
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_the_elman_sweep_in_blocks_of_steps_equals_the_reference(
    monkeypatch, hidden: str, truncation: int | None, mode: str, block_values: int
) -> None:
    """f'(a(t)) formed a few steps at a time (blocks of 1, 2 and 3 of the T = 6 steps, H = 4),
    uneven last block included: the same trace as the reference's step-by-step sweep."""
    import core.elman

    monkeypatch.setattr(core.elman, "BLOCK_VALUES", block_values)
    net, xs, ds = make_problem("hidden", hidden, "softmax")
    ref = reference_bptt(net, xs, ds, truncation=truncation, mode=mode)
    assert_same(ref, bptt(net, xs, ds, truncation=truncation, mode=mode))


# -- the reference against finite differences of its own loss ---------------------------------
@pytest.mark.parametrize(("context", "hidden", "output"), NETWORKS)
def test_full_bptt_gradient_is_the_derivative_of_the_loss(
    context: str, hidden: str, output: str
) -> None:
    """dL/dtheta_i = (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps) + O(eps^2), every i."""
    net, xs, ds = make_problem(context, hidden, output, seed=1, n_in=2, n_hidden=3)
    mask = MASKS["masked"]
    ref = reference_bptt(net, xs, ds, mask=mask)
    if hidden == "relu":  # the differences must not straddle the kink at a = 0
        assert np.min(np.abs(ref.a)) > 1e-3
    for name, value in net.params().items():
        numeric = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            step = np.zeros_like(value)
            step[i] = EPS
            plus = reference_bptt(net.with_params(**{name: value + step}), xs, ds, mask=mask)
            minus = reference_bptt(net.with_params(**{name: value - step}), xs, ds, mask=mask)
            numeric[i] = (plus.loss - minus.loss) / (2 * EPS)
        assert np.linalg.norm(numeric) > 1e-4, f"dL/d{name}: the check would be vacuous"
        np.testing.assert_allclose(ref.grads[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)


# -- what the record promises -----------------------------------------------------------------
def test_record_is_frozen_and_its_arrays_read_only() -> None:
    net, xs, ds = make_problem("output", "tanh", "softmax")
    ref = reference_bptt(net, xs, ds, truncation=2)
    arrays = [(n, getattr(ref, n)) for n in ARRAYS if isinstance(getattr(ref, n), np.ndarray)]
    for name, arr in arrays + list(ref.grads.items()):
        assert arr.dtype == np.float64, name
        with pytest.raises(ValueError, match="read-only"):
            arr[...] = 0.0
    with pytest.raises(TypeError):
        ref.grads["U"] = ref.grads["W"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.loss = 0.0  # type: ignore[misc]


def test_shapes_follow_the_trace_layout() -> None:
    for context in CONTEXTS:
        net, xs, ds = make_problem(context, "tanh", "linear")
        ref = reference_bptt(net, xs, ds)
        C = net.n_context
        assert ref.h.shape == (T + 1, H) and ref.delta_h.shape == (T, H)
        assert ref.context.shape == (T, C) and ref.delta_h0.shape == (C,)
        np.testing.assert_array_equal(ref.context[0], net.h0)  # c(1) = h0
        if context == "hidden":
            np.testing.assert_array_equal(ref.h[0], net.h0)  # h(0) = h0
            np.testing.assert_array_equal(ref.context, ref.h[:-1])  # c(t) = h(t-1)


def test_an_unscored_step_has_no_output_delta() -> None:
    """Teacher forced, delta_o(t) is the local term alone, so an unscored step's is zero."""
    net, xs, ds = make_problem("target", "tanh", "softmax")
    ref = reference_bptt(net, xs, ds, mask=MASKS["masked"])
    np.testing.assert_array_equal(ref.delta_o[2], 0.0)  # mask 0 at step 3
    np.testing.assert_allclose(ref.delta_o[4], 0.0, atol=1e-15)  # all-zero softmax target row
    assert ref.loss_t[2] == 0.0


def test_a_float32_network_is_run_in_float64() -> None:
    net, xs, ds = make_problem("hidden", "logistic", "logistic")
    ref32 = reference_bptt(net.astype(np.float32), xs, ds)
    ref64 = reference_bptt(net.astype(np.float32).astype(np.float64), xs, ds)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(ref32.grads[name], ref64.grads[name])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"truncation": 0}, "truncation must be"),
        ({"truncation": True}, "truncation must be"),
        ({"truncation": 2, "mode": "windowed"}, "truncation mode"),
        ({"mask": np.ones(T + 1)}, "mask has shape"),
    ],
    ids=["k0", "k-bool", "bad-mode", "mask-shape"],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    net, xs, ds = make_problem("hidden", "tanh", "softmax")
    with pytest.raises(ValueError, match=message):
        reference_bptt(net, xs, ds, **kwargs)  # type: ignore[arg-type]
