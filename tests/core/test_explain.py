"""The worked examples of core.explain reproduce the trace term by term, in every notation."""

from __future__ import annotations

import re

import numpy as np
import pytest

from core.bptt import Trace, bptt
from core.cursor import position_of, state_at
from core.derivation import cite
from core.examples import example_dataset, example_network
from core.explain import UNKNOWN, explain, fmt
from core.model import SRN
from core.notation import NOTATIONS
from core.selection import Selection

N_DL, N_BODEN = NOTATIONS["deep-learning"], NOTATIONS["boden"]
PAIRS = [("tanh", "softmax"), ("logistic", "logistic"), ("relu", "linear"), ("linear", "softmax")]
TRUNCATIONS = [(None, "sliding"), (2, "sliding"), (1, "sliding"), (2, "chunked"), (3, "chunked")]


def example_trace(truncation: int | None = None, mode: str = "sliding") -> Trace:
    seq = example_dataset().sequences[0]
    return bptt(example_network(), seq.x, seq.d, truncation=truncation, mode=mode)


def random_trace(hidden: str, output: str, T: int = 7, seed: int = 1, **kw: object) -> Trace:
    rng = np.random.default_rng(seed)
    net = SRN.init(3, 4, 3, hidden=hidden, output=output, seed=seed)
    net = net.with_params(
        b=rng.normal(0, 0.3, 4), c=rng.normal(0, 0.3, 3), h0=rng.normal(0, 0.3, 4)
    )
    x = rng.normal(size=(T, 3))
    if output == "softmax":
        d = np.eye(3)[rng.integers(0, 3, T)]
    elif output == "logistic":
        d = rng.integers(0, 2, (T, 3)).astype(float)
    else:
        d = rng.normal(size=(T, 3))
    return bptt(net, x, d, **kw)  # type: ignore[arg-type]


def end_state(trace: Trace):  # the backward sweep has reached t = 1: everything is known
    return state_at(trace, 2 * trace.T)


def test_hidden_delta_terms_reproduce_the_trace_example() -> None:
    trace = example_trace()
    state = end_state(trace)
    for t in range(1, trace.T + 1):
        for j in range(trace.net.n_hidden):
            step = explain(trace, state, Selection("node", "h", t=t, unit=j), N_DL).step("delta")
            total = sum(term.value for term in step.terms)
            bracket = trace.net.V[:, j] @ trace.delta_o[t - 1]
            if t < trace.T:
                bracket += trace.net.W[:, j] @ trace.delta_h[t]
            assert total == pytest.approx(bracket, abs=1e-12)
            assert step.factor == pytest.approx(1 - trace.h[t, j] ** 2, abs=1e-12)  # tanh
            assert step.factor * total == pytest.approx(trace.delta_h[t - 1, j], abs=1e-12)
            assert step.value == trace.delta_h[t - 1, j]
            # one term per unit of δh(t+1) (none at t = T) and per output delta
            assert len(step.terms) == trace.net.n_out + (trace.net.n_hidden if t < trace.T else 0)


@pytest.mark.parametrize(("hidden", "output"), PAIRS, ids=["-".join(p) for p in PAIRS])
@pytest.mark.parametrize(("k", "mode"), TRUNCATIONS, ids=[f"{m}-{k}" for k, m in TRUNCATIONS])
def test_hidden_delta_terms_under_every_activation_and_truncation(
    hidden: str, output: str, k: int | None, mode: str
) -> None:
    trace = random_trace(hidden, output, truncation=k, mode=mode)
    state = end_state(trace)
    a, h = trace.a, trace.h
    fprime = {
        "tanh": 1 - h[1:] ** 2,
        "logistic": h[1:] * (1 - h[1:]),
        "relu": (a > 0).astype(float),
        "linear": np.ones_like(a),
    }[hidden]
    for t in range(1, trace.T + 1):
        for j in range(trace.net.n_hidden):
            step = explain(trace, state, Selection("node", "h", t=t, unit=j), N_DL).step("delta")
            assert step.factor == pytest.approx(fprime[t - 1, j], abs=1e-12)
            total = sum(term.value for term in step.terms)
            assert step.total == pytest.approx(total, abs=1e-12)
            assert step.factor * total == pytest.approx(trace.delta_h[t - 1, j], abs=1e-10)


