"""core.spectral: rescaling W to a chosen spectral radius."""

import numpy as np
import pytest

from core.bptt import bptt
from core.gradient_flow import flow_matrix, loop_matrix, spectral_radius
from core.model import SRN
from core.spectral import (
    lag_summary,
    loop_eigenvalues,
    loop_singular_values,
    product_norms,
    product_starts,
    spectral_norms,
    spectral_steps,
    with_spectral_radius,
)


@pytest.mark.parametrize("context", ["hidden", "output"])
@pytest.mark.parametrize("radius", [0.5, 0.9, 1.1, 3.0])
def test_loop_matrix_gets_the_asked_radius(context, radius):
    net = SRN.init(3, 5, 2, seed=4, context=context)
    scaled = with_spectral_radius(net, radius)
    assert spectral_radius(loop_matrix(scaled)) == pytest.approx(radius, rel=1e-10)
    # only W changes, and by one factor
    ratio = np.asarray(scaled.W) / np.asarray(net.W)
    assert np.allclose(ratio, ratio.flat[0])
    for name in ("U", "V", "b", "c", "h0"):
        assert np.array_equal(getattr(scaled, name), getattr(net, name))


@pytest.mark.parametrize("radius", [-0.1, 10.5, float("nan"), float("inf")])
def test_radius_outside_bounds_is_refused(radius):
    with pytest.raises(ValueError, match="spectral radius"):
        with_spectral_radius(SRN.init(2, 3, 2, seed=1), radius)


def test_teacher_forcing_and_zero_w_are_refused():
    with pytest.raises(ValueError, match="teacher forcing"):
        with_spectral_radius(SRN.init(2, 3, 2, seed=1, context="target"), 1.0)
    net = SRN.init(2, 3, 2, seed=1)
    with pytest.raises(ValueError, match="spectral radius 0"):
        with_spectral_radius(net.with_params(W=np.zeros_like(net.W)), 1.0)


# -- the spectrum of the loop matrix, against independent definitions ---------------------------
def _rotation(r, theta):
    c, s = np.cos(theta), np.sin(theta)
    return r * np.array([[c, -s], [s, c]])


@pytest.mark.parametrize("r, theta", [(0.9, 0.3), (1.2, 2.0), (0.5, np.pi / 2)])
def test_eigenvalues_of_a_rotation_are_r_exp_plus_minus_i_theta(r, theta):
    net = SRN.init(1, 2, 1, seed=0)
    net = net.with_params(W=_rotation(r, theta))
    lam = loop_eigenvalues(net)
    expected = r * np.exp(np.array([1j, -1j]) * theta)  # larger imaginary part first
    assert np.allclose(lam, expected, atol=1e-12)
    assert np.allclose(loop_singular_values(net), [r, r])  # r times an orthogonal matrix


@pytest.mark.parametrize("context", ["hidden", "output"])
def test_eigenvalues_are_the_roots_of_the_characteristic_polynomial(context):
    net = SRN.init(2, 5, 2, seed=3, context=context)
    A = np.asarray(net.W) if context == "hidden" else np.asarray(net.W) @ np.asarray(net.V)
    lam = loop_eigenvalues(net)
    roots = np.roots(np.poly(A))
    # every eigenvalue is a root and vice versa (multisets, matched by nearest)
    assert lam.shape == (5,)
    for z in roots:
        assert np.min(np.abs(lam - z)) < 1e-6
    assert np.all(np.diff(np.abs(lam)) <= 1e-12)  # largest modulus first
    assert np.max(np.abs(lam)) == pytest.approx(spectral_radius(A))
    sigma = loop_singular_values(net)
    assert np.allclose(sigma, np.sqrt(np.maximum(np.sort(np.linalg.eigvalsh(A.T @ A))[::-1], 0)))
    assert not lam.flags.writeable and not sigma.flags.writeable


def test_teacher_forcing_has_a_zero_spectrum():
    net = SRN.init(2, 3, 2, seed=1, context="target")
    assert np.array_equal(loop_eigenvalues(net), np.zeros(3))
    assert np.array_equal(loop_singular_values(net), np.zeros(3))


# -- the measured norms of the Jacobian products --------------------------------------------------
def _trace(net, T, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(T, net.n_in))
    d = np.eye(net.n_out)[rng.integers(0, net.n_out, T)]
    return bptt(net, x, d)


