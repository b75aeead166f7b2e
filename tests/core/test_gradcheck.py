"""gradient_check: bptt's gradients against finite differences of the objective it follows."""

from __future__ import annotations

import itertools
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

import core.gradcheck
from core.bptt import Trace, bptt
from core.examples import example_network, example_sequence
from core.functions import HIDDEN_ACTIVATIONS, OUTPUT_FUNCTIONS
from core.gradcheck import GradCheck, gradient_check, gradient_check_steps, tally
from core.model import PARAM_NAMES, SRN

Array = NDArray[np.float64]
I, H, O, T = 3, 4, 3, 6


def make_problem(
    hidden: str, output: str, seed: int = 0, B: int | None = None
) -> tuple[SRN, Array, Array]:
    rng = np.random.default_rng(seed)
    net = SRN(
        U=rng.normal(0, 0.8, (H, I)),
        W=rng.normal(0, 0.6, (H, H)),
        V=rng.normal(0, 0.8, (O, H)),
        b=np.abs(rng.normal(0, 0.3, H)) + (0.3 if hidden == "relu" else 0.0),
        c=rng.normal(0, 0.3, O),
        h0=rng.normal(0, 0.5, H),
        hidden=hidden,
        output=output,
    )
    lead = (T,) if B is None else (B, T)
    xs = rng.normal(0, 1, (*lead, I))
    if output == "softmax":
        ds = np.eye(O)[rng.integers(0, O, lead)]
    elif output == "logistic":
        ds = rng.uniform(0, 1, (*lead, O))
    else:
        ds = rng.normal(0, 1, (*lead, O))
    return net, xs, ds


def assert_meaningful(check: GradCheck) -> None:
    """Every parameter has a gradient large enough for the check to say something."""
    for name in PARAM_NAMES:
        assert np.max(np.abs(check.analytic[name])) > 1e-3, name


PAIRS = list(itertools.product(HIDDEN_ACTIVATIONS, OUTPUT_FUNCTIONS))


@pytest.mark.parametrize(("hidden", "output"), PAIRS, ids=[f"{h}-{o}" for h, o in PAIRS])
def test_full_bptt_passes_for_every_activation_and_output(hidden: str, output: str) -> None:
    net, xs, ds = make_problem(hidden, output, seed=3)
    check = gradient_check(net, xs, ds)
    assert (check.mode, check.truncation) == ("full", None)
    assert_meaningful(check)
    assert check.passed(1e-6), dict(check.max_rel_error)


TRUNCATED = [
    pytest.param(mode, k, hidden, output, id=f"{mode}-k{k}-{hidden}-{output}")
    for (mode, k), (hidden, output) in zip(
        itertools.product(("sliding", "chunked"), (1, 2, T, T + 3)),
        itertools.cycle([("tanh", "softmax"), ("logistic", "logistic"), ("relu", "linear")]),
        strict=False,
    )
]


@pytest.mark.parametrize(("mode", "k", "hidden", "output"), TRUNCATED)
def test_truncated_bptt_passes_against_its_truncated_objective(
    mode: str, k: int, hidden: str, output: str
) -> None:
    net, xs, ds = make_problem(hidden, output, seed=k)
    check = gradient_check(net, xs, ds, truncation=k, mode=mode)
    assert (check.mode, check.truncation) == (mode, k)
    assert_meaningful(check)
    assert check.passed(1e-6), dict(check.max_rel_error)


@pytest.mark.parametrize("mode", ["sliding", "chunked"])
def test_batch_and_mask(mode: str) -> None:
    net, xs, ds = make_problem("tanh", "softmax", seed=5, B=3)
    mask = np.ones((3, T))
    mask[1, 2] = 0.0
    mask[2, -1] = 0.5
    check = gradient_check(net, xs, ds, truncation=2, mode=mode, mask=mask)
    assert check.passed(1e-6), dict(check.max_rel_error)


def test_example_network() -> None:
    xs, ds = example_sequence()
    for truncation, mode in [(None, "sliding"), (2, "sliding"), (3, "chunked")]:
        check = gradient_check(example_network(), xs, ds, truncation=truncation, mode=mode)
        assert check.passed(1e-6), (truncation, mode, dict(check.max_rel_error))


