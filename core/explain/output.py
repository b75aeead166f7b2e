"""Worked examples of the output units.

o(t) = c + V h(t),  ŷ(t) = g(o(t))                     forward
δo(t) = ŷ(t) - d(t)                                    backward, every matched output/loss pair
δo(t) = ŷ(t) - d(t) + J_g(t)^T W^T δh(t+1)              Jordan: the fed-back output adds a term
"""

from __future__ import annotations

from core.explain.symbols import Scope
from core.explain.text import (
    MAX_WRITTEN_TERMS,
    UNKNOWN,
    Step,
    Term,
    fmt,
    paren,
    product,
    total,
    written,
)


def output(sc: Scope, k: int, t: int) -> tuple[str, list[Step]]:
    """Output unit k at step t."""
    return f"output unit {sc.u('y', k, t)}", [output_forward(sc, k, t), output_delta(sc, k, t)]


def output_forward(sc: Scope, k: int, t: int) -> Step:
    """o_k(t) = c_k + Σ_j V_kj h_j(t); ŷ(t) = g(o(t))."""
    net, tr = sc.net, sc.trace
    known = sc.fwd(t)
    terms = [Term(sc.w("c", k), fmt(net.c[k]), float(net.c[k]))]
    for j in range(net.n_hidden):
        v = float(net.V[k, j] * tr.h[t, j]) if known else None
        terms.append(product(sc.w("V", k, j), sc.u("h", j, t), net.V[k, j], v, known, tr.h[t, j]))
    o, y = sc.u("o", k, t), sc.u("y", k, t)
    o_val = float(tr.o[t - 1, k]) if known else None
    y_val = float(tr.y[t - 1, k]) if known else None
    g_sym, g_num = output_function(sc, k, t)
    equation = (
        f"{o} = {sc.w('c', k)} + Σj {sc.n['V']}[{k + 1},j]·{sc.n['h']}[j]({t})\n{y} = {g_sym}"
    )
    substituted = (
        f"{o} = {terms[0].numbers} + ({written(terms[1:])}) = {fmt(o_val)}\n"
        f"{y} = {g_num} = {fmt(y_val)}"
    )
    return Step(
        "forward",
        equation,
        substituted,
        f"{o} = {fmt(o_val)},  {y} = {fmt(y_val)}",
        sc.cite("net-output", "output", f"loss-{net.output}"),
        y_val,
        tuple(terms),
        total=o_val,
        notes=sc.fwd_note(t, y),
    )


def output_function(sc: Scope, k: int, t: int) -> tuple[str, str]:
    """g(o_k(t)) in symbols and numbers: softmax, logistic or identity."""
    net, tr = sc.net, sc.trace
    o = sc.u("o", k, t)
    known = sc.fwd(t)
    ok = fmt(tr.o[t - 1, k]) if known else UNKNOWN
    if net.output == "softmax":
        sym = f"exp({o}) / Σq exp({sc.n['o']}[q]({t}))"
        if net.n_out <= MAX_WRITTEN_TERMS:
            den = " + ".join(f"exp({fmt(v) if known else UNKNOWN})" for v in tr.o[t - 1])
        else:
            den = f"Σq exp({sc.n['o']}[q]({t}))"
        return sym, f"exp({ok}) / ({den})"
    if net.output == "logistic":
        return (
            f"σ({o}) = 1 / (1 + exp(-{o}))",
            f"1 / (1 + exp(-{paren(tr.o[t - 1, k]) if known else UNKNOWN}))",
        )
    return f"{o}", ok