def _jacobian(net, tr, t):
    """J(t) from the definitions, 1-based t, written out with explicit matrices."""
    a = np.asarray(tr.a[t - 1])
    fprime = {
        "tanh": 1.0 - np.tanh(a) ** 2,
        "logistic": (1 / (1 + np.exp(-a))) * (1 - 1 / (1 + np.exp(-a))),
        "linear": np.ones_like(a),
    }[net.hidden]
    J = np.diag(fprime) @ np.asarray(net.W)
    if net.context == "output":
        y = np.asarray(tr.y[t - 2])  # y(t-1), softmax: dy/do = diag(y) - y y^T
        J = J @ (np.diag(y) - np.outer(y, y)) @ np.asarray(net.V)
    return J


@pytest.mark.parametrize(
    "hidden, context",
    [("tanh", "hidden"), ("logistic", "hidden"), ("tanh", "output")],
    ids=["elman-tanh", "elman-logistic", "jordan-tanh"],
)
def test_product_norms_equal_explicit_matrix_products(hidden, context):
    net = SRN.init(3, 4, 3, seed=7, hidden=hidden, context=context)
    T = 9
    tr = _trace(net, T)
    N = product_norms(tr, cap=5)
    assert N.shape == (5, T)
    for s in range(1, 6):
        for t in range(1, T + 1):
            if t + s > T:
                assert np.isnan(N[s - 1, t - 1])
                continue
            P = np.eye(4)
            for k in range(t + 1, t + s + 1):  # J(t+1)^T J(t+2)^T ... J(t+s)^T
                P = P @ _jacobian(net, tr, k).T
            assert N[s - 1, t - 1] == pytest.approx(np.log10(np.linalg.norm(P, 2)), abs=1e-10)


@pytest.mark.parametrize("radius", [0.6, 1.0, 1.7])
def test_linear_hidden_layer_norm_is_the_norm_of_a_power_of_w(radius):
    net = with_spectral_radius(SRN.init(2, 6, 2, seed=5, hidden="linear"), radius)
    T = 30
    N = product_norms(_trace(net, T), cap=25)
    Wt = np.asarray(net.W).T
    for s in range(1, 26):
        expected = np.log10(np.linalg.norm(np.linalg.matrix_power(Wt, s), 2))
        row = N[s - 1, : T - s]
        assert np.allclose(row, expected, atol=1e-9)
    # Gelfand: ||W^s||^(1/s) approaches rho(W)
    assert 10 ** (N[24, 0] / 25) == pytest.approx(radius, rel=0.15)


def test_long_products_neither_overflow_nor_underflow():
    for radius in (0.05, 9.0):
        net = with_spectral_radius(SRN.init(1, 3, 1, seed=2, hidden="linear"), radius)
        # zero inputs keep the linear states at 0, while every J(t) is W
        tr = bptt(net, np.zeros((400, 1)), np.ones((400, 1)))
        N = product_norms(tr, cap=399)  # 9^399 and 0.05^399 leave float64
        assert np.isfinite(N[398, 0])
        assert N[398, 0] == pytest.approx(399 * np.log10(radius), abs=3.0)


def test_flow_matrix_entries_are_bounded_by_the_product_norm():
    """||dL(s)/dh(t)|| <= ||J(t+1)^T ... J(s)^T|| ||dL(s)/dh(s)|| (core.gradient_flow)."""
    net = SRN.init(3, 5, 3, seed=11)
    T = 12
    tr = _trace(net, T)
    F = flow_matrix(tr)
    N = product_norms(tr, cap=T)
    for s in range(2, T + 1):
        for t in range(1, s):
            bound = 10 ** N[s - t - 1, t - 1] * F[s - 1, s - 1]
            assert F[s - 1, t - 1] <= bound * (1 + 1e-10)


def test_teacher_forcing_products_are_exactly_zero():
    net = SRN.init(2, 3, 2, seed=1, context="target")
    N = product_norms(_trace(net, 6))
    assert N.shape == (5, 6)
    assert np.all(np.isneginf(N[~np.isnan(N)]))
    summary = lag_summary(N)
    assert np.isnan(summary).all()


