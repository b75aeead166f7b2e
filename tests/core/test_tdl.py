"""The tapped delay line (core.tdl): its forward pass and backpropagation against independent
definitions, central finite differences, and what the shared Trace facts say about it."""

from __future__ import annotations

import numpy as np
import pytest

import core.tdl
from core import Cursor, Selection, explain
from core.bptt import bptt
from core.derivation import number
from core.functions import HIDDEN_ACTIVATIONS, OUTPUT_FUNCTIONS
from core.limits import MAX_WINDOW
from core.model import SRN
from core.notation import DEFAULT_NOTATION, NOTATIONS
from core.tdl import TDL, delay_buffer

PAIRS = [(f, g) for f in HIDDEN_ACTIVATIONS for g in OUTPUT_FUNCTIONS]


def _data(output: str, T: int = 6, I: int = 2, O: int = 3, B: int | None = None, seed: int = 0):
    """Random inputs and targets of the kind each output function is trained on."""
    rng = np.random.default_rng(seed)
    lead = (T,) if B is None else (B, T)
    x = rng.normal(size=(*lead, I))
    if output == "softmax":
        d = np.eye(O)[rng.integers(0, O, size=lead)]
    elif output == "logistic":
        d = (rng.random((*lead, O)) > 0.5).astype(float)
    else:
        d = rng.normal(size=(*lead, O))
    return x, d


def _reference(net: TDL, x: np.ndarray, d: np.ndarray) -> dict[str, object]:
    """The network written out one step and one tap at a time, from the definitions alone:
    a(t) = b + sum_k U_k x(t-k) with x(s) = 0 for s < 1, plain backpropagation at each step."""
    T, I = x.shape
    f = {
        "tanh": np.tanh,
        "logistic": lambda a: 1 / (1 + np.exp(-a)),
        "relu": lambda a: np.maximum(a, 0),
        "linear": lambda a: a,
    }[net.hidden]
    grads = {n: np.zeros_like(getattr(net, n)) for n in ("U", "V", "b", "c")}
    loss, hs, ys = 0.0, [], []
    for t in range(T):
        a = net.b.copy()
        for k in range(net.window + 1):
            if t - k >= 0:
                a += net.tap(k) @ x[t - k]
        h = f(a)
        o = net.c + net.V @ h
        if net.output == "softmax":
            y = np.exp(o - o.max()) / np.exp(o - o.max()).sum()
            loss += -np.sum(d[t] * np.log(y))
        elif net.output == "logistic":
            y = 1 / (1 + np.exp(-o))
            loss += -np.sum(d[t] * np.log(y) + (1 - d[t]) * np.log(1 - y))
        else:
            y = o
            loss += 0.5 * np.sum((y - d[t]) ** 2)
        e = y - d[t]  # dL(t)/do(t) for every matched pair
        slope = {
            "tanh": 1 - h**2,
            "logistic": h * (1 - h),
            "relu": (a > 0).astype(float),
            "linear": np.ones_like(a),
        }[net.hidden]
        dh = slope * (net.V.T @ e)
        grads["c"] += e
        grads["V"] += np.outer(e, h)
        grads["b"] += dh
        for k in range(net.window + 1):
            if t - k >= 0:
                grads["U"][:, k * I : (k + 1) * I] += np.outer(dh, x[t - k])
        hs.append(h)
        ys.append(y)
    return {"loss": loss, "h": np.array(hs), "y": np.array(ys), "grads": grads}


# -- the network ----------------------------------------------------------------------------------
def test_init_shapes_and_taps() -> None:
    net = TDL.init(3, 4, 2, window=2, seed=1)
    assert net.U.shape == (4, 9) and net.n_in == 3 and net.n_taps == 9
    assert net.W.shape == (4, 0) and net.h0.shape == (0,) and net.context == "none"
    assert np.array_equal(net.tap(1), net.U[:, 3:6])
    assert net.trainable() == ("U", "V", "b", "c")
    assert net.n_params == 4 * 9 + 2 * 4 + 4 + 2
    assert not net.U.flags.writeable and not net.tap(0).flags.writeable