@pytest.mark.parametrize(("hidden", "output"), PAIRS, ids=["-".join(p) for p in PAIRS])
def test_forward_terms_sum_to_net_inputs_and_losses(hidden: str, output: str) -> None:
    trace = random_trace(hidden, output)
    state = end_state(trace)
    for t in range(1, trace.T + 1):
        for j in range(trace.net.n_hidden):
            e = explain(trace, state, Selection("node", "h", t=t, unit=j), N_DL)
            fwd = e.step("forward")
            assert sum(term.value for term in fwd.terms) == pytest.approx(trace.a[t - 1, j])
            assert fwd.total == trace.a[t - 1, j] and fwd.value == trace.h[t, j]
        for k in range(trace.net.n_out):
            e = explain(trace, state, Selection("node", "y", t=t, unit=k), N_DL)
            fwd, delta = e.step("forward"), e.step("delta")
            assert sum(term.value for term in fwd.terms) == pytest.approx(trace.o[t - 1, k])
            assert fwd.value == trace.y[t - 1, k]
            assert sum(term.value for term in delta.terms) == pytest.approx(
                trace.delta_o[t - 1, k], abs=1e-12
            )
        loss = explain(trace, state, Selection("node", "L", t=t), N_DL).step("loss")
        assert sum(term.value for term in loss.terms) == pytest.approx(trace.loss_t[t - 1])
        assert loss.value == trace.loss_t[t - 1]


@pytest.mark.parametrize("param", ["U", "W", "V", "b", "c", "h0"])
@pytest.mark.parametrize("notation", ["deep-learning", "boden"])
def test_gradient_cell_terms_sum_to_the_accumulated_gradient(param: str, notation: str) -> None:
    trace = example_trace()
    shape = trace.net.params()[param].shape
    for t in range(trace.T, 0, -1):
        state = state_at(trace, position_of(trace.T, "backward", t))
        acc = state.accumulated[param]
        for r in range(shape[0]):
            for c in range(shape[1] if len(shape) == 2 else 1):
                sel = Selection("cell", param, t=t, row=r, col=c)
                step = explain(trace, state, sel, NOTATIONS[notation]).step("gradient")
                want = acc[r, c] if len(shape) == 2 else acc[r]
                if param == "h0" and t > 1:
                    assert step.value is None  # dL/dh0 needs δh(1)
                    continue
                assert sum(term.value for term in step.terms) == pytest.approx(want, abs=1e-12)
                assert step.value == pytest.approx(want, abs=1e-15)
                if param != "h0":  # one term per visited step, in the order they were added
                    assert len(step.terms) == trace.T - t + 1


def test_gradient_cell_is_zero_with_no_terms_during_the_forward_sweep() -> None:
    trace = example_trace()
    step = explain(trace, state_at(trace, 3), Selection("cell", "W", row=1, col=2), N_DL).steps[0]
    assert step.value == 0 and step.terms == ()
    assert "no step visited yet" in " ".join(step.notes)


def test_boden_notation_flips_the_delta_sign_and_keeps_gradients() -> None:
    trace = example_trace()
    state = end_state(trace)
    sel = Selection("node", "h", t=3, unit=2)
    plain, boden = explain(trace, state, sel, N_DL), explain(trace, state, sel, N_BODEN)
    d004, d001 = plain.step("delta"), boden.step("delta")
    assert d001.value == -d004.value == -trace.delta_h[2, 2]
    assert d001.total == pytest.approx(-d004.total)
    assert d001.factor == d004.factor
    assert "δj[3](3)" in d001.result and "δh[3](3)" in d004.result
    assert d001.citation.startswith(cite("delta-hidden", "derivative"))
    assert "δ = -∂C/∂net" in d001.citation and "-∂" not in d004.citation
    assert any("-∂C/∂netj" in note for note in d001.notes)
    out = explain(trace, state, Selection("node", "y", t=3, unit=0), N_BODEN).step("delta")
    assert out.value == -trace.delta_o[2, 0]
    assert out.equation.startswith("δk[1](3) = d[1](3) - yk[1](3)")
    # a gradient is a gradient in every notation: ∂C/∂w has the engine's value
    cell = Selection("cell", "W", row=0, col=1)
    g004 = explain(trace, state, cell, N_DL).steps[0]
    g001 = explain(trace, state, cell, N_BODEN).steps[0]
    assert g001.value == g004.value == trace.grads["W"][0, 1]
    assert g001.equation.startswith("∂C/∂U[1,2] = -Σt δj[1](t)·yj[2](t-1)")


