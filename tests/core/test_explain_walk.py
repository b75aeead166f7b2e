"""Every item at every cursor position: an explanation shows the engine's numbers, none early.

For Elman and Jordan networks (fed back output or target), every hidden activation and output/loss
pair in the mix, full BPTT, sliding k = 2 and k = 1 and chunked k = 2, and both delta signs, the
test walks the cursor over the sweep and explains every node, edge and gradient cell. Each number
an explanation writes is a Factor naming its engine quantity; this file looks each one up in the
Trace by itself (not through core.explain) and decides by itself whether the cursor has computed
it, so explain cannot agree with itself by accident.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import numpy as np
import pytest

from core.bptt import Trace, bptt
from core.cursor import StepState, state_at
from core.explain import UNKNOWN, Explanation, Factor, Quantity, Step, explain, fmt, is_valid
from core.model import SRN
from core.notation import NOTATIONS
from core.selection import Selection

T = 4
#: name -> (hidden, output, context, mask): one of each activation, output pair and context
NETWORKS = {
    "elman-tanh-softmax": ("tanh", "softmax", "hidden", None),
    "elman-logistic-logistic": ("logistic", "logistic", "hidden", None),
    "elman-relu-linear-masked": ("relu", "linear", "hidden", (1.0, 0.5, 1.0, 0.0)),
    "jordan-tanh-softmax-masked": ("tanh", "softmax", "output", (1.0, 1.0, 0.0, 1.0)),
    "jordan-logistic-linear": ("logistic", "linear", "output", None),
    "forced-tanh-logistic": ("tanh", "logistic", "target", None),
}
TRUNCATIONS = {"full": (None, "sliding"), "sliding-2": (2, "sliding")}
TRUNCATIONS |= {"sliding-1": (1, "sliding"), "chunked-2": (2, "chunked")}
#: the deltas and the parts of deltas, shown times the notation's delta sign
SIGNED = {"delta_h", "delta_o", "carried", "back", "back_mean", "returned_delta_o"}
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]\d+)?")  # a written non-integer


def network_trace(name: str, truncation: str) -> Trace:
    hidden, output, context, mask = NETWORKS[name]
    rng = np.random.default_rng(7)
    net = SRN.init(2, 3, 2, hidden=hidden, output=output, context=context, seed=7)
    net = net.with_params(b=rng.normal(0, 0.5, 3), c=rng.normal(0, 0.5, 2))
    net = net.with_params(h0=rng.normal(0, 0.5, net.n_context))
    x = rng.normal(size=(T, 2))
    if output == "softmax":
        d = np.eye(2)[[0, 1, 1, 0]]
        d[2] = 0.0  # an unscored step: the targets sum to 0, not 1
    elif output == "logistic":
        d = rng.integers(0, 2, (T, 2)).astype(float)
    else:
        d = rng.normal(size=(T, 2))
    k, mode = TRUNCATIONS[truncation]
    return bptt(net, x, d, mask=mask, truncation=k, mode=mode)


# -- the engine's numbers and the cursor's knowledge, from the Trace alone ----------------------
def engine(trace: Trace, q: Quantity) -> float:
    """The number quantity q names, in the engine's sign."""
    name, args = str(q[0]), q[1:]
    net = trace.net
    if name in net.params():
        return float(net.params()[name][tuple(int(i) for i in args)])
    if name == "loss":
        return float(trace.loss)
    if name == "delta_h0":
        return float(trace.delta_h0[int(args[0])])
    t, idx = int(args[0]), tuple(int(i) for i in args[1:] if not isinstance(i, str))
    if name in ("contribution", "accumulated"):
        sums = trace.contribution(t) if name == "contribution" else trace.accumulated(t)
        return float(sums[str(args[1])][idx])
    return float(np.asarray(per_step(trace, name, t))[idx])