def output_delta(sc: Scope, k: int, t: int) -> Step:
    """δo_k(t) = ŷ_k(t) - y_k(t), every matched output/loss pair; Bodén (2001): δk = d_k - y_k."""
    tr, s = sc.trace, sc.sign
    known = sc.bwd(t)
    yv, dv, m = tr.y[t - 1, k], tr.d[t - 1, k], tr.mask[t - 1]
    dsum = float(tr.d[t - 1].sum()) if sc.net.output == "softmax" else 1.0
    yk, dk = sc.u("y", k, t), sc.u("d", k, t)
    ys, yp = (fmt(yv), paren(yv)) if sc.fwd(t) else (UNKNOWN, UNKNOWN)  # ŷ(t) from forward t on
    terms: tuple[Term, ...]
    if s > 0:  # δo = ŷ - y, the gradient
        terms = (
            Term(yk, ys, float(yv * dsum * m) if known else None),
            Term(f"-{dk}", f"-{paren(dv)}", float(-dv * m) if known else None),
        )
    else:  # δk = d - y, Bodén's δ = -∂C/∂net
        terms = (
            Term(dk, fmt(dv), float(dv * m) if known else None),
            Term(f"-{yk}", f"-{yp}", float(-yv * dsum * m) if known else None),
        )
    target = sc.u("delta_o", k, t)
    sym = f"{yk} - {dk}" if s > 0 else f"{dk} - {yk}"
    num = f"{ys} - {paren(dv)}" if s > 0 else f"{fmt(dv)} - {yp}"
    notes = [*sc.bwd_note(t, target)]
    if abs(dsum - 1.0) > 1e-12:
        notes.append(f"the targets at t = {t} sum to {fmt(dsum)}, so ŷ is weighted by that sum")
    if m != 1:
        notes.append(f"this step's loss has weight {fmt(m)} (mask)")
    keys = ["delta-output"]
    if sc.net.context == "output":
        back = through_output(sc, k, t)
        if back is not None:
            term, rec_sym, note = back
            terms = (*terms, term)
            sym, num = f"{sym} + {rec_sym}", f"{num} + {term.numbers}"
            notes.append(note)
            keys += ["jordan-delta-output", "output-jacobian", *sc.truncation_key()]
    value = float(s * tr.delta_o[t - 1, k]) if known else None
    return Step(
        "delta",
        f"{target} = {sym}",
        f"{target} = {num} = {fmt(value)}",
        f"{target} = {fmt(value)}",
        sc.cite(*keys, delta=True),
        value,
        terms,
        total=total(terms) if known else None,
        notes=tuple(notes),
    )


def through_output(sc: Scope, k: int, t: int) -> tuple[Term, str, str] | None:
    """A Jordan network's second term of δo_k(t): [J_g(t)^T r]_k with r = W^T δh(t+1), the
    gradient that comes back from step t+1 through the fed-back output y(t)
    (:meth:`Trace.returned_delta_o`, within the truncation window).

    Returns (term, symbols, note), or None when nothing comes back (t = T or a cut)."""
    tr, s = sc.trace, sc.sign
    back, cut_note = sc.carried(t)
    if back is None:
        return None
    known = sc.bwd(t + 1)  # r is known once δh(t+1) is
    value = s * float(tr.returned_delta_o(t)[k]) if known else None
    yk = sc.u("y", k, t)
    g = {
        "softmax": f"{yk}·(r[{k + 1}] - Σq {sc.n['y']}[q]({t})·r[q])",
        "logistic": f"{yk}(1 - {yk})·r[{k + 1}]",
        "linear": f"r[{k + 1}]",
    }[sc.net.output]
    g_sym = f"{g},  r[q] = Σi {sc.n['W']}[i,q]·{sc.n['delta_h']}[i]({t + 1})"
    if not known:
        numbers = fmt(value)
    else:
        y = tr.y[t - 1]
        r = s * (back @ tr.net.W)  # r = W^T δh(t+1), in the notation's sign
        yr = float(y @ r)
        numbers = {
            "softmax": f"{paren(y[k])}·({fmt(r[k])} - {paren(yr)})",
            "logistic": f"{paren(y[k])}·(1 - {paren(y[k])})·{paren(r[k])}",
            "linear": paren(r[k]),
        }[sc.net.output]
    note = (
        f"Jordan network: r = {sc.n['W']}ᵀ{sc.n['delta_h']}({t + 1}) comes back from "
        f"step {t + 1} through {sc.n['y']}({t}), the next step's context"
    )
    if cut_note:
        note += f"; {cut_note}"
    return Term(g, numbers, value), g_sym, note
