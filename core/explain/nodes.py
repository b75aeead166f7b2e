"""Worked examples of the hidden units, the inputs and the initial context.

a(t) = b + W c(t) + U x(t),  h(t) = f(a(t))             forward (c(t) = h(t-1), y(t-1) or d(t-1))
δh(t) = f'(a(t)) (W^T δh(t+1) + V^T δo(t))              backward (Jordan: no W^T term)
"""

from __future__ import annotations

from core.explain.cells import h0_gradient
from core.explain.symbols import Scope
from core.explain.text import UNKNOWN, Step, Term, fmt, paren, product, total, written
from core.functions import hidden_derivative

#: the hidden activation f as written in an equation
F = {"tanh": "tanh", "logistic": "σ", "relu": "max(0, ·)", "linear": "identity"}


def hidden(sc: Scope, j: int, t: int) -> tuple[str, list[Step]]:
    """Hidden unit j at step t (t = 0: the initial state)."""
    if t == 0:
        return initial(sc, j)
    return f"hidden unit {sc.u('h', j, t)}", [hidden_forward(sc, j, t), hidden_delta(sc, j, t)]


def initial(sc: Scope, j: int) -> tuple[str, list[Step]]:
    """The initial context h(0) (a Jordan network's y(0) or d(0)): its value and gradient."""
    what = "initial state" if sc.ctx == "h" else "initial context"
    return f"{what} {sc.u(sc.ctx, j, 0)}", [initial_value(sc, j), h0_gradient(sc, j)]


def hidden_forward(sc: Scope, j: int, t: int) -> Step:
    """a_j(t) = b_j + Σ_i W_ji c_i(t) + Σ_i U_ji x_i(t); h_j(t) = f(a_j(t)), the
    context c(t) being h(t-1) (or a Jordan network's y(t-1) or d(t-1))."""
    net, tr = sc.net, sc.trace
    prev = sc.ctx_known(t)
    terms = [Term(sc.w("b", j), fmt(net.b[j]), float(net.b[j]))]
    for i in range(net.n_context):
        c = tr.context[t - 1, i]
        v = float(net.W[j, i] * c) if prev else None
        terms.append(product(sc.w("W", j, i), sc.u(sc.ctx, i, t - 1), net.W[j, i], v, prev, c))
    for i in range(net.n_in):
        v = float(net.U[j, i] * tr.x[t - 1, i])
        terms.append(
            product(sc.w("U", j, i), sc.u("x", i, t), net.U[j, i], v, True, tr.x[t - 1, i])
        )
    known = sc.fwd(t)
    a, h = sc.u("a", j, t), sc.u("h", j, t)
    a_val = float(tr.a[t - 1, j]) if known else None
    h_val = float(tr.h[t, j]) if known else None
    f = F[net.hidden]
    sums = [terms[0]], terms[1 : 1 + net.n_context], terms[1 + net.n_context :]
    equation = (
        f"{a} = {sc.w('b', j)} + Σi {sc.n['W']}[{j + 1},i]·{sc.n[sc.ctx]}[i]({t - 1})"
        f" + Σi {sc.n['U']}[{j + 1},i]·{sc.n['x']}[i]({t})\n{h} = {f}({a})"
    )
    shown = " + ".join(f"({written(s)})" if len(s) > 1 else written(s) for s in sums)
    substituted = f"{a} = {shown} = {fmt(a_val)}\n{h} = {f}({fmt(a_val)}) = {fmt(h_val)}"
    return Step(
        "forward",
        equation,
        substituted,
        f"{a} = {fmt(a_val)},  {h} = {fmt(h_val)}",
        sc.cite("net-hidden", "hidden", *(("jordan-context",) if sc.net.jordan else ())),
        h_val,
        tuple(terms),
        total=a_val,
        notes=sc.fwd_note(t, f"{h}"),
    )


def derivative(sc: Scope, j: int, t: int) -> tuple[str, str, float | None]:
    """(symbols, numbers, value) of f'(a_j(t)) for the network's activation."""
    kind, tr = sc.net.hidden, sc.trace
    a, h = sc.u("a", j, t), sc.u("h", j, t)
    known = sc.fwd(t)
    av, hv = float(tr.a[t - 1, j]), float(tr.h[t, j])
    value = float(hidden_derivative(kind, tr.a[t - 1, j : j + 1], tr.h[t, j : j + 1])[0])
    hn, an = (paren(hv), fmt(av)) if known else (UNKNOWN, UNKNOWN)
    if kind == "tanh":  # f'(a) written through h = f(a)
        sym, num = f"(1 - {h}²)", f"(1 - {hn}²)"
    elif kind == "logistic":
        sym, num = f"{h}(1 - {h})", f"{hn}·(1 - {hn})"
    elif kind == "relu":
        sym, num = f"[{a} > 0]", f"[{an} > 0]"
    else:
        sym, num = "1", "1"
    return sym, num, value if known else None


