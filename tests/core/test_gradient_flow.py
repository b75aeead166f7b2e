"""The gradient flow matrix ||dL(s)/dh(t)|| and the per-step Jacobians dh(t)/dh(t-1).

The reference is the chain rule written out pair by pair: for every (s, t) an explicit product of
the Jacobians J(tau) = diag(f'(a(tau))) W, tau = t+1..s, applied to V^T delta_o(s) (Eq. 10
with one loss term at a time).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from core.bptt import Trace, bptt
from core.gradient_flow import (
    flow_matrix,
    jacobians_spectral_radius,
    spectral_radius,
    within_window,
)
from core.model import SRN

Array = NDArray[np.float64]
I, H, O, T = 3, 4, 2, 7


def _fprime(kind: str, a: Array) -> Array:
    """f'(a) from the net input, independently of core.functions."""
    if kind == "tanh":
        return 1.0 / np.cosh(a) ** 2
    if kind == "logistic":
        s = 1.0 / (1.0 + np.exp(-a))
        return s * (1.0 - s)
    if kind == "relu":
        return (a > 0).astype(float)
    return np.ones_like(a)


def make_net(hidden: str, output: str = "softmax", seed: int = 0, W: Array | None = None) -> SRN:
    rng = np.random.default_rng(seed)
    return SRN(
        U=rng.normal(0, 0.8, (H, I)),
        W=rng.normal(0, 0.6, (H, H)) if W is None else W,
        V=rng.normal(0, 0.8, (O, H)),
        b=np.abs(rng.normal(0, 0.3, H)) + (0.3 if hidden == "relu" else 0.0),
        c=rng.normal(0, 0.3, O),
        h0=rng.normal(0, 0.5, H),
        hidden=hidden,
        output=output,
    )


def make_trace(net: SRN, seed: int = 1, **kw: object) -> Trace:
    rng = np.random.default_rng(seed)
    xs = rng.normal(0, 1, (T, I))
    softmax = net.output == "softmax"
    ds = np.eye(O)[rng.integers(0, O, T)] if softmax else rng.uniform(0, 1, (T, O))
    return bptt(net, xs, ds, **kw)  # type: ignore[arg-type]


def brute_force_flow(trace: Trace) -> Array:
    """F[s-1, t-1] = ||J(t+1)^T ... J(s)^T V^T delta_o(s)||, one explicit product per pair."""
    net = trace.net
    fp = _fprime(net.hidden, trace.a)
    F = np.full((T, T), np.nan)
    for s in range(1, T + 1):
        for t in range(1, s + 1):
            product = np.eye(H)  # dh(s)/dh(t) = J(s) J(s-1) ... J(t+1)
            for tau in range(t + 1, s + 1):
                product = (np.diag(fp[tau - 1]) @ net.W) @ product
            grad = product.T @ (net.V.T @ trace.delta_o[s - 1])
            F[s - 1, t - 1] = np.linalg.norm(grad)
    return F


# -- the flow matrix ------------------------------------------------------------------------------
@pytest.mark.parametrize("hidden", ["tanh", "logistic", "relu", "linear"])
def test_flow_matrix_matches_explicit_jacobian_products(hidden: str) -> None:
    trace = make_trace(make_net(hidden, "softmax" if hidden != "linear" else "linear"))
    F = flow_matrix(trace)
    assert F.shape == (T, T)
    np.testing.assert_allclose(F, brute_force_flow(trace), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("truncation", "mode"), [(None, "sliding"), (2, "sliding"), (3, "chunked")]
)
def test_flow_matrix_is_the_full_flow_whatever_the_truncation(
    truncation: int | None, mode: str
) -> None:
    net = make_net("tanh")
    full = flow_matrix(make_trace(net))
    np.testing.assert_array_equal(
        flow_matrix(make_trace(net, truncation=truncation, mode=mode)), full
    )


