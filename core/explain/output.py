"""Worked examples of the output units.

o(t) = c + V h(t),  ŷ(t) = g(o(t))                     forward
δo(t) = ŷ(t) - d(t)                                    backward, every matched output/loss pair
δo(t) = ŷ(t) - d(t) + J_g(t)^T W^T δh(t+1)              Jordan: the fed-back output adds a term
"""

from __future__ import annotations

from core.explain.symbols import Scope
from core.explain.text import MAX_WRITTEN_TERMS, Factor, Step, Term, product, total, written


def output(sc: Scope, k: int, t: int) -> tuple[str, list[Step]]:
    """Output unit k at step t."""
    return f"output unit {sc.u('y', k, t)}", [output_forward(sc, k, t), output_delta(sc, k, t)]


def output_forward(sc: Scope, k: int, t: int) -> Step:
    """o_k(t) = c_k + Σ_j V_kj h_j(t); ŷ(t) = g(o(t))."""
    net = sc.net
    bias = product([sc.w("c", k)], [sc.show("c", k)])
    terms = [
        product([sc.w("V", k, j), sc.u("h", j, t)], [sc.show("V", k, j), sc.show("h", t, j)])
        for j in range(net.n_hidden)
    ]
    o, y = sc.u("o", k, t), sc.u("y", k, t)
    o_f, y_f = sc.show("o", t, k), sc.show("y", t, k)
    g_sym, g_num, g_shown = output_function(sc, k, t)
    equation = (
        f"{o} = {sc.w('c', k)} + Σj {sc.n['V']}[{k + 1},j]·{sc.n['h']}[j]({t})\n{y} = {g_sym}"
    )
    substituted = (
        f"{o} = {bias.numbers} + ({written(terms)}) = {o_f.text}\n{y} = {g_num} = {y_f.text}"
    )
    return Step(
        "forward",
        equation,
        substituted,
        f"{o} = {o_f.text},  {y} = {y_f.text}",
        sc.cite("net-output", "output", f"loss-{net.output}"),
        y_f.value,
        (bias, *terms),
        total=o_f.value,
        notes=sc.fwd_note(t, y),
        quantity=("y", t, k),
        shown=(o_f, y_f, *g_shown),
    )


def output_function(sc: Scope, k: int, t: int) -> tuple[str, str, tuple[Factor, ...]]:
    """g(o_k(t)): (symbols, numbers, the numbers it writes) for softmax, logistic or identity."""
    o, o_f = sc.u("o", k, t), sc.show("o", t, k)
    if sc.net.output == "softmax":
        sym = f"exp({o}) / Σq exp({sc.n['o']}[q]({t}))"
        if sc.net.n_out > MAX_WRITTEN_TERMS:
            return sym, f"exp({o_f.text}) / Σq exp({sc.n['o']}[q]({t}))", (o_f,)
        every = tuple(sc.show("o", t, q) for q in range(sc.net.n_out))
        den = " + ".join(f"exp({f.text})" for f in every)
        return sym, f"exp({o_f.text}) / ({den})", every
    if sc.net.output == "logistic":
        return f"σ({o}) = 1 / (1 + exp(-{o}))", f"1 / (1 + exp(-{o_f.factor}))", (o_f,)
    return o, o_f.text, (o_f,)