def hidden_delta(sc: Scope, j: int, t: int) -> Step:
    """δh_j(t) = f'(a_j(t)) (Σ_i W_ij δh_i(t+1) + Σ_k V_kj δo_k(t)) (Jordan: no W term)."""
    net, tr, s = sc.net, sc.trace, sc.sign
    dh, do = sc.n["delta_h"], sc.n["delta_o"]
    if sc.net.jordan:  # the recurrence runs through the output: no W term here
        back, cut_note = (
            None,
            (
                f"Jordan network: {dh}({t + 1}) comes back through the output "
                f"{sc.n['y']}({t}), so it is part of {do}({t})"
                if sc.net.context == "output"
                else "teacher forcing: the context is the target, no δ comes back through W"
            ),
        )
    else:
        back, cut_note = sc.carried(t)
    terms: list[Term] = []
    if back is not None:
        known = sc.bwd(t + 1)
        for i in range(net.n_hidden):
            d = s * back[i] if known else None
            v = float(net.W[i, j] * d) if d is not None else None
            terms.append(
                product(sc.w("W", i, j), sc.u("delta_h", i, t + 1), net.W[i, j], v, known, d)
            )
    for k in range(net.n_out):
        known = sc.bwd(t)
        d = s * tr.delta_o[t - 1, k] if known else None
        v = float(net.V[k, j] * d) if d is not None else None
        terms.append(product(sc.w("V", k, j), sc.u("delta_o", k, t), net.V[k, j], v, known, d))
    fp_sym, fp_num, fp = derivative(sc, j, t)
    known = sc.bwd(t)
    value = float(s * tr.delta_h[t - 1, j]) if known else None
    bracket = total(terms) if known else None
    target = sc.u("delta_h", j, t)
    rec = f"Σi {sc.n['W']}[i,{j + 1}]·{dh}[i]({t + 1}) + " if back is not None else ""
    equation = f"{target} = {fp_sym}·({rec}Σk {sc.n['V']}[k,{j + 1}]·{do}[k]({t}))"
    substituted = f"{target} = {fp_num}·({written(terms)}) = {fmt(fp)}·{paren(bracket)}"
    notes = [*sc.bwd_note(t, target)]
    if cut_note:
        notes.append(cut_note)
    if s < 0:
        notes.append(
            f"{sc.n.delta_definition('h')}: the negative of the gradient (Bodén 2001); "
            "the recursion keeps its form because every δ flips sign"
        )
    return Step(
        "delta",
        equation,
        f"{substituted} = {fmt(value)}",
        f"{target} = {fmt(value)}",
        sc.cite(*delta_keys(sc, cut_note), delta=True),
        value,
        tuple(terms),
        total=bracket,
        factor=fp,
        notes=tuple(notes),
    )


def delta_keys(sc: Scope, cut_note: str) -> tuple[str, ...]:
    """The equations of a hidden delta, with the truncation rule when it changes the sum."""
    own = ("jordan-delta-hidden",) if sc.net.jordan else ("delta-hidden",)
    return (*own, "derivative", *(sc.truncation_key() if cut_note else ()))


def initial_value(sc: Scope, j: int) -> Step:
    """h(0) = h0 (a Jordan network's initial context y(0) = h0)."""
    h = sc.u(sc.ctx, j, 0)
    v = float(sc.net.h0[j])
    return Step(
        "initial",
        f"{h} = {sc.w('h0', j)}",
        f"{h} = {fmt(v)}",
        f"{h} = {fmt(v)}",
        sc.cite("jordan-context" if sc.net.jordan else "net-hidden"),
        v,
        (Term(sc.w("h0", j), fmt(v), v),),
        v,
    )


def input_unit(sc: Scope, i: int, t: int) -> tuple[str, list[Step]]:
    """Input x_i(t): the signals it sends and its given value."""
    x = sc.u("x", i, t)
    v = float(sc.trace.x[t - 1, i])
    net = sc.net
    terms = tuple(
        product(sc.w("U", j, i), x, net.U[j, i], float(net.U[j, i] * v), True, v)
        for j in range(net.n_hidden)
    )
    given = Step(
        "input",
        f"{x} (given by the sequence)",
        f"{x} = {fmt(v)}",
        f"{x} = {fmt(v)}",
        sc.cite("net-hidden"),
        v,
        (Term(x, fmt(v), v),),
        v,
    )
    feeds = Step(
        "feeds",
        f"{sc.n['U']}[j,{i + 1}]·{x} enters {sc.n['a']}[j]({t}) for every hidden unit j",
        written(terms, " ,  "),
        f"{len(terms)} signals",
        sc.cite("net-hidden"),
        None,
        terms,
    )
    return f"input {x}", [feeds, given]
