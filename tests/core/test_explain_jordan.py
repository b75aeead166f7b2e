"""The inspector's worked examples for a Jordan network add up to the trace, term by term."""

from __future__ import annotations

import numpy as np
import pytest

from core.bptt import Trace, bptt
from core.cursor import position_of, state_at
from core.explain import explain, is_valid
from core.model import SRN
from core.notation import NOTATIONS
from core.selection import Selection

OUTPUTS = ["softmax", "logistic", "linear"]
TRUNCATIONS = [(None, "sliding"), (2, "sliding"), (1, "sliding"), (2, "chunked")]
TRUNC_IDS = [f"{m}-{k}" for k, m in TRUNCATIONS]


def jordan_trace(context: str, output: str, k: int | None = None, mode: str = "sliding") -> Trace:
    rng = np.random.default_rng(5)
    net = SRN.init(3, 4, 3, output=output, context=context, seed=5)
    net = net.with_params(h0=rng.normal(0, 0.4, 3), c=rng.normal(0, 0.3, 3))
    x = rng.normal(size=(6, 3))
    d = {
        "softmax": np.eye(3)[rng.integers(0, 3, 6)],
        "logistic": rng.integers(0, 2, (6, 3)).astype(float),
        "linear": rng.normal(size=(6, 3)),
    }[output]
    return bptt(net, x, d, truncation=k, mode=mode)


@pytest.mark.parametrize("context", ["output", "target"])
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize(("k", "mode"), TRUNCATIONS, ids=TRUNC_IDS)
@pytest.mark.parametrize("notation", ["deep-learning", "boden"])
def test_node_terms_add_up_to_the_trace(context, output, k, mode, notation):
    tr = jordan_trace(context, output, k, mode)
    state = state_at(tr, 2 * tr.T)
    n = NOTATIONS[notation]
    sign = n.delta_sign
    for t in range(1, tr.T + 1):
        for j in range(tr.net.n_hidden):
            e = explain(tr, state, Selection("node", "h", t=t, unit=j), n)
            fwd, delta = e.step("forward"), e.step("delta")
            assert sum(term.value for term in fwd.terms) == pytest.approx(tr.a[t - 1, j])
            # a(t) reads the context: y(t-1) or d(t-1), written with the notation's symbols
            ctx = n["y"] if context == "output" else n["d"]
            assert f"{ctx}[i]({t - 1})" in fwd.equation
            assert len(delta.terms) == tr.net.n_out  # no W term: the recurrence is in δo
            assert delta.factor * delta.total == pytest.approx(sign * tr.delta_h[t - 1, j])
        for q in range(tr.net.n_out):
            delta = explain(tr, state, Selection("node", "y", t=t, unit=q), n).step("delta")
            assert sum(term.value for term in delta.terms) == pytest.approx(
                sign * tr.delta_o[t - 1, q], abs=1e-12
            )
            comes_back = context == "output" and t < tr.T and k != 1
            comes_back = comes_back and not (mode == "chunked" and k and t % k == 0)
            assert len(delta.terms) == 2 + comes_back


@pytest.mark.parametrize("context", ["output", "target"])
def test_w_cells_edges_and_the_initial_context(context):
    tr = jordan_trace(context, "softmax")
    n = NOTATIONS["deep-learning"]
    for t in range(tr.T, 0, -1):
        state = state_at(tr, position_of(tr.T, "backward", t))
        for r in range(tr.net.n_hidden):
            for c in range(tr.net.n_out):
                step = explain(tr, state, Selection("cell", "W", row=r, col=c), n).step("gradient")
                assert step.value == pytest.approx(state.accumulated["W"][r, c], abs=1e-15)
                assert sum(term.value for term in step.terms) == pytest.approx(step.value)
    end = state_at(tr, 2 * tr.T)
    e = explain(tr, end, Selection("edge", "W", t=3, row=1, col=2), n)
    assert e.step("signal").value == pytest.approx(tr.net.W[1, 2] * tr.context[2, 2])
    assert e.step("gradient").value == pytest.approx(tr.delta_h[2, 1] * tr.context[2, 2])
    assert ("carried back" in [s.name for s in e.steps]) == (context == "output")
    sel = Selection("node", "y", t=0, unit=1)
    assert is_valid(sel, tr) and not is_valid(Selection("node", "h", t=0, unit=1), tr)
    init = explain(tr, end, sel, n)
    assert "initial context" in init.title
    assert init.step("initial").value == tr.net.h0[1]
    assert init.step("gradient").value == pytest.approx(tr.delta_h0[1])