def test_steps_report_progress_and_end_with_the_one_shot_result(monkeypatch):
    import core.spectral as spectral

    monkeypatch.setattr(spectral, "_BLOCK_WORK", 1000)  # many small blocks
    net = SRN.init(2, 4, 2, seed=3)
    tr = _trace(net, 40)
    items = list(spectral_steps(tr, cap=10))
    assert len(items) > 3
    done = [p.done for p in items]
    assert done == sorted(done) and items[-1].complete and not items[0].complete
    assert np.array_equal(items[-1].log_norms, product_norms(tr, cap=10), equal_nan=True)
    assert not items[0].log_norms.flags.writeable
    assert items[-1].radius == pytest.approx(spectral_radius(np.asarray(net.W)))


def test_lag_summary_is_min_median_max_mean_of_each_row():
    N = np.array([[0.0, 1.0, 2.0, np.nan], [-1.0, 3.0, np.nan, np.nan], [np.nan] * 4])
    out = lag_summary(N)
    assert np.allclose(out[0], [0.0, 1.0, 2.0, 1.0])
    assert np.allclose(out[1], [-1.0, 1.0, 3.0, 1.0])
    assert np.isnan(out[2]).all()


@pytest.mark.parametrize("cap", [0, -3, 1001])
def test_lag_cap_outside_bounds_is_refused(cap):
    with pytest.raises(ValueError, match="number of lags"):
        product_norms(_trace(SRN.init(2, 3, 2, seed=1), 5), cap=cap)


def test_a_one_step_trace_has_no_lags():
    N = product_norms(_trace(SRN.init(2, 3, 2, seed=1), 1))
    assert N.shape == (0, 1)


def test_a_long_sequence_is_sampled_at_evenly_spread_starts():
    net = SRN.init(2, 3, 2, seed=4)
    tr = _trace(net, 300)
    starts = product_starts(tr, most=20)
    assert starts.size == 20 and starts[0] == 1 and starts[-1] == 299
    assert np.all(np.diff(starts) > 0)
    assert np.ptp(np.diff(starts)) <= 1  # evenly spread
    sampled = product_norms(tr, cap=5, most=20)
    every = product_norms(tr, cap=5, most=299)  # every start
    np.testing.assert_array_equal(sampled[:, starts - 1], every[:, starts - 1])
    others = np.setdiff1d(np.arange(1, 301), starts) - 1
    assert np.isnan(sampled[:, others]).all()
    np.testing.assert_array_equal(product_starts(_trace(net, 10), most=20), np.arange(1, 10))


@pytest.mark.parametrize("most", [0, 10_001])
def test_number_of_starts_outside_bounds_is_refused(most):
    with pytest.raises(ValueError, match="number of starts"):
        product_starts(_trace(SRN.init(2, 3, 2, seed=1), 5), most=most)


@pytest.mark.parametrize("scale", [1e-200, 1.0, 1e200], ids=["tiny", "unit", "huge"])
def test_spectral_norms_are_the_largest_singular_values(scale):
    rng = np.random.default_rng(8)
    P = rng.normal(size=(6, 7, 7)) * scale
    P[2] = 0.0
    P[3] = np.diag([3.0, 2.0, 1.0, 0, 0, 0, 0]) * scale  # rank-deficient, known norm
    expected = np.array([np.linalg.svd(m / scale, compute_uv=False)[0] for m in P]) * scale
    np.testing.assert_allclose(spectral_norms(P), expected, rtol=1e-12)
    assert spectral_norms(P)[3] == pytest.approx(3.0 * scale, rel=1e-14)


def test_elman_products_stay_under_the_singular_value_bound():
    """||J(t+1)^T ... J(t+s)^T|| <= (max f' sigma_1)^s, and max tanh' = 1 (Pascanu et al. 2013)."""
    net = with_spectral_radius(SRN.init(3, 6, 3, seed=12), 1.4)
    N = product_norms(_trace(net, 30), cap=20)
    sigma_1 = loop_singular_values(net)[0]
    lags = np.arange(1, 21)[:, None]
    known = ~np.isnan(N)
    assert np.all(N[known] <= np.broadcast_to(lags * np.log10(sigma_1), N.shape)[known] + 1e-12)


def test_a_tapped_delay_line_has_no_loop():
    from core.tdl import TDL

    net = TDL.init(2, 3, 2, window=2, seed=1)
    assert np.array_equal(loop_eigenvalues(net), np.zeros(3))
    N = product_norms(_trace(net, 6))
    assert np.all(np.isneginf(N[~np.isnan(N)]))
    with pytest.raises(ValueError, match="tapped delay line"):
        with_spectral_radius(net, 1.0)
