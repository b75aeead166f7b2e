"""Published worked examples of BPTT, recomputed by hand in each text's own notation.

Every expected number here comes from scalar code or explicit index loops written from each text's
equations (corrected where a text is wrong, as noted), never from the engine's internals; the
engine must agree with all of them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from core.bptt import bptt
from core.model import SRN

Array = NDArray[np.float64]


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# -- the one-unit worked example: one logistic hidden unit, a linear output ------------------------
# p_t = u sigma(z_t), z_t = w y_{t-1} + v x_t, y_0 = s; next-value targets t_t = x_{t+1}.
X_ONE_UNIT = (0.5, -1.0, 2.0, 0.3)  # x1..x4; inputs x1..x3, targets x2..x4
S, V, W, U = 0.1, 0.8, -0.6, 1.5


def net_one_unit() -> SRN:
    """The one-unit example's v, w, u, s are the engine's U, W, V, h0 (one unit each, no biases)."""
    return SRN(
        U=[[V]], W=[[W]], V=[[U]], b=[0.0], c=[0.0], h0=[S], hidden="logistic", output="linear"
    )


def data_one_unit() -> tuple[Array, Array]:
    return np.array(X_ONE_UNIT[:3])[:, None], np.array(X_ONE_UNIT[1:])[:, None]


def forward_one_unit(s: float, v: float, w: float, u: float) -> tuple[list[float], list[float]]:
    """Hidden outputs y_0..y_3 and predictions p_1..p_3, scalar arithmetic."""
    y, p = [s], []
    for x in X_ONE_UNIT[:3]:
        y.append(sigma(w * y[-1] + v * x))
        p.append(u * y[-1])
    return y, p


def test_one_unit_forward_is_the_nested_closed_form() -> None:
    trace = bptt(net_one_unit(), *data_one_unit())
    p1 = U * sigma(W * S + V * X_ONE_UNIT[0])
    p2 = U * sigma(W * sigma(W * S + V * X_ONE_UNIT[0]) + V * X_ONE_UNIT[1])
    p3 = U * sigma(
        W * sigma(W * sigma(W * S + V * X_ONE_UNIT[0]) + V * X_ONE_UNIT[1]) + V * X_ONE_UNIT[2]
    )
    np.testing.assert_allclose(trace.y[:, 0], [p1, p2, p3], rtol=1e-14)
    assert trace.a[0, 0] == pytest.approx(W * S + V * X_ONE_UNIT[0], rel=1e-15)  # z_1 = 0.34
    # the engine's loss is 1/2 sum (p - t)^2; the one-unit example's E = sum (t - p)^2 is twice that
    text_E = sum((t - p) ** 2 for t, p in zip(X_ONE_UNIT[1:], (p1, p2, p3), strict=True))
    assert 2 * trace.loss == pytest.approx(text_E, rel=1e-14)


def test_one_unit_delta_recursion_with_the_error_factor() -> None:
    """delta_t = sigma'(z_t) (u (p_t - t_t) + w delta_{t+1}), delta_4 = 0.

    the one-unit example prints sigma'(z_t)(u + delta_{t+1} w): it drops the error factor
    (p_t - t_t) (and the 2 of its E without 1/2). The engine's loss has the 1/2, so its delta
    has neither.
    """
    y, p = forward_one_unit(S, V, W, U)
    targets = X_ONE_UNIT[1:]
    delta = [0.0] * 5
    for t in (3, 2, 1):
        sig_prime = y[t] * (1.0 - y[t])  # sigma'(z_t) = sigma(z_t)(1 - sigma(z_t))
        delta[t] = sig_prime * (U * (p[t - 1] - targets[t - 1]) + W * delta[t + 1])
    trace = bptt(net_one_unit(), *data_one_unit())
    np.testing.assert_allclose(trace.delta_h[:, 0], delta[1:4], rtol=1e-13)
    np.testing.assert_allclose(trace.delta_o[:, 0], np.subtract(p, targets), rtol=1e-13)
    printed = [y[t] * (1 - y[t]) * (U + W * delta[t + 1]) for t in (1, 2, 3)]
    assert not np.allclose(printed, delta[1:4])  # the formula as printed is not dE/dz


def test_one_unit_gradients_by_forward_mode_sensitivities() -> None:
    """dE/du = sum (p_t - t_t) y_t, dE/dv = sum delta_t x_t, dE/dw = sum delta_t y_{t-1}.

    Computed here without any backward recursion: each dy_t/dtheta is carried forward,
    dz_t/dtheta = [theta=w] y_{t-1} + w dy_{t-1}/dtheta + [theta=v] x_t.
    """
    y, p = forward_one_unit(S, V, W, U)
    targets = X_ONE_UNIT[1:]
    grads = {}
    for theta in ("s", "v", "w", "u"):
        dy = 1.0 if theta == "s" else 0.0  # dy_0/dtheta
        total = 0.0
        for t in (1, 2, 3):
            dz = (theta == "w") * y[t - 1] + W * dy + (theta == "v") * X_ONE_UNIT[t - 1]
            dy = y[t] * (1.0 - y[t]) * dz
            dp = (theta == "u") * y[t] + U * dy
            total += (p[t - 1] - targets[t - 1]) * dp  # d/dtheta of 1/2 (p_t - t_t)^2
        grads[theta] = total
    trace = bptt(net_one_unit(), *data_one_unit())
    assert trace.grads["U"][0, 0] == pytest.approx(grads["v"], rel=1e-12)
    assert trace.grads["W"][0, 0] == pytest.approx(grads["w"], rel=1e-12)
    assert trace.grads["V"][0, 0] == pytest.approx(grads["u"], rel=1e-12)
    assert trace.grads["h0"][0] == pytest.approx(grads["s"], rel=1e-12)
    # the closed sums of the answer, with the error factor restored
    assert grads["u"] == pytest.approx(
        sum((p[t - 1] - targets[t - 1]) * y[t] for t in (1, 2, 3)), rel=1e-12
    )
    d = trace.delta_h[:, 0]
    assert grads["v"] == pytest.approx(
        sum(d[t - 1] * X_ONE_UNIT[t - 1] for t in (1, 2, 3)), rel=1e-12
    )
    assert grads["w"] == pytest.approx(sum(d[t - 1] * y[t - 1] for t in (1, 2, 3)), rel=1e-12)
    assert grads["s"] == pytest.approx(W * d[0], rel=1e-12)


def test_one_unit_its_E_has_twice_the_engines_gradient() -> None:
    """Central differences of the one-unit E = sum (t - p)^2 give 2 x the engine's gradient."""

    def text_E(s: float, v: float, w: float, u: float) -> float:
        _, p = forward_one_unit(s, v, w, u)
        return sum((t - q) ** 2 for t, q in zip(X_ONE_UNIT[1:], p, strict=True))

    eps = 1e-6
    point = {"s": S, "v": V, "w": W, "u": U}
    trace = bptt(net_one_unit(), *data_one_unit())
    engine = {
        "s": trace.grads["h0"][0],
        "v": trace.grads["U"][0, 0],
        "w": trace.grads["W"][0, 0],
        "u": trace.grads["V"][0, 0],
    }
    for name in point:
        hi = text_E(**{**point, name: point[name] + eps})
        lo = text_E(**{**point, name: point[name] - eps})
        assert (hi - lo) / (2 * eps) == pytest.approx(2 * engine[name], rel=1e-7), name