@pytest.mark.parametrize(
    "window",
    [-1, MAX_WINDOW + 1, 2.5, True, "3"],
    ids=["negative", "too-big", "float", "bool", "str"],
)
def test_window_out_of_bounds_is_refused(window: object) -> None:
    with pytest.raises(ValueError, match=f"window must be an integer from 0 to {MAX_WINDOW}"):
        TDL.init(2, 3, 2, window=window)  # type: ignore[arg-type]


def test_bad_shapes_name_the_array() -> None:
    net = TDL.init(2, 3, 2, window=2)
    with pytest.raises(ValueError, match="not a multiple of window"):
        TDL(U=np.zeros((3, 5)), V=net.V, b=net.b, c=net.c, window=2)
    with pytest.raises(ValueError, match="V has shape"):
        TDL(U=net.U, V=np.zeros((2, 4)), b=net.b, c=net.c, window=2)
    with pytest.raises(ValueError, match="no W"):
        net.with_params(W=np.ones((3, 3)))
    bad = np.array(net.U)
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"U holds a non-finite value at index \(1, 2\)"):
        net.with_params(U=bad)


def test_delay_buffer_shifts_and_starts_with_zeros() -> None:
    x = np.arange(1.0, 9.0).reshape(4, 2)  # x(1) = [1, 2], ..., x(4) = [7, 8]
    X = delay_buffer(x, 2)
    assert X.shape == (4, 6)
    assert np.array_equal(X[0], [1, 2, 0, 0, 0, 0])  # x(1), then the empty buffer
    assert np.array_equal(X[1], [3, 4, 1, 2, 0, 0])
    assert np.array_equal(X[3], [7, 8, 5, 6, 3, 4])  # x(4), x(3), x(2)
    # a window longer than the sequence holds zeros in its far taps at every step
    assert np.array_equal(delay_buffer(x[:1], 3), [[1, 2, 0, 0, 0, 0, 0, 0]])


