"""Worked examples of the loss nodes: L(t) for the network's output/loss pair, and L = Σt L(t).

Each output unit's part of L(t) is :meth:`Trace.loss_terms` (computed from o(t), so a saturated
output still gives a finite loss); the formula shows it through ŷ(t) and d(t).
"""

from __future__ import annotations

from core.explain.symbols import Scope
from core.explain.text import Factor, Step, Term, product, total, written


def loss(sc: Scope, t: int) -> tuple[str, list[Step]]:
    """The loss node L(t) (t = 0: the total loss L)."""
    if t == 0:
        return f"total loss {sc.L}", [total_loss(sc)]
    return f"loss {sc.L}({t})", [step_loss(sc, t)]


def step_loss(sc: Scope, t: int) -> Step:
    """L(t) for the output/loss pair, term by term over the output units."""
    y, d = sc.n["y"], sc.n["d"]
    if sc.net.output == "softmax":
        sym = f"-Σk {d}[k]({t})·ln {y}[k]({t})"
    elif sc.net.output == "logistic":
        sym = f"-Σk [{d}[k]({t})·ln {y}[k]({t}) + (1 - {d}[k]({t}))·ln(1 - {y}[k]({t}))]"
    else:
        sym = f"½ Σk ({y}[k]({t}) - {d}[k]({t}))²"
    terms = tuple(unit_loss(sc, k, t) for k in range(sc.net.n_out))
    value = sc.show("loss_t", t)
    target = f"{sc.L}({t})"
    notes = [*sc.fwd_note(t, target)]
    shown: tuple[Factor, ...] = (value,)
    if sc.trace.mask[t - 1] != 1:
        mask = sc.show("mask", t)
        notes.append(f"weighted by the mask {mask.text}")
        shown += (mask,)
    return Step(
        "loss",
        f"{target} = {sym}",
        f"{target} = {written(terms)} = {value.text}",
        f"{target} = {value.text}",
        sc.cite(f"loss-{sc.net.output}"),
        value.value,
        terms,
        total=total(terms) if value.value is not None else None,
        notes=tuple(notes),
        quantity=("loss_t", t),
        shown=shown,
    )


def unit_loss(sc: Scope, k: int, t: int) -> Term:
    """Output unit k's part of L(t), its formula written with ŷ_k(t) and d_k(t)."""
    y, d = sc.show("y", t, k), sc.show("d", t, k)
    if sc.net.output == "softmax":
        numbers = f"-{d.factor}·ln({y.text})"
    elif sc.net.output == "logistic":
        numbers = f"-[{d.factor}·ln({y.text}) + (1 - {d.factor})·ln(1 - {y.text})]"
    else:
        numbers = f"½({y.text} - {d.factor})²"
    part = sc.show("loss_term", t, k)
    return Term(f"{sc.L}[{k + 1}]({t})", numbers, part.value, (d, y), quantity=part.quantity)


def total_loss(sc: Scope) -> Step:
    """L = Σt L(t), the steps not yet computed written "?"."""
    T, n = sc.trace.T, sc.state.forward_known
    terms = tuple(product([f"{sc.L}({t})"], [sc.show("loss_t", t)]) for t in range(1, T + 1))
    value = sc.show("loss")
    notes: tuple[str, ...] = ()
    shown: tuple[Factor, ...] = (value,)
    if value.value is None:
        so_far = sc.show("loss_until", n)
        notes = (
            f"{sc.L} is complete at forward t = {T}; the steps seen so far add up to {so_far.text}",
        )
        shown += (so_far,)
    return Step(
        "loss",
        f"{sc.L} = Σt {sc.L}(t)",
        f"{sc.L} = {written(terms)}",
        f"{sc.L} = {value.text}",
        sc.cite("total-loss"),
        value.value,
        terms,
        total=value.value,
        notes=notes,
        quantity=("loss",),
        shown=shown,
    )