# -- Goodfellow et al. (2016) ch. 10: x in R^4, 5 tanh hidden units, 3 softmax outputs -------------
def problem_deep_learning() -> tuple[SRN, Array, Array, list[int]]:
    rng = np.random.default_rng(4)
    net = SRN(
        U=rng.normal(0, 0.5, (5, 4)),
        W=rng.normal(0, 0.5, (5, 5)),
        V=rng.normal(0, 0.5, (3, 5)),
        b=rng.normal(0, 0.2, 5),
        c=rng.normal(0, 0.2, 3),
        h0=rng.normal(0, 0.3, 5),
        hidden="tanh",
        output="softmax",
    )
    tau = 4
    xs = rng.normal(0, 1, (tau, 4))
    classes = [
        0,
        2,
        1,
        0,
    ]  # the activated class at each step (the book's example: class 1)
    return net, xs, np.eye(3)[classes], classes


def forward_deep_learning(net: SRN, xs: Array) -> tuple[list[list[float]], list[list[float]]]:
    """h(0..tau) and y_hat(1..tau) by eq. 6, 8, 9, one index at a time."""
    U, W, V, b, c = (getattr(net, n).tolist() for n in "UWVbc")
    h = [net.h0.tolist()]
    y = []
    for x in xs.tolist():
        a = [
            b[i] + sum(W[i][j] * h[-1][j] for j in range(5)) + sum(U[i][j] * x[j] for j in range(4))
            for i in range(5)
        ]
        h.append([math.tanh(ai) for ai in a])
        o = [c[k] + sum(V[k][i] * h[-1][i] for i in range(5)) for k in range(3)]
        z = sum(math.exp(ok) for ok in o)
        y.append([math.exp(ok) / z for ok in o])
    return h, y


