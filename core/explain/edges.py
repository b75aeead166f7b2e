"""Worked examples of one weighted edge at one step: the signal it carries forward, the delta it
carries back, and its term of the gradient. The kind of edge (:data:`core.trace.WEIGHT_KINDS`)
says what it connects:

    signal:        w_rc · sender_c        (a term of the receiver's net input)
    carried back:  w_rc · δ_r(t)          (a term of the sender's delta, within the truncation)
    gradient:      ∂L/∂w_rc at t = δ_r(t) · sender_c
"""

from __future__ import annotations

from core.explain.symbols import Scope
from core.explain.text import Factor, Step, fmt, product
from core.trace import WEIGHT_KINDS

#: the equation of the net input each kind of edge feeds
_NET_INPUT = {"a": "net-hidden", "o": "net-output"}


def edge(sc: Scope, p: str, t: int, r: int, c: int) -> tuple[str, list[Step]]:
    """Weight p[r, c] at step t: its value, the signal it carries, its gradient term."""
    kind = WEIGHT_KINDS[p]
    sending = _sender(sc, p, t, c)[0]
    receiving = sc.u(kind.receiver, r, t)
    steps = [signal(sc, p, t, r, c), gradient(sc, p, t, r, c)]
    if p == "V" or (p == "W" and sc.net.context != "target"):
        steps.insert(1, carried_back(sc, p, t, r, c))
    return f"edge {sc.w(p, r, c)} at t = {t}: {sending} → {receiving}", steps


def _sender(sc: Scope, p: str, t: int, c: int) -> tuple[str, Factor]:
    """The symbol and the value of the activation edge p[·, c] reads at step t."""
    kind = WEIGHT_KINDS[p]
    if kind.sender == "x":  # (a tapped delay line's buffer unit c holds an earlier input)
        return sc.x_unit(c, t), sc.show("x", t, c)
    return sc.u(sc.sender(kind.sender), c, t + kind.lag), sc.show(kind.sender, t, c)


def signal(sc: Scope, p: str, t: int, r: int, c: int) -> Step:
    """w_rc · sender_c(t + lag): the edge's term of the receiver's net input."""
    kind = WEIGHT_KINDS[p]
    weight, w_f = sc.w(p, r, c), sc.show(p, r, c)
    sending, act = _sender(sc, p, t, c)
    receiving = sc.u(kind.receiver, r, t)
    term = product([weight, sending], [w_f, act])
    notes = (
        () if act.value is not None else (f"{sending} is computed at forward t = {t + kind.lag}",)
    )
    return Step(
        "signal",
        f"{weight}·{sending}  (a term of {receiving})",
        f"{term.numbers} = {fmt(term.value)}",
        f"{weight} = {w_f.text},  signal = {fmt(term.value)}",
        sc.cite(*forward_keys(sc, p)),
        term.value,
        (term,),
        total=term.value,
        notes=notes,
        shown=(w_f,),
    )


def gradient(sc: Scope, p: str, t: int, r: int, c: int) -> Step:
    """∂L/∂p[r, c] at step t = δ_r(t) · sender_c: the edge's term of the gradient (written
    -δ_r(t) · sender_c in a notation with δ = -∂L/∂net)."""
    kind = WEIGHT_KINDS[p]
    sending, act = _sender(sc, p, t, c)
    dsym = sc.u(kind.delta, r, t)
    term = product([dsym, sending], [sc.show(kind.delta, t, r), act], sign=sc.sign)
    grad = sc.show("contribution", t, p, r, c)
    target = f"{sc.dw(p, r, c)} at t = {t}"
    return Step(
        "gradient",
        f"{target} = {term.symbol}",
        f"{target} = {term.numbers} = {grad.text}",
        f"{target} = {grad.text}",
        sc.cite("tdl-grad-U" if p == "U" and sc.net.context == "none" else f"grad-{p}", delta=True),
        grad.value,
        (term,),
        total=term.value,
        notes=sc.bwd_note(t, dsym),
        quantity=grad.quantity,
    )


def carried_back(sc: Scope, p: str, t: int, r: int, c: int) -> Step:
    """What this edge carries back into the sending unit's delta: w_rc·δ_r(t), the term of the
    earlier delta's sum, only as far as the truncation lets δ travel (:meth:`Scope.carried`)."""
    weight, dsym = sc.w(p, r, c), sc.u(WEIGHT_KINDS[p].delta, r, t)
    delta, into, note = sc.show(WEIGHT_KINDS[p].delta, t, r), sc.u("delta_h", c, t), ""
    if p == "W" and t == 1:  # ∂L/∂h0 = W^T δh(1), whatever the truncation
        into = f"{'-' if sc.sign < 0 else ''}∂{sc.L}/∂{sc.w('h0', c)}"
    elif p == "W":
        back, note = sc.carried(t - 1)
        into = sc.u("delta_h", c, t - 1)
        if sc.net.jordan:
            into = f"r[{c + 1}] of {sc.u('delta_o', c, t - 1)}, through {sc.u('y', c, t - 1)}"
        if back is None:
            return Step(
                "carried back",
                f"{weight}·{dsym}  (no term of {into})",
                f"nothing comes back into {into}",
                "carried back = none",
                sc.cite(*back_keys(sc, p, t), delta=True),
                None,
                notes=(note,),
            )
        delta = sc.show("carried", t - 1, r)  # the part of δh(t) that reaches step t-1
    term = product([weight, dsym], [sc.show(p, r, c), delta])
    return Step(
        "carried back",
        f"{weight}·{dsym}  (a term of {into})",
        f"{term.numbers} = {fmt(term.value)}",
        f"carried back = {fmt(term.value)}",
        sc.cite(*back_keys(sc, p, t), delta=True),
        term.value,
        (term,),
        total=term.value,
        notes=(*sc.bwd_note(t, dsym), *((note,) if note else ())),
    )


def forward_keys(sc: Scope, p: str) -> tuple[str, ...]:
    """The equations of the net input an edge of p feeds (a Jordan context: its own)."""
    if p == "W" and sc.net.jordan:
        return ("jordan-context",)
    if p == "U" and sc.net.context == "none":
        return ("tdl-net-hidden",)
    return (_NET_INPUT[WEIGHT_KINDS[p].receiver],)


def back_keys(sc: Scope, p: str, t: int) -> tuple[str, ...]:
    """The equations of the delta an edge of p carries back into."""
    if p == "W" and t == 1:
        return ("grad-h0",)
    if p == "W" and sc.net.jordan:
        return ("jordan-delta-output", *sc.truncation_key())
    if p == "W":
        return ("delta-hidden", *sc.truncation_key())
    return ("jordan-delta-hidden",) if sc.net.jordan else ("delta-hidden",)
