"""Worked examples of the gradient cells: a parameter's gradient as the backward sweep adds it up.

    ∂L/∂p[r, c] = Σt δ_r(t) · partner_c(t)     (partner, :meth:`Trace.partner`: x(t) for U,
                                                 c(t) for W, h(t) for V; 1 for the biases)
    ∂L/∂h0 = W^T δh(1)

In a notation with δ = -∂L/∂net every term is written -δ·partner: the gradient keeps its sign.
"""

from __future__ import annotations

from core.explain.symbols import Scope
from core.explain.text import Factor, Step, Term, product, total, written
from core.trace import DELTA_OF, WEIGHT_KINDS


def cell(sc: Scope, p: str, r: int, c: int) -> tuple[str, list[Step]]:
    """The gradient accumulated so far in cell (r, c) of p: Σ over the visited steps t."""
    if p == "h0":
        return f"gradient cell {sc.dw('h0', r)}", [h0_gradient(sc, r)]
    T, first = sc.trace.T, sc.state.backward_from
    index = (r,) if p in ("b", "c") else (r, c)
    target = sc.dw(p, *index)
    value = sc.show("accumulated", first, p, *index)
    terms = [cell_term(sc, p, t, r, c) for t in range(T, first - 1, -1)]  # as the sweep adds
    notes = []
    if not terms:
        notes.append(f"no step visited yet: the backward sweep adds the t = {T} term first")
        substituted = f"{target} = 0"
    else:
        rest = f" + (t = 1..{first - 1} still to come)" if first > 1 else ""
        substituted = f"{target} = {written(terms)}{rest} = {value.text}"
    if sc.trace.truncation is not None:
        k = sc.trace.truncation
        notes.append(f"the deltas are those of truncated BPTT ({sc.trace.mode}, k = {k})")
    shown: tuple[Factor, ...] = (value,)
    if sc.state.phase == "backward":
        now = sc.show("contribution", sc.state.t, p, *index)
        notes.append(f"this step (t = {sc.state.t}) adds {now.text}")
        shown += (now,)
    step = Step(
        "gradient",
        f"{target} = {generic(sc, p, r, c)}",
        substituted,
        f"{target} = {value.text}" + ("" if first == 1 else " so far"),
        sc.cite(f"grad-{p}", *sc.truncation_key(), delta=True),
        value.value,
        tuple(terms),
        total=value.value,
        notes=tuple(notes),
        quantity=value.quantity,
        shown=shown,
    )
    return f"gradient cell {target}", [step]


def generic(sc: Scope, p: str, r: int, c: int) -> str:
    """The right-hand side in symbols: Σt δ_r(t)·partner_c(t)."""
    minus = "-" if sc.sign < 0 else ""
    text = f"{minus}Σt {sc.n[DELTA_OF[p]]}[{r + 1}](t)"
    if p in WEIGHT_KINDS:
        kind = WEIGHT_KINDS[p]
        text += f"·{sc.n[sc.sender(kind.sender)]}[{c + 1}](t{'-1' if kind.lag else ''})"
    return text


def cell_term(sc: Scope, p: str, t: int, r: int, c: int) -> Term:
    """Step t's term of the cell: δ_r(t)·partner_c(t), or δ_r(t) for a bias."""
    dname = DELTA_OF[p]
    symbols, factors = [sc.u(dname, r, t)], [sc.show(dname, t, r)]
    if p in WEIGHT_KINDS:
        kind = WEIGHT_KINDS[p]
        symbols.append(sc.u(sc.sender(kind.sender), c, t + kind.lag))
        factors.append(sc.show(kind.sender, t, c))
    return product(symbols, factors, sign=sc.sign)


def h0_gradient(sc: Scope, j: int) -> Step:
    """∂L/∂h0_j = Σ_i W_ij δh_i(1): h0 feeds a(1) through W (in a notation with δ = -∂L/∂net,
    each term is -W_ij δ_i(1))."""
    terms = [
        product(
            [sc.w("W", i, j), sc.u("delta_h", i, 1)],
            [sc.show("W", i, j), sc.show("delta_h", 1, i)],
            sign=sc.sign,
        )
        for i in range(sc.net.n_hidden)
    ]
    value = sc.show("delta_h0", j)
    target = sc.dw("h0", j)
    minus = "-" if sc.sign < 0 else ""
    return Step(
        "gradient",
        f"{target} = {minus}Σi {sc.n['W']}[i,{j + 1}]·{sc.n['delta_h']}[i](1)",
        f"{target} = {written(terms)} = {value.text}",
        f"{target} = {value.text}",
        sc.cite("grad-h0", delta=True),
        value.value,
        tuple(terms),
        total=total(terms) if value.value is not None else None,
        notes=sc.bwd_note(1, target),
        quantity=value.quantity,
    )