def test_deep_learning_backward_equations_term_by_term() -> None:
    net, xs, ds, classes = problem_deep_learning()
    W, V = net.W.tolist(), net.V.tolist()
    h, y = forward_deep_learning(net, xs)
    tau = len(xs)
    # eq. 13/17: L(t) = -ln y_hat_class(t)
    trace = bptt(net, xs, ds)
    np.testing.assert_allclose(trace.loss_t, [-math.log(y[t][classes[t]]) for t in range(tau)])
    # eq. 22: (grad_o L)_i = y_hat_i - 1_{i, class}
    grad_o = [[y[t][i] - (i == classes[t]) for i in range(3)] for t in range(tau)]
    np.testing.assert_allclose(trace.delta_o, grad_o, rtol=1e-12, atol=1e-15)
    # eq. 33 at t = tau, then eq. 45 down to t = 1:
    # grad_h(t) = W^T diag(1 - h(t+1)^2) grad_h(t+1) + V^T grad_o(t)
    grad_h: list[list[float]] = [[] for _ in range(tau + 1)]
    grad_h[tau] = [sum(V[k][i] * grad_o[tau - 1][k] for k in range(3)) for i in range(5)]
    for t in range(tau - 1, 0, -1):
        grad_h[t] = [
            sum(W[m][i] * (1 - h[t + 1][m] ** 2) * grad_h[t + 1][m] for m in range(5))
            + sum(V[k][i] * grad_o[t - 1][k] for k in range(3))
            for i in range(5)
        ]
    # the engine's delta_h(t) = dL/da(t) = diag(1 - h(t)^2) grad_h(t), eq. 60-62
    delta = [[(1 - h[t][i] ** 2) * grad_h[t][i] for i in range(5)] for t in range(1, tau + 1)]
    np.testing.assert_allclose(trace.delta_h, delta, rtol=1e-12, atol=1e-15)
    # eq. 84-88, each an explicit sum over t and indices
    x = xs.tolist()
    expected = {
        "c": [sum(grad_o[t][k] for t in range(tau)) for k in range(3)],
        "b": [sum(delta[t][i] for t in range(tau)) for i in range(5)],
        "V": [
            [sum(grad_o[t][k] * h[t + 1][i] for t in range(tau)) for i in range(5)]
            for k in range(3)
        ],
        "W": [[sum(delta[t][i] * h[t][j] for t in range(tau)) for j in range(5)] for i in range(5)],
        "U": [[sum(delta[t][i] * x[t][j] for t in range(tau)) for j in range(4)] for i in range(5)],
    }
    for name, value in expected.items():
        np.testing.assert_allclose(trace.grads[name], value, rtol=1e-12, atol=1e-15, err_msg=name)


def test_deep_learning_gradient_of_the_last_loss_one_step_back() -> None:
    """dL(tau)/dh_m(tau-1) = sum_i sum_j (1 - h_i(tau)^2) w_im v_ji (y_hat_j - 1_{j, class}).

    (Eq. 10 in element form; a matrix form that writes diag(1 - h^2) before W^T,
    which is the wrong order - the element form, i.e. W^T diag(1 - h(tau)^2) V^T, is right.)
    """
    net, xs, ds, classes = problem_deep_learning()
    W, V = net.W.tolist(), net.V.tolist()
    h, y = forward_deep_learning(net, xs)
    tau = len(xs)
    err = [y[tau - 1][j] - (j == classes[tau - 1]) for j in range(3)]
    eq43 = [
        sum((1 - h[tau][i] ** 2) * W[i][m] * V[j][i] * err[j] for i in range(5) for j in range(3))
        for m in range(5)
    ]
    mask = np.zeros(tau)
    mask[-1] = 1.0  # only L(tau)
    trace = bptt(net, xs, ds, mask=mask)
    fprime = [1 - h[tau - 1][m] ** 2 for m in range(5)]
    np.testing.assert_allclose(trace.delta_h[tau - 2], np.multiply(fprime, eq43), rtol=1e-12)