def test_nan_exactly_above_the_diagonal() -> None:
    F = flow_matrix(make_trace(make_net("tanh")))
    above = np.triu(np.ones((T, T), dtype=bool), k=1)
    assert np.isnan(F[above]).all()
    assert np.isfinite(F[~above]).all()
    assert (F[~above] > 0).all()


def test_diagonal_is_the_output_gradient_sent_back() -> None:
    trace = make_trace(make_net("logistic", "logistic"))
    expected = [np.linalg.norm(trace.net.V.T @ trace.delta_o[t]) for t in range(T)]
    np.testing.assert_allclose(np.diag(flow_matrix(trace)), expected, rtol=1e-13)


def test_masked_loss_term_has_a_zero_row() -> None:
    net = make_net("tanh")
    mask = np.ones(T)
    mask[3] = 0.0
    F = flow_matrix(make_trace(net, mask=mask))
    np.testing.assert_array_equal(F[3, :4], 0.0)


def test_small_recurrent_weights_make_the_gradient_vanish() -> None:
    """tanh with ||W||_2 = 0.3: each step back multiplies the norm by at most 0.3 (Bengio 1994)."""
    Q, _ = np.linalg.qr(np.random.default_rng(7).normal(size=(H, H)))
    trace = make_trace(make_net("tanh", W=0.3 * Q))
    F = flow_matrix(trace)
    for s in range(1, T + 1):
        row = F[s - 1, :s]  # t = 1..s
        ratios = row[:-1] / row[1:]  # ||dL(s)/dh(t)|| / ||dL(s)/dh(t+1)||
        assert (ratios <= 0.3 + 1e-12).all(), f"L({s})"
    assert F[T - 1, 0] < 0.3 ** (T - 1) * F[T - 1, T - 1]


def test_linear_units_with_w_2i_make_the_gradient_explode() -> None:
    """Linear hidden units, W = 2 I: dL(s)/dh(t) = 2^(s-t) V^T delta_o(s) exactly."""
    trace = make_trace(make_net("linear", "linear", W=2.0 * np.eye(H)))
    F = flow_matrix(trace)
    s, t = np.tril_indices(T)
    np.testing.assert_allclose(F[s, t], 2.0 ** (s - t) * np.diag(F)[s], rtol=1e-13)
    assert F[T - 1, 0] == pytest.approx(2.0 ** (T - 1) * F[T - 1, T - 1])


def test_batched_trace_is_refused() -> None:
    net = make_net("tanh")
    rng = np.random.default_rng(0)
    trace = bptt(net, rng.normal(size=(2, T, I)), np.eye(O)[rng.integers(0, O, (2, T))])
    with pytest.raises(ValueError, match="select"):
        flow_matrix(trace)
    one = trace.select(1)
    np.testing.assert_allclose(flow_matrix(one), brute_force_flow(one), rtol=1e-12)


# -- the truncation window ----------------------------------------------------------------------
def _expected_window(truncation: int | None, mode: str) -> Array:
    M = np.zeros((T, T), dtype=bool)
    for s in range(1, T + 1):
        for t in range(1, s + 1):
            if truncation is None:
                M[s - 1, t - 1] = True
            elif mode == "sliding":
                M[s - 1, t - 1] = s - t < truncation
            else:
                M[s - 1, t - 1] = (s - 1) // truncation == (t - 1) // truncation
    return M


@pytest.mark.parametrize(
    ("truncation", "mode"),
    [
        *[(None, "sliding"), (1, "sliding"), (3, "sliding"), (T, "sliding")],
        *[(1, "chunked"), (3, "chunked"), (T + 2, "chunked")],
    ],
    ids=lambda v: str(v),
)
def test_within_window(truncation: int | None, mode: str) -> None:
    M = within_window(make_trace(make_net("tanh"), truncation=truncation, mode=mode))
    assert M.dtype == bool
    np.testing.assert_array_equal(M, _expected_window(truncation, mode))


def test_within_window_full_is_the_lower_triangle() -> None:
    M = within_window(make_trace(make_net("tanh")))
    np.testing.assert_array_equal(M, np.tril(np.ones((T, T), dtype=bool)))