def test_float32_network_is_checked_in_float64() -> None:
    net, xs, ds = make_problem("tanh", "softmax", seed=2)
    check = gradient_check(net.astype(np.float32), xs.astype(np.float32), ds, truncation=3)
    assert all(a.dtype == np.float64 for a in check.analytic.values())
    assert check.passed(1e-6), dict(check.max_rel_error)


# -- the check must fail when the gradient is wrong -------------------------------------------
def _patched_bptt(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    def wrong(*args: Any, **kwargs: Any) -> Trace:
        return change(bptt(*args, **kwargs), args, kwargs)

    monkeypatch.setattr(core.gradcheck, "bptt", wrong)


def test_a_wrong_gradient_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def scale_w(trace: Trace, *_: Any) -> Trace:
        grads = dict(trace.grads)
        grads["W"] = 1.01 * grads["W"]
        return replace(trace, grads=MappingProxyType(grads))

    _patched_bptt(monkeypatch, scale_w)
    net, xs, ds = make_problem("tanh", "softmax", seed=1)
    check = gradient_check(net, xs, ds)
    assert not check.passed(1e-6)
    assert check.max_rel_error["W"] > 1e-3
    assert all(check.max_rel_error[n] < 1e-6 for n in PARAM_NAMES if n != "W")


@pytest.mark.parametrize("mode", ["sliding", "chunked"])
@pytest.mark.parametrize("k", [1, 2])
def test_full_gradient_fails_against_the_truncated_objective(
    monkeypatch: pytest.MonkeyPatch, mode: str, k: int
) -> None:
    """For k < T the truncated objective's gradient is not full BPTT's, and the check sees it."""
    _patched_bptt(monkeypatch, lambda _, args, kw: bptt(*args, mask=kw.get("mask")))
    net, xs, ds = make_problem("tanh", "softmax", seed=4)
    check = gradient_check(net, xs, ds, truncation=k, mode=mode)
    assert not check.passed(1e-6)
    assert check.max_rel_error["W"] > 1e-2


@pytest.mark.parametrize("mode", ["sliding", "chunked"])
def test_truncated_reference_differs_from_the_full_one_only_for_k_below_t(mode: str) -> None:
    net, xs, ds = make_problem("logistic", "softmax", seed=6)
    full = gradient_check(net, xs, ds).numerical
    short = gradient_check(net, xs, ds, truncation=2, mode=mode).numerical
    long = gradient_check(net, xs, ds, truncation=T, mode=mode).numerical
    assert not np.allclose(short["W"], full["W"], rtol=1e-3)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(long[name], full[name], rtol=1e-9, atol=1e-12)
    # V and c see only h(t), which truncation does not change: their gradients agree anyway
    np.testing.assert_allclose(short["V"], full["V"], rtol=1e-9, atol=1e-12)


# -- the record ---------------------------------------------------------------------------------
def test_result_is_immutable_and_shaped_like_the_parameters() -> None:
    net, xs, ds = make_problem("tanh", "linear", seed=0)
    check = gradient_check(net, xs, ds)
    for name, value in net.params().items():
        for mapping in (check.analytic, check.numerical, check.rel_error):
            assert mapping[name].shape == value.shape
            assert not mapping[name].flags.writeable
    with pytest.raises(TypeError):
        check.analytic["W"] = np.zeros((H, H))  # type: ignore[index]
    assert check.worst == max(check.max_rel_error.values())


def test_params_selects_what_is_checked() -> None:
    net, xs, ds = make_problem("tanh", "softmax", seed=0)
    check = gradient_check(net, xs, ds, params=["W", "h0"])
    assert set(check.analytic) == set(check.max_rel_error) == {"W", "h0"}
    with pytest.raises(ValueError, match="unknown"):
        gradient_check(net, xs, ds, params=["Q"])


def test_exact_zero_gradients_are_compared_below_the_floor() -> None:
    """Targets equal to the outputs: every gradient is exactly 0, its finite difference is not.

    Relative to |a| + |n| alone such an entry would fail; below the floor ``tiny`` it is
    compared by its absolute error.
    """
    net, xs, _ = make_problem("tanh", "linear", seed=0)
    ds = np.array(bptt(net, xs, np.zeros((T, O))).y)
    check = gradient_check(net, xs, ds)
    assert all(np.max(np.abs(a)) < 1e-12 for a in check.analytic.values())
    assert check.passed(1e-6)
    assert check.tiny > 0
    assert not gradient_check(net, xs, ds, tiny=1e-300).passed(1e-6)


# -- the check as a generator of chunks ---------------------------------------------------------
@pytest.mark.parametrize(
    ("truncation", "mode", "context"),
    [(None, "sliding", "hidden"), (2, "sliding", "output"), (3, "chunked", "target")],
    ids=["full-elman", "sliding-jordan", "chunked-teacher-forced"],
)
def test_chunks_add_up_to_the_one_shot_check(
    monkeypatch: pytest.MonkeyPatch, truncation: int | None, mode: str, context: str
) -> None:
    """Blocks of a few entries: every parameter comes in several chunks, in C order."""
    monkeypatch.setattr(core.gradcheck, "_BLOCK_WORK", 1)  # one entry per block
    net, xs, ds = make_problem("tanh", "softmax", seed=5, B=2)
    if context != "hidden":
        net = SRN.init(I, H, O, context=context, seed=5)
    whole = gradient_check(net, xs, ds, truncation=truncation, mode=mode)
    chunks = list(gradient_check_steps(net, xs, ds, truncation=truncation, mode=mode))
    plan = chunks[0].plan
    assert all(c.plan is plan for c in chunks)
    assert plan.total == sum(v.size for v in net.params().values())
    assert [c.done for c in chunks] == list(np.cumsum([c.numerical.size for c in chunks]))
    assert chunks[-1].done == plan.total and len(chunks) == plan.total
    # each parameter's chunks tile its entries in order
    for name in PARAM_NAMES:
        mine = [c for c in chunks if c.name == name]
        assert [c.start for c in mine] == list(range(net.params()[name].size))
        glued = np.concatenate([c.numerical for c in mine])
        np.testing.assert_array_equal(glued, whole.numerical[name].ravel())
        np.testing.assert_array_equal(
            np.concatenate([c.rel_error for c in mine]), whole.rel_error[name].ravel()
        )
    # the chunks, added up at once or in two goes, are the one-shot result
    half = len(chunks) // 2
    first = tally(plan, chunks[:half])
    for progress in (tally(plan, chunks), tally(plan, chunks[half:], first)):
        assert progress.complete and progress.done == plan.total
        check = progress.check
        assert dict(check.max_rel_error) == dict(whole.max_rel_error)
        assert (check.tiny, check.eps, check.mode, check.truncation) == (
            whole.tiny, whole.eps, whole.mode, whole.truncation,
        )  # fmt: skip
        for name in PARAM_NAMES:
            for ours, theirs in ((check.numerical, whole.numerical),
                                 (check.rel_error, whole.rel_error),
                                 (check.analytic, whole.analytic)):  # fmt: skip
                np.testing.assert_array_equal(ours[name], theirs[name])
                assert not ours[name].flags.writeable


def test_a_partial_tally_says_what_is_compared_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.gradcheck, "_BLOCK_WORK", 1)  # one entry per chunk
    net, xs, ds = make_problem("logistic", "logistic", seed=2)
    chunks = list(gradient_check_steps(net, xs, ds))
    plan = chunks[0].plan
    u_entries = net.params()["U"].size
    part = tally(plan, [c for c in chunks if c.name == "U"])
    assert not part.complete and part.done == u_entries == part.checked["U"]
    assert set(part.check.max_rel_error) == {"U"}  # W.. h0: nothing compared yet
    assert part.checked["W"] == 0 and np.isnan(part.check.numerical["W"]).all()
    assert not np.isnan(part.check.numerical["U"]).any()
    assert part.total == plan.total
    with pytest.raises(ValueError, match="starts at entry"):
        tally(plan, [c for c in chunks if c.name == "W"][1:])  # W's first chunk is missing
    other = next(iter(gradient_check_steps(net, xs, ds)))
    with pytest.raises(ValueError, match="another gradient check"):
        tally(plan, [other])


def test_the_generator_checks_its_arguments_on_first_use() -> None:
    net, xs, ds = make_problem("tanh", "softmax", seed=0)
    steps = gradient_check_steps(net, xs, ds, params=["Q"])  # nothing computed yet
    with pytest.raises(ValueError, match="unknown"):
        next(steps)