# -- the RNN tutorial, part 2: dE3/dWy, dE3/dWs, dE3/dWx for a three-step unfolding ----------------
# Row-vector notation of the blog: s_t = tanh(x_t Wx + s_{t-1} Ws), y_t = s_t Wy; E_3 = 1/2 |d_3 -
# y_3|^2 (the engine's linear-output loss). The engine's column convention gives U = Wx^T,
# W = Ws^T, V = Wy^T.
def problem_tutorial() -> tuple[dict[str, Array], Array, Array]:
    rng = np.random.default_rng(2)
    weights = {
        "Wx": rng.normal(0, 0.7, (2, 3)),
        "Ws": rng.normal(0, 0.7, (3, 3)),
        "Wy": rng.normal(0, 0.7, (3, 2)),
        "s0": rng.normal(0, 0.5, 3),
    }
    return weights, rng.normal(0, 1, (3, 2)), rng.normal(0, 1, (3, 2))


def test_tutorial_three_step_chain_rule_sums() -> None:
    wts, xs, ds = problem_tutorial()
    Wx, Ws, Wy = wts["Wx"], wts["Ws"], wts["Wy"]
    s = [wts["s0"]]
    for x in xs:
        s.append(np.tanh(x @ Wx + s[-1] @ Ws))
    y3 = s[3] @ Wy
    dE3_dy3 = y3 - ds[2]  # row, (2,)
    dy3_ds3 = Wy.T  # Jacobian (2, 3): y3_k = sum_q s3_q Wy[q, k]

    def ds_ds_prev(j: int) -> Array:
        """ds_j/ds_{j-1} = diag(1 - s_j^2) Ws^T, (3, 3)."""
        return np.diag(1 - s[j] ** 2) @ Ws.T

    def ds_dM(i: int, inp: Array) -> Array:
        """Immediate ds_i/dM for M = Ws (inp = s_{i-1}) or Wx (inp = x_i): (3, rows, 3) tensor."""
        out = np.zeros((3, len(inp), 3))
        for p in range(3):
            out[p, :, p] = (1 - s[i][p] ** 2) * inp
        return out

    def chain(*jacobians: Array) -> Array:
        out = np.eye(3)
        for J in jacobians:
            out = out @ J
        return out

    # dE3/dWy = dE3/dy3 dy3/dWy: one step, no BPTT needed
    dE3_dWy = np.outer(s[3], dE3_dy3)
    # dE3/dWs = sum_{i=1}^{3} dE3/dy3 dy3/ds3 ds3/ds_i ds_i/dWs, with ds3/ds3 = 1,
    # ds3/ds2 = ds3/ds2, ds3/ds1 = ds3/ds2 ds2/ds1
    g = dE3_dy3 @ dy3_ds3
    ds3_dsi = {3: chain(), 2: chain(ds_ds_prev(3)), 1: chain(ds_ds_prev(3), ds_ds_prev(2))}
    terms_Ws = [np.einsum("p,pqr->qr", g @ ds3_dsi[i], ds_dM(i, s[i - 1])) for i in (1, 2, 3)]
    terms_Wx = [np.einsum("p,pqr->qr", g @ ds3_dsi[i], ds_dM(i, xs[i - 1])) for i in (1, 2, 3)]

    net = SRN(
        U=Wx.T,
        W=Ws.T,
        V=Wy.T,
        b=np.zeros(3),
        c=np.zeros(2),
        h0=wts["s0"],
        hidden="tanh",
        output="linear",
    )
    trace = bptt(net, xs, ds, mask=[0.0, 0.0, 1.0])
    np.testing.assert_allclose(trace.grads["V"].T, dE3_dWy, rtol=1e-12)
    np.testing.assert_allclose(trace.grads["W"].T, sum(terms_Ws), rtol=1e-12)
    np.testing.assert_allclose(trace.grads["U"].T, sum(terms_Wx), rtol=1e-12)
    # each term of the blog's sum is what the backward sweep adds at that unfolded step
    for i in (1, 2, 3):
        np.testing.assert_allclose(trace.contribution(i)["W"].T, terms_Ws[i - 1], rtol=1e-12)
        np.testing.assert_allclose(trace.contribution(i)["U"].T, terms_Wx[i - 1], rtol=1e-12)
        assert np.any(terms_Ws[i - 1] != 0.0)
    for i in (1, 2):
        np.testing.assert_array_equal(trace.contribution(i)["V"], 0.0)