# -- against the step-by-step reference and finite differences ------------------------------------
@pytest.mark.parametrize(("hidden", "output"), PAIRS, ids=[f"{f}-{g}" for f, g in PAIRS])
def test_trace_matches_the_per_step_reference(hidden: str, output: str) -> None:
    net = TDL.init(2, 4, 3, window=2, hidden=hidden, output=output, seed=3)
    x, d = _data(output, seed=4)
    tr = bptt(net, x, d)
    ref = _reference(net, x, d)
    assert tr.loss == pytest.approx(ref["loss"], rel=1e-12)
    np.testing.assert_allclose(tr.h[1:], ref["h"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(tr.y, ref["y"], rtol=1e-12, atol=1e-14)
    for name, g in ref["grads"].items():  # type: ignore[attr-defined]
        np.testing.assert_allclose(tr.grads[name], g, rtol=1e-10, atol=1e-13, err_msg=name)


@pytest.mark.parametrize(("hidden", "output"), PAIRS, ids=[f"{f}-{g}" for f, g in PAIRS])
def test_gradients_match_central_differences(hidden: str, output: str) -> None:
    net = TDL.init(2, 3, 2, window=3, hidden=hidden, output=output, seed=5)
    x, d = _data(output, T=5, O=2, B=2, seed=6)
    mask = np.array([[1.0, 1.0, 0.5, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0, 1.0]])
    tr = bptt(net, x, d, mask=mask)
    eps = 1e-6
    for name in net.trainable():
        p = getattr(net, name)
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            plus, minus = np.array(p), np.array(p)
            plus[idx] += eps
            minus[idx] -= eps
            lp = bptt(net.with_params(**{name: plus}), x, d, mask=mask).loss
            lm = bptt(net.with_params(**{name: minus}), x, d, mask=mask).loss
            numeric[idx] = (lp - lm) / (2 * eps)
        np.testing.assert_allclose(tr.grads[name], numeric, rtol=1e-5, atol=1e-7, err_msg=name)


def test_window_zero_is_an_elman_network_without_recurrence() -> None:
    """omega = 0 reads x(t) only: the Elman network with W = 0 and h0 = 0 computes the same."""
    tdl = TDL.init(3, 4, 2, window=0, seed=7)
    srn = SRN(tdl.U, np.zeros((4, 4)), tdl.V, tdl.b, tdl.c, np.zeros(4))
    x, d = _data("softmax", T=5, I=3, O=2, seed=8)
    a, b = bptt(tdl, x, d), bptt(srn, x, d)
    assert a.loss == pytest.approx(b.loss, rel=1e-13)
    for name in ("U", "V", "b", "c"):
        np.testing.assert_allclose(a.grads[name], b.grads[name], rtol=1e-12, atol=1e-15)


def test_a_target_beyond_the_window_gets_no_gradient_from_that_input() -> None:
    """The loss at step t cannot reach x(t - omega - 1): no weight connects them."""
    net = TDL.init(1, 3, 1, window=1, output="linear", seed=9)
    x, d = np.zeros((4, 1)), np.zeros((4, 1))
    x[0, 0] = 1.0
    d[3, 0] = 1.0  # only L(4) is non-zero... and its window holds x(4), x(3)
    mask = np.array([0.0, 0.0, 0.0, 1.0])
    tr = bptt(net, x, d, mask=mask)
    assert np.all(tr.grads["U"] == 0.0)  # x(1) = 1 sits outside the window of step 4


# -- the Trace facts the panels read --------------------------------------------------------------
def test_trace_is_read_only_and_batch_select_matches_single() -> None:
    net = TDL.init(2, 3, 3, window=2, seed=10)
    x, d = _data("softmax", T=4, B=3, seed=11)
    batch = bptt(net, x, d)
    assert batch.x.shape == (3, 4, 6) and batch.context.shape == (3, 4, 0)
    for arr in (batch.x, batch.a, batch.h, batch.delta_h, batch.delta_o, *batch.grads.values()):
        assert not arr.flags.writeable
    one = bptt(net, x[1], d[1])
    sub = batch.select(1)
    assert sub.loss == pytest.approx(one.loss, rel=1e-13)
    for name in ("U", "V", "b", "c"):
        np.testing.assert_allclose(sub.grads[name], one.grads[name], rtol=1e-12, atol=1e-15)


def test_trace_facts_without_recurrence() -> None:
    net = TDL.init(2, 3, 2, window=2, seed=12)
    x, d = _data("softmax", T=5, O=2, seed=13)
    tr = bptt(net, x, d, truncation=2)  # accepted, no effect
    assert tr.truncation is None and tr.mode == "full"
    assert all(tr.carried(t) is None for t in range(1, tr.T))
    assert not any(tr.recurrence_reaches(t) for t in range(1, tr.T))
    total = sum(tr.contribution(t)["U"] for t in range(1, tr.T + 1))
    np.testing.assert_allclose(total, tr.grads["U"], rtol=1e-12, atol=1e-15)
    D_h = sum(tr.delta_from_loss(s)[1] for s in range(1, tr.T + 1))
    np.testing.assert_allclose(D_h, tr.delta_h, rtol=1e-12, atol=1e-15)
    # each loss term reaches only its own step's hidden delta
    assert np.count_nonzero(np.abs(tr.delta_from_loss(3)[1]).sum(axis=1)) == 1
    peaks = tr.gradient_peaks()
    assert peaks["W"] == (0.0, 0.0) and peaks["U"][1] > 0
    assert Cursor(tr).state.label == "start: empty delay buffer, 5 steps ahead"


def test_explanation_of_a_hidden_unit_sums_the_window() -> None:
    net = TDL.init(2, 3, 2, window=2, seed=14)
    x, d = _data("softmax", T=4, O=2, seed=15)
    tr = bptt(net, x, d)
    state = Cursor(tr).seek(2 * tr.T).state
    ex = explain(tr, state, Selection("node", "h", t=3, unit=1), NOTATIONS[DEFAULT_NOTATION])
    forward = ex.steps[0]
    assert forward.total == pytest.approx(tr.a[2, 1], rel=1e-12)
    assert sum(term.value for term in forward.terms) == pytest.approx(tr.a[2, 1], rel=1e-12)
    assert len(forward.terms) == 1 + 3 * 2  # bias and one term per buffer unit
    # buffer unit 5 (tap k = 2, input 1) of step 3 holds x[1](1)
    assert forward.terms[5].symbol.endswith("x[1](1)")
    assert forward.citation.startswith(f"Eqs. {number('tdl-net-hidden')}, {number('hidden')};")
    assert "Bodén (2002) §4" in forward.citation


def test_explanation_of_an_input_says_where_else_the_window_takes_it() -> None:
    net = TDL.init(2, 3, 2, window=2, seed=20)
    x, d = _data("softmax", T=5, O=2, seed=21)
    tr = bptt(net, x, d)
    state = Cursor(tr).seek(2 * tr.T).state
    ex = explain(tr, state, Selection("node", "x", t=3, unit=1), NOTATIONS[DEFAULT_NOTATION])
    assert ex.title == "input x[2](3)"
    feeds = ex.steps[0]
    assert [term.value for term in feeds.terms] == pytest.approx(net.U[:, 1] * x[2, 1])
    assert feeds.notes == (
        "the same input reaches a(3), …, a(5) through U0, …, U2 as the window slides "
        "(Bodén 2002 §4)",
    )


def test_docstring_cites_the_equation_numbers_of_the_help_page() -> None:
    doc = core.tdl.__doc__ or ""
    first, last = number("tdl-net-hidden"), number("tdl-grad-U")
    assert f"Eqs. {first}-{last}" in doc
    assert f"Eq. {number('tdl-delta-hidden')}:" in doc


# -- the graphs, the gradient check and the gradient flow ----------------------------------------
def test_unfolded_graph_feeds_each_hidden_column_from_its_window() -> None:
    from core.graphs import count_unfolded_edges, graph_arrays, unfolded_arrays, unfolded_graph

    net = TDL.init(2, 3, 2, window=2, seed=16)
    T = 5
    G = unfolded_graph(net, T)
    assert not any(layer == "h" and t == 0 for layer, t, _ in G.nodes)  # no h(0)
    for t in range(1, T + 1):
        senders = {s for s, r in G.in_edges(("h", t, 0))}
        want = {("x", t - k, i) for k in range(3) for i in range(2) if t - k >= 1}
        assert senders == want  # x(t), x(t-1), x(t-2), as far as the sequence goes
    edge = G.edges[("x", 2, 1), ("h", 4, 0)]
    assert (edge["param"], edge["col"], edge["weight"]) == ("U", 2 * 2 + 1, net.U[0, 5])
    assert G.number_of_edges() == count_unfolded_edges(2, 3, 2, T, "none", 2)
    assert all(d["param"] != "W" for *_, d in G.edges(data=True))
    again = graph_arrays(G)
    built = unfolded_arrays(2, 3, 2, T, context="none", window=2)
    assert np.array_equal(again.edges, built.edges) and np.array_equal(again.pos, built.pos)


def test_folded_graph_is_the_delay_buffer() -> None:
    from core.graphs import folded_graph

    net = TDL.init(2, 3, 2, window=2, seed=17)
    G = folded_graph(net)
    buffer = [n for n in G.nodes if n[0] == "x"]
    assert buffer == [("x", -k, i) for k in range(3) for i in range(2)]
    xs = [G.nodes[n]["pos"][0] for n in buffer]
    assert xs == sorted(xs)  # x(t) on the left, x(t-2) on the right
    shifts = [(s, r) for s, r, d in G.edges(data=True) if d["param"] == "copy"]
    assert sorted(shifts) == sorted(
        (("x", -k, i), ("x", -k - 1, i)) for k in range(2) for i in range(2)
    )
    assert G.edges[("x", -1, 0), ("h", 0, 2)]["weight"] == net.U[2, 2]


def test_gradient_check_and_flow_of_a_delay_line() -> None:
    from core.gradcheck import gradient_check
    from core.gradient_flow import flow_matrix, jacobians_spectral_radius, loop_matrix

    net = TDL.init(2, 3, 3, window=2, seed=18)
    x, d = _data("softmax", T=5, seed=19)
    check = gradient_check(net, x, d)
    assert max(check.max_rel_error[n] for n in ("U", "V", "b", "c")) < 1e-6
    tr = bptt(net, x, d)
    F = flow_matrix(tr)
    assert np.all(F[np.tril_indices(5, -1)] == 0.0)  # nothing reaches back across steps
    np.testing.assert_allclose(np.diag(F), np.linalg.norm(tr.delta_o @ net.V, axis=1))
    assert np.all(jacobians_spectral_radius(tr) == 0.0)
    assert np.all(loop_matrix(net) == 0.0)