def output_delta(sc: Scope, k: int, t: int) -> Step:
    """δo_k(t) = ŷ_k(t) - y_k(t), every matched output/loss pair; Bodén (2001): δk = d_k - y_k.

    With a mask m(t) ≠ 1 both terms carry it; softmax targets summing to s ≠ 1 weight ŷ by s.
    """
    tr = sc.trace
    yk, dk = sc.u("y", k, t), sc.u("d", k, t)
    y_syms, y_facs = [yk], [sc.show("y", t, k)]
    d_syms, d_facs = [dk], [sc.show("d", t, k)]
    weights: list[Factor] = []
    if sc.net.output == "softmax" and abs(float(tr.d[t - 1].sum()) - 1.0) > 1e-12:
        weights.append(sc.show("d_sum", t))
        y_syms.append(f"Σq {sc.n['d']}[q]({t})")
        y_facs.append(weights[-1])
    if tr.mask[t - 1] != 1:
        weights.append(sc.show("mask", t))
        for syms, facs in ((y_syms, y_facs), (d_syms, d_facs)):
            syms.append(f"m({t})")
            facs.append(weights[-1])
    y_term = product(y_syms, y_facs, sign=sc.sign)  # δo = ŷ - y, or Bodén's δk = d - y
    d_term = product(d_syms, d_facs, sign=-sc.sign)
    terms: tuple[Term, ...] = (y_term, d_term) if sc.sign > 0 else (d_term, y_term)
    target = sc.u("delta_o", k, t)
    sym = f"{yk} - {dk}" if sc.sign > 0 else f"{dk} - {yk}"
    notes = [*sc.bwd_note(t, target), *_weight_notes(t, weights)]
    keys = ["delta-output"]
    back = through_output(sc, k, t) if sc.net.context == "output" else None
    if back is not None:
        term, rec_sym, note = back
        terms, sym = (*terms, term), f"{sym} + {rec_sym}"
        notes.append(note)
        keys += ["jordan-delta-output", "output-jacobian", *sc.truncation_key()]
    delta = sc.show("delta_o", t, k)
    return Step(
        "delta",
        f"{target} = {sym}",
        f"{target} = {written(terms)} = {delta.text}",
        f"{target} = {delta.text}",
        sc.cite(*keys, delta=True),
        delta.value,
        terms,
        total=total(terms) if delta.value is not None else None,
        notes=tuple(notes),
        quantity=("delta_o", t, k),
        shown=(delta, *weights),
    )


def _weight_notes(t: int, weights: list[Factor]) -> list[str]:
    """Notes on the target sum and the mask that weight the output delta."""
    notes = []
    for f in weights:
        if f.quantity[0] == "d_sum":
            notes.append(f"the targets at t = {t} sum to {f.text}, so ŷ is weighted by that sum")
        else:
            notes.append(f"this step's loss has weight {f.text} (mask)")
    return notes


def through_output(sc: Scope, k: int, t: int) -> tuple[Term, str, str] | None:
    """A Jordan network's second term of δo_k(t): [J_g(t)^T r]_k with r = W^T δh(t+1), the
    gradient that comes back from step t+1 through the fed-back output y(t)
    (:meth:`Trace.returned_delta_o`, within the truncation window).

    Returns (term, symbols, note), or None when nothing comes back (t = T or a cut)."""
    back, cut_note = sc.carried(t)
    if back is None:
        return None
    yk, y_f, r_f = sc.u("y", k, t), sc.show("y", t, k), sc.show("back", t, k)
    factors: tuple[Factor, ...]
    if sc.net.output == "softmax":
        mean = sc.show("back_mean", t)  # Σq ŷq rq
        g = f"{yk}·(r[{k + 1}] - Σq {sc.n['y']}[q]({t})·r[q])"
        numbers, factors = f"{y_f.factor}·({r_f.text} - {mean.factor})", (y_f, r_f, mean)
    elif sc.net.output == "logistic":
        g = f"{yk}(1 - {yk})·r[{k + 1}]"
        numbers, factors = f"{y_f.factor}·(1 - {y_f.factor})·{r_f.factor}", (y_f, r_f)
    else:
        g, numbers, factors = f"r[{k + 1}]", r_f.factor, (r_f,)
    returned = sc.show("returned_delta_o", t, k)
    g_sym = f"{g},  r[q] = Σi {sc.n['W']}[i,q]·{sc.n['delta_h']}[i]({t + 1})"
    note = (
        f"Jordan network: r = {sc.n['W']}ᵀ{sc.n['delta_h']}({t + 1}) comes back from "
        f"step {t + 1} through {sc.n['y']}({t}), the next step's context"
    )
    if cut_note:
        note += f"; {cut_note}"
    term = Term(g, numbers, returned.value, factors, quantity=returned.quantity)
    return term, g_sym, note