# -- Bodén (2001): his deltas are minus the engine's -----------------------------------------------
@pytest.mark.parametrize("output", ["linear", "logistic"])
def test_boden_deltas_and_weight_changes(output: str) -> None:
    """delta = -dC/dnet (eq. 12, 13, 27) with f'(y) = y (1 - y) written through y (eq. 18).

    Bodén's V (input), U (recurrent), W (output) are the engine's U, W, V. For both matched
    pairs (linear/SSE, eq. 20-21; logistic/cross-entropy, eq. 22-23) the output delta is d - y.
    """
    rng = np.random.default_rng(1)
    n_in, m, n_out, T = 2, 3, 2, 4
    v = rng.normal(0, 0.8, (m, n_in)).tolist()  # input weights v_ji
    u = rng.normal(0, 0.8, (m, m)).tolist()  # recurrent weights u_jh
    w = rng.normal(0, 0.8, (n_out, m)).tolist()  # output weights w_kj
    xs = rng.normal(0, 1, (T, n_in)).tolist()
    ds = rng.uniform(0, 1, (T, n_out)).tolist()
    # forward, eq. 6-9 (biases theta = 0, context starts at Elman's 0.5)
    y_hid = [[0.5] * m]
    y_out = []
    for x in xs:
        net_j = [
            sum(x[i] * v[j][i] for i in range(n_in)) + sum(y_hid[-1][h] * u[j][h] for h in range(m))
            for j in range(m)
        ]
        y_hid.append([sigma(n) for n in net_j])
        net_k = [sum(y_hid[-1][j] * w[k][j] for j in range(m)) for k in range(n_out)]
        y_out.append(net_k if output == "linear" else [sigma(n) for n in net_k])
    # backward: output error d - y; hidden error from the outputs (eq. 13) and from the state
    # one step later (eq. 27), both multiplied by f'(y) = y (1 - y)
    dk = [[ds[t][k] - y_out[t][k] for k in range(n_out)] for t in range(T)]
    dj = [[0.0] * m for _ in range(T + 2)]
    for t in range(T, 0, -1):
        for j in range(m):
            back = sum(dk[t - 1][k] * w[k][j] for k in range(n_out))
            back += sum(dj[t + 1][h] * u[h][j] for h in range(m))
            dj[t][j] = back * y_hid[t][j] * (1 - y_hid[t][j])
    net = SRN(
        U=v,
        W=u,
        V=w,
        b=np.zeros(m),
        c=np.zeros(n_out),
        h0=np.full(m, 0.5),
        hidden="logistic",
        output=output,
    )
    trace = bptt(net, xs, ds)
    np.testing.assert_allclose(trace.delta_o, -np.array(dk), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(trace.delta_h, -np.array(dj[1 : T + 1]), rtol=1e-12, atol=1e-15)
    # eq. 14-16: weight changes eta sum delta * input are minus eta times the gradient
    eta = 0.1
    dw = [
        [eta * sum(dk[t][k] * y_hid[t + 1][j] for t in range(T)) for j in range(m)]
        for k in range(n_out)
    ]
    dv = [
        [eta * sum(dj[t + 1][j] * xs[t][i] for t in range(T)) for i in range(n_in)]
        for j in range(m)
    ]
    du = [
        [eta * sum(dj[t + 1][j] * y_hid[t][h] for t in range(T)) for h in range(m)]
        for j in range(m)
    ]
    np.testing.assert_allclose(-eta * trace.grads["V"], dw, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(-eta * trace.grads["U"], dv, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(-eta * trace.grads["W"], du, rtol=1e-12, atol=1e-15)


def test_boden_recursion_through_the_state() -> None:
    """With an error only at the last step, delta_j(t-1) = sum_h delta_h(t) u_hj f'(y_j(t-1))."""
    rng = np.random.default_rng(27)
    m, T = 3, 5
    net = SRN(
        U=rng.normal(0, 1, (m, 2)),
        W=rng.normal(0, 1, (m, m)),
        V=rng.normal(0, 1, (2, m)),
        b=np.zeros(m),
        c=np.zeros(2),
        h0=np.full(m, 0.5),
        hidden="logistic",
        output="logistic",
    )
    mask = np.zeros(T)
    mask[-1] = 1.0
    trace = bptt(net, rng.normal(0, 1, (T, 2)), rng.uniform(0, 1, (T, 2)), mask=mask)
    boden = -trace.delta_h  # Bodén's sign
    u = net.W
    for t in range(T, 1, -1):
        y_prev = trace.h[t - 1]  # y_j(t-1), the hidden output one step back
        for j in range(m):
            expected = sum(boden[t - 1, h] * u[h, j] for h in range(m))
            expected *= y_prev[j] * (1 - y_prev[j])  # f'(y) through y, eq. 18
            assert boden[t - 2, j] == pytest.approx(expected, rel=1e-12, abs=1e-15)