def test_unknown_values_are_question_marks_with_a_note() -> None:
    trace = example_trace()
    state = state_at(trace, 2)  # forward t = 2
    e = explain(trace, state, Selection("node", "h", t=4, unit=0), N_DL)
    fwd, delta = e.step("forward"), e.step("delta")
    assert fwd.value is None and delta.value is None
    assert fwd.result == f"a[1](4) = {UNKNOWN},  h[1](4) = {UNKNOWN}"
    assert "h[1](4) is computed at forward t = 4" in fwd.notes
    assert "δh[1](4) is computed at backward t = 4" in delta.notes
    # h(3) is unknown: the W terms are "?", the input terms are known
    assert all(UNKNOWN in term.numbers for term in fwd.terms[1:6])
    assert all(term.value is not None for term in fwd.terms[6:])
    # mid-backward: δh(5) known, δh(4) not yet
    state = state_at(trace, position_of(trace.T, "backward", 5))
    delta = explain(trace, state, Selection("node", "h", t=4, unit=0), N_DL).step("delta")
    assert delta.value is None and delta.result.endswith(UNKNOWN)
    w_terms, v_terms = delta.terms[:5], delta.terms[5:]
    assert all(term.value is not None for term in w_terms)
    assert all(term.value is None for term in v_terms)


def test_substituted_numbers_are_the_trace_values_to_four_digits() -> None:
    trace = example_trace()
    state = end_state(trace)
    step = explain(trace, state, Selection("node", "h", t=4, unit=1), N_DL).step("delta")
    numbers = [float(n) for n in re.findall(r"-?\d+\.?\d*(?:e[-+]\d+)?", step.substituted)]
    for i in range(trace.net.n_hidden):  # W[i,2] and δh[i](5) appear as written factors
        assert float(fmt(trace.net.W[i, 1])) in numbers
        assert float(fmt(trace.delta_h[4, i])) in numbers
    assert step.substituted.endswith(f"= {fmt(trace.delta_h[3, 1])}")
    assert fmt(trace.h[4, 1]) in step.substituted  # the f' = 1 - h² factor


def test_edge_explains_signal_carried_delta_and_gradient_term() -> None:
    trace = example_trace()
    state = end_state(trace)
    e = explain(trace, state, Selection("edge", "W", t=4, row=1, col=2), N_DL)
    W = trace.net.W
    assert e.step("signal").value == pytest.approx(W[1, 2] * trace.h[3, 2])
    assert e.step("carried back").value == pytest.approx(W[1, 2] * trace.delta_h[3, 1])
    assert e.step("gradient").value == pytest.approx(trace.contribution(4)["W"][1, 2])
    assert e.step("gradient").citation.startswith(cite("grad-W"))
    v = explain(trace, state, Selection("edge", "V", t=2, row=0, col=4), N_DL)
    assert v.step("gradient").value == pytest.approx(trace.contribution(2)["V"][0, 4])
    u = explain(trace, state, Selection("edge", "U", t=6, row=3, col=1), N_BODEN)
    assert u.step("gradient").value == pytest.approx(trace.contribution(6)["U"][3, 1])


def test_default_and_invalid_selections_fall_back_to_hidden_unit_one() -> None:
    trace = example_trace()
    state = state_at(trace, 3)
    e = explain(trace, state, None, N_DL)
    assert e.selection == Selection("node", "h", t=3, unit=0) and e.title == "hidden unit h[1](3)"
    bad = explain(trace, state, Selection("node", "h", t=3, unit=99), N_DL)
    assert bad.selection == e.selection and bad.notes
    start = explain(trace, state_at(trace, 0), None, N_DL)
    assert start.steps[0].value == trace.net.h0[0]


def test_total_loss_and_inputs() -> None:
    trace = example_trace()
    e = explain(trace, state_at(trace, 3), Selection("node", "L", t=0), N_DL)
    assert e.value is None and sum(1 for term in e.steps[0].terms if term.value is None) == 3
    e = explain(trace, end_state(trace), Selection("node", "L", t=0), N_DL)
    assert e.value == trace.loss
    x = explain(trace, state_at(trace, 0), Selection("node", "x", t=2, unit=1), N_DL)
    assert x.value == trace.x[1, 1] is not None