def per_step(trace: Trace, name: str, t: int) -> object:
    """Quantity ``name`` at step t, each written out from its definition."""
    h, a = trace.h[t], trace.a[t - 1]
    rows = {"x": trace.x, "d": trace.d, "a": trace.a, "o": trace.o, "y": trace.y}
    rows |= {"context": trace.context, "delta_h": trace.delta_h, "delta_o": trace.delta_o}
    if name in rows:
        return rows[name][t - 1]
    if name == "slope":  # f'(a(t)) of each activation
        slopes = {"tanh": 1 - h * h, "logistic": h * (1 - h), "relu": (a > 0) * 1.0}
        return slopes.get(trace.net.hidden, np.ones_like(a))
    W, y = trace.net.W, trace.y[t - 1]
    back = None if name not in SIGNED else trace.carried(t)
    table = {
        "h": lambda: trace.h[t],
        "mask": lambda: trace.mask[t - 1],
        "d_sum": lambda: trace.d[t - 1].sum(),
        "loss_t": lambda: trace.loss_t[t - 1],
        "loss_term": lambda: trace.loss_terms(t),
        "loss_until": lambda: trace.loss_t[:t].sum(),
        "carried": lambda: back,
        "back": lambda: back @ W,
        "back_mean": lambda: y @ (back @ W),
        "returned_delta_o": lambda: trace.returned_delta_o(t),
    }
    return table[name]()


def known(trace: Trace, state: StepState, q: Quantity) -> bool:
    """Whether the cursor has computed q: forward quantities of steps up to forward_known, the
    context c(t) from forward t-1 (c(1) = h0 and a target always), deltas of steps from
    backward_from on (parts of δh(t+1): from t+1 on); data and weights always."""
    name, fk, bf = q[0], state.forward_known, state.backward_from
    if name in trace.net.params() or name in ("x", "d", "mask", "d_sum"):
        return True
    if name == "loss":
        return fk == trace.T
    if name == "delta_h0":
        return bf == 1
    t = int(q[1])
    if name == "context":
        return t == 1 or trace.net.context == "target" or t - 1 <= fk
    if name in ("a", "h", "o", "y", "slope", "loss_t", "loss_term", "loss_until"):
        return t <= fk
    if name in ("delta_h", "delta_o", "contribution", "accumulated"):
        return t >= bf
    assert name in SIGNED, name
    return t + 1 >= bf


# -- the items a reader can select ------------------------------------------------------------
def selections(trace: Trace) -> Iterator[Selection]:
    net = trace.net
    first = {"h": 1 if net.jordan else 0, "y": 0 if net.jordan else 1, "x": 1}
    for layer, n in (("x", net.n_in), ("h", net.n_hidden), ("y", net.n_out)):
        for t in range(first[layer], trace.T + 1):
            for unit in range(n):
                yield Selection("node", layer, t=t, unit=unit)
    for t in range(trace.T + 1):
        yield Selection("node", "L", t=t)
    for p in ("U", "W", "V"):
        rows, cols = net.params()[p].shape
        for t in range(1, trace.T + 1):
            for r in range(rows):
                for c in range(cols):
                    yield Selection("edge", p, t=t, row=r, col=c)
    for p, value in net.params().items():
        rows, cols = (*value.shape, 1)[:2]
        for r in range(rows):
            for c in range(cols):
                yield Selection("cell", p, row=r, col=c)


# -- the checks --------------------------------------------------------------------------------
def check_factor(trace: Trace, state: StepState, sign: int, f: Factor, where: str) -> None:
    if not known(trace, state, f.quantity):
        assert f.text == UNKNOWN and f.value is None, f"{where}: {f.quantity} shown early"
        return
    want = (sign if f.quantity[0] in SIGNED else 1) * engine(trace, f.quantity)
    assert f.value is not None, f"{where}: {f.quantity} known but not shown"
    assert f.value == pytest.approx(want, rel=1e-12, abs=1e-15), f"{where}: {f.quantity}"
    assert f.text == fmt(want), f"{where}: {f.quantity} written {f.text}, is {fmt(want)}"


def check_terms(trace: Trace, state: StepState, sign: int, step: Step, where: str) -> None:
    for term in step.terms:
        here = f"{where} term {term.symbol}"
        for f in term.factors:
            check_factor(trace, state, sign, f, here)
            assert f.text in term.numbers, here
        if term.quantity is not None:  # a loss term, a Jordan delta's part through the output
            if known(trace, state, term.quantity):
                want = (sign if term.quantity[0] in SIGNED else 1) * engine(trace, term.quantity)
                assert term.value is not None and fmt(term.value) == fmt(want), here
            else:
                assert term.value is None, here
            continue
        if any(f.value is None for f in term.factors):
            assert term.value is None and UNKNOWN in term.numbers, here
            continue
        assert term.value is not None, here
        exact = term.sign * math.prod(f.value for f in term.factors if f.value is not None)
        assert term.value == pytest.approx(exact, rel=1e-12, abs=1e-300), here
        written = term.sign * math.prod(float(f.text) for f in term.factors)
        tolerance = 6e-4 * len(term.factors) * abs(term.value) + 1e-12  # 4 digits per factor
        assert abs(written - term.value) <= tolerance, f"{here}: {term.numbers} ≠ {term.value}"


