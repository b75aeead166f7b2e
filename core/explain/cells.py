"""Worked examples of the gradient cells: a parameter's gradient as the backward sweep adds it up.

∂L/∂p[r, c] = Σt δ_r(t) · partner_c(t)     (partner: x(t) for U, c(t) for W, h(t) for V,
                                             1 for the biases b and c)
∂L/∂h0 = W^T δh(1)
"""

from __future__ import annotations

from core.explain.symbols import Scope
from core.explain.text import Step, Term, fmt, paren, product, total, written
from core.trace import DELTA_OF, WEIGHT_KINDS


def cell(sc: Scope, p: str, r: int, c: int) -> tuple[str, list[Step]]:
    """The gradient accumulated so far in cell (r, c) of p: Σ over the visited steps t."""
    if p == "h0":
        return f"gradient cell {sc.dw('h0', r)}", [h0_gradient(sc, r)]
    tr, T, first = sc.trace, sc.trace.T, sc.state.backward_from
    vector = p in ("b", "c")
    col = None if vector else c
    target = sc.dw(p, r, col)
    dname = DELTA_OF[p]
    delta, act = tr.delta_of(p), tr.partner(p)
    sign = "-" if sc.sign < 0 else ""
    generic = f"{sign}Σt {sc.n[dname]}[{r + 1}](t)"
    if not vector:
        kind = WEIGHT_KINDS[p]
        layer = sc.sender(kind.sender)
        generic += f"·{sc.n[layer]}[{c + 1}](t{'-1' if kind.lag else ''})"
    terms = []
    for t in range(T, first - 1, -1):  # in the order the backward sweep adds them
        d = float(sc.sign * delta[t - 1, r])
        a = 1.0 if vector else float(act[t - 1, c])
        sym = f"{sign}{sc.u(dname, r, t)}"
        if not vector:
            sym += f"·{sc.u(layer, c, t + kind.lag)}"
        num = f"{sign}{paren(d)}" + ("" if vector else f"·{paren(a)}")
        terms.append(Term(sym, num, float(delta[t - 1, r] * a)))
    value = float(sc.state.accumulated[p][r] if vector else sc.state.accumulated[p][r, c])
    notes = []
    if not terms:
        notes.append(f"no step visited yet: the backward sweep adds the t = {T} term first")
        substituted = f"{target} = 0"
    else:
        rest = f" + (t = 1..{first - 1} still to come)" if first > 1 else ""
        substituted = f"{target} = {written(terms)}{rest} = {fmt(value)}"
    if tr.truncation is not None:
        notes.append(f"the deltas are those of truncated BPTT ({tr.mode}, k = {tr.truncation})")
    cur = sc.state.contribution
    if cur is not None:
        now = cur[p][r] if vector else cur[p][r, c]
        notes.append(f"this step (t = {sc.state.t}) adds {fmt(now)}")
    return f"gradient cell {target}", [
        Step(
            "gradient",
            f"{target} = {generic}",
            substituted,
            f"{target} = {fmt(value)}" + ("" if first == 1 else " so far"),
            sc.cite(f"grad-{p}", *sc.truncation_key(), delta=True),
            value,
            tuple(terms),
            total=value,
            notes=tuple(notes),
        )
    ]


def h0_gradient(sc: Scope, j: int) -> Step:
    """∂L/∂h0_j = Σ_i W_ij δh_i(1): h0 feeds a(1) through W."""
    net, tr = sc.net, sc.trace
    known = sc.bwd(1)
    sign = "-" if sc.sign < 0 else ""  # δ = -∂L/∂net: the gradient term is -W·δ
    terms = []
    for i in range(net.n_hidden):
        d = sc.sign * tr.delta_h[0, i] if known else None
        v = float(sc.sign * net.W[i, j] * d) if d is not None else None
        term = product(sc.w("W", i, j), sc.u("delta_h", i, 1), net.W[i, j], v, known, d)
        terms.append(Term(sign + term.symbol, sign + term.numbers, v))
    value = float(tr.delta_h0[j]) if known else None
    target = f"∂{sc.L}/∂{sc.w('h0', j)}"
    equation = f"{target} = {sign}Σi {sc.n['W']}[i,{j + 1}]·{sc.n['delta_h']}[i](1)"
    return Step(
        "gradient",
        equation,
        f"{target} = {written(terms)} = {fmt(value)}",
        f"{target} = {fmt(value)}",
        sc.cite("grad-h0", delta=True),
        value,
        tuple(terms),
        total=total(terms) if known else None,
        notes=sc.bwd_note(1, target),
    )