def test_long_sums_are_summarised_but_terms_are_complete() -> None:
    net = SRN.init(2, 20, 2, seed=3)
    rng = np.random.default_rng(0)
    trace = bptt(net, rng.normal(size=(30, 2)), np.eye(2)[rng.integers(0, 2, 30)])
    state = end_state(trace)
    step = explain(trace, state, Selection("cell", "W", row=3, col=4), N_DL).steps[0]
    assert len(step.terms) == 30 and "22 more terms" in step.substituted
    assert sum(term.value for term in step.terms) == pytest.approx(trace.grads["W"][3, 4])


def test_citations_are_the_equations_page_and_no_source_file() -> None:
    """Every step cites Unfold's own numbered equations; no string of core.explain names a seed
    file or one of our source files (the reader cannot open either)."""
    import ast
    from pathlib import Path

    from core.explain import text as text_module

    package = Path(text_module.__file__).parent
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "seeds" not in node.value, path.name
                assert not re.search(r"\w+/\w+\.py", node.value), path.name
    trace = random_trace("tanh", "softmax", T=4, truncation=2, mode="sliding")
    for sel in (
        Selection("node", "h", t=2, unit=1),
        Selection("node", "y", t=2, unit=0),
        Selection("node", "L", t=2),
        Selection("edge", "W", t=3, row=0, col=1),
        Selection("cell", "V", row=0, col=1),
    ):
        for notation in (N_DL, N_BODEN):
            for step in explain(trace, end_state(trace), sel, notation).steps:
                assert re.match(r"Eqs?\. \d+", step.citation), step.citation


def test_an_invalid_selection_is_named_as_the_reader_sees_it() -> None:
    trace = example_trace()  # 4 inputs, 5 hidden, 3 outputs, 6 steps
    state = state_at(trace, 3)
    cases = {
        Selection("node", "x", t=2, unit=7): "input x[8](2)",
        Selection("node", "y", t=9, unit=0): "output unit ŷ[1](9)",
        Selection("node", "L", t=9): "loss L(9)",
        Selection("edge", "W", t=0, row=1, col=2): "edge W[2,3] at t = 0",
        Selection("cell", "c", row=5): "gradient cell ∂L/∂c[6]",
        Selection("cell", "Q", row=1): "item",
    }
    for sel, name in cases.items():
        e = explain(trace, state, sel, N_DL)
        assert e.notes == (
            f"the selected {name} is not in this network; showing hidden unit h[1](3)",
        )
    boden = explain(trace, state, Selection("cell", "U", row=9, col=0), N_BODEN)
    assert boden.notes[0].startswith("the selected gradient cell ∂C/∂V[10,1] is not")


def written_value(numbers: str) -> float:
    """The value of numbers as written ("0.5·(-2) - … 3 more terms (0.1)"), evaluated."""
    numbers = re.sub(r"… \d+ more terms \(([^)]*)\)", r"(\1)", numbers)
    return float(eval(numbers.replace("·", "*"), {}))  # digits, signs, parentheses only


@pytest.mark.parametrize("hidden_units", [3, 12], ids=["all-written", "summarised"])
@pytest.mark.parametrize("notation", ["deep-learning", "boden"])
def test_h0_gradient_rows_multiply_out_and_add_up(hidden_units: int, notation: str) -> None:
    """Each row of ∂L/∂h(0) shows a product whose numbers give its value, in Bodén's notation
    too (δ = -∂C/∂net: the row is -U[i,1]·δj[i](1)), and the written sum, "… more terms"
    included, is the result."""
    net = SRN.init(2, hidden_units, 2, seed=1)
    x = np.random.default_rng(0).normal(size=(4, 2))
    trace = bptt(net, x, np.eye(2)[[0, 1, 1, 0]])
    state = end_state(trace)
    n = NOTATIONS[notation]
    for sel in (Selection("cell", "h0", row=0), Selection("node", "h", t=0, unit=0)):
        step = explain(trace, state, sel, n).step("gradient")
        assert step.value == pytest.approx(trace.delta_h0[0], abs=1e-15)
        for term in step.terms:
            assert written_value(term.numbers) == pytest.approx(term.value, rel=2e-3)
            assert term.symbol.startswith("-") == term.numbers.startswith("-")
        assert sum(term.value for term in step.terms) == pytest.approx(step.value, abs=1e-12)
        rhs = step.substituted.split(" = ")[1]
        assert written_value(rhs) == pytest.approx(step.value, rel=5e-3, abs=1e-6)