def test_sliding_window_keeps_k_diagonals() -> None:
    M = within_window(make_trace(make_net("tanh"), truncation=2, mode="sliding"))
    np.testing.assert_array_equal(
        M, np.tril(np.ones((T, T), dtype=bool)) & ~np.tri(T, k=-2, dtype=bool)
    )


# -- spectral radii -----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spectral_radius_against_eigvals(seed: int) -> None:
    W = np.random.default_rng(seed).normal(size=(H, H))
    assert spectral_radius(W) == pytest.approx(np.max(np.abs(np.linalg.eigvals(W))), rel=1e-14)


def test_spectral_radius_of_a_rotation_is_its_scale() -> None:
    c, s = np.cos(0.4), np.sin(0.4)
    assert spectral_radius(1.5 * np.array([[c, -s], [s, c]])) == pytest.approx(1.5, rel=1e-14)


def test_spectral_radius_needs_a_square_matrix() -> None:
    with pytest.raises(ValueError, match="square"):
        spectral_radius(np.ones((2, 3)))


def test_jacobian_radius_of_linear_units_is_that_of_w() -> None:
    trace = make_trace(make_net("linear", "linear"))
    rho = jacobians_spectral_radius(trace)
    assert rho.shape == (T,)
    np.testing.assert_allclose(rho, spectral_radius(trace.net.W), rtol=1e-12)


@pytest.mark.parametrize("hidden", ["tanh", "logistic", "relu"])
def test_jacobian_radius_per_step(hidden: str) -> None:
    trace = make_trace(make_net(hidden))
    fp = _fprime(hidden, trace.a)
    expected = [np.max(np.abs(np.linalg.eigvals(np.diag(fp[t]) @ trace.net.W))) for t in range(T)]
    np.testing.assert_allclose(jacobians_spectral_radius(trace), expected, rtol=1e-10)
    if hidden == "tanh":  # 0 < f' <= 1: rho(diag(f') W) <= ||diag(f') W||_2 <= ||W||_2
        assert (jacobians_spectral_radius(trace) <= np.linalg.norm(trace.net.W, 2) + 1e-12).all()


# -- in blocks, for a caller that shows progress ------------------------------------------------
@pytest.mark.parametrize("context", ["hidden", "output", "target"])
def test_flow_steps_end_with_the_one_shot_results(
    monkeypatch: pytest.MonkeyPatch, context: str
) -> None:
    import core.gradient_flow
    from core.gradient_flow import flow_steps, loop_matrix

    monkeypatch.setattr(core.gradient_flow, "_BAND_WORK", 1)  # one age, one radius per block
    net = make_net("tanh", "softmax", seed=3)
    if context != "hidden":
        net = SRN.init(I, H, O, context=context, seed=3)
    trace = make_trace(net)
    items = list(flow_steps(trace))
    done = [p.done for p in items]
    assert done[: T - 1] == list(range(1, T)) and done == sorted(set(done))
    assert all(p.total == 2 * T for p in items) and items[-1].complete
    assert all(p.flow is None for p in items[: T - 1])
    flow, radii = flow_matrix(trace), jacobians_spectral_radius(trace)
    for p in items[T - 1 :]:  # the radii arrive step by step, after the whole matrix
        assert p.flow is not None and not p.flow.flags.writeable
        np.testing.assert_array_equal(p.flow, flow)
        known = p.radii_done
        np.testing.assert_array_equal(p.radii[:known], radii[:known])
        assert np.isnan(p.radii[known:]).all()
    assert items[-1].radii_done == T
    assert items[-1].radius_loop == spectral_radius(loop_matrix(net))


def test_flow_steps_refuse_a_batch_on_first_use() -> None:
    from core.gradient_flow import flow_steps

    net = make_net("tanh")
    rng = np.random.default_rng(0)
    batch = bptt(net, rng.normal(size=(2, T, I)), np.eye(O)[rng.integers(0, O, (2, T))])
    steps = flow_steps(batch)
    with pytest.raises(ValueError, match="one sequence"):
        next(steps)