def check_step(trace: Trace, state: StepState, sign: int, step: Step, where: str) -> None:
    where = f"{where} step {step.name}"
    for f in step.shown:
        check_factor(trace, state, sign, f, where)
    check_terms(trace, state, sign, step, where)
    if step.quantity is not None:
        if known(trace, state, step.quantity):
            want = (sign if step.quantity[0] in SIGNED else 1) * engine(trace, step.quantity)
            assert step.value is not None and fmt(step.value) == fmt(want), where
        else:
            assert step.value is None and UNKNOWN in step.result, where
    values = [term.value for term in step.terms]
    if step.total is not None:  # the step says its terms add up to its total
        assert all(v is not None for v in values), where
        exact = sum(v for v in values if v is not None)
        assert step.total == pytest.approx(exact, rel=1e-9, abs=1e-12), where
        if step.value is not None and step.name != "forward":  # forward: f(total), g(total)
            factor = 1.0 if step.factor is None else step.factor
            assert step.value == pytest.approx(factor * step.total, rel=1e-9, abs=1e-12), where
    if step.value is not None:
        assert fmt(step.value) in step.result, where
    check_written_numbers(step, where)


def check_written_numbers(step: Step, where: str) -> None:
    """Every non-integer written in the step's lines is one of its known numbers, and "?" is
    written only where something is not yet known."""
    factors = [*step.shown, *(f for term in step.terms for f in term.factors)]
    allowed = {f.text for f in factors}
    allowed |= {fmt(v) for v in (step.value, step.total, step.factor) if v is not None}
    allowed |= {fmt(term.value) for term in step.terms if term.value is not None}
    rest = [term.value for term in step.terms[8:]]
    if rest and all(v is not None for v in rest):
        allowed.add(fmt(sum(v for v in rest if v is not None)))
    lines = " ".join([step.substituted, step.result, *step.notes])
    for number in NUMBER.findall(lines):  # a leading minus may be the term's sign, -a·b
        assert number in allowed or number[1:] in allowed, f"{where}: {number} in {lines!r}"
    unknown = any(f.value is None for f in factors) or step.value is None
    unknown = unknown or any(term.value is None for term in step.terms)
    if not unknown:
        assert UNKNOWN not in lines, f"{where}: '?' written for known values: {lines!r}"


def check_explanation(trace: Trace, state: StepState, sign: int, e: Explanation) -> None:
    where = f"{e.title} at position {state.position}"
    texts = [e.title, e.equation, e.substituted, e.result, *e.notes]
    texts += [note for step in e.steps for note in step.notes]
    for text in texts:
        for bad in ("seeds", "Selection(", "np.float", "core/", ".py"):
            assert bad not in text, f"{where}: {bad!r} in {text!r}"
    for step in e.steps:
        check_step(trace, state, sign, step, where)


def walk(trace: Trace, notation: str, positions: range) -> int:
    n, count = NOTATIONS[notation], 0
    items = list(selections(trace))
    assert all(is_valid(sel, trace) for sel in items)
    for k in positions:
        state = state_at(trace, k)
        for sel in items:
            e = explain(trace, state, sel, n)
            assert e.selection == sel and not e.notes
            check_explanation(trace, state, n.delta_sign, e)
            count += 1
    return count


@pytest.mark.parametrize(
    "notation", ["deep-learning", "boden"], ids=["gradient-sign", "boden-sign"]
)
@pytest.mark.parametrize("truncation", list(TRUNCATIONS))
@pytest.mark.parametrize("network", list(NETWORKS))
def test_every_item_at_every_position_shows_the_engines_numbers(
    network: str, truncation: str, notation: str
) -> None:
    trace = network_trace(network, truncation)
    assert walk(trace, notation, range(2 * T + 1)) > 0