@pytest.mark.parametrize("context", ["hidden", "output"])
@pytest.mark.parametrize(("k", "mode"), TRUNCATIONS, ids=[f"{m}-{k}" for k, m in TRUNCATIONS])
def test_carried_back_is_the_term_that_enters_the_earlier_delta(
    context: str, k: int | None, mode: str
) -> None:
    """W[r,c]·δh[r](t) is what edge W[r,c] carries back into step t-1 only as far as the
    truncation lets it: the term of δh[c](t-1) (Jordan: of r[c] in δo[c](t-1)) that the engine
    adds, or, where nothing comes back (BPTT(1), a chunk boundary), no term at all."""
    net = SRN.init(2, 3, 2, seed=1, context=context)
    x = np.random.default_rng(0).normal(size=(5, 2))
    trace = bptt(net, x, np.eye(2)[[0, 1, 1, 0, 1]], truncation=k, mode=mode)
    state = end_state(trace)
    for notation in (N_DL, N_BODEN):
        for t in range(2, trace.T + 1):
            back = trace.carried(t - 1)
            for r in range(net.n_hidden):
                for c in range(net.n_context):
                    sel = Selection("edge", "W", t=t, row=r, col=c)
                    step = explain(trace, state, sel, notation).step("carried back")
                    if back is None:
                        assert step.value is None and step.terms == ()
                        assert "none" in step.result and step.notes
                        continue
                    want = notation.delta_sign * net.W[r, c] * back[r]
                    assert step.value == pytest.approx(want, abs=1e-15)
                    if context == "hidden":  # the same row of δh[c](t-1)'s sum
                        node = Selection("node", "h", t=t - 1, unit=c)
                        delta = explain(trace, state, node, notation).step("delta")
                        row = [term for term in delta.terms if term.symbol == step.terms[0].symbol]
                        assert len(row) == 1 and row[0].value == pytest.approx(step.value)
                        assert row[0].numbers == step.terms[0].numbers


def shown_numbers(explanation) -> list[str]:
    """Every number the explanation displays: in its lines, notes and term tables."""
    texts = [*explanation.notes]
    for step in explanation.steps:
        texts += [step.substituted, step.result, *step.notes]
        texts += [f"{term.numbers} = {fmt(term.value)}" for term in step.terms]
    return re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", " ".join(texts))


@pytest.mark.parametrize("context", ["hidden", "output"])
def test_values_not_yet_computed_are_not_shown(context: str) -> None:
    """At forward t = n nothing of the later steps is shown: not ŷ(t) in δo(t) = ŷ(t) - d(t),
    not h(t) in V's gradient term δo(t)·h(t), not the context in W's δh(t)·c(t)."""
    net = SRN.init(2, 3, 2, seed=1, context=context)
    x = np.random.default_rng(0).normal(size=(4, 2))
    trace = bptt(net, x, np.eye(2)[[0, 1, 1, 0]])
    for n in range(trace.T):  # the start and the forward steps before the last
        state = state_at(trace, n)
        for t in range(n + 1, trace.T + 1):
            for k in range(net.n_out):
                e = explain(trace, state, Selection("node", "y", t=t, unit=k), N_DL)
                assert fmt(trace.y[t - 1, k]) not in shown_numbers(e)
            for r in range(net.n_out):
                for c in range(net.n_hidden):
                    e = explain(trace, state, Selection("edge", "V", t=t, row=r, col=c), N_DL)
                    assert fmt(trace.h[t, c]) not in shown_numbers(e)
            for r in range(net.n_hidden):
                for c in range(net.n_context):
                    if t - 1 <= n:
                        continue  # the context c(t) is computed at forward t-1
                    e = explain(trace, state, Selection("edge", "W", t=t, row=r, col=c), N_DL)
                    assert fmt(trace.context[t - 1, c]) not in shown_numbers(e)
    start = state_at(trace, 0)
    e = explain(trace, start, Selection("node", "y", t=3, unit=0), N_DL)
    delta = e.step("delta").substituted  # (Jordan: + the term through ŷ(3), also "?")
    assert delta.startswith("δo[1](3) = ? - 0") and delta.endswith(" = ?")
