"""Worked examples of the loss nodes: L(t) for the network's output/loss pair, and L = Σt L(t)."""

from __future__ import annotations

import numpy as np

from core.explain.symbols import Scope
from core.explain.text import UNKNOWN, Step, Term, fmt, paren, total, written


def loss(sc: Scope, t: int) -> tuple[str, list[Step]]:
    """The loss node L(t) (t = 0: the total loss L)."""
    if t == 0:
        return f"total loss {sc.L}", [total_loss(sc)]
    return f"loss {sc.L}({t})", [step_loss(sc, t)]


def step_loss(sc: Scope, t: int) -> Step:
    """L(t) for the output/loss pair, term by term over the output units."""
    net, tr = sc.net, sc.trace
    known, m = sc.fwd(t), float(tr.mask[t - 1])
    o, d = tr.o[t - 1], tr.d[t - 1]
    y = tr.y[t - 1]
    if net.output == "softmax":  # from o, for stability
        lse = o.max() + np.log(np.exp(o - o.max()).sum())
        values = d * (lse - o) * m
        sym = f"-Σk {sc.n['d']}[k]({t})·ln {sc.n['y']}[k]({t})"
        parts = [f"-{paren(d[k])}·ln({fmt(y[k])})" for k in range(net.n_out)]
    elif net.output == "logistic":  # as softplus(o) - d o
        values = (np.logaddexp(0.0, o) - d * o) * m
        sym = (
            f"-Σk [{sc.n['d']}[k]({t})·ln {sc.n['y']}[k]({t}) + "
            f"(1 - {sc.n['d']}[k]({t}))·ln(1 - {sc.n['y']}[k]({t}))]"
        )
        parts = [
            f"-[{paren(d[k])}·ln({fmt(y[k])}) + (1 - {paren(d[k])})·ln(1 - {fmt(y[k])})]"
            for k in range(net.n_out)
        ]
    else:
        values = 0.5 * (y - d) ** 2 * m
        sym = f"½ Σk ({sc.n['y']}[k]({t}) - {sc.n['d']}[k]({t}))²"
        parts = [f"½({fmt(y[k])} - {paren(d[k])})²" for k in range(net.n_out)]
    terms = tuple(
        Term(
            f"{sc.L}[{k + 1}]({t})",
            parts[k] if known else UNKNOWN,
            float(values[k]) if known else None,
        )
        for k in range(net.n_out)
    )
    value = float(tr.loss_t[t - 1]) if known else None
    target = f"{sc.L}({t})"
    notes = [*sc.fwd_note(t, target)]
    if m != 1:
        notes.append(f"weighted by the mask {fmt(m)}")
    return Step(
        "loss",
        f"{target} = {sym}",
        f"{target} = {written(terms)} = {fmt(value)}",
        f"{target} = {fmt(value)}",
        sc.cite(f"loss-{net.output}"),
        value,
        terms,
        total=total(terms) if known else None,
        notes=tuple(notes),
    )


def total_loss(sc: Scope) -> Step:
    """L = Σt L(t), the steps not yet computed written "?"."""
    tr = sc.trace
    n = sc.state.forward_known
    terms = tuple(
        Term(
            f"{sc.L}({t})",
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
            f"{sc.L} is complete at forward t = {tr.T}; the steps "
            f"seen so far add up to {fmt(so_far)}",
        )
    )
    return Step(
        "loss",
        f"{sc.L} = Σt {sc.L}(t)",
        f"{sc.L} = {written(terms)}",
        f"{sc.L} = {fmt(value)}",
        sc.cite("total-loss"),
        value,
        terms,
        total=value,
        notes=notes,
    )
