"""Worked examples: any node, edge or gradient cell of a trace as its equation with numbers put in.

seeds/004 and seeds/003 work BPTT out by hand for one small network; :func:`explain` does the same
for any network, any cursor position and any selected item, in the reader's notation
(``core.notation``), for the activation and the output/loss pair the network actually uses:

=============  ==============================================  ================================
item           equation                                        seed
=============  ==============================================  ================================
hidden node    a(t) = b + W h(t-1) + U x(t),  h(t) = f(a(t))    seeds/004 eq. 1-2
               δh(t) = f'(a(t)) (W^T δh(t+1) + V^T δo(t))       seeds/004 eq. 45, 60-62
output node    o(t) = c + V h(t),  ŷ(t) = g(o(t))              seeds/004 eq. 3-4
               δo(t) = ŷ(t) - y(t)                             seeds/004 eq. 22
loss node      L(t) for the output/loss pair                   004 eq. 13; 001 eq. 10, 22
edge U/W/V     signal w·activation; gradient δ·activation      seeds/004 eq. 1, 3, 86-88
gradient cell  sum over the visited steps of eq. 84-88         seeds/004 eq. 84-88
=============  ==============================================  ================================

For a Jordan network (``core.jordan``) the context c(t) = y(t-1) (teacher forced: d(t-1)) takes
the place of h(t-1) in a(t), the recurrence of the backward sweep runs through the output,
δo(t) = ŷ(t) - y(t) + J_g(t)^T W^T δh(t+1), and δh(t) = f'(a(t)) V^T δo(t) has no W term.

Values not yet computed at the cursor are "?" with a note saying when they are computed. Deltas
are shown with the notation's sign (Bodén, seeds/001 eq. 12-13, 27: δ = -∂C/∂net); gradients are
always ∂L/∂w. Each :class:`Step` also carries its numeric terms so that a caller can check that
they add up to the trace's value. Unit and time indices in the text are the seeds' 1-based ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.cursor import StepState
from core.functions import hidden_derivative
from core.notation import Notation
from core.selection import Selection
from core.trace import Trace

Array = NDArray[np.floating]

UNKNOWN = "?"
#: at most this many addends of one sum are written out; the rest are summarised
MAX_WRITTEN_TERMS = 8

_F = {"tanh": "tanh", "logistic": "σ", "relu": "max(0, ·)", "linear": "identity"}
_G = {"softmax": "softmax", "logistic": "σ", "linear": "identity"}


def fmt(value: float | None) -> str:
    """A number with 4 significant digits ("?" for an unknown value, never "-0")."""
    if value is None:
        return UNKNOWN
    v = float(value)
    return "0" if v == 0 else f"{v:.4g}"


def _fac(value: float | None) -> str:
    """A number as a factor of a product: negative numbers in parentheses."""
    text = fmt(value)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True, slots=True)
class Term:
    """One addend of a sum: its symbols, its numbers and its value (None when not yet known)."""

    symbol: str
    numbers: str
    value: float | None


@dataclass(frozen=True, slots=True)
class Step:
    """One equation of a worked example.

    Attributes
    ----------
    name : what the equation computes ("forward", "delta", "gradient", ...).
    equation : the equation in symbols.  substituted : the same with the numbers put in.
    result : ``symbol = value`` (value "?" when not yet known).  citation : the seed equation.
    value : the result (None when not yet computed at the cursor).
    terms : the addends of the equation's sum.
    total : the sum of the terms (None unless all are known): the net input of a forward step, the
        bracket W^T δh(t+1) + V^T δo(t) of a hidden delta, the gradient of a gradient cell.
    factor : the multiplier of the sum (f'(a(t)) for a hidden delta), or None for 1; the result is
        ``factor * total`` for deltas and gradients, and f(total) or g(total) for forward steps.
    notes : when unknown values are computed, truncation, sign conventions.
    """

    name: str
    equation: str
    substituted: str
    result: str
    citation: str
    value: float | None
    terms: tuple[Term, ...] = ()
    total: float | None = None
    factor: float | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    """The worked example for one selection at one cursor position.

    ``equation``, ``substituted``, ``result`` and ``citation`` join the steps' fields line by line;
    ``value`` is the main (last) step's result.
    """

    title: str
    selection: Selection
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()

    @property
    def equation(self) -> str:
        return "\n".join(s.equation for s in self.steps)

    @property
    def substituted(self) -> str:
        return "\n".join(s.substituted for s in self.steps)

    @property
    def result(self) -> str:
        return "\n".join(s.result for s in self.steps)

    @property
    def citation(self) -> str:
        return "; ".join(dict.fromkeys(s.citation for s in self.steps))

    @property
    def value(self) -> float | None:
        return self.steps[-1].value

    def step(self, name: str) -> Step:
        """The step called ``name`` (KeyError when the explanation has none)."""
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(f"no step {name!r}; steps are {[s.name for s in self.steps]}")


def default_selection(state: StepState) -> Selection:
    """What the inspector explains when nothing is selected: hidden unit 1 at the cursor step."""
    return Selection(kind="node", layer="h", t=state.t, unit=0)


def is_valid(selection: Selection, trace: Trace) -> bool:
    """Whether the selection's indices exist in this trace's network and sequence."""
    net, T = trace.net, trace.T
    sizes = {"x": net.n_in, "h": net.n_hidden, "a": net.n_hidden, "y": net.n_out, "o": net.n_out}
    shapes = {n: (*p.shape, 1)[:2] for n, p in net.params().items()}
    if selection.kind == "node":
        if selection.layer == "L":
            return 0 <= selection.t <= T
        from_zero = ("h", "a") if not net.jordan else ("y", "o")  # the initial context's layer
        first = 0 if selection.layer in from_zero else 1
        n = sizes.get(selection.layer, 0)
        return first <= selection.t <= T and 0 <= selection.unit < n
    if selection.kind == "edge":
        if selection.layer not in ("U", "W", "V"):
            return False
        rows, cols = shapes[selection.layer]
        return 1 <= selection.t <= T and 0 <= selection.row < rows and 0 <= selection.col < cols
    if selection.kind == "cell" and selection.layer in shapes:
        rows, cols = shapes[selection.layer]
        return 0 <= selection.row < rows and 0 <= selection.col < cols
    return False


def explain(
    trace: Trace, state: StepState, selection: Selection | None, notation: Notation
) -> Explanation:
    """The worked example for ``selection`` at the cursor ``state`` in ``notation``.

    Parameters
    ----------
    trace : an unbatched trace.  state : the cursor's :class:`StepState` over it.
    selection : a node, edge or cell (see ``core.selection``); None or an index outside the
        network gives :func:`default_selection`, with a note.
    notation : the symbols and delta sign to write in.
    """
    if trace.batched:
        raise ValueError("explain needs the trace of one sequence; use trace.select(i)")
    notes: tuple[str, ...] = ()
    if selection is not None and not is_valid(selection, trace):
        notes = (f"the selection {selection} does not exist in this network; showing the default",)
        selection = None
    if selection is None:
        selection = default_selection(state)
        if not is_valid(selection, trace):  # a Jordan network has no h(0): its y(0) instead
            selection = Selection(kind="node", layer="y", t=0, unit=0)
    ctx = _Context(trace, state, notation)
    title, steps = ctx.dispatch(selection)
    return Explanation(title, selection, tuple(steps), notes)


class _Context:
    """What every equation builder needs: the trace, what is known, and the symbols."""

    def __init__(self, trace: Trace, state: StepState, notation: Notation) -> None:
        self.trace, self.state, self.n = trace, state, notation
        self.net = trace.net
        self.sign = notation.delta_sign
        self.L = notation["L"]
        #: the layer the context copies: h(t-1) (Elman), y(t-1) or d(t-1) (Jordan)
        self.ctx = {"hidden": "h", "output": "y", "target": "d"}[trace.net.context]

    def ctx_known(self, t: int) -> bool:
        """Whether the context c(t) read at step t is known (a target always is)."""
        return self.net.context == "target" or self.fwd(t - 1)

    # -- what is known at the cursor --------------------------------------------------------------
    def fwd(self, t: int) -> bool:
        """Whether a(t), h(t), o(t), ŷ(t), L(t) are known (h(0) always is)."""
        return t <= self.state.forward_known

    def bwd(self, t: int) -> bool:
        """Whether δo(t) and δh(t) are known."""
        return self.state.backward_from <= t <= self.trace.T

    def fwd_note(self, t: int, what: str) -> tuple[str, ...]:
        return () if self.fwd(t) else (f"{what} is computed at forward t = {t}",)

    def bwd_note(self, t: int, what: str) -> tuple[str, ...]:
        return () if self.bwd(t) else (f"{what} is computed at backward t = {t}",)

    # -- symbols (1-based indices, as in the seeds) -----------------------------------------------
    def u(self, name: str, i: int, t: int | None = None) -> str:
        """A unit's symbol such as ``h[2](4)``."""
        return f"{self.n[name]}[{i + 1}]" + ("" if t is None else f"({t})")

    def w(self, name: str, r: int, c: int | None = None) -> str:
        """A parameter entry such as ``W[2,3]`` (``b[2]`` for vectors)."""
        return f"{self.n[name]}[{r + 1}" + ("]" if c is None else f",{c + 1}]")

    def dw(self, name: str, r: int, c: int | None = None) -> str:
        return f"∂{self.L}/∂{self.w(name, r, c)}"

    def delta_cite(self, seed004: str, seed001: str) -> str:
        extra = f"; seeds/001 {seed001} (δ = -∂{self.L}/∂net)" if self.sign < 0 else ""
        return f"seeds/004 {seed004}{extra}"

    def dispatch(self, sel: Selection) -> tuple[str, list[Step]]:
        if sel.kind == "edge":
            return self.edge(sel.layer, sel.t, sel.row, sel.col)
        if sel.kind == "cell":
            return self.cell(sel.layer, sel.row, sel.col)
        if sel.layer == "L":
            return self.loss(sel.t)
        if sel.layer == "x":
            return self.input(sel.unit, sel.t)
        if sel.layer in ("y", "o"):
            if sel.t == 0:
                u = self.u(self.ctx, sel.unit, 0)
                return f"initial context {u}", [self.h0_value(sel.unit), self.h0_gradient(sel.unit)]
            return self.output(sel.unit, sel.t)
        return self.hidden(sel.unit, sel.t)

    # -- nodes ------------------------------------------------------------------------------------
    def hidden(self, j: int, t: int) -> tuple[str, list[Step]]:
        if t == 0:
            return f"initial state {self.u('h', j, 0)}", [self.h0_value(j), self.h0_gradient(j)]
        title = f"hidden unit {self.u('h', j, t)}"
        return title, [self.hidden_forward(j, t), self.hidden_delta(j, t)]

    def hidden_forward(self, j: int, t: int) -> Step:
        """a_j(t) = b_j + Σ_i W_ji c_i(t) + Σ_i U_ji x_i(t); h_j(t) = f(a_j(t)) (eq. 1-2), the
        context c(t) being h(t-1) (or a Jordan network's y(t-1) or d(t-1))."""
        net, tr = self.net, self.trace
        prev = self.ctx_known(t)
        terms = [Term(self.w("b", j), fmt(net.b[j]), float(net.b[j]))]
        for i in range(net.n_context):
            c = tr.context[t - 1, i]
            v = float(net.W[j, i] * c) if prev else None
            terms.append(
                _product(self.w("W", j, i), self.u(self.ctx, i, t - 1), net.W[j, i], v, prev, c)
            )
        for i in range(net.n_in):
            v = float(net.U[j, i] * tr.x[t - 1, i])
            terms.append(
                _product(self.w("U", j, i), self.u("x", i, t), net.U[j, i], v, True, tr.x[t - 1, i])
            )
        known = self.fwd(t)
        a, h = self.u("a", j, t), self.u("h", j, t)
        a_val = float(tr.a[t - 1, j]) if known else None
        h_val = float(tr.h[t, j]) if known else None
        f = _F[net.hidden]
        sums = [terms[0]], terms[1 : 1 + net.n_context], terms[1 + net.n_context :]
        equation = (
            f"{a} = {self.w('b', j)} + Σi {self.n['W']}[{j + 1},i]·{self.n[self.ctx]}[i]({t - 1})"
            f" + Σi {self.n['U']}[{j + 1},i]·{self.n['x']}[i]({t})\n{h} = {f}({a})"
        )
        written = " + ".join(f"({_written(s)})" if len(s) > 1 else _written(s) for s in sums)
        substituted = f"{a} = {written} = {fmt(a_val)}\n{h} = {f}({fmt(a_val)}) = {fmt(h_val)}"
        return Step(
            "forward",
            equation,
            substituted,
            f"{a} = {fmt(a_val)},  {h} = {fmt(h_val)}",
            "seeds/004 eq. 1-2",
            h_val,
            tuple(terms),
            total=a_val,
            notes=self.fwd_note(t, f"{h}"),
        )

    def derivative(self, j: int, t: int) -> tuple[str, str, float | None]:
        """(symbols, numbers, value) of f'(a_j(t)) for the network's activation."""
        kind, tr = self.net.hidden, self.trace
        a, h = self.u("a", j, t), self.u("h", j, t)
        known = self.fwd(t)
        av, hv = float(tr.a[t - 1, j]), float(tr.h[t, j])
        value = float(hidden_derivative(kind, tr.a[t - 1, j : j + 1], tr.h[t, j : j + 1])[0])
        hn, an = (_fac(hv), fmt(av)) if known else (UNKNOWN, UNKNOWN)
        if kind == "tanh":  # seeds/004 eq. 38
            sym, num = f"(1 - {h}²)", f"(1 - {hn}²)"
        elif kind == "logistic":  # seeds/001 eq. 18
            sym, num = f"{h}(1 - {h})", f"{hn}·(1 - {hn})"
        elif kind == "relu":
            sym, num = f"[{a} > 0]", f"[{an} > 0]"
        else:
            sym, num = "1", "1"
        return sym, num, value if known else None

    def carried(self, t: int) -> tuple[Array | None, str]:
        """The δh(t+1) that reaches step t through W under the trace's truncation, with a note.

        Full BPTT: δh(t+1). Chunked: 0 when t+1 starts a chunk. Sliding BPTT(k): δh(t+1) minus
        its part D_{k-1}(t+1) from L(t+k), which would travel k+1 steps back (core.bptt).
        """
        tr, T, k = self.trace, self.trace.T, self.trace.truncation
        if tr.net.jordan:
            return None, (
                f"Jordan network: {self.n['delta_h']}(t+1) comes back through the output "
                f"{self.n['y']}({t}), so it is part of {self.n['delta_o']}({t})"
                if tr.net.context == "output"
                else "teacher forcing: the context is the target, no δ comes back through W"
            )
        if t >= T:
            return None, f"t = T = {T}: no δ comes back from step T+1"
        if k is None:
            return tr.delta_h[t], ""
        if tr.mode == "chunked":
            if t % k == 0:
                return None, f"chunked k = {k}: the gradient is cut between t = {t} and {t + 1}"
            return tr.delta_h[t], ""
        if k == 1:
            return None, "BPTT(1): the context is a plain extra input (Elman 1990), no W term"
        s = t + k  # the loss L(s) whose part of δh(t+1) is already k-1 steps old
        if s > T:
            return tr.delta_h[t], ""
        W, V, net = tr.net.W, tr.net.V, tr.net
        D = hidden_derivative(net.hidden, tr.a[s - 1], tr.h[s]) * (tr.delta_o[s - 1] @ V)
        for r in range(s - 1, t, -1):  # D_j(r) = f'(a(r)) W^T D_{j-1}(r+1), down to r = t+1
            D = hidden_derivative(net.hidden, tr.a[r - 1], tr.h[r]) * (D @ W)
        note = (
            f"BPTT(k = {k}): {self.n['delta_h']}(t+1) here leaves out its part from "
            f"{self.L}({s}), which may travel back only to step {s - k + 1}"
        )
        return tr.delta_h[t] - D, note

    def hidden_delta(self, j: int, t: int) -> Step:
        """δh_j(t) = f'(a_j(t)) (Σ_i W_ij δh_i(t+1) + Σ_k V_kj δo_k(t)) (eq. 45 × f', 60-62)."""
        net, tr, s = self.net, self.trace, self.sign
        dh, do = self.n["delta_h"], self.n["delta_o"]
        carried, cut_note = self.carried(t)
        terms: list[Term] = []
        if carried is not None:
            known = self.bwd(t + 1)
            for i in range(net.n_hidden):
                d = s * carried[i] if known else None
                v = float(net.W[i, j] * d) if d is not None else None
                terms.append(
                    _product(
                        self.w("W", i, j), self.u("delta_h", i, t + 1), net.W[i, j], v, known, d
                    )
                )
        for k in range(net.n_out):
            known = self.bwd(t)
            d = s * tr.delta_o[t - 1, k] if known else None
            v = float(net.V[k, j] * d) if d is not None else None
            terms.append(
                _product(self.w("V", k, j), self.u("delta_o", k, t), net.V[k, j], v, known, d)
            )
        fp_sym, fp_num, fp = self.derivative(j, t)
        known = self.bwd(t)
        value = float(s * tr.delta_h[t - 1, j]) if known else None
        total = _sum(terms) if known else None
        target = self.u("delta_h", j, t)
        rec = f"Σi {self.n['W']}[i,{j + 1}]·{dh}[i]({t + 1}) + " if carried is not None else ""
        equation = f"{target} = {fp_sym}·({rec}Σk {self.n['V']}[k,{j + 1}]·{do}[k]({t}))"
        substituted = f"{target} = {fp_num}·({_written(terms)}) = {fmt(fp)}·{_fac(total)}"
        notes = [*self.bwd_note(t, target)]
        if cut_note:
            notes.append(cut_note)
        if s < 0:
            notes.append(
                f"{self.n.delta_definition('h')}: the negative of the gradient (seeds/001 "
                "eq. 12-13); the recursion keeps its form because every δ flips sign"
            )
        return Step(
            "delta",
            equation,
            f"{substituted} = {fmt(value)}",
            f"{target} = {fmt(value)}",
            self.delta_cite("eq. 45, 60-62", "eq. 13, 27"),
            value,
            tuple(terms),
            total=total,
            factor=fp,
            notes=tuple(notes),
        )

    def h0_value(self, j: int) -> Step:
        h = self.u(self.ctx, j, 0)
        v = float(self.net.h0[j])
        return Step(
            "initial",
            f"{h} = {self.w('h0', j)}",
            f"{h} = {fmt(v)}",
            f"{h} = {fmt(v)}",
            "seeds/004 eq. 1 (h(0) = h0)" if not self.net.jordan else "core/jordan.py (c(1) = h0)",
            v,
            (Term(self.w("h0", j), fmt(v), v),),
            v,
        )

    def h0_gradient(self, j: int) -> Step:
        """∂L/∂h0_j = Σ_i W_ij δh_i(1): h0 feeds a(1) through W."""
        net, tr = self.net, self.trace
        known = self.bwd(1)
        terms = []
        for i in range(net.n_hidden):
            d = self.sign * tr.delta_h[0, i] if known else None
            v = float(self.sign * net.W[i, j] * d) if d is not None else None
            terms.append(
                _product(self.w("W", i, j), self.u("delta_h", i, 1), net.W[i, j], v, known, d)
            )
        value = float(tr.delta_h0[j]) if known else None
        target = f"∂{self.L}/∂{self.w('h0', j)}"
        sign = "-" if self.sign < 0 else ""
        equation = f"{target} = {sign}Σi {self.n['W']}[i,{j + 1}]·{self.n['delta_h']}[i](1)"
        return Step(
            "gradient",
            equation,
            f"{target} = {sign}({_written(terms)}) = {fmt(value)}",
            f"{target} = {fmt(value)}",
            self.delta_cite("eq. 45 at t = 0", "eq. 27"),
            value,
            tuple(terms),
            total=_sum(terms) if known else None,
            notes=self.bwd_note(1, target),
        )

    def input(self, i: int, t: int) -> tuple[str, list[Step]]:
        x = self.u("x", i, t)
        v = float(self.trace.x[t - 1, i])
        net = self.net
        terms = tuple(
            _product(self.w("U", j, i), x, net.U[j, i], float(net.U[j, i] * v), True, v)
            for j in range(net.n_hidden)
        )
        given = Step(
            "input",
            f"{x} (given by the sequence)",
            f"{x} = {fmt(v)}",
            f"{x} = {fmt(v)}",
            "seeds/004 eq. 1",
            v,
            (Term(x, fmt(v), v),),
            v,
        )
        feeds = Step(
            "feeds",
            f"{self.n['U']}[j,{i + 1}]·{x} enters {self.n['a']}[j]({t}) for every hidden unit j",
            _written(terms, " ,  "),
            f"{len(terms)} signals",
            "seeds/004 eq. 1",
            None,
            terms,
        )
        return f"input {x}", [feeds, given]

    def output(self, k: int, t: int) -> tuple[str, list[Step]]:
        return f"output unit {self.u('y', k, t)}", [
            self.output_forward(k, t),
            self.output_delta(k, t),
        ]

    def output_forward(self, k: int, t: int) -> Step:
        """o_k(t) = c_k + Σ_j V_kj h_j(t); ŷ(t) = g(o(t)) (eq. 3-4, 9)."""
        net, tr = self.net, self.trace
        known = self.fwd(t)
        terms = [Term(self.w("c", k), fmt(net.c[k]), float(net.c[k]))]
        for j in range(net.n_hidden):
            v = float(net.V[k, j] * tr.h[t, j]) if known else None
            terms.append(
                _product(self.w("V", k, j), self.u("h", j, t), net.V[k, j], v, known, tr.h[t, j])
            )
        o, y = self.u("o", k, t), self.u("y", k, t)
        o_val = float(tr.o[t - 1, k]) if known else None
        y_val = float(tr.y[t - 1, k]) if known else None
        g_sym, g_num = self.output_function(k, t)
        equation = (
            f"{o} = {self.w('c', k)} + Σj {self.n['V']}[{k + 1},j]·{self.n['h']}[j]({t})\n"
            f"{y} = {g_sym}"
        )
        substituted = (
            f"{o} = {terms[0].numbers} + ({_written(terms[1:])}) = {fmt(o_val)}\n"
            f"{y} = {g_num} = {fmt(y_val)}"
        )
        return Step(
            "forward",
            equation,
            substituted,
            f"{o} = {fmt(o_val)},  {y} = {fmt(y_val)}",
            "seeds/004 eq. 3-4" + (", 9" if net.output == "softmax" else ""),
            y_val,
            tuple(terms),
            total=o_val,
            notes=self.fwd_note(t, y),
        )

    def output_function(self, k: int, t: int) -> tuple[str, str]:
        """g(o_k(t)) in symbols and numbers: softmax (eq. 9), logistic or identity."""
        net, tr = self.net, self.trace
        o = self.u("o", k, t)
        known = self.fwd(t)
        ok = fmt(tr.o[t - 1, k]) if known else UNKNOWN
        if net.output == "softmax":
            sym = f"exp({o}) / Σq exp({self.n['o']}[q]({t}))"
            if net.n_out <= MAX_WRITTEN_TERMS:
                den = " + ".join(f"exp({fmt(v) if known else UNKNOWN})" for v in tr.o[t - 1])
            else:
                den = f"Σq exp({self.n['o']}[q]({t}))"
            return sym, f"exp({ok}) / ({den})"
        if net.output == "logistic":
            return (
                f"σ({o}) = 1 / (1 + exp(-{o}))",
                f"1 / (1 + exp(-{_fac(tr.o[t - 1, k]) if known else UNKNOWN}))",
            )
        return f"{o}", ok

    def output_delta(self, k: int, t: int) -> Step:
        """δo_k(t) = ŷ_k(t) - y_k(t) (eq. 22); Bodén: δk = d_k - y_k (seeds/001 eq. 12, 26)."""
        tr, s = self.trace, self.sign
        known = self.bwd(t)
        yv, dv, m = tr.y[t - 1, k], tr.d[t - 1, k], tr.mask[t - 1]
        dsum = float(tr.d[t - 1].sum()) if self.net.output == "softmax" else 1.0
        yk, dk = self.u("y", k, t), self.u("d", k, t)
        terms: tuple[Term, ...]
        if s > 0:  # δo = ŷ - y (seeds/004 eq. 22)
            terms = (
                Term(yk, fmt(yv), float(yv * dsum * m) if known else None),
                Term(f"-{dk}", f"-{_fac(dv)}", float(-dv * m) if known else None),
            )
        else:  # δk = d - y (seeds/001 eq. 12 with the matched loss)
            terms = (
                Term(dk, fmt(dv), float(dv * m) if known else None),
                Term(f"-{yk}", f"-{_fac(yv)}", float(-yv * dsum * m) if known else None),
            )
        target = self.u("delta_o", k, t)
        sym = f"{yk} - {dk}" if s > 0 else f"{dk} - {yk}"
        num = f"{fmt(yv)} - {_fac(dv)}" if s > 0 else f"{fmt(dv)} - {_fac(yv)}"
        notes = [*self.bwd_note(t, target)]
        if abs(dsum - 1.0) > 1e-12:
            notes.append(f"the targets at t = {t} sum to {fmt(dsum)}, so ŷ is weighted by that sum")
        if m != 1:
            notes.append(f"this step's loss has weight {fmt(m)} (mask)")
        cite = self.delta_cite("eq. 22", "eq. 12, 21-26")
        if self.net.context == "output":
            local = (yv * dsum - dv) * m
            back = self.through_output(k, t, float(tr.delta_o[t - 1, k] - local), known)
            if back is not None:
                term, rec_sym, note = back
                terms = (*terms, term)
                sym, num = f"{sym} + {rec_sym}", f"{num} + {term.numbers}"
                notes.append(note)
                cite += "; core/jordan.py (through y(t) into a(t+1))"
        value = float(s * tr.delta_o[t - 1, k]) if known else None
        return Step(
            "delta",
            f"{target} = {sym}",
            f"{target} = {num} = {fmt(value)}",
            f"{target} = {fmt(value)}",
            cite,
            value,
            terms,
            total=_sum(terms) if known else None,
            notes=tuple(notes),
        )

    def through_output(
        self, k: int, t: int, recurrent: float, known: bool
    ) -> tuple[Term, str, str] | None:
        """A Jordan network's second term of δo_k(t): [J_g(t)^T W^T δh(t+1)]_k, the gradient that
        comes back from step t+1 through the fed-back output y(t) (core/jordan.py).

        Returns (term, symbols, note), or None when nothing comes back (t = T or a cut)."""
        tr, s, T, kk = self.trace, self.sign, self.trace.T, self.trace.truncation
        if t >= T or (kk is not None and tr.mode == "chunked" and t % kk == 0) or kk == 1:
            return None
        y, W = tr.y[t - 1], tr.net.W
        yk = self.u("y", k, t)
        g = {
            "softmax": f"{yk}·(r[{k + 1}] - Σq {self.n['y']}[q]({t})·r[q])",
            "logistic": f"{yk}(1 - {yk})·r[{k + 1}]",
            "linear": f"r[{k + 1}]",
        }[self.net.output]
        value = s * recurrent if known else None
        g_sym = f"{g},  r[q] = Σi {self.n['W']}[i,q]·{self.n['delta_h']}[i]({t + 1})"
        sliding = kk is not None and tr.mode == "sliding" and t + kk <= T
        if not known or sliding:
            numbers = fmt(value)
        else:
            r = s * (W.T @ tr.delta_h[t])  # r = W^T δh(t+1), in the notation's sign
            yr = float(y @ r)
            numbers = {
                "softmax": f"{_fac(y[k])}·({fmt(r[k])} - {_fac(yr)})",
                "logistic": f"{_fac(y[k])}·(1 - {_fac(y[k])})·{_fac(r[k])}",
                "linear": _fac(r[k]),
            }[self.net.output]
        note = (
            f"Jordan network: r = {self.n['W']}ᵀ{self.n['delta_h']}({t + 1}) comes back from "
            f"step {t + 1} through {self.n['y']}({t}), the next step's context"
        )
        if sliding and kk is not None:
            note += f"; BPTT(k = {kk}) leaves out its part from {self.L}({t + kk})"
        return Term(g, numbers, value), g_sym, note

    def loss(self, t: int) -> tuple[str, list[Step]]:
        if t == 0:
            return f"total loss {self.L}", [self.total_loss()]
        return f"loss {self.L}({t})", [self.step_loss(t)]

    def step_loss(self, t: int) -> Step:
        """L(t) for the output/loss pair, term by term over the output units."""
        net, tr = self.net, self.trace
        known, m = self.fwd(t), float(tr.mask[t - 1])
        o, d = tr.o[t - 1], tr.d[t - 1]
        y = tr.y[t - 1]
        if net.output == "softmax":  # seeds/004 eq. 13, from o for stability (eq. 16)
            lse = o.max() + np.log(np.exp(o - o.max()).sum())
            values = d * (lse - o) * m
            sym = f"-Σk {self.n['d']}[k]({t})·ln {self.n['y']}[k]({t})"
            parts = [f"-{_fac(d[k])}·ln({fmt(y[k])})" for k in range(net.n_out)]
            cite = "seeds/004 eq. 13; seeds/001 eq. 24"
        elif net.output == "logistic":  # seeds/001 eq. 22, as softplus(o) - d o
            values = (np.logaddexp(0.0, o) - d * o) * m
            sym = (
                f"-Σk [{self.n['d']}[k]({t})·ln {self.n['y']}[k]({t}) + "
                f"(1 - {self.n['d']}[k]({t}))·ln(1 - {self.n['y']}[k]({t}))]"
            )
            parts = [
                f"-[{_fac(d[k])}·ln({fmt(y[k])}) + (1 - {_fac(d[k])})·ln(1 - {fmt(y[k])})]"
                for k in range(net.n_out)
            ]
            cite = "seeds/001 eq. 22"
        else:  # seeds/001 eq. 10
            values = 0.5 * (y - d) ** 2 * m
            sym = f"½ Σk ({self.n['y']}[k]({t}) - {self.n['d']}[k]({t}))²"
            parts = [f"½({fmt(y[k])} - {_fac(d[k])})²" for k in range(net.n_out)]
            cite = "seeds/001 eq. 10"
        terms = tuple(
            Term(
                f"{self.L}[{k + 1}]({t})",
                parts[k] if known else UNKNOWN,
                float(values[k]) if known else None,
            )
            for k in range(net.n_out)
        )
        value = float(tr.loss_t[t - 1]) if known else None
        target = f"{self.L}({t})"
        notes = [*self.fwd_note(t, target)]
        if m != 1:
            notes.append(f"weighted by the mask {fmt(m)}")
        return Step(
            "loss",
            f"{target} = {sym}",
            f"{target} = {_written(terms)} = {fmt(value)}",
            f"{target} = {fmt(value)}",
            cite,
            value,
            terms,
            total=_sum(terms) if known else None,
            notes=tuple(notes),
        )

    def total_loss(self) -> Step:
        tr = self.trace
        n = self.state.forward_known
        terms = tuple(
            Term(
                f"{self.L}({t})",
                fmt(tr.loss_t[t - 1]) if t <= n else UNKNOWN,
                float(tr.loss_t[t - 1]) if t <= n else None,
            )
            for t in range(1, tr.T + 1)
        )
        value = float(tr.loss) if n == tr.T else None
        so_far = float(tr.loss_t[:n].sum())
        notes = (
            ()
            if n == tr.T
            else (
                f"{self.L} is complete at forward t = {tr.T}; the steps "
                f"seen so far add up to {fmt(so_far)}",
            )
        )
        return Step(
            "loss",
            f"{self.L} = Σt {self.L}(t)",
            f"{self.L} = {_written(terms)}",
            f"{self.L} = {fmt(value)}",
            "seeds/004 eq. 11",
            value,
            terms,
            total=value,
            notes=notes,
        )

    # -- edges and gradient cells -----------------------------------------------------------------
    def edge(self, p: str, t: int, r: int, c: int) -> tuple[str, list[Step]]:
        """Weight p[r, c] at step t: its value, the signal it carries, its gradient term."""
        tr, net = self.trace, self.net
        wv = float(net.params()[p][r, c])
        if p == "U":
            src, src_t, dst, dst_layer, delta = "x", t, "a", "delta_h", tr.delta_h
            act, act_known, cite_f, cite_b, boden = (
                tr.x[t - 1, c],
                True,
                "eq. 1",
                "eq. 88",
                "eq. 15",
            )
        elif p == "W":
            src, src_t, dst, dst_layer, delta = self.ctx, t - 1, "a", "delta_h", tr.delta_h
            act, act_known, cite_f, cite_b, boden = (
                tr.context[t - 1, c],
                self.ctx_known(t),
                "eq. 1",
                "eq. 87",
                "eq. 16",
            )
        else:
            src, src_t, dst, dst_layer, delta = "h", t, "o", "delta_o", tr.delta_o
            act, act_known, cite_f, cite_b, boden = (
                tr.h[t, c],
                self.fwd(t),
                "eq. 3",
                "eq. 86",
                "eq. 14",
            )
        weight = self.w(p, r, c)
        sending, receiving = self.u(src, c, src_t), self.u(dst, r, t)
        known = self.fwd(t) and act_known
        signal = float(wv * act) if known else None
        forward = Step(
            "signal",
            f"{weight}·{sending}  (a term of {receiving})",
            f"{fmt(wv)}·{_fac(act) if act_known else UNKNOWN} = {fmt(signal)}",
            f"{weight} = {fmt(wv)},  signal = {fmt(signal)}",
            f"seeds/004 {cite_f}",
            signal,
            (Term(f"{weight}·{sending}", f"{fmt(wv)}·{_fac(act)}", signal),),
            total=signal,
            notes=self.fwd_note(t, f"the signal into {receiving}"),
        )
        dknown = self.bwd(t)
        d = float(self.sign * delta[t - 1, r]) if dknown else None
        grad = float(self.sign * d * act) if d is not None else None
        dsym = self.u(dst_layer, r, t)
        sign = "-" if self.sign < 0 else ""
        target = f"{self.dw(p, r, c)} at t = {t}"
        backward = Step(
            "gradient",
            f"{target} = {sign}{dsym}·{sending}",
            f"{target} = {sign}{_fac(d)}·{_fac(act)} = {fmt(grad)}",
            f"{target} = {fmt(grad)}",
            self.delta_cite(cite_b, boden),
            grad,
            (Term(f"{sign}{dsym}·{sending}", f"{sign}{_fac(d)}·{_fac(act)}", grad),),
            total=grad,
            notes=self.bwd_note(t, dsym),
        )
        steps = [forward, backward]
        if p == "V" or (p == "W" and self.net.context != "target"):
            steps.insert(1, self.carried_back(p, t, r, c, d))
        return f"edge {weight} at t = {t}: {sending} → {receiving}", steps

    def carried_back(self, p: str, t: int, r: int, c: int, d: float | None) -> Step:
        """The delta this edge carries back into the sending unit's δ (the terms of eq. 45)."""
        wv = float(self.net.params()[p][r, c])
        dsym = self.u("delta_h" if p == "W" else "delta_o", r, t)
        into = self.u("delta_h", c, t - 1 if p == "W" else t)
        if p == "W" and self.net.jordan:
            into = f"∂{self.L}/∂{self.u('y', c, t - 1)}, then {self.u('delta_o', c, t - 1)}"
        if p == "W" and t == 1:
            into = f"∂{self.L}/∂{self.w('h0', c)}"
        v = float(wv * d) if d is not None else None
        weight = self.w(p, r, c)
        return Step(
            "carried back",
            f"{weight}·{dsym}  (a term of {into})",
            f"{fmt(wv)}·{_fac(d)} = {fmt(v)}",
            f"carried back = {fmt(v)}",
            self.delta_cite("eq. 45", "eq. 13, 27"),
            v,
            (Term(f"{weight}·{dsym}", f"{fmt(wv)}·{_fac(d)}", v),),
            total=v,
            notes=self.bwd_note(t, dsym),
        )

    def cell(self, p: str, r: int, c: int) -> tuple[str, list[Step]]:
        """The gradient accumulated so far in cell (r, c) of p: Σ over visited t (eq. 84-88)."""
        if p == "h0":
            return f"gradient cell {self.dw('h0', r)}", [self.h0_gradient(r)]
        tr, T, first = self.trace, self.trace.T, self.state.backward_from
        vector = p in ("b", "c")
        col = None if vector else c
        target = self.dw(p, r, col)
        dname = "delta_h" if p in ("U", "W", "b") else "delta_o"
        delta = tr.delta_h if dname == "delta_h" else tr.delta_o
        sign = "-" if self.sign < 0 else ""
        sending = {"U": ("x", 0), "W": (self.ctx, -1), "V": ("h", 0)}
        cite = {"U": "eq. 88", "W": "eq. 87", "V": "eq. 86", "b": "eq. 85", "c": "eq. 84"}[p]
        generic = f"{sign}Σt {self.n[dname]}[{r + 1}](t)"
        act: Array
        if vector:
            act = np.ones(T)
        else:
            layer, lag = sending[p]
            act = tr.x[:, c] if p == "U" else tr.context[:, c] if p == "W" else tr.h[1:, c]
            generic += f"·{self.n[layer]}[{c + 1}](t{'-1' if lag else ''})"
        terms = []
        for t in range(T, first - 1, -1):  # in the order the backward sweep adds them
            d = float(self.sign * delta[t - 1, r])
            v = float(delta[t - 1, r] * act[t - 1])
            sym = f"{sign}{self.u(dname, r, t)}"
            if not vector:
                layer, lag = sending[p]
                sym += f"·{self.u(layer, c, t + lag)}"
            num = f"{sign}{_fac(d)}" + ("" if vector else f"·{_fac(act[t - 1])}")
            terms.append(Term(sym, num, v))
        value = float(self.state.accumulated[p][r] if vector else self.state.accumulated[p][r, c])
        notes = []
        if not terms:
            notes.append(f"no step visited yet: the backward sweep adds the t = {T} term first")
            substituted = f"{target} = 0"
        else:
            rest = f" + (t = 1..{first - 1} still to come)" if first > 1 else ""
            substituted = f"{target} = {_written(terms)}{rest} = {fmt(value)}"
        if tr.truncation is not None:
            notes.append(f"the deltas are those of truncated BPTT ({tr.mode}, k = {tr.truncation})")
        cur = self.state.contribution
        if cur is not None:
            now = cur[p][r] if vector else cur[p][r, c]
            notes.append(f"this step (t = {self.state.t}) adds {fmt(now)}")
        return f"gradient cell {target}", [
            Step(
                "gradient",
                f"{target} = {generic}",
                substituted,
                f"{target} = {fmt(value)}" + ("" if first == 1 else " so far"),
                self.delta_cite(cite, {"U": "eq. 15", "W": "eq. 16"}.get(p, "eq. 14")),
                value,
                tuple(terms),
                total=value,
                notes=tuple(notes),
            )
        ]


def _product(
    wsym: str, asym: str, w: float, value: float | None, known: bool, a: float | None
) -> Term:
    """The term w·a in symbols and numbers ("?" for an unknown factor)."""
    return Term(f"{wsym}·{asym}", f"{_fac(w)}·{_fac(a) if known else UNKNOWN}", value)


def _sum(terms: list[Term] | tuple[Term, ...]) -> float | None:
    """The sum of the terms' values, None if any is unknown (0 for no terms)."""
    values = [t.value for t in terms if t.value is not None]
    return float(sum(values, 0.0)) if len(values) == len(terms) else None


def _written(terms: list[Term] | tuple[Term, ...], sep: str = " + ") -> str:
    """The terms' numbers joined, at most MAX_WRITTEN_TERMS of them, the rest summarised."""
    if not terms:
        return "0"
    shown = [t.numbers for t in terms[:MAX_WRITTEN_TERMS]]
    rest = terms[MAX_WRITTEN_TERMS:]
    if sep == " + ":  # "a + -b" reads "a - b"
        shown = shown[:1] + [f"- {p[1:]}" if p.startswith("-") else f"+ {p}" for p in shown[1:]]
        sep = " "
    if rest:
        shown.append(f"{'+ ' if sep == ' ' else ''}… {len(rest)} more terms ({fmt(_sum(rest))})")
    return sep.join(shown)
